#include "Commands.h"

#include "core/data/DatasetIO.h"
#include "core/data/Summary.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace hepgen::cli {

void addInfoCommand(CLI::App& app, const GlobalOptions&, Action& action)
{
    struct Options {
        std::string file;
        bool json = false;
        hepgen::data::ReadOptions read;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand("info", "Describe a data file of any supported format");
    sub->add_option("file", opt->file, "The file (HEPGen schema, LHCO pandas, .npy/.npz, CaloChallenge, CaloClouds)")
        ->required();
    sub->add_flag("--json", opt->json, "Print one JSON object on stdout");
    sub->add_option("--binning", opt->read.binningXml, "CaloChallenge: the binning_dataset_*.xml of the file");
    sub->add_option("--columns", opt->read.columnNames, "NumPy files: names of the columns, in order")->delimiter(',');
    sub->callback([opt, &action] {
        action = [opt] {
            const auto summary = hepgen::data::summarise(hepgen::data::readDataset(opt->file, opt->read));
            if (opt->json)
                fmt::print("{}\n", hepgen::data::toJson(summary).dump());
            else
                fmt::print("{}", hepgen::data::toText(summary));
            return 0;
        };
    });
}

} // namespace hepgen::cli
