// ShowerGenerator: training (the shower flow, then the point model), saving and loading a run, consistency
// distillation; sampling is in ShowerSampling.cpp, the shared state in ShowerGeneratorImpl.h.
#include "core/showers/ShowerGenerator.h"

#include "core/models/GenerativeModel.h"
#include "core/models/ModelSupport.h"
#include "core/showers/ShowerGeneratorImpl.h"
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
using hepgen::training::Trainer;
using hepgen::training::TrainingData;

namespace {

constexpr int kFormatVersion = 1;
constexpr const char* kKind = "hepgen-shower-generator";

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

nlohmann::json ShowerGenerator::Impl::state() const
{
    return { { "kind", kKind }, { "version", kFormatVersion }, { "settings", settings },
        { "geometry", geometryJson(geometry) }, { "layout", layout.toJson() }, { "flow_scaling", flowScaling.toJson() },
        { "context",
            { { "log_e_mean", logEMean }, { "log_e_std", logEStd }, { "log_n_mean", logNMean },
                { "log_n_std", logNStd }, { "centre_mean", centreMean }, { "centre_std", centreStd } } },
        { "point_scaling", pointScaling.toJson() }, { "energy_range", { energyMin, energyMax } },
        { "max_hits", maxHits }, { "min_hit_energy", minHitEnergy }, { "core_hits", coreHits },
        { "near_shares", nearShares }, { "data", dataDescription }, { "distilled", student != nullptr } };
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
    centreMean = c.value("centre_mean", std::array<double, 2> { 0, 0 });
    centreStd = c.value("centre_std", std::array<double, 2> { 0, 0 });
    pointScaling = PointScaling::fromJson(j.at("point_scaling"));
    energyMin = j.at("energy_range").at(0).get<double>();
    energyMax = j.at("energy_range").at(1).get<double>();
    maxHits = j.at("max_hits").get<int64_t>();
    minHitEnergy = j.at("min_hit_energy").get<double>();
    coreHits = j.value("core_hits", false);                 // runs from before session 14 have none
    nearShares = coreHits && j.value("near_shares", false); // nor from before session 15
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

void ShowerGenerator::Impl::pointContext(const ShowerSummary& s, float* out) const
{
    out[0] = static_cast<float>((std::log(s.incidentEnergy) - logEMean) / logEStd);
    out[1] = static_cast<float>((std::log(static_cast<double>(s.hits)) - logNMean) / logNStd);
    if (pointContextWidth() == 4) {
        const auto [a, b] = contextCentre(s);
        out[2] = static_cast<float>((a - centreMean[0]) / centreStd[0]);
        out[3] = static_cast<float>((b - centreMean[1]) / centreStd[1]);
    }
}

TrainingData ShowerGenerator::Impl::pointData(
    const hepgen::data::Showers& s, const hepgen::data::Showers& points, uint64_t seed) const
{
    // Padded clouds (B, P, 4) of standardised point vectors; context (B, C + 1): pointContext(), then the raw count
    // (PointCloudModel's layout).
    std::mt19937_64 rng(seed);
    const std::vector<float> f = pointFeatures(points, layout, pointScaling, rng);
    std::vector<std::size_t> kept;
    int64_t pmax = 1;
    for (std::size_t i = 0; i < points.size(); ++i)
        if (points.hits(i) > 0) {
            kept.push_back(i);
            pmax = std::max<int64_t>(pmax, static_cast<int64_t>(points.hits(i)));
        }
    const auto b = static_cast<int64_t>(kept.size());
    auto x = torch::zeros({ b, pmax, 4 }, torch::kFloat32);
    const int64_t c = pointContextWidth();
    auto ctx = torch::zeros({ b, c + 1 }, torch::kFloat32);
    auto xa = x.accessor<float, 3>();
    for (int64_t r = 0; r < b; ++r) {
        const std::size_t i = kept[static_cast<std::size_t>(r)];
        const auto from = points.offsets[i];
        const auto n = static_cast<int64_t>(points.hits(i));
        for (int64_t k = 0; k < n; ++k)
            for (std::size_t c = 0; c < 4; ++c)
                xa[r][k][static_cast<int64_t>(c)] = f[4 * static_cast<std::size_t>(from + k) + c];
        pointContext(summarise(s, i, layout), ctx[r].data_ptr<float>());
        ctx[r][c] = static_cast<float>(n);
    }
    return { x, ctx, {} };
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
    const std::string cores = st.at("layout").at("core_hits").get<std::string>();
    if (cores == "yes" && impl->layout.cellSize <= 0.0)
        throw ConfigError("Core hits (core_hits: yes) need showers on a lateral cell grid; these have continuous "
                          "lateral positions.");
    impl->coreHits = cores == "yes" || (cores == "auto" && impl->layout.cellSize > 0.0);
    impl->nearShares = impl->coreHits;
    impl->dataDescription
        = fmt::format("{} showers ({} without hits skipped)", showers.size(), input.size() - used.size());

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw FileError(dir, "cannot create the run directory (" + ec.message() + ").");

    // Per-shower summaries: the flow's data, the context scalings and the trained ranges.
    const std::size_t n = showers.size(), layers = impl->layout.size(),
                      d = flowFeatureCount(layers, impl->coreHits, impl->nearShares);
    std::mt19937_64 rng(mixSeed(seed, 0, 0));
    std::vector<double> featureValues;
    featureValues.reserve(n * d);
    std::vector<double> energies(n), logN(n), centreA(n), centreB(n);
    impl->energyMin = HUGE_VAL;
    impl->energyMax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const ShowerSummary s = summarise(showers, i, impl->layout, impl->coreHits);
        const auto f = flowFeatures(s, rng);
        featureValues.insert(featureValues.end(), f.begin(), f.end());
        energies[i] = s.incidentEnergy;
        logN[i] = std::log(static_cast<double>(s.hits));
        std::tie(centreA[i], centreB[i]) = impl->contextCentre(s);
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
    std::tie(impl->centreMean[0], impl->centreStd[0]) = meanStd(centreA);
    std::tie(impl->centreMean[1], impl->centreStd[1]) = meanStd(centreB);
    impl->flowScaling.fit(features);
    hepgen::data::Showers halo;
    const hepgen::data::Showers& pointShowers = impl->pointShowers(showers, halo);
    {
        std::mt19937_64 prng(mixSeed(seed, 0, 1));
        impl->pointScaling = fitPointScaling(pointShowers, impl->layout, prng);
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

    // Stage 2: the point model p(hits | log E_inc, log N, c_a, c_b).
    {
        const auto tc = trainerConfig(st.at("points").at("trainer"), "point-model trainer config");
        const TrainingData all = impl->pointData(showers, pointShowers, mixSeed(seed, 0, 2));
        auto [train, validation] = hepgen::training::splitTrainValidation(all, tc.validationFraction, tc.seed);
        torch::manual_seed(tc.seed);
        PointCloudModel model({ 4, impl->pointContextWidth() + 1 }, st.at("points").at("model"));
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
    const auto features = static_cast<int64_t>(flowFeatureCount(impl->layout.size(), impl->coreHits, impl->nearShares));
    if (impl->flow->shape().features != features || impl->points->shape().context != impl->pointContextWidth() + 1)
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
    hepgen::data::Showers halo;
    const TrainingData all
        = im.pointData(showers, im.pointShowers(showers, halo), mixSeed(im.settings.at("seed").get<uint64_t>(), 0, 3));
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
    j["core_hits"] = m_impl->coreHits; // as resolved for the training data
    return j;
}

std::string ShowerGenerator::directory() const { return m_impl->dir; }

std::pair<double, double> ShowerGenerator::energyRange() const { return { m_impl->energyMin, m_impl->energyMax }; }

} // namespace hepgen::showers
