#include "core/anomaly/ConditionalDensity.h"

#include "core/anomaly/ModelFiles.h"
#include "core/models/FlowModel.h"
#include "core/models/ModelFactory.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::anomaly {

using hepgen::models::ConfigReader;

void DensityConfig::read(ConfigReader& r)
{
    r.read("family", family);
    nlohmann::json modelOverrides = nlohmann::json::object(), trainerOverrides = nlohmann::json::object();
    r.read("model", modelOverrides);
    r.read("trainer", trainerOverrides);
    r.read("preprocessing", preprocessing);
    r.read("logit_margin", logitMargin);
    r.read("log_mass", logMass);
    hepgen::models::require(modelOverrides.is_object(), "density config", "model", "an object", modelOverrides);
    hepgen::models::require(trainerOverrides.is_object(), "density config", "trainer", "an object", trainerOverrides);
    // Overrides are merged into the defaults, so {"trainer": {"epochs": 5}} keeps the other settings.
    model.merge_patch(modelOverrides);
    trainer.merge_patch(trainerOverrides);
}

nlohmann::json DensityConfig::toJson() const
{
    return { { "family", family }, { "model", model }, { "trainer", trainer }, { "preprocessing", preprocessing },
        { "logit_margin", logitMargin }, { "log_mass", logMass } };
}

hepgen::training::TrainerConfig densityTrainerConfig(const DensityConfig& config, std::uint64_t seed)
{
    hepgen::training::TrainerConfig t;
    ConfigReader r(config.trainer, "density trainer config");
    t.read(r);
    r.rejectUnknownKeys();
    t.seed = seed;
    return t;
}

ConditionalDensity::ConditionalDensity(DensityConfig config, std::uint64_t seed)
    : m_config(std::move(config))
    , m_seed(seed)
    , m_features(m_config.preprocessing, m_config.logitMargin)
    , m_mass({ "standardize" })
{
}

ConditionalDensity::~ConditionalDensity() = default;

int64_t ConditionalDensity::fit(
    const torch::Tensor& x, const torch::Tensor& m, const JobControl& job, const torch::Tensor& rangeX)
{
    if (x.dim() != 2 || m.dim() != 1 || x.size(0) != m.size(0) || x.size(0) < 10)
        throw ConfigError(fmt::format("A conditional density needs at least 10 events with one mass each (got {}).",
            x.dim() == 2 ? x.size(0) : 0));
    m_features.fit(rangeX.defined() ? rangeX : x);
    if (m_config.logMass && !(m > 0).all().item<bool>())
        throw ConfigError("Conditioning on ln m (log_mass) needs positive masses; set log_mass to false.");
    m_mass.fit(massContext(m));
    torch::manual_seed(m_seed); // network initialisation
    m_featureCount = x.size(1);
    m_model = hepgen::models::makeModel(m_config.family, { x.size(1), 1 }, m_config.model);
    if (!m_model->hasLogDensity())
        throw ConfigError(fmt::format(
            "The density family '{}' has no exact density; use a flow (flow-rqs, maf-rqs, ...).", m_config.family));
    hepgen::training::TrainingData all { preprocessFeatures(x), preprocessMass(m), {} };
    const auto trainerConfig = densityTrainerConfig(m_config, m_seed);
    const auto [train, validation]
        = hepgen::training::splitTrainValidation(all, trainerConfig.validationFraction, trainerConfig.seed);
    hepgen::training::Trainer trainer(*m_model, trainerConfig);
    if (trainer.fit(train, validation, job) == hepgen::training::StopReason::Cancelled)
        throw Cancelled();
    m_model->train(false);
    return trainer.epoch();
}

torch::Tensor ConditionalDensity::preprocessFeatures(const torch::Tensor& x) const
{
    return m_features.forward(x.to(torch::kFloat64)).to(torch::kFloat32);
}

torch::Tensor ConditionalDensity::massContext(const torch::Tensor& m) const
{
    const auto m64 = m.to(torch::kFloat64).reshape({ -1, 1 });
    return m_config.logMass ? m64.log() : m64;
}

