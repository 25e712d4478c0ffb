#include "core/showers/ShowerGenerator.h"

#include "core/data/Preprocessing.h"
#include "core/models/FlowModel.h"
#include "core/models/GenerativeModel.h"
#include "core/models/ModelSupport.h"
#include "core/models/points/PointCloudModel.h"
#include "core/showers/ShowerFeatures.h"
#include "core/showers/ShowerLayout.h"
#include "core/showers/ShowerPostProcessing.h"
#include "core/training/Trainer.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

namespace hepgen::showers {

namespace fs = std::filesystem;
using hepgen::models::points::PointCloudModel;
using hepgen::training::Trainer;
using hepgen::training::TrainingData;

namespace {

constexpr int kFormatVersion = 1;
constexpr const char* kKind = "hepgen-shower-generator";
constexpr int64_t kChunkPoints = 4096; // points per sampler call: the activations of a chunk stay in cache
constexpr int64_t kChunkShowers = 100;

/// splitmix64 of (seed, stream, index): independent, reproducible streams per shower.
uint64_t mixSeed(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream * 0x100000001B3ULL + index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

torch::Tensor normalRows(int64_t rows, int64_t cols, uint64_t seed)
{
    auto g = at::detail::createCPUGenerator(seed);
    return torch::randn({ rows, cols }, g, torch::kFloat32);
}

nlohmann::json geometryJson(const hepgen::data::CalorimeterGeometry& g)
{
    return { { "name", g.name }, { "layer_z", g.layerZ }, { "cell_size", g.cellSize },
        { "radiation_length", g.radiationLength }, { "moliere_radius", g.moliereRadius } };
}

hepgen::data::CalorimeterGeometry geometryFromJson(const nlohmann::json& j)
{
    hepgen::data::CalorimeterGeometry g;
    g.name = j.at("name").get<std::string>();
    g.layerZ = j.at("layer_z").get<std::vector<double>>();
    g.cellSize = j.at("cell_size").get<double>();
    g.radiationLength = j.at("radiation_length").get<double>();
    g.moliereRadius = j.at("moliere_radius").get<double>();
    return g;
}

hepgen::training::TrainerConfig trainerConfig(const nlohmann::json& j, const std::string& what)
{
    hepgen::training::TrainerConfig t;
    hepgen::models::ConfigReader r(j, what);
    t.read(r);
    r.rejectUnknownKeys();
    return t;
}

nlohmann::json historyJson(const Trainer& trainer)
{
    nlohmann::json h = nlohmann::json::array();
    for (const auto& m : trainer.history())
        h.push_back({ { "epoch", m.epoch }, { "train_loss", m.trainLoss },
            { "validation_loss",
                std::isfinite(m.validationLoss) ? nlohmann::json(m.validationLoss) : nlohmann::json() },
            { "seconds", m.seconds } });
    return h;
}

void writeJson(const fs::path& path, const nlohmann::json& j)
{
    std::ofstream out(path);
    if (!out)
        throw FileError(path.string(), "cannot be written.");
    out << j.dump(2) << "\n";
}

nlohmann::json readJson(const fs::path& path)
{
    std::ifstream in(path);
    if (!in)
        throw FileError(path.string(), "cannot be read (is this a shower generator's run directory?).");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(path.string(), std::string("is not valid JSON (") + e.what() + ").");
    }
}

std::unique_ptr<PointCloudModel> asPointModel(std::unique_ptr<hepgen::models::GenerativeModel> m)
{
    auto* p = dynamic_cast<PointCloudModel*>(m.get());
    if (!p)
        throw ConfigError("Internal error: a point model's clone is not a point model.");
    m.release();
    return std::unique_ptr<PointCloudModel>(p);
}

/// Checks the showers and returns the indices of those with hits. ConfigError for anything unusable.
std::vector<std::size_t> usableShowers(const hepgen::data::Showers& s, int64_t maxShowers)
{
    const std::size_t n = s.size();
    if (n == 0)
        throw ConfigError("There are no showers to train on.");
    if (s.offsets.size() != n + 1 || s.offsets.front() != 0
        || static_cast<std::size_t>(s.offsets.back()) * 4 != s.points.size())
        throw ConfigError("The showers are inconsistent: their offsets do not match the points.");
    std::vector<std::size_t> used;
    for (std::size_t i = 0; i < n; ++i) {
        const double e = s.incidentEnergy[i];
        if (!std::isfinite(e) || e <= 0)
            throw ConfigError(
                fmt::format("Shower {} has an incident energy of {} GeV; it must be a positive number.", i, e));
        if (s.offsets[i + 1] < s.offsets[i])
            throw ConfigError("The showers are inconsistent: their offsets decrease.");
        for (auto k = s.offsets[i]; k < s.offsets[i + 1]; ++k) {
            const float* p = s.points.data() + 4 * k;
            if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]) || !std::isfinite(p[3]))
                throw ConfigError(fmt::format("Shower {} has a hit with a non-finite position or energy.", i));
            if (p[3] <= 0)
                throw ConfigError(
                    fmt::format("Shower {} has a hit of energy {} MeV; hits must carry energy.", i, p[3]));
        }
        if (s.hits(i) > 0 && (maxShowers == 0 || static_cast<int64_t>(used.size()) < maxShowers))
            used.push_back(i);
    }
    if (used.size() < 10)
        throw ConfigError(fmt::format(
            "A shower generator needs at least 10 showers with hits to train on; these showers have {}.", used.size()));
    return used;
}

