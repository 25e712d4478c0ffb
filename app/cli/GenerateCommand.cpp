#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/data/Generators.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace hepgen::cli {

namespace {

using hepgen::data::GeneratorKind;
using hepgen::data::GeneratorRequest;

struct Options {
    GeneratorRequest request;
    std::string shape = "moons";
    std::string output;
};

void addOutput(CLI::App* sub, Options& o)
{
    sub->add_option("-o,--output", o.output, "Output file (HEPGen schema, .h5)")->required();
}

Action makeAction(const std::shared_ptr<Options>& o, const GlobalOptions& global, const char* title)
{
    return [o, &global, title] {
        if (o->request.kind == GeneratorKind::Toy2D)
            o->request.toyShape = hepgen::data::parseToy2DShape(o->shape);
        hepgen::data::Dataset ds;
        {
            TerminalProgress progress(title, global.quiet);
            ds = hepgen::data::generateDataset(o->request, progress.control());
        }
        hepgen::data::writeDataset(ds, o->output);
        const std::size_t n = ds.table ? ds.table->rows() : ds.showers->size();
        if (!global.quiet)
            fmt::print(stderr, "wrote {} {} to {}\n", n, ds.table ? "events" : "showers", o->output);
        return 0;
    };
}

} // namespace

void addGenerateCommand(CLI::App& app, const GlobalOptions& global, Action& action)
{
    CLI::App* gen = app.add_subcommand("generate", "Generate a built-in data set: dijet | showers | toy2d");
    gen->require_subcommand(1);

    auto dijet = std::make_shared<Options>();
    dijet->request.kind = GeneratorKind::Dijet;
    auto& d = dijet->request.dijet;
    CLI::App* dSub
        = gen->add_subcommand("dijet", "LHC Olympics R&D look-alike: QCD dijets and a W'(3.5 TeV) -> X Y signal");
    dSub->add_option("--events,-n", d.background, "Background events")->capture_default_str();
    dSub->add_option("--signal", d.signal, "Injected signal events")->capture_default_str();
    dSub->add_option(
        "--s-over-b", d.sOverB, "Inject signal to reach this S/B in the signal region (overrides --signal)");
    dSub->add_option("--sr-low", d.srLow, "Signal region low edge [TeV] for --s-over-b")->capture_default_str();
    dSub->add_option("--sr-high", d.srHigh, "Signal region high edge [TeV] for --s-over-b")->capture_default_str();
    dSub->add_option("--noise-features", d.noiseFeatures, "Extra pure N(0,1) features")->capture_default_str();
    dSub->add_option("--mjj-correlation", d.mjjCorrelation, "Strength of the substructure features' mjj dependence")
        ->capture_default_str();
    dSub->add_option("--seed", d.seed, "Random seed")->capture_default_str();
    addOutput(dSub, *dijet);
    dSub->callback([dijet, &global, &action] { action = makeAction(dijet, global, "dijet"); });

    auto showers = std::make_shared<Options>();
    showers->request.kind = GeneratorKind::Showers;
    auto& s = showers->request.showers;
    CLI::App* sSub = gen->add_subcommand("showers", "GFLASH-style photon showers in an ILD-like Si-W ECAL");
    sSub->add_option("--events,-n", s.showers, "Number of showers")->capture_default_str();
    sSub->add_option("--energy-min", s.energyMin, "Lowest incident energy [GeV]")->capture_default_str();
    sSub->add_option("--energy-max", s.energyMax, "Highest incident energy [GeV]")->capture_default_str();
    sSub->add_option("--seed", s.seed, "Random seed")->capture_default_str();
    addOutput(sSub, *showers);
    sSub->callback([showers, &global, &action] { action = makeAction(showers, global, "showers"); });

    auto toy = std::make_shared<Options>();
    toy->request.kind = GeneratorKind::Toy2D;
    CLI::App* tSub = gen->add_subcommand("toy2d", "2D toy distributions for the model lab");
    tSub->add_option("--events,-n", toy->request.toyEvents, "Number of events")->capture_default_str();
    tSub->add_option("--shape", toy->shape, "Shape")
        ->check(CLI::IsMember(hepgen::data::toy2DShapeNames()))
        ->capture_default_str();
    tSub->add_option("--seed", toy->request.toySeed, "Random seed")->capture_default_str();
    addOutput(tSub, *toy);
    tSub->callback([toy, &global, &action] { action = makeAction(toy, global, "toy2d"); });
}

} // namespace hepgen::cli
