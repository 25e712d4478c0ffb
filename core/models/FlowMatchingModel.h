#pragma once
// The cfm and cfm-ot families: conditional flow matching (Lipman et al. 2023, "Flow Matching for
// Generative Modeling"; Liu et al. 2023, "Flow Straight and Fast") on the straight path
// x_t = (1 - t) x0 + t eps with a velocity Mlp, and its mini-batch optimal-transport variant (Tong et
// al. 2024; Pooladian et al. 2023). Sampling integrates dx/dt = v(x, t) from t = 1 to 0 (OdeSolver).
#include "core/models/TimeConditionedModel.h"

namespace hepgen::models {

/// Every setting of the cfm / cfm-ot families; JSON keys in brackets.
struct FlowMatchingConfig {
    TimeNetworkConfig network;    ///< [hidden, activation, time_embedding, time_scale, residual]
    std::string sampler = "heun"; ///< [sampler] euler | heun | rk4
    int64_t sampleSteps = 50;     ///< [sample_steps] ODE steps
    /// [ot_context_weight] cfm-ot only (the key is unknown to cfm): with a context, the pairing cost is
    /// |x0_i - eps_j|^2 + w |c_i - c_j|^2, where eps_j was drawn for event j, so noise moves mostly between events
    /// of similar context and the noise given a context stays close to N(0, I) (the conditional OT coupling of
    /// Chemseddine et al. 2024, "Conditional Wasserstein Distances with Applications in Bayesian OT Flow Matching",
    /// exact as w -> infinity; w = 0 pairs within the batch ignoring the context). Meant for standardised contexts.
    double otContextWeight = 100.0;
    OptimizerConfig optimizer = timeModelOptimizerDefaults(); ///< [optimizer, lr, weight_decay, beta1, beta2]

    /// Defaults overridden by `json`; `ot` selects the cfm-ot keys. ConfigError for unknown keys, wrong types or
    /// invalid values.
    static FlowMatchingConfig fromJson(const nlohmann::json& json, bool ot);
    nlohmann::json toJson(bool ot) const;
};

/// CFM: t ~ U[0, 1], eps ~ N(0, I) (cfm-ot: reordered by otPairing), x_t = (1 - t) x0 + t eps,
/// loss |v_theta(x_t, t) - (eps - x0)|^2 averaged over features (conditionalFlowMatchingTarget).
/// Sampling: "euler", "heun" or "rk4" with options.steps or sample_steps from t = 1 (noise) to t = 0.
class FlowMatchingModel : public TimeConditionedModel {
public:
    /// `ot`: the cfm-ot family. Throws ConfigError for an invalid configuration.
    FlowMatchingModel(const ModelShape& shape, const nlohmann::json& config, bool ot);

    std::string family() const override { return m_ot ? "cfm-ot" : "cfm"; }
    nlohmann::json config() const override { return m_config.toJson(m_ot); }
    /// ConfigError for an unknown sampler (listing euler, heun, rk4), a bad context or n < 1; Cancelled when stopped.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// "flow": -v(x, t), the direction sampling moves x at time t (towards the data; t = 1 is noise).
    std::vector<DiagnosticInfo> diagnostics() const override;
    torch::Tensor diagnostic(
        const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time) override;

    /// The velocity field v(x, t), x (N, D), t (N), context (N, C) or undefined.
    torch::Tensor velocity(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& context);

protected:
    Objective objective(const Batch& batch, const c10::optional<at::Generator>& generator) override;

private:
    FlowMatchingModel(const ModelShape& shape, const FlowMatchingConfig& config, bool ot);
    FlowMatchingConfig m_config;
    bool m_ot;
};

} // namespace hepgen::models