torch::Tensor ConditionalDensity::preprocessMass(const torch::Tensor& m) const
{
    return m_mass.forward(massContext(m)).to(torch::kFloat32);
}

torch::Tensor ConditionalDensity::preprocessingLogDet(const torch::Tensor& x) const
{
    return m_features.logAbsDetJacobian(x.to(torch::kFloat64));
}

torch::Tensor ConditionalDensity::logDensity(const torch::Tensor& x, const torch::Tensor& m)
{
    torch::NoGradGuard noGrad;
    // Change of variables through the preprocessing: log p(x) = log p(y) + log|dy/dx|.
    std::vector<torch::Tensor> parts;
    const int64_t chunk = 65536;
    for (int64_t i = 0; i < x.size(0); i += chunk) {
        const auto xs = x.slice(0, i, i + chunk), ms = m.slice(0, i, i + chunk);
        parts.push_back(m_model->logDensity(preprocessFeatures(xs), preprocessMass(ms)).to(torch::kFloat64)
            + preprocessingLogDet(xs));
    }
    return parts.empty() ? torch::zeros({ 0 }, torch::kFloat64) : torch::cat(parts);
}

torch::Tensor ConditionalDensity::sample(const torch::Tensor& m, std::uint64_t seed)
{
    hepgen::models::SampleOptions options;
    options.seed = seed;
    const auto y = m_model->sample(m.size(0), preprocessMass(m), options).samples;
    return m_features.inverse(y.to(torch::kFloat64)).to(torch::kFloat32);
}

torch::Tensor ConditionalDensity::toLatent(const torch::Tensor& x, const torch::Tensor& m)
{
    auto* flow = dynamic_cast<hepgen::models::FlowModel*>(m_model.get());
    if (!flow)
        throw ConfigError("The latent space needs a flow family as the density.");
    torch::NoGradGuard noGrad;
    return flow->flow()->forwardWithLogDet(preprocessFeatures(x), preprocessMass(m)).outputs;
}

static const char* kDensityFormat = "hepgen-conditional-density";

void ConditionalDensity::save(const std::string& dir) const
{
    if (!m_model)
        throw ConfigError("A conditional density cannot be saved before it is trained.");
    files::writeJson(dir, "density.json",
        { { "config", m_config.toJson() }, { "seed", m_seed }, { "features", m_featureCount },
            { "feature_preprocessing", m_features.toJson() }, { "mass_preprocessing", m_mass.toJson() } },
        kDensityFormat);
    files::writeArchive(dir, "density.pt", m_model->modules());
}

std::shared_ptr<ConditionalDensity> ConditionalDensity::load(const std::string& dir)
{
    const auto j = files::readJson(dir, "density.json", kDensityFormat);
    try {
        DensityConfig config;
        ConfigReader r(j.at("config"), "density config");
        config.read(r);
        r.rejectUnknownKeys();
        // read() merges into the defaults; the saved settings are complete, so take them as they are.
        config.model = j.at("config").at("model");
        config.trainer = j.at("config").at("trainer");
        auto d = std::make_shared<ConditionalDensity>(config, j.at("seed").get<std::uint64_t>());
        d->m_featureCount = j.at("features").get<int64_t>();
        d->m_features = hepgen::data::Preprocessing::fromJson(j.at("feature_preprocessing"));
        d->m_mass = hepgen::data::Preprocessing::fromJson(j.at("mass_preprocessing"));
        d->m_model = hepgen::models::makeModel(config.family, { d->m_featureCount, 1 }, config.model);
        files::readArchive(dir, "density.pt", d->m_model->modules());
        d->m_model->train(false);
        return d;
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(dir + "/density.json", fmt::format("is incomplete ({}).", e.what()));
    } catch (const ConfigError& e) {
        throw FormatError(dir + "/density.json", fmt::format("holds settings this HEPGen rejects: {}", e.what()));
    }
}

} // namespace hepgen::anomaly
