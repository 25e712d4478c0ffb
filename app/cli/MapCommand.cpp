// hepgen map: a score, density, density-ratio or out-of-distribution map of a trained model over two features
// (core/maps); hepgen surrogate: trains the Bayesian flow-matching surrogate of a classifier.
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/maps/MapCompute.h"
#include "core/maps/MapFile.h"
#include "core/maps/MapModels.h"
#include "core/maps/Surrogate.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

namespace hepgen::cli {

namespace {

struct MapOptions {
    std::string run, ratioTo, x, y, kind, data, output;
    std::vector<std::string> slices;
    std::vector<int> grid;
    std::vector<double> xRange, yRange;
    int64_t pdEvents = 32;
    std::uint64_t seed = 1;
    bool pd = false, json = false;
};

/// "F=V" -> (F, V); ConfigError naming the option otherwise.
std::pair<std::string, double> parseSlice(const std::string& text)
{
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw ConfigError(fmt::format("--slice '{}': write FEATURE=VALUE.", text));
    const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0' || !std::isfinite(v))
        throw ConfigError(fmt::format("--slice {}: '{}' is not a finite number.", name, value));
    return { name, v };
}

/// The data file a run recorded (config.json data.source), when it is a readable file.
std::string recordedData(const std::string& runDir)
{
    std::ifstream in(std::filesystem::path(runDir) / "config.json");
    if (!in)
        return {};
    try {
        const auto j = nlohmann::json::parse(in);
        const std::string source = j.at("data").value("source", std::string());
        std::error_code ec;
        return !source.empty() && std::filesystem::is_regular_file(source, ec) ? source : std::string();
    } catch (const nlohmann::json::exception&) {
        return {};
    }
}

std::optional<hepgen::data::Table> readTable(const std::string& path)
{
    auto dataset = hepgen::data::readDataset(path);
    if (!dataset.table)
        throw ConfigError(fmt::format("{} holds showers; a map needs a table of the model's features.", path));
    return std::move(dataset.table);
}

void addMap(CLI::App& app, const GlobalOptions& global, Action& action)
{
    auto o = std::make_shared<MapOptions>();
    CLI::App* map = app.add_subcommand("map",
        "Compute an anomaly-score, density, density-ratio or uncertainty map "
        "of a trained model over two features; writes MAP.h5 or MAP.csv");
    map->add_option("--run", o->run,
           "Model directory: a run (hepgen train, the model lab), a classifier surrogate (hepgen surrogate) or a "
           "saved hunt model (hepgen hunt --save-model)")
        ->required();
    map->add_option("--ratio-to", o->ratioTo,
        "Background density run: map the ANODE score log p_run(x|m) - log p_background(x|m) (kind density_ratio)");
    map->add_option("--x", o->x, "Feature on the x axis")->required();
    map->add_option("--y", o->y, "Feature on the y axis")->required();
    map->add_option("--kind", o->kind,
        "score | log_density | density_ratio | ood (distance to the data; needs --data). Default: what the model "
        "offers first");
    map->add_option("--data", o->data,
        "Reference data (the model's training data): default ranges, slice medians, --pd, ood. Default: the data "
        "file a run recorded, when it still exists");
    map->add_option("--slice", o->slices, "Hold an input at a value, FEATURE=VALUE (repeatable; default: the median)");
    map->add_flag("--pd", o->pd, "Partial dependence: average the features not on an axis over data events");
    map->add_option("--pd-events", o->pdEvents, "Events averaged by --pd")->capture_default_str();
    map->add_option("--grid", o->grid, "Bins per axis: N, or NX NY (default 200)")->expected(1, 2);
    map->add_option("--x-range", o->xRange, "x range LO HI (default: the data's 0.5-99.5 % quantiles, padded)")
        ->expected(2);
    map->add_option("--y-range", o->yRange, "y range LO HI")->expected(2);
    map->add_option("--seed", o->seed, "Seed of the partial-dependence and ood event samples")->capture_default_str();
    map->add_option("-o,--output", o->output, "Map file: .h5 (HDF5, docs/file-format.md) or .csv")->required();
    map->add_flag("--json", o->json, "Print a summary of the map as one JSON object");
    map->callback([o, &global, &action] {
        action = [o, &global] {
            using namespace hepgen::maps;
            MapRequest request;
            request.x = o->x;
            request.y = o->y;
            for (const auto& s : o->slices)
                request.slices.insert(parseSlice(s));
            if (!o->grid.empty()) {
                request.xBins = o->grid.front();
                request.yBins = o->grid.back();
            }
            if (!o->xRange.empty())
                request.xRange = std::make_pair(o->xRange[0], o->xRange[1]);
            if (!o->yRange.empty())
                request.yRange = std::make_pair(o->yRange[0], o->yRange[1]);
            request.partialDependence = o->pd;
            request.pdEvents = o->pdEvents;
            request.seed = o->seed;
            std::optional<MapKind> kind;
            if (!o->kind.empty())
                kind = kindFromName(o->kind); // a typo fails before anything is loaded

            std::shared_ptr<MapModel> model = loadMapModel(o->run);
            if (!o->ratioTo.empty())
                model = densityRatioModel(model, loadMapModel(o->ratioTo));
            if (!kind && model->kinds().empty())
                throw ConfigError(fmt::format("{} offers no map.", model->name()));
            request.kind = kind ? *kind : model->kinds().front();

            std::string dataPath = o->data.empty() ? recordedData(o->run) : o->data;
            std::optional<hepgen::data::Table> data;
            if (!dataPath.empty()) {
                if (o->data.empty() && !global.quiet)
                    fmt::print(stderr, "hepgen map: reference data {} (recorded in the run)\n", dataPath);
                data = readTable(dataPath);
            }
            const auto* table = data ? &*data : nullptr;
            if (auto problem = requestProblem(*model, request, table); !problem.empty())
                throw ConfigError(table ? problem : problem + " Give --data FILE.");
            TerminalProgress progress("map", global.quiet);
            const auto result = computeMap(*model, request, table, progress.control());
            progress.finish();
            writeMap(result, o->output, request.toJson());
            nlohmann::json summary = result.summaryJson();
            summary["file"] = o->output;
            summary["data"] = dataPath;
            if (o->json)
                fmt::print("{}\n", summary.dump());
            else if (!global.quiet)
                fmt::print(stderr, "{} of {} over {} x {} ({} x {} bins) in {:.2f} s -> {}\n", result.label,
                    result.model, result.x.feature, result.y.feature, result.x.bins, result.y.bins, result.seconds,
                    o->output);
            return 0;
        };
    });
}

struct SurrogateOptions {
    std::string classifier, data, config, output;
    std::optional<int64_t> epochs, maxEvents;
    std::optional<std::uint64_t> seed;
    bool json = false;
};

void addSurrogate(CLI::App& app, const GlobalOptions& global, Action& action)
{
    auto o = std::make_shared<SurrogateOptions>();
    CLI::App* sub = app.add_subcommand("surrogate",
        "Train the Bayesian flow-matching surrogate of a classifier's score (map it with hepgen map --run DIR)");
    sub->add_option("--classifier", o->classifier,
           "Model with a score: a saved hunt model (hepgen hunt --save-model) or another surrogate")
        ->required();
    sub->add_option("--data", o->data, "Events to learn the score on (the classifier's training data)")->required();
    sub->add_option("--config", o->config, "JSON with \"model\" (bayes-cfm keys), \"trainer\", \"max_events\", ...");
    sub->add_option("--epochs", o->epochs, "Epochs (overrides the config's trainer.epochs)");
    sub->add_option("--max-events", o->maxEvents, "Events trained on, a seeded subsample (0: all; default 20000)");
    sub->add_option("--seed", o->seed, "Seed (default 1)");
    sub->add_option("-o,--output", o->output, "Surrogate directory")->required();
    sub->add_flag("--json", o->json, "Print a summary as one JSON object");
    sub->callback([o, &global, &action] {
        action = [o, &global] {
            using namespace hepgen::maps;
            nlohmann::json j = readConfigFile(o->config);
            if (o->epochs)
                j["trainer"]["epochs"] = *o->epochs;
            if (o->maxEvents)
                j["max_events"] = *o->maxEvents;
            if (o->seed)
                j["seed"] = *o->seed;
            const auto config = SurrogateConfig::read(j);
            auto classifier = loadMapModel(o->classifier);
            const auto data = readTable(o->data);
            TerminalProgress progress("surrogate", global.quiet);
            const auto surrogate = trainSurrogate(*classifier, *data, config, o->output, progress.control());
            progress.finish();
            const nlohmann::json summary = { { "surrogate", o->output }, { "classifier", classifier->name() },
                { "events", surrogate->trainingEvents() }, { "draws", surrogate->members(MapKind::Score) },
                { "features", surrogate->features() } };
            if (o->json)
                fmt::print("{}\n", summary.dump());
            else if (!global.quiet)
                fmt::print(stderr, "surrogate of {} trained on {} events -> {}\n", classifier->name(),
                    surrogate->trainingEvents(), o->output);
            return 0;
        };
    });
}

} // namespace

void addMapCommands(CLI::App& app, const GlobalOptions& global, Action& action)
{
    addMap(app, global, action);
    addSurrogate(app, global, action);
}

} // namespace hepgen::cli
