#include "core/models/DdpmModel.h"

#include "core/samplers/Samplers.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::models {

namespace smp = hepgen::samplers;

DdpmConfig DdpmConfig::fromJson(const nlohmann::json& json)
{
    const std::string what = "ddpm config";
    ConfigReader r(json, what);
    DdpmConfig c;
    c.network.read(r, what);
    r.read("schedule", c.schedule);
    r.read("timesteps", c.timesteps);
    r.read("beta_start", c.betaStart);
    r.read("beta_end", c.betaEnd);
    r.read("min_alpha_bar", c.minAlphaBar);
    r.read("sampler", c.sampler);
    r.read("sample_steps", c.sampleSteps);
    r.read("eta", c.eta);
    r.read("variance", c.variance);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(c.schedule == "linear" || c.schedule == "cosine", what, "schedule", "linear or cosine", c.schedule);
    require(c.timesteps >= 1, what, "timesteps", "at least 1", c.timesteps);
    require(c.betaStart > 0 && c.betaStart < c.betaEnd && c.betaEnd < 1, what, "beta_start/beta_end",
        "0 < beta_start < beta_end < 1", nlohmann::json::array({ c.betaStart, c.betaEnd }));
    require(c.minAlphaBar >= 0 && c.minAlphaBar < 0.1, what, "min_alpha_bar", "in [0, 0.1)", c.minAlphaBar);
    require(c.sampler == "ddpm" || c.sampler == "ddim", what, "sampler", "ddpm or ddim", c.sampler);
    require(
        c.sampleSteps >= 1 && c.sampleSteps <= c.timesteps, what, "sample_steps", "in [1, timesteps]", c.sampleSteps);
    require(c.eta >= 0 && c.eta <= 1, what, "eta", "in [0, 1]", c.eta);
    require(c.variance == "beta" || c.variance == "beta_tilde", what, "variance", "beta or beta_tilde", c.variance);
    return c;
}

nlohmann::json DdpmConfig::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    network.write(j);
    j["schedule"] = schedule;
    j["timesteps"] = timesteps;
    j["beta_start"] = betaStart;
    j["beta_end"] = betaEnd;
    j["min_alpha_bar"] = minAlphaBar;
    j["sampler"] = sampler;
    j["sample_steps"] = sampleSteps;
    j["eta"] = eta;
    j["variance"] = variance;
    optimizer.write(j);
    return j;
}

smp::NoiseScheduleOptions DdpmConfig::scheduleOptions() const
{
    return smp::NoiseScheduleOptions()
        .steps(timesteps)
        .kind(schedule == "cosine" ? smp::BetaSchedule::Cosine : smp::BetaSchedule::Linear)
        .betaStart(betaStart)
        .betaEnd(betaEnd)
        .minAlphaBar(minAlphaBar);
}

DdpmModel::DdpmModel(const ModelShape& shape, const nlohmann::json& config)
    : DdpmModel(shape, DdpmConfig::fromJson(config))
{
}

DdpmModel::DdpmModel(const ModelShape& shape, const DdpmConfig& config)
    : TimeConditionedModel(shape, config.network, config.optimizer)
    , m_config(config)
    , m_schedule(config.scheduleOptions())
{
}

TimeConditionedModel::Objective DdpmModel::objective(const Batch& batch, const c10::optional<at::Generator>& generator)
{
    // Ho et al. 2020, Algorithm 1: t ~ U{0..T-1} (0-based), eps ~ N(0, I), |eps - eps_theta(x_t, t)|^2.
    const auto& x0 = batch.x;
    const int64_t n = x0.size(0);
    const double steps = static_cast<double>(m_schedule.steps());
    const auto t = (rand({ n }, x0, generator) * steps).floor().clamp_max(steps - 1).to(torch::kLong);
    const auto eps = randn(x0.sizes(), x0, generator);
    const auto xt = m_schedule.addNoise(x0, eps, t);
    const auto epsPred = m_net->forward(xt, t.to(x0.dtype()) / steps, batch.context);
    return { (epsPred - eps).pow(2).mean(1), {} };
}

SampleOutput DdpmModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    EvalModeGuard evalMode(*m_net);
    const std::string sampler = options.sampler.empty() ? m_config.sampler : options.sampler;
    if (sampler != "ddpm" && sampler != "ddim")
        throw ConfigError(fmt::format("ddpm: unknown sampler '{}'; choose ddpm or ddim.", sampler));
    if (options.steps < 0)
        throw ConfigError(fmt::format("ddpm: sampling steps must be positive (got {}).", options.steps));
    const auto ctx = samplingContext(n, context);
    const auto noise = initialNoise(n, options.seed);
    const double steps = static_cast<double>(m_schedule.steps());
    const smp::EpsilonFn epsilon
        = [&](const torch::Tensor& xt, const torch::Tensor& t) { return m_net->forward(xt, t / steps, ctx); };
    smp::SampleResult result;
    if (sampler == "ddpm") {
        const auto o = smp::DdpmSamplerOptions()
                           .variance(m_config.variance == "beta_tilde" ? smp::PosteriorVariance::BetaTilde
                                                                       : smp::PosteriorVariance::Beta)
                           .seed(stepSeed(options.seed))
                           .shouldStop(options.shouldStop)
                           .progress(options.progress);
        result = smp::DdpmSampler(m_schedule).sample(epsilon, noise, o, options.recordTrajectory);
    } else {
        const auto o = smp::DdimSamplerOptions()
                           .steps(options.steps > 0 ? options.steps : m_config.sampleSteps)
                           .eta(m_config.eta)
                           .seed(stepSeed(options.seed))
                           .shouldStop(options.shouldStop)
                           .progress(options.progress);
        result = smp::DdimSampler(m_schedule).sample(epsilon, noise, o, options.recordTrajectory);
    }
    SampleOutput out;
    out.samples = result.sample;
    out.trajectory = std::move(result.trajectory);
    return out;
}

} // namespace hepgen::models
