// The shower path of hepgen train / hepgen sample: CaloClouds-style generators (core/showers/ShowerGenerator.h).
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/showers/ShowerGenerator.h"
#include "core/showers/ShowerTrajectoryFile.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace hepgen::cli {

namespace fs = std::filesystem;
using hepgen::showers::ShowerGenerator;

namespace {

hepgen::data::Showers readShowers(const std::string& path)
{
    auto dataset = hepgen::data::readDataset(path);
    if (!dataset.showers)
        throw ConfigError(fmt::format("--model shower trains on showers (our showers schema, CaloChallenge or "
                                      "CaloClouds files); {} holds a table.",
            path));
    return std::move(*dataset.showers);
}

nlohmann::json stageSummary(const nlohmann::json& metrics)
{
    nlohmann::json out = nlohmann::json::object();
    for (const char* stage : { "flow", "points", "student" })
        if (metrics.contains(stage) && !metrics.at(stage).empty()) {
            const auto& last = metrics.at(stage).back();
            out[stage] = { { "epochs", last.at("epoch") }, { "train_loss", last.at("train_loss") },
                { "validation_loss", last.at("validation_loss") } };
        }
    return out;
}

} // namespace

bool isShowerRun(const std::string& dir)
{
    std::ifstream in(fs::path(dir) / "config.json");
    if (!in)
        return false;
    try {
        const auto j = nlohmann::json::parse(in);
        return j.is_object() && j.value("kind", std::string()) == "hepgen-shower-generator";
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

int trainShowers(const ShowerTrainCli& o, const GlobalOptions& global)
{
    nlohmann::json config = readConfigFile(o.config);
    TerminalProgress progress(o.teacher.empty() ? "train" : "distil", global.quiet);
    const auto epochLine = [&](const hepgen::showers::ShowerEpoch& e) {
        if (!global.quiet && e.epoch == e.epochs)
            fmt::print(stderr, "\n{}: {} epochs, train loss {:.4g}, validation loss {:.4g}\n", e.stage, e.epochs,
                e.trainLoss, e.validationLoss);
    };
    std::unique_ptr<ShowerGenerator> generator;
    if (!o.teacher.empty()) {
        // Distil an existing run: into a copy at -o (the teacher run stays as it was), or in place when -o is it.
        if (!isShowerRun(o.teacher))
            throw ConfigError(fmt::format("--teacher {} is not a shower generator's run directory.", o.teacher));
        nlohmann::json distillation = config.value("distillation", nlohmann::json::object());
        for (const auto& [key, value] : config.items())
            if (key != "distillation")
                throw ConfigError(fmt::format(
                    "With --teacher only the \"distillation\" settings of --config apply; '{}' cannot change.", key));
        if (o.epochs)
            distillation["trainer"]["epochs"] = *o.epochs;
        if (o.seed)
            distillation["trainer"]["seed"] = *o.seed;
        const fs::path from = fs::absolute(o.teacher).lexically_normal(),
                       to = fs::absolute(o.output).lexically_normal();
        if (from != to) {
            if (fs::exists(to))
                throw ConfigError(fmt::format("{} exists; give a new run directory for the student.", o.output));
            translatingErrors("copying the teacher run", [&] { fs::copy(from, to, fs::copy_options::recursive); });
        }
        const auto showers = readShowers(o.data);
        generator = ShowerGenerator::load(to.string());
        generator->distill(showers, distillation, progress.control(), epochLine);
    } else {
        if (o.seed)
            config["seed"] = *o.seed;
        if (o.epochs)
            config["points"]["trainer"]["epochs"] = *o.epochs;
        const auto settings = hepgen::showers::ShowerGeneratorConfig::read(config); // before reading the data
        const auto showers = readShowers(o.data);
        const JobControl control = progress.control();
        generator = ShowerGenerator::train(
            showers, settings, o.output, o.distill ? control.subRange(0.0, 0.85) : control, epochLine);
        if (o.distill)
            generator->distill(showers, nlohmann::json::object(), control.subRange(0.85, 1.0), epochLine);
    }
    progress.finish();
    std::ifstream in(fs::path(generator->directory()) / "metrics.json");
    const auto metrics = nlohmann::json::parse(in, nullptr, false);
    if (o.json) {
        fmt::print("{}\n",
            nlohmann::json { { "model", "shower" }, { "run", o.output }, { "samplers", generator->samplers() },
                { "energy_range", { generator->energyRange().first, generator->energyRange().second } },
                { "stages", metrics.is_discarded() ? nlohmann::json::object() : stageSummary(metrics) } }
                .dump());
    } else if (!global.quiet) {
        fmt::print(
            stderr, "shower generator in {} (samplers: {})\n", o.output, nlohmann::json(generator->samplers()).dump());
    }
    return 0;
}

int sampleShowers(const ShowerSampleCli& o, const GlobalOptions& global)
{
    if (o.n < 1)
        throw ConfigError(fmt::format("--n must be at least 1 (got {}).", o.n));
    if (!o.energy.empty() && !o.energyRange.empty())
        throw ConfigError("Give either --energy or --energy-range, not both.");
    const auto generator = ShowerGenerator::load(o.run);
    hepgen::showers::ShowerSampleRequest r;
    r.sampler = o.sampler;
    r.steps = o.steps;
    r.seed = o.seed.value_or(1);
    r.allowExtrapolation = o.allowExtrapolation;
    if (o.trajectory)
        r.trajectoryOf = { 0 };
    if (!o.energy.empty()) {
        r.incidentEnergy.assign(static_cast<std::size_t>(o.n), o.energy.front());
    } else {
        // Uniform in the range given, or in the trained range (a stream apart from the showers' own).
        auto [lo, hi] = generator->energyRange();
        if (!o.energyRange.empty()) {
            lo = o.energyRange[0];
            hi = o.energyRange[1];
        }
        if (!(lo > 0 && hi >= lo))
            throw ConfigError(fmt::format("--energy-range needs 0 < LO <= HI (got {} {}).", lo, hi));
        std::mt19937_64 rng(r.seed ^ 0xE4E4E4E4ULL);
        std::uniform_real_distribution<double> u(lo, hi);
        for (int64_t i = 0; i < o.n; ++i)
            r.incidentEnergy.push_back(u(rng));
    }
    TerminalProgress progress("sample", global.quiet);
    auto result = generator->sample(r, progress.control());
    progress.finish();
    for (const auto& w : result.warnings)
        fmt::print(stderr, "warning: {}\n", w);
    hepgen::data::Dataset ds;
    ds.kind = hepgen::data::DatasetKind::Showers;
    ds.description = fmt::format("{} showers of the shower generator {} (sampler {}, seed {})", o.n, o.run,
        r.sampler.empty() ? generator->samplers().front() : r.sampler, r.seed);
    ds.showers = std::move(result.showers);
    hepgen::data::writeDataset(ds, o.output);
    if (o.trajectory)
        hepgen::showers::writeShowerTrajectory(o.output, result.trajectories.front(), 0);
    if (!global.quiet)
        fmt::print(stderr, "wrote {} showers to {} in {:.2f} s\n", o.n, o.output, result.seconds);
    return 0;
}

} // namespace hepgen::cli