/// The used showers as one Showers value (so that the feature code sees only them).
hepgen::data::Showers subset(const hepgen::data::Showers& s, const std::vector<std::size_t>& used)
{
    hepgen::data::Showers out;
    out.geometry = s.geometry;
    out.offsets.push_back(0);
    for (const std::size_t i : used) {
        out.points.insert(
            out.points.end(), s.points.begin() + 4 * s.offsets[i], s.points.begin() + 4 * s.offsets[i + 1]);
        out.offsets.push_back(static_cast<int64_t>(out.points.size() / 4));
        out.incidentEnergy.push_back(s.incidentEnergy[i]);
    }
    return out;
}

} // namespace

struct ShowerGenerator::Impl {
    std::string dir;
    nlohmann::json settings; ///< ShowerGeneratorConfig::json
    hepgen::data::CalorimeterGeometry geometry;
    ShowerLayout layout;
    hepgen::data::Preprocessing flowScaling { { "standardize" } };
    double logEMean = 0, logEStd = 1, logNMean = 0, logNStd = 1;
    PointScaling pointScaling;
    double energyMin = 0, energyMax = 0;
    int64_t maxHits = 1;
    double minHitEnergy = 0.0; ///< MeV, the smallest training hit energy (the cell threshold)
    std::string dataDescription;
    nlohmann::json metrics = nlohmann::json::object();
    std::unique_ptr<hepgen::models::FlowModel> flow; ///< sampling copy (EMA weights)
    std::unique_ptr<PointCloudModel> points;         ///< sampling copy (EMA weights)
    std::unique_ptr<PointCloudModel> student;        ///< distilled 1-step student, or null

    nlohmann::json state() const;
    void restore(const nlohmann::json& j);
    void save() const;
    TrainingData pointData(const hepgen::data::Showers& s, uint64_t seed) const;
    torch::Tensor flowContext(const std::vector<double>& energyGeV) const;
    PointCloudModel& modelFor(const std::string& sampler) const;
    ShowerTrajectory trajectory(const hepgen::samplers::Trajectory& t, const PointCloudModel& model,
        const std::string& sampler, double energy) const;
    std::vector<RawPoint> rawPoints(const torch::Tensor& standardised) const;
};

nlohmann::json ShowerGenerator::Impl::state() const
{
    return { { "kind", kKind }, { "version", kFormatVersion }, { "settings", settings },
        { "geometry", geometryJson(geometry) }, { "layout", layout.toJson() }, { "flow_scaling", flowScaling.toJson() },
        { "context",
            { { "log_e_mean", logEMean }, { "log_e_std", logEStd }, { "log_n_mean", logNMean },
                { "log_n_std", logNStd } } },
        { "point_scaling", pointScaling.toJson() }, { "energy_range", { energyMin, energyMax } },
        { "max_hits", maxHits }, { "min_hit_energy", minHitEnergy }, { "data", dataDescription },
        { "distilled", student != nullptr } };
}

