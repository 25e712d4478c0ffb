#pragma once
// Autoregressive flow layers: MADE, the masked autoencoder of Germain, Gregor, Murray & Larochelle
// (ICML 2015, arXiv:1502.03509), and the masked autoregressive flows built on it (MAF: Papamakarios,
// Pavlakou & Murray 2017, arXiv:1705.07057) with affine or rational-quadratic spline (Durkan et al.
// 2019) elementwise transforms.
#include "core/models/flows/Bijection.h"

#include <torch/torch.h>

#include <vector>

namespace hepgen::models::flows {

/// A linear layer whose weight is multiplied elementwise by a fixed 0/1 mask: y = x (W * M)^T + b.
/// The mask is a buffer (saved and cloned with the module), all ones until setMask is called.
class MaskedLinearImpl : public torch::nn::Cloneable<MaskedLinearImpl> {
public:
    MaskedLinearImpl(int64_t in, int64_t out);
    void reset() override;
    torch::Tensor forward(const torch::Tensor& x);
    /// Sets the mask (out, in). Throws hepgen::ConfigError for another shape.
    void setMask(const torch::Tensor& mask);

    int64_t in, out;
    torch::nn::Linear linear { nullptr };
    torch::Tensor mask;
};
TORCH_MODULE(MaskedLinear);

/// Options of Made.
struct MadeOptions {
    MadeOptions(int64_t features, int64_t outputsPerFeature)
        : features_(features)
        , outputsPerFeature_(outputsPerFeature)
    {
    }
    TORCH_ARG(int64_t, features);
    /// Network outputs for each feature (2 for an affine MAF, 3K - 1 for a spline MAF).
    TORCH_ARG(int64_t, outputsPerFeature);
    TORCH_ARG(int64_t, context) = 0;
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    /// Zero the output layer so the network starts by outputting 0 (identity flows).
    TORCH_ARG(bool, zeroLast) = true;
};

/// MADE (Germain et al. 2015, sec. 4): masked ReLU MLP whose output block for feature d depends only
/// on the inputs x_1..x_{d-1}. Input degrees are 1..D, hidden degrees cycle deterministically through
/// 1..D-1, mask entries are [deg_out >= deg_in] for hidden layers and [deg_out > deg_in] for the
/// output layer (the paper's mask construction, with cycling instead of random degrees). The context enters the first
/// hidden layer through an unmasked linear map, so every output may depend on it. forward: x (N, D), context (N, C) or
/// undefined -> (N, D, outputsPerFeature). Throws hepgen::ConfigError for bad sizes or input/context shapes.
class MadeImpl : public torch::nn::Cloneable<MadeImpl> {
public:
    explicit MadeImpl(const MadeOptions& options);
    void reset() override;
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});
    /// Degrees of the units of hidden layer `layer` (for tests and inspection).
    const std::vector<int64_t>& hiddenDegrees(size_t layer) const { return m_hiddenDegrees.at(layer); }

    MadeOptions options;
    std::vector<MaskedLinear> layers;           ///< hidden layers then the output layer
    torch::nn::Linear contextLayer { nullptr }; ///< context -> first hidden layer (null when unconditional)

private:
    std::vector<std::vector<int64_t>> m_hiddenDegrees;
};
TORCH_MODULE(Made);

/// Options of MafAffine.
struct MafAffineOptions {
    explicit MafAffineOptions(int64_t features)
        : features_(features)
    {
    }
    TORCH_ARG(int64_t, features);
    TORCH_ARG(int64_t, context) = 0;
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    TORCH_ARG(AffineScale, scale) = AffineScale::Tanh;
    TORCH_ARG(double, tanhBound) = 2.0;
};

/// Masked autoregressive affine flow layer (Papamakarios et al. 2017, sec. 3.1: u = (x - mu) exp(-alpha),
/// written here as z_d = x_d s_d(x_<d, c) + t_d(x_<d, c)). forward (data -> latent) is one MADE pass;
/// inverse runs D passes, each fixing one more feature. Starts as the identity (zeroed MADE output).
class MafAffineImpl : public torch::nn::Cloneable<MafAffineImpl>, public Bijection {
public:
    explicit MafAffineImpl(const MafAffineOptions& options);
    void reset() override;
    FlowResult forward(const torch::Tensor& x, const torch::Tensor& context = {}) override;
    FlowResult inverse(const torch::Tensor& z, const torch::Tensor& context = {}) override;

    MafAffineOptions options;
    Made made { nullptr };
};
TORCH_MODULE(MafAffine);

/// Options of MafRqs.
struct MafRqsOptions {
    explicit MafRqsOptions(int64_t features)
        : features_(features)
    {
    }
    TORCH_ARG(int64_t, features);
    TORCH_ARG(int64_t, context) = 0;
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    TORCH_ARG(SplineOptions, spline);
};

/// Masked autoregressive rational-quadratic spline flow layer (Durkan et al. 2019, sec. 3.2,
/// autoregressive variant): feature d goes through a spline whose 3K - 1 parameters MADE computes
/// from x_<d and c. forward is one pass, inverse D passes. Starts as the identity.
class MafRqsImpl : public torch::nn::Cloneable<MafRqsImpl>, public Bijection {
public:
    explicit MafRqsImpl(const MafRqsOptions& options);
    void reset() override;
    FlowResult forward(const torch::Tensor& x, const torch::Tensor& context = {}) override;
    FlowResult inverse(const torch::Tensor& z, const torch::Tensor& context = {}) override;

    MafRqsOptions options;
    Made made { nullptr };
};
TORCH_MODULE(MafRqs);

} // namespace hepgen::models::flows
