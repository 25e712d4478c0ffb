#pragma once
// The edm family: the preconditioned denoiser of Karras et al. 2022 ("Elucidating the Design Space of
// Diffusion-Based Generative Models", EDM) around a time-conditioned Mlp, trained with the log-normal
// noise distribution and loss weighting of the paper, sampled with its Heun sampler (EdmSampler).
#include "core/models/TimeConditionedModel.h"

namespace hepgen::models {

/// Every setting of the edm family; JSON keys in brackets. Defaults: Karras et al. 2022, Table 1.
struct EdmConfig {
    TimeNetworkConfig network;        ///< [hidden, activation, time_embedding, time_scale, residual]
    double sigmaData = 1.0;           ///< [sigma_data] standard deviation of the data (1 for standardised data)
    double pMean = -1.2;              ///< [p_mean] ln(sigma) ~ N(p_mean, p_std^2) in training
    double pStd = 1.2;                ///< [p_std]
    std::string sampler = "edm-heun"; ///< [sampler] edm-heun
    /// [sample_steps] N (2N - 1 network calls). 40, not the paper's 18 for images: on standardised
    /// low-dimensional data 18 Heun steps from sigma_max = 80 inflate the variance by ~9 % even with an exact
    /// denoiser (computed exactly for a Gaussian); 36 steps leave 2 %.
    int64_t sampleSteps = 40;
    double sigmaMin = 0.002;                                  ///< [sigma_min]
    double sigmaMax = 80.0;                                   ///< [sigma_max]
    double rho = 7.0;                                         ///< [rho]
    OptimizerConfig optimizer = timeModelOptimizerDefaults(); ///< [optimizer, lr, weight_decay, beta1, beta2]

    /// Defaults overridden by `json`; ConfigError for unknown keys, wrong types or invalid values.
    static EdmConfig fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// The preconditioning coefficients of Karras et al. 2022, Table 1 (each (N, 1) for sigma (N)):
/// c_skip = s_d^2 / (sigma^2 + s_d^2), c_out = sigma s_d / sqrt(sigma^2 + s_d^2), c_in = 1 / sqrt(sigma^2 + s_d^2),
/// c_noise = ln(sigma) / 4.
struct EdmPreconditioning {
    torch::Tensor cSkip, cOut, cIn, cNoise;
};
EdmPreconditioning edmPreconditioning(const torch::Tensor& sigma, double sigmaData);

/// EDM: D(x; sigma) = c_skip x + c_out F(c_in x, c_noise) (eq. 7); training: ln sigma ~ N(P_mean, P_std^2),
/// loss lambda(sigma) |D(x0 + sigma eps; sigma) - x0|^2 averaged over features with
/// lambda = (sigma^2 + s_d^2) / (sigma s_d)^2 (Sec. 5, Table 1). Sampling: "edm-heun" (Algorithm 1), options.steps or
/// sample_steps steps, from sigma_max * N(0, I).
class EdmModel : public TimeConditionedModel {
public:
    /// Throws ConfigError for an invalid configuration.
    EdmModel(const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return "edm"; }
    nlohmann::json config() const override { return m_config.toJson(); }
    /// ConfigError for an unknown sampler (only edm-heun), a bad context or n < 1; Cancelled when stopped.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// The denoiser D(x; sigma), x (N, D), sigma (N), context (N, C) or undefined.
    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context);

protected:
    Objective objective(const Batch& batch, const c10::optional<at::Generator>& generator) override;

private:
    EdmModel(const ModelShape& shape, const EdmConfig& config);
    EdmConfig m_config;
};

} // namespace hepgen::models