void ShowerGenerator::Impl::restore(const nlohmann::json& j)
{
    settings = j.at("settings");
    geometry = geometryFromJson(j.at("geometry"));
    layout = ShowerLayout::fromJson(j.at("layout"));
    flowScaling = hepgen::data::Preprocessing::fromJson(j.at("flow_scaling"));
    const auto& c = j.at("context");
    logEMean = c.at("log_e_mean").get<double>();
    logEStd = c.at("log_e_std").get<double>();
    logNMean = c.at("log_n_mean").get<double>();
    logNStd = c.at("log_n_std").get<double>();
    pointScaling = PointScaling::fromJson(j.at("point_scaling"));
    energyMin = j.at("energy_range").at(0).get<double>();
    energyMax = j.at("energy_range").at(1).get<double>();
    maxHits = j.at("max_hits").get<int64_t>();
    minHitEnergy = j.at("min_hit_energy").get<double>();
    dataDescription = j.value("data", std::string());
}

void ShowerGenerator::Impl::save() const
{
    writeJson(fs::path(dir) / "config.json", state());
    writeJson(fs::path(dir) / "metrics.json", metrics);
}

torch::Tensor ShowerGenerator::Impl::flowContext(const std::vector<double>& energyGeV) const
{
    std::vector<float> v;
    for (const double e : energyGeV)
        v.push_back(static_cast<float>((std::log(e) - logEMean) / logEStd));
    return torch::tensor(v).reshape({ -1, 1 });
}

TrainingData ShowerGenerator::Impl::pointData(const hepgen::data::Showers& s, uint64_t seed) const
{
    // Padded clouds (B, P, 4) of standardised point vectors; context (B, 3): standardised log E_inc and log N, then
    // the raw count (PointCloudModel's layout).
    std::mt19937_64 rng(seed);
    const std::vector<float> f = pointFeatures(s, layout, pointScaling, rng);
    const int64_t b = static_cast<int64_t>(s.size());
    int64_t pmax = 1;
    for (std::size_t i = 0; i < s.size(); ++i)
        pmax = std::max<int64_t>(pmax, static_cast<int64_t>(s.hits(i)));
    auto x = torch::zeros({ b, pmax, 4 }, torch::kFloat32);
    auto ctx = torch::zeros({ b, 3 }, torch::kFloat32);
    auto xa = x.accessor<float, 3>();
    auto ca = ctx.accessor<float, 2>();
    for (int64_t i = 0; i < b; ++i) {
        const auto from = s.offsets[static_cast<std::size_t>(i)];
        const auto n = static_cast<int64_t>(s.hits(static_cast<std::size_t>(i)));
        for (int64_t k = 0; k < n; ++k)
            for (std::size_t c = 0; c < 4; ++c)
                xa[i][k][static_cast<int64_t>(c)] = f[4 * static_cast<std::size_t>(from + k) + c];
        ca[i][0] = static_cast<float>((std::log(s.incidentEnergy[static_cast<std::size_t>(i)]) - logEMean) / logEStd);
        ca[i][1] = static_cast<float>((std::log(static_cast<double>(n)) - logNMean) / logNStd);
        ca[i][2] = static_cast<float>(n);
    }
    return { x, ctx, {} };
}

std::vector<RawPoint> ShowerGenerator::Impl::rawPoints(const torch::Tensor& standardised) const
{
    const auto c = standardised.to(torch::kCPU, torch::kFloat32).contiguous();
    const float* p = c.data_ptr<float>();
    std::vector<RawPoint> out(static_cast<std::size_t>(c.size(0)));
    for (std::size_t k = 0; k < out.size(); ++k) {
        const auto u = unscalePoint(p + 4 * k, pointScaling);
        out[k] = { u[0], u[1], u[2], u[3] };
    }
    return out;
}

PointCloudModel& ShowerGenerator::Impl::modelFor(const std::string& sampler) const
{
    if (sampler == "consistency") {
        if (!student)
            throw ConfigError("The consistency sampler needs a distilled student; distil this generator first.");
        return *student;
    }
    return *points;
}

