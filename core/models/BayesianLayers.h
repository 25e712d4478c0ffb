#pragma once
// Variational Bayesian layers: mean-field Gaussian weights q(w) = N(mu, sigma^2) with sigma = softplus(rho), a
// Gaussian prior p(w) = N(0, sigma_p^2) and the analytic KL(q || p) (Blundell et al. 2015, "Weight Uncertainty in
// Neural Networks", Bayes by Backprop; as in the Bayesian INNs of Bellagente et al. 2021, "Understanding
// Event-Generation Networks via Uncertainties"). Training maximises the ELBO: data loss + KL / N_train.
#include <ATen/core/Generator.h>
#include <torch/torch.h>

namespace hepgen::models {

/// Which weights a Bayesian layer uses in forward().
enum class WeightMode {
    Sample, ///< a fresh draw w = mu + sigma eps at every forward call (training: one draw per batch)
    Fixed,  ///< the draw made by the last drawWeights() (one posterior draw kept over many calls, e.g. an ODE solve)
    Mean,   ///< w = mu (the posterior mean)
};

struct BayesLinearOptions {
    BayesLinearOptions(int64_t in, int64_t out)
        : in_(in)
        , out_(out)
    {
    }
    TORCH_ARG(int64_t, in);
    TORCH_ARG(int64_t, out);
    /// Standard deviation sigma_p of the Gaussian prior N(0, sigma_p^2) on every weight and bias.
    TORCH_ARG(double, priorStd) = 1.0;
    /// Initial posterior standard deviation sigma of every weight (rho = softplus^-1(sigma)); the means start as a
    /// torch::nn::Linear's (Kaiming uniform).
    TORCH_ARG(double, initialSigma) = 1e-3;
};

/// y = x W^T + b with W, b ~ q. Parameters: weight_mu, weight_rho (out, in), bias_mu, bias_rho (out).
/// Throws hepgen::ConfigError for non-positive widths or standard deviations.
class BayesLinearImpl : public torch::nn::Cloneable<BayesLinearImpl> {
public:
    explicit BayesLinearImpl(const BayesLinearOptions& options);
    void reset() override;
    torch::Tensor forward(const torch::Tensor& x);

    /// KL(q || p) summed over weights and biases (closed form for two Gaussians):
    /// sum [ ln(sigma_p / sigma) + (sigma^2 + mu^2) / (2 sigma_p^2) - 1/2 ].
    torch::Tensor kl() const;
    /// sigma = softplus(rho) of the weights and biases.
    torch::Tensor weightSigma() const;
    torch::Tensor biasSigma() const;

    void setMode(WeightMode mode) { m_mode = mode; }
    WeightMode mode() const { return m_mode; }
    /// Draws eps for a Fixed draw from `generator` (a CPU generator; unset: the global one) and switches to Fixed.
    void drawWeights(const c10::optional<at::Generator>& generator = c10::nullopt);

    BayesLinearOptions options;
    torch::Tensor weightMu, weightRho, biasMu, biasRho;

private:
    WeightMode m_mode = WeightMode::Sample;
    torch::Tensor m_weightEps, m_biasEps; ///< the Fixed draw (not part of the state: not saved)
};
TORCH_MODULE(BayesLinear);

/// softplus^-1(sigma) = ln(exp(sigma) - 1), stable for small sigma.
double inverseSoftplus(double sigma);

} // namespace hepgen::models
