#pragma once
// The cfm and cfm-ot families: conditional flow matching (Lipman et al. 2023, "Flow Matching for
// Generative Modeling"; Liu et al. 2023, "Flow Straight and Fast") on the straight path
// x_t = (1 - t) x0 + t eps with a velocity Mlp, and its mini-batch optimal-transport variant (Tong et
// al. 2024; Pooladian et al. 2023). Sampling integrates dx/dt = v(x, t) from t = 1 to 0 (OdeSolver); densities
// come from the continuous change of variables (flowLogDensity).
//
// bayes-cfm: the same with a variational Bayesian velocity network (BayesianLayers.h; Bayesian flow matching as in
// the Bayesian generative networks of Bellagente et al. 2021 and Butter et al. 2023): loss = CFM loss + KL / N_train,
// and samples and densities from K posterior weight draws, with their spread.
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
    /// bayes-cfm only (the keys are unknown to cfm and cfm-ot):
    double priorStd = 1.0; ///< [prior_std] the Gaussian prior N(0, prior_std^2) on every weight
    /// [initial_sigma] initial posterior standard deviation of every weight; small, so training starts like a
    /// deterministic network and the KL term widens the weights the data do not constrain.
    double initialSigma = 1e-3;
    int64_t draws = 10; ///< [draws] posterior weight draws for sampling (mixture and spread) and densities

    /// Defaults overridden by `json`; `ot` selects the cfm-ot keys, `bayes` the bayes-cfm ones. ConfigError for
    /// unknown keys, wrong types or invalid values.
    static FlowMatchingConfig fromJson(const nlohmann::json& json, bool ot, bool bayes = false);
    nlohmann::json toJson(bool ot, bool bayes = false) const;
};

/// CFM: t ~ U[0, 1], eps ~ N(0, I) (cfm-ot: reordered by otPairing), x_t = (1 - t) x0 + t eps,
/// loss |v_theta(x_t, t) - (eps - x0)|^2 averaged over features (conditionalFlowMatchingTarget).
/// Sampling: "euler", "heun" or "rk4" with options.steps or sample_steps from t = 1 (noise) to t = 0.
///
/// bayes-cfm: the objective adds KL(q || p) / N_train per event (N_train from setTrainingSize(); until it is called a
/// batch counts as the whole training set), with one weight draw per batch; validation draws its weights from its
/// fixed-seed generator. sample() integrates the same noise through `draws` posterior weight draws and returns the
/// mixture (each event from one random draw) with the spread over draws; logDensity() is the posterior-predictive
/// log (1/K sum_k p_k(x)).
class FlowMatchingModel : public TimeConditionedModel {
public:
    /// `ot`: the cfm-ot family; `bayes`: bayes-cfm. Throws ConfigError for an invalid configuration.
    FlowMatchingModel(const ModelShape& shape, const nlohmann::json& config, bool ot, bool bayes = false);

    std::string family() const override { return m_ot ? "cfm-ot" : m_bayes ? "bayes-cfm" : "cfm"; }
    nlohmann::json config() const override { return m_config.toJson(m_ot, m_bayes); }
    /// ConfigError for an unknown sampler (listing euler, heun, rk4), a bad context or n < 1; Cancelled when stopped.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// log p(x | context) by the continuous change of variables (flowLogDensity) with the model's sampler and
    /// sample_steps (rk4 recommended for densities); bayes-cfm: the posterior-predictive density over `draws`.
    bool hasLogDensity() const override { return true; }
    torch::Tensor logDensity(const torch::Tensor& x, const torch::Tensor& context) override;

    /// bayes-cfm: `draws` (uncertaintyDraws() when <= 0) posterior draws of the log-density (K, N), weight draw k
    /// from a generator seeded by k (the same draws for every call). ConfigError for cfm and cfm-ot.
    int64_t uncertaintyDraws() const override { return m_bayes ? m_config.draws : 0; }
    torch::Tensor logDensityDraws(const torch::Tensor& x, const torch::Tensor& context, int64_t draws = 0) override;
    void setTrainingSize(int64_t events) override { m_trainingSize = events; }

    /// "flow": -v(x, t), the direction sampling moves x at time t (towards the data; t = 1 is noise); bayes-cfm: with
    /// the posterior-mean weights.
    std::vector<DiagnosticInfo> diagnostics() const override;
    torch::Tensor diagnostic(
        const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time) override;

    /// The velocity field v(x, t), x (N, D), t (N), context (N, C) or undefined (bayes-cfm: with the network's
    /// current weight mode, see Mlp::setWeightMode).
    torch::Tensor velocity(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& context);

protected:
    Objective objective(const Batch& batch, const c10::optional<at::Generator>& generator) override;

private:
    FlowMatchingModel(const ModelShape& shape, const FlowMatchingConfig& config, bool ot, bool bayes);
    SampleOutput sampleOnce(
        const torch::Tensor& ctx, const torch::Tensor& noise, const std::string& sampler, const SampleOptions& options);
    torch::Tensor logDensityOnce(const torch::Tensor& x, const torch::Tensor& context);

    FlowMatchingConfig m_config;
    bool m_ot;
    bool m_bayes;
    int64_t m_trainingSize = 0;
};

} // namespace hepgen::models