ShowerTrajectory ShowerGenerator::Impl::trajectory(const hepgen::samplers::Trajectory& t, const PointCloudModel& model,
    const std::string& sampler, double energy) const
{
    ShowerTrajectory out;
    out.sampler = sampler;
    out.timeName = model.timeName(sampler);
    out.incidentEnergy = energy;
    const auto physical = [&](const torch::Tensor& frame) {
        std::vector<float> v;
        for (const auto& r : rawPoints(frame)) {
            const auto h = toShowerAxes(r[0], r[1], layout.depthAt(r[2]), r[3], layout);
            v.insert(v.end(), h.begin(), h.end());
        }
        return v;
    };
    for (std::size_t k = 0; k < t.size(); ++k) {
        out.times.push_back(t.times[k]);
        out.log10Snr.push_back(model.log10Snr(sampler, t.times[k]));
        out.xt.push_back(physical(t.xt[k]));
        out.x0Pred.push_back(physical(t.x0Pred[k]));
    }
    return out;
}

ShowerGenerator::ShowerGenerator(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

ShowerGenerator::~ShowerGenerator() = default;

std::unique_ptr<ShowerGenerator> ShowerGenerator::train(const hepgen::data::Showers& input,
    const ShowerGeneratorConfig& config, const std::string& dir, const JobControl& job,
    const std::function<void(const ShowerEpoch&)>& onEpoch)
{
    const auto started = std::chrono::steady_clock::now();
    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->settings = ShowerGeneratorConfig::read(config.json).json;
    const nlohmann::json& st = impl->settings;
    const uint64_t seed = st.at("seed").get<uint64_t>();
    const auto used = usableShowers(input, st.at("max_showers").get<int64_t>());
    const hepgen::data::Showers showers = subset(input, used);
    impl->geometry = showers.geometry;
    impl->layout = inferLayout(
        showers, st.at("layout").at("depth_axis").get<std::string>(), st.at("layout").at("lateral").get<std::string>());
    impl->dataDescription
        = fmt::format("{} showers ({} without hits skipped)", showers.size(), input.size() - used.size());

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw FileError(dir, "cannot create the run directory (" + ec.message() + ").");

    // Per-shower summaries: the flow's data, the context scalings and the trained ranges.
    const std::size_t n = showers.size(), layers = impl->layout.size(), d = flowFeatureCount(layers);
    std::mt19937_64 rng(mixSeed(seed, 0, 0));
    std::vector<double> featureValues;
    featureValues.reserve(n * d);
    std::vector<double> energies(n), logN(n);
    impl->energyMin = HUGE_VAL;
    impl->energyMax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const ShowerSummary s = summarise(showers, i, impl->layout);
        const auto f = flowFeatures(s, rng);
        featureValues.insert(featureValues.end(), f.begin(), f.end());
        energies[i] = s.incidentEnergy;
        logN[i] = std::log(static_cast<double>(s.hits));
        impl->energyMin = std::min(impl->energyMin, s.incidentEnergy);
        impl->energyMax = std::max(impl->energyMax, s.incidentEnergy);
        impl->maxHits = std::max(impl->maxHits, s.hits);
    }
    const auto features
        = torch::tensor(featureValues, torch::kFloat64).reshape({ static_cast<int64_t>(n), static_cast<int64_t>(d) });
    impl->maxHits = static_cast<int64_t>(std::ceil(1.25 * static_cast<double>(impl->maxHits)));
    impl->minHitEnergy = HUGE_VAL;
    for (std::size_t k = 3; k < showers.points.size(); k += 4)
        impl->minHitEnergy = std::min(impl->minHitEnergy, static_cast<double>(showers.points[k]));
    const auto meanStd = [](const std::vector<double>& v) {
        double m = 0, q = 0;
        for (const double x : v)
            m += x;
        m /= static_cast<double>(v.size());
        for (const double x : v)
            q += (x - m) * (x - m);
        const double s = std::sqrt(q / static_cast<double>(v.size()));
        return std::pair { m, s > 1e-9 ? s : 1.0 };
    };
    std::vector<double> logE(n);
    for (std::size_t i = 0; i < n; ++i)
        logE[i] = std::log(energies[i]);
    std::tie(impl->logEMean, impl->logEStd) = meanStd(logE);
    std::tie(impl->logNMean, impl->logNStd) = meanStd(logN);
    impl->flowScaling.fit(features);
    {
        std::mt19937_64 prng(mixSeed(seed, 0, 1));
        impl->pointScaling = fitPointScaling(showers, impl->layout, prng);
    }

    const auto epochCallback = [&](const std::string& stage, int64_t epochs) {
        return [&onEpoch, stage, epochs](const hepgen::training::EpochMetrics& m) {
            if (onEpoch)
                onEpoch({ m.epoch, epochs, stage, m.trainLoss, m.validationLoss });
        };
    };
    // The flow's share of the progress bar: it is the cheap stage (a few percent of the point model's time).
    constexpr double kFlowShare = 0.1;

    // Stage 1: the shower flow p(features | log E_inc).
    {
        const auto tc = trainerConfig(st.at("flow").at("trainer"), "flow trainer config");
        TrainingData all { impl->flowScaling.forward(features).to(torch::kFloat32), impl->flowContext(energies), {} };
        auto [train, validation] = hepgen::training::splitTrainValidation(all, tc.validationFraction, tc.seed);
        torch::manual_seed(tc.seed);
        auto model = hepgen::models::makeModel("flow-rqs", { static_cast<int64_t>(d), 1 }, st.at("flow").at("model"));
        Trainer trainer(*model, tc);
        const auto reason
            = trainer.fit(train, validation, job.subRange(0.0, kFlowShare), epochCallback("flow", tc.epochs));
        trainer.saveCheckpoint((fs::path(dir) / "flow").string());
        if (reason == hepgen::training::StopReason::Cancelled)
            throw Cancelled();
        std::unique_ptr<hepgen::models::GenerativeModel> copy;
        trainer.withEmaWeights([&] { copy = model->clone(); });
        impl->flow.reset(dynamic_cast<hepgen::models::FlowModel*>(copy.release()));
        impl->metrics["flow"] = historyJson(trainer);
    }

    // Stage 2: the point model p(hits | log E_inc, log N).
    {
        const auto tc = trainerConfig(st.at("points").at("trainer"), "point-model trainer config");
        const TrainingData all = impl->pointData(showers, mixSeed(seed, 0, 2));
        auto [train, validation] = hepgen::training::splitTrainValidation(all, tc.validationFraction, tc.seed);
        torch::manual_seed(tc.seed);
        PointCloudModel model({ 4, 3 }, st.at("points").at("model"));
        Trainer trainer(model, tc);
        const auto reason
            = trainer.fit(train, validation, job.subRange(kFlowShare, 1.0), epochCallback("points", tc.epochs));
        trainer.saveCheckpoint((fs::path(dir) / "points").string());
        if (reason == hepgen::training::StopReason::Cancelled)
            throw Cancelled();
        std::unique_ptr<hepgen::models::GenerativeModel> copy;
        trainer.withEmaWeights([&] { copy = model.clone(); });
        impl->points = asPointModel(std::move(copy));
        impl->metrics["points"] = historyJson(trainer);
    }
    impl->metrics["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    impl->save();
    return std::unique_ptr<ShowerGenerator>(new ShowerGenerator(std::move(impl)));
}

std::unique_ptr<ShowerGenerator> ShowerGenerator::load(const std::string& dir)
{
    const fs::path root(dir);
    if (!fs::is_directory(root))
        throw FileError(dir, "is not a directory (a shower generator's run directory was expected).");
    const nlohmann::json j = readJson(root / "config.json");
    if (!j.is_object() || j.value("kind", std::string()) != kKind)
        throw FormatError((root / "config.json").string(),
            "is not a shower generator's configuration (for table models use hepgen sample --run as usual).");
    if (j.value("version", 0) != kFormatVersion)
        throw FormatError((root / "config.json").string(),
            fmt::format("has format version {}; this version reads {}.", j.value("version", 0), kFormatVersion));
    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    try {
        impl->restore(j);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError((root / "config.json").string(), std::string("is malformed: ") + e.what());
    } catch (const ConfigError& e) {
        throw FormatError((root / "config.json").string(), e.what());
    }
    if (fs::exists(root / "metrics.json"))
        impl->metrics = readJson(root / "metrics.json");
    // Each stage: rebuild from its config.json, load the checkpoint, keep a copy with the EMA weights.
    const auto loadStage = [&](const std::string& stage) {
        const std::string sub = (root / stage).string();
        const auto rc = hepgen::training::readRunConfig(sub);
        std::unique_ptr<hepgen::models::GenerativeModel> model;
        if (stage == "flow") {
            if (rc.family != "flow-rqs")
                throw FormatError(sub, "does not hold the shower flow.");
            model = hepgen::models::makeModel(rc.family, rc.shape, rc.model);
        } else {
            if (rc.family != "shower-points")
                throw FormatError(sub, "does not hold a point model.");
            model = std::make_unique<PointCloudModel>(rc.shape, rc.model);
        }
        Trainer trainer(*model, rc.trainer);
        trainer.loadCheckpoint(sub);
        std::unique_ptr<hepgen::models::GenerativeModel> copy;
        trainer.withEmaWeights([&] { copy = model->clone(); });
        return copy;
    };
    impl->flow.reset(dynamic_cast<hepgen::models::FlowModel*>(loadStage("flow").release()));
    impl->points = asPointModel(loadStage("points"));
    if (fs::exists(root / "student" / "checkpoint.pt"))
        impl->student = asPointModel(loadStage("student"));
    const auto features = static_cast<int64_t>(flowFeatureCount(impl->layout.size()));
    if (impl->flow->shape().features != features || impl->points->shape().context != 3)
        throw FormatError(dir, "its stages do not fit its layout (a foreign or damaged run directory).");
    return std::unique_ptr<ShowerGenerator>(new ShowerGenerator(std::move(impl)));
}

void ShowerGenerator::distill(const hepgen::data::Showers& input, const nlohmann::json& config, const JobControl& job,
    const std::function<void(const ShowerEpoch&)>& onEpoch)
{
    Impl& im = *m_impl;
    const auto teacherConfig = im.points->settings();
    if (teacherConfig.training != "edm")
        throw ConfigError(fmt::format("Consistency distillation needs a point model trained as edm; this one was "
                                      "trained as {}.",
            teacherConfig.training));
    hepgen::models::ConfigReader r(config.is_null() ? nlohmann::json::object() : config, "distillation config");
    nlohmann::json model = im.settings.at("distillation").at("model"),
                   trainerJson = im.settings.at("distillation").at("trainer");
    nlohmann::json modelOverride = nlohmann::json::object(), trainerOverride = nlohmann::json::object();
    r.read("model", modelOverride);
    r.read("trainer", trainerOverride);
    r.rejectUnknownKeys();
    model.update(modelOverride);
    trainerJson.update(trainerOverride);
    // The student: the teacher's network and noise range, then what the settings add (Song et al. 2023, Sec. 6).
    nlohmann::json student = nlohmann::json::object();
    const auto tc = im.points->config();
    for (const char* key : { "network", "hidden", "epic_width", "epic_global", "epic_layers", "epic_sum_scale",
             "train_points", "time_embedding", "time_scale", "sigma_data", "sigma_min", "sigma_max", "rho" })
        student[key] = tc.at(key);
    student.update(model);
    student["training"] = "consistency";
    student["teacher"] = fs::absolute(fs::path(im.dir) / "points").lexically_normal().string();
    const auto trainer = trainerConfig(trainerJson, "distillation trainer config");

    const auto used = usableShowers(input, im.settings.at("max_showers").get<int64_t>());
    const hepgen::data::Showers showers = subset(input, used);
    const TrainingData all = im.pointData(showers, mixSeed(im.settings.at("seed").get<uint64_t>(), 0, 3));
    auto [train, validation] = hepgen::training::splitTrainValidation(all, trainer.validationFraction, trainer.seed);
    torch::manual_seed(trainer.seed);
    auto model2 = std::make_unique<PointCloudModel>(im.points->shape(), student);
    std::shared_ptr<PointCloudModel> teacher = asPointModel(im.points->clone());
    model2->setTeacher(teacher);
    Trainer t(*model2, trainer);
    const auto reason = t.fit(train, validation, job, [&](const hepgen::training::EpochMetrics& m) {
        if (onEpoch)
            onEpoch({ m.epoch, trainer.epochs, "student", m.trainLoss, m.validationLoss });
    });
    if (reason == hepgen::training::StopReason::Cancelled)
        throw Cancelled();
    t.saveCheckpoint((fs::path(im.dir) / "student").string());
    std::unique_ptr<hepgen::models::GenerativeModel> copy;
    t.withEmaWeights([&] { copy = model2->clone(); });
    im.student = asPointModel(std::move(copy));
    im.settings["distillation"] = { { "model", model }, { "trainer", trainer.toJson() } };
    im.metrics["student"] = historyJson(t);
    im.save();
}

std::vector<std::string> ShowerGenerator::samplers() const
{
    auto s = m_impl->points->settings().samplers();
    if (m_impl->student)
        s.push_back("consistency");
    return s;
}

const hepgen::data::CalorimeterGeometry& ShowerGenerator::geometry() const { return m_impl->geometry; }

nlohmann::json ShowerGenerator::config() const
{
    nlohmann::json j = m_impl->settings;
    j["layout"] = m_impl->layout.toJson();
    j["energy_range"] = { m_impl->energyMin, m_impl->energyMax };
    j["max_hits"] = m_impl->maxHits;
    j["min_hit_energy"] = m_impl->minHitEnergy;
    j["distilled"] = m_impl->student != nullptr;
    return j;
}

std::string ShowerGenerator::directory() const { return m_impl->dir; }

std::pair<double, double> ShowerGenerator::energyRange() const { return { m_impl->energyMin, m_impl->energyMax }; }

ShowerSampleResult ShowerGenerator::sample(const ShowerSampleRequest& request, const JobControl& job) const
{
    const auto started = std::chrono::steady_clock::now();
    const Impl& im = *m_impl;
    ShowerSampleResult result;
    const auto& energies = request.incidentEnergy;
    const int64_t n = static_cast<int64_t>(energies.size());
    if (n == 0)
        throw ConfigError("Give at least one incident energy to generate showers for.");
    int outside = 0;
    for (const double e : energies) {
        if (!std::isfinite(e) || e <= 0)
            throw ConfigError(fmt::format("Incident energies must be positive numbers of GeV (got {}).", e));
        if (e < im.energyMin * (1 - 1e-6) || e > im.energyMax * (1 + 1e-6))
            ++outside;
    }
    if (outside > 0) {
        const std::string what
            = fmt::format("{} of the {} incident energies lie outside the trained range {:.4g}-{:.4g} GeV", outside, n,
                im.energyMin, im.energyMax);
        if (!request.allowExtrapolation)
            throw ConfigError(what + "; the generator would extrapolate (allow it explicitly to sample there anyway).");
        result.warnings.push_back(what + ": those showers are extrapolations.");
    }
    const auto allowed = samplers();
    const std::string sampler = request.sampler.empty() ? allowed.front() : request.sampler;
    if (std::find(allowed.begin(), allowed.end(), sampler) == allowed.end())
        throw ConfigError(fmt::format(
            "Unknown sampler '{}' for this generator; choose one of {}.", sampler, nlohmann::json(allowed).dump()));
    if (request.steps < 0)
        throw ConfigError(fmt::format("Sampling steps must be positive (got {}).", request.steps));
    for (const std::size_t i : request.trajectoryOf)
        if (i >= energies.size())
            throw ConfigError(fmt::format("Trajectory index {} is out of range (there are {} showers).", i, n));
    PointCloudModel& model = im.modelFor(sampler);

    torch::NoGradGuard noGrad;
    job.report(0.0, "Drawing the showers' totals");
    // 1. The shower flow: one standard-normal row per shower from its own stream (a shower does not depend on the
    //    others in the request), through the inverse flow, then the inverse standardisation.
    const std::size_t layers = im.layout.size();
    const auto d = static_cast<int64_t>(flowFeatureCount(layers));
    std::vector<torch::Tensor> rows;
    for (int64_t i = 0; i < n; ++i)
        rows.push_back(normalRows(1, d, mixSeed(request.seed, 1, static_cast<uint64_t>(i))));
    const auto z = torch::cat(rows, 0);
    const auto standardised = im.flow->flow()->inverseWithLogDet(z, im.flowContext(energies)).outputs;
    const auto features = im.flowScaling.inverse(standardised.to(torch::kFloat64)).contiguous();
    std::vector<ShowerSummary> targets;
    for (int64_t i = 0; i < n; ++i)
        targets.push_back(targetsFrom(
            features.data_ptr<double>() + i * d, layers, energies[static_cast<std::size_t>(i)], im.maxHits));

    // 2. The point model, in chunks of whole showers; every shower's initial noise from its own stream.
    std::vector<torch::Tensor> noise(static_cast<std::size_t>(n));
    auto counts = torch::empty({ n }, torch::kLong);
    auto context = torch::empty({ n, 2 }, torch::kFloat32);
    int64_t totalPoints = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t hits = targets[static_cast<std::size_t>(i)].hits;
        noise[static_cast<std::size_t>(i)] = normalRows(hits, 4, mixSeed(request.seed, 2, static_cast<uint64_t>(i)));
        counts[i] = hits;
        context[i][0]
            = static_cast<float>((std::log(energies[static_cast<std::size_t>(i)]) - im.logEMean) / im.logEStd);
        context[i][1] = static_cast<float>((std::log(static_cast<double>(hits)) - im.logNMean) / im.logNStd);
        totalPoints += hits;
    }
    std::vector<std::vector<RawPoint>> raw(static_cast<std::size_t>(n));
    const auto options = [&](uint64_t seed, const JobControl& part) {
        hepgen::models::SampleOptions o;
        o.sampler = sampler;
        o.steps = request.steps;
        o.seed = seed;
        o.shouldStop = [part] { return part.stopRequested(); };
        o.progress = [part](int64_t done, int64_t total) {
            part.report(static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, total)));
        };
        return o;
    };
    const double sharePerPoint = 0.9 / static_cast<double>(totalPoints + 1);
    int64_t pointsDone = 0;
    for (int64_t begin = 0; begin < n;) {
        int64_t end = begin, chunkPoints = 0;
        while (end < n && end - begin < kChunkShowers
            && (end == begin || chunkPoints + counts[end].item<int64_t>() <= kChunkPoints))
            chunkPoints += counts[end++].item<int64_t>();
        std::vector<torch::Tensor> zs(noise.begin() + begin, noise.begin() + end);
        const auto part = job.subRange(0.05 + sharePerPoint * static_cast<double>(pointsDone),
            0.05 + sharePerPoint * static_cast<double>(pointsDone + chunkPoints));
        const auto out = model.samplePacked(torch::cat(zs, 0), counts.slice(0, begin, end),
            context.slice(0, begin, end), options(mixSeed(request.seed, 3, static_cast<uint64_t>(begin)), part));
        int64_t offset = 0;
        for (int64_t i = begin; i < end; ++i) {
            const int64_t c = counts[i].item<int64_t>();
            raw[static_cast<std::size_t>(i)] = im.rawPoints(out.sample.slice(0, offset, offset + c));
            offset += c;
        }
        pointsDone += chunkPoints;
        begin = end;
    }

    // 3. Trajectories: the requested showers again, each on its own with recording on.
    for (const std::size_t i : request.trajectoryOf) {
        auto o = options(mixSeed(request.seed, 4, i), job.subRange(0.95, 0.97));
        o.recordTrajectory = true;
        const auto out
            = model.samplePacked(noise[i], counts.slice(0, static_cast<int64_t>(i), static_cast<int64_t>(i) + 1),
                context.slice(0, static_cast<int64_t>(i), static_cast<int64_t>(i) + 1), o);
        raw[i] = im.rawPoints(out.sample);
        result.trajectories.push_back(im.trajectory(out.trajectory, model, sampler, energies[i]));
    }

    // 4. Post-processing onto the layers and cells, calibrated to the flow.
    job.report(0.97, "Placing the hits on the layers");
    auto& s = result.showers;
    s.geometry = im.geometry;
    s.offsets.push_back(0);
    for (int64_t i = 0; i < n; ++i) {
        const auto hits
            = postProcess(raw[static_cast<std::size_t>(i)], targets[static_cast<std::size_t>(i)], im.layout,
                im.minHitEnergy);
        s.points.insert(s.points.end(), hits.begin(), hits.end());
        s.offsets.push_back(static_cast<int64_t>(s.points.size() / 4));
        s.incidentEnergy.push_back(static_cast<float>(energies[static_cast<std::size_t>(i)]));
    }
    for (std::size_t k = 0; k < request.trajectoryOf.size(); ++k) {
        const std::size_t i = request.trajectoryOf[k];
        auto& t = result.trajectories[k];
        const std::vector<float> last(s.points.begin() + 4 * s.offsets[i], s.points.begin() + 4 * s.offsets[i + 1]);
        t.times.push_back(t.times.back());
        t.log10Snr.push_back(t.log10Snr.back());
        t.xt.push_back(last);
        t.x0Pred.push_back(last);
        t.postProcessed = true;
    }
    job.report(1.0, fmt::format("Generated {} showers", n));
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

} // namespace hepgen::showers
