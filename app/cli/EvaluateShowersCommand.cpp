// hepgen evaluate-showers: generated against reference showers, headless (core/showers/Observables.h).
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/showers/Observables.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <memory>

namespace hepgen::cli {

namespace {

struct EvaluateOptions {
    std::string reference, generated, binning;
    std::vector<double> energyRange;
    std::uint64_t seed = 1;
    std::size_t bins = 40;
    bool json = false, noClassifier = false;
};

/// The showers of a file, or a ConfigError saying what the file holds instead.
hepgen::data::Showers readShowers(const std::string& path, const std::string& binning, const char* role)
{
    hepgen::data::ReadOptions options;
    options.binningXml = binning;
    hepgen::data::Dataset ds = hepgen::data::readDataset(path, options);
    if (!ds.showers)
        throw ConfigError(fmt::format("The {} file {} holds a table ({}), not showers.", role, path, ds.format));
    return std::move(*ds.showers);
}

void printText(const hepgen::showers::ShowerEvaluation& e)
{
    fmt::print("{} reference and {} generated showers with E_inc in [{:g}, {:g}] GeV\n", e.nReference, e.nGenerated,
        e.energyMin, e.energyMax);
    if (std::isfinite(e.classifierAuc))
        fmt::print("classifier AUC {:.4f} (+- {:.4f} by chance), JSD {:.4f} bits, {} high-level features\n",
            e.classifierAuc, e.classifierAucNullSigma, e.classifierJsd, e.classifierFeatures);
    fmt::print("{:<28} {:>16} {:>14}\n", "observable", "separation power", "W1");
    // Shower-level observables and profiles one by one; per-layer ones summarised by group.
    std::map<std::string, std::pair<double, double>> groups; // group -> (mean, max) separation power
    std::map<std::string, int> counts;
    for (const auto& o : e.observables) {
        if (o.group == "shower" || o.group == "profile") {
            fmt::print(
                "{:<28} {:>16.4f} {:>14.5g}{}\n", o.name, o.separationPower, o.w1, o.unit.empty() ? "" : " " + o.unit);
            continue;
        }
        auto& g = groups[o.group];
        g.first += o.separationPower;
        g.second = std::max(g.second, o.separationPower);
        ++counts[o.group];
    }
    for (const auto& [group, g] : groups)
        fmt::print(
            "{:<28} mean {:.4f}, max {:.4f} over {} layers\n", group, g.first / counts[group], g.second, counts[group]);
    for (const auto& n : e.notes)
        fmt::print("note: {}\n", n);
}

} // namespace

void addEvaluateShowersCommand(CLI::App& app, const GlobalOptions& global, Action& action)
{
    auto o = std::make_shared<EvaluateOptions>();
    CLI::App* sub = app.add_subcommand("evaluate-showers",
        "Compare generated with reference showers: separation power and W1 per observable, classifier AUC");
    sub->add_option("--reference", o->reference, "Reference showers (any supported shower format)")->required();
    sub->add_option("--generated", o->generated, "Generated showers (any supported shower format)")->required();
    sub->add_option("--energy-range", o->energyRange, "Only showers with incident energy in LO HI [GeV]")->expected(2);
    sub->add_option("--bins", o->bins, "Histogram bins per observable")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    sub->add_option("--seed", o->seed, "Seed of the classifier test")->capture_default_str();
    sub->add_option("--binning", o->binning, "Binning XML of CaloChallenge inputs (default: the bundled one)");
    sub->add_flag("--no-classifier", o->noClassifier, "Skip the classifier two-sample test");
    sub->add_flag("--json", o->json, "Print the result as one JSON object on stdout");
    sub->callback([o, &global, &action] {
        action = [o, &global] {
            hepgen::showers::EvaluationOptions options;
            if (!o->energyRange.empty()) {
                options.energyMin = o->energyRange[0];
                options.energyMax = o->energyRange[1];
            }
            options.classifier = !o->noClassifier;
            options.seed = o->seed;
            options.bins = o->bins;
            const auto reference = readShowers(o->reference, o->binning, "reference");
            const auto generated = readShowers(o->generated, o->binning, "generated");
            TerminalProgress progress("evaluate-showers", global.quiet);
            const auto result = hepgen::showers::evaluateShowers(reference, generated, options, progress.control());
            progress.finish();
            if (o->json)
                fmt::print("{}\n", result.toJson().dump());
            else
                printText(result);
            return 0;
        };
    });
}

} // namespace hepgen::cli
