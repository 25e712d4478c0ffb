// The shower path of hepgen train / hepgen sample: CaloClouds-style generators (core/showers/ShowerGenerator.h).
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/data/Hdf5Util.h"
#include "core/showers/ShowerGenerator.h"
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

// The trajectory of one shower beside the samples (docs/file-format.md, "Shower trajectories").
void writeShowerTrajectory(const std::string& path, const hepgen::showers::ShowerTrajectory& t, std::size_t shower)
{
    translatingErrors("writing the trajectory to " + path, [&] {
        H5::H5File file(path, H5F_ACC_RDWR);
        H5::Group g = file.createGroup("/trajectory");
        namespace h5 = hepgen::data::h5;
        h5::writeAttribute(g, "sampler", t.sampler);
        h5::writeAttribute(g, "time_name", t.timeName);
        h5::writeAttribute(g, "post_processed", static_cast<long long>(t.postProcessed ? 1 : 0));
        h5::writeAttribute(g, "incident_energy", t.incidentEnergy);
        h5::writeAttribute(g, "shower", static_cast<long long>(shower));
        const auto frames = static_cast<hsize_t>(t.frames());
        h5::writeChunked(g, "times", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, { frames }, t.times.data());
        h5::writeChunked(
            g, "log10_snr", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, { frames }, t.log10Snr.data());
        std::vector<int64_t> offsets { 0 };
        std::vector<float> xt, x0;
        for (std::size_t k = 0; k < t.frames(); ++k) {
            xt.insert(xt.end(), t.xt[k].begin(), t.xt[k].end());
            x0.insert(x0.end(), t.x0Pred[k].begin(), t.x0Pred[k].end());
            offsets.push_back(static_cast<int64_t>(xt.size() / 4));
        }
        h5::writeChunked(
            g, "offsets", H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64, { frames + 1 }, offsets.data());
        const hsize_t points = xt.size() / 4;
        h5::writeChunked(g, "xt", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { points, 4 }, xt.data());
        h5::writeChunked(g, "x0_pred", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { points, 4 }, x0.data());
    });
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
        writeShowerTrajectory(o.output, result.trajectories.front(), 0);
    if (!global.quiet)
        fmt::print(stderr, "wrote {} showers to {} in {:.2f} s\n", o.n, o.output, result.seconds);
    return 0;
}

} // namespace hepgen::cli
