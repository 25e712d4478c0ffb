#pragma once
// The networks the generative families share: an MLP with optional residual blocks, conditioned on
// a diffusion/flow time through a sinusoidal embedding and on a context vector. Point-cloud
// networks come with the showers work.
#include "core/models/BayesianLayers.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace hepgen::models {

/// Sinusoidal embedding of a scalar time (Vaswani et al. 2017, as used by Ho et al. 2020):
/// t (N) -> (N, dim) = [sin(t w_k), cos(t w_k)], w_k = maxPeriod^(-k / (dim/2)), k = 0..dim/2-1.
/// `scale` multiplies t first (1000 for t in [0, 1], so continuous and discrete times look alike).
torch::Tensor sinusoidalEmbedding(const torch::Tensor& t, int64_t dim, double scale = 1.0, double maxPeriod = 10000.0);

struct MlpOptions {
    MlpOptions(int64_t in, int64_t out)
        : in_(in)
        , out_(out)
    {
    }
    TORCH_ARG(int64_t, in);
    TORCH_ARG(int64_t, out);
    TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t> { 128, 128, 128 };
    /// silu | relu | leaky_relu | tanh
    TORCH_ARG(std::string, activation) = "silu";
    /// Width of the sinusoidal time embedding (0: the network takes no time).
    TORCH_ARG(int64_t, timeEmbedding) = 0;
    /// Multiplies t before embedding (see sinusoidalEmbedding).
    TORCH_ARG(double, timeScale) = 1.0;
    /// Width of the context vector (0: unconditional).
    TORCH_ARG(int64_t, context) = 0;
    /// Residual connections around every hidden layer of equal width.
    TORCH_ARG(bool, residual) = false;
    /// Zero the output layer (identity/zero start for coupling nets and score nets).
    TORCH_ARG(bool, zeroOutput) = false;
    /// Every linear layer a variational Bayesian one (BayesLinear), with the prior and initial sigma below.
    TORCH_ARG(bool, bayesian) = false;
    TORCH_ARG(double, priorStd) = 1.0;
    TORCH_ARG(double, initialSigma) = 1e-3;
};

/// y = MLP([x, emb(t), c]): time embedding and context are concatenated to the input and, with
/// residual blocks, added again inside every block through a learned projection.
class MlpImpl : public torch::nn::Cloneable<MlpImpl> {
public:
    explicit MlpImpl(const MlpOptions& options);
    void reset() override;
    /// x (N, in), t (N) or undefined, context (N, C) or undefined; returns (N, out).
    /// Throws hepgen::ConfigError when t or context is missing/extra or has the wrong shape.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t = {}, const torch::Tensor& context = {});

    /// Bayesian networks: the summed KL(q || p) of every Bayesian layer (a zero scalar for a plain network), and
    /// the weight mode of every layer; drawWeights() makes one Fixed posterior draw (WeightMode).
    torch::Tensor kl() const;
    void setWeightMode(WeightMode mode);
    void drawWeights(const c10::optional<at::Generator>& generator = c10::nullopt);

    MlpOptions options;

private:
    torch::Tensor activate(const torch::Tensor& x) const;
    std::shared_ptr<torch::nn::Module> linear(int64_t in, int64_t out) const;
    std::vector<BayesLinear> bayesianLayers() const;
    torch::nn::ModuleList m_layers { nullptr };
    torch::nn::ModuleList m_conditioning { nullptr }; ///< per hidden layer: projection of [emb(t), c]
    std::shared_ptr<torch::nn::Module> m_output;      ///< torch::nn::Linear or BayesLinear
};
TORCH_MODULE(Mlp);

} // namespace hepgen::models
