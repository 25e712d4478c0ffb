#pragma once
// The ddpm family: a denoising diffusion probabilistic model (Ho et al. 2020, "Denoising Diffusion
// Probabilistic Models") with an eps-predicting time-conditioned Mlp, a linear or cosine schedule
// (core/samplers/NoiseSchedule.h) and the ancestral DDPM or the DDIM sampler (core/samplers/Samplers.h).
#include "core/models/TimeConditionedModel.h"
#include "core/samplers/NoiseSchedule.h"

namespace hepgen::models {

/// Every setting of the ddpm family; JSON keys in brackets.
struct DdpmConfig {
    TimeNetworkConfig network; ///< [hidden, activation, time_embedding, time_scale, residual]
    /// [schedule] linear | cosine. On 8 Gaussians cosine learns faster (two-sample AUC 0.56 vs 0.71 after 4000
    /// steps), but with the small networks and 300 steps of the context test it places conditional means worse.
    std::string schedule = "linear";
    int64_t timesteps = 1000;      ///< [timesteps] T
    double betaStart = 1e-4;       ///< [beta_start] linear schedule, for T = 1000 (scaled by 1000/T)
    double betaEnd = 0.02;         ///< [beta_end]
    double minAlphaBar = 1e-4;     ///< [min_alpha_bar] floor on alphaBar_t (NoiseScheduleOptions::minAlphaBar; 0: off)
    std::string sampler = "ddpm";  ///< [sampler] ddpm (all T steps) | ddim
    int64_t sampleSteps = 50;      ///< [sample_steps] DDIM steps S (1 <= S <= T)
    double eta = 0.0;              ///< [eta] DDIM stochasticity in [0, 1]
    std::string variance = "beta"; ///< [variance] DDPM sampler's sigma_t^2: beta | beta_tilde
    OptimizerConfig optimizer = timeModelOptimizerDefaults(); ///< [optimizer, lr, weight_decay, beta1, beta2]

    /// Defaults overridden by `json`; ConfigError for unknown keys, wrong types or invalid values.
    static DdpmConfig fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
    hepgen::samplers::NoiseScheduleOptions scheduleOptions() const;
};

/// DDPM: training by Ho et al. 2020, Algorithm 1 (t ~ U{0..T-1}, eps ~ N(0, I),
/// loss |eps - eps_theta(sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps, t)|^2 averaged over features);
/// the network sees the time t / T. Sampling: "ddpm" (Algorithm 2, T steps; options.steps is ignored) or "ddim"
/// (Song et al. 2021, options.steps or sample_steps).
class DdpmModel : public TimeConditionedModel {
public:
    /// Throws ConfigError for an invalid configuration.
    DdpmModel(const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return "ddpm"; }
    nlohmann::json config() const override { return m_config.toJson(); }
    /// ConfigError for an unknown sampler (listing ddpm, ddim), a bad context or n < 1; Cancelled when stopped.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    const hepgen::samplers::NoiseSchedule& schedule() const { return m_schedule; }

protected:
    Objective objective(const Batch& batch, const c10::optional<at::Generator>& generator) override;

private:
    DdpmModel(const ModelShape& shape, const DdpmConfig& config);
    DdpmConfig m_config;
    hepgen::samplers::NoiseSchedule m_schedule;
};

} // namespace hepgen::models
