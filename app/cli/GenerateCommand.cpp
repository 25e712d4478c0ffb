#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/data/Toy2D.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

namespace hepgen::cli {

namespace {

struct CommonOptions {
    std::size_t events = 0; // 0: the generator's default
    std::uint64_t seed = 1;
    std::string output;
};

void addCommon(CLI::App* sub, CommonOptions& o, std::size_t defaultEvents)
{
    o.events = defaultEvents;
    sub->add_option("--events,-n", o.events, "Number of events")->capture_default_str()->check(CLI::PositiveNumber);
    sub->add_option("--seed", o.seed, "Random seed")->capture_default_str();
    sub->add_option("-o,--output", o.output, "Output file (HEPGen schema, .h5)")->required();
}

} // namespace

void addGenerateCommand(CLI::App& app, const GlobalOptions&, Action& action)
{
    CLI::App* gen = app.add_subcommand("generate", "Generate a built-in data set: dijet | showers | toy2d");
    gen->require_subcommand(1);

    auto toy = std::make_shared<CommonOptions>();
    auto shape = std::make_shared<std::string>("moons");
    CLI::App* toySub = gen->add_subcommand("toy2d", "2D toy distributions for the model lab");
    addCommon(toySub, *toy, 100000);
    toySub->add_option("--shape", *shape, "Shape")
        ->check(CLI::IsMember(hepgen::data::toy2DShapeNames()))
        ->capture_default_str();
    toySub->callback([toy, shape, &action] {
        action = [toy, shape] {
            hepgen::data::Dataset ds;
            ds.kind = hepgen::data::DatasetKind::Table;
            ds.table = hepgen::data::generateToy2D(hepgen::data::parseToy2DShape(*shape), toy->events, toy->seed);
            ds.description = fmt::format("toy2d shape={} events={} seed={}", *shape, toy->events, toy->seed);
            hepgen::data::writeDataset(ds, toy->output);
            fmt::print(stderr, "wrote {} events to {}\n", toy->events, toy->output);
            return 0;
        };
    });
}

} // namespace hepgen::cli
