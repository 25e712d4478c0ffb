#pragma once
// Permutation-equivariant networks over point clouds (calorimeter hits), used as the score / denoiser / velocity
// network of the shower point models. Point clouds travel PACKED: the real points of a batch of B clouds as one
// (M, F) tensor plus `index` (M), the cloud each point belongs to, so padding never reaches a network and a
// cloud's output depends on its own points only. Every cloud also has a conditioning vector (B, K) (the time
// embedding and the shower-level context), applied per cloud and gathered to its points.
//
//   pointwise  PointWise-Net (Luo & Hu 2021, "Diffusion Probabilistic Models for 3D Point Cloud Generation";
//              CaloClouds, Buhmann et al. 2023, arXiv:2305.04847): ConcatSquash layers, every point processed
//              on its own given the cloud's conditioning: the points are i.i.d. given the context (CaloClouds II).
//   epic       EPiC layers (Buhmann, Kasieczka & Thaler 2023, "EPiC-GAN", arXiv:2301.08128): local point
//              features and a global vector updated from masked mean and sum pools: information flows between
//              the points of a cloud at a cost linear in the number of points.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace hepgen::models::points {

/// Settings of a point network; JSON keys of the point model in brackets.
struct PointNetOptions {
    PointNetOptions(int64_t features, int64_t condition)
        : features_(features)
        , condition_(condition)
    {
    }
    TORCH_ARG(std::string, kind) = "pointwise"; ///< [network] pointwise | epic
    TORCH_ARG(int64_t, features);               ///< F, per-point input and output width
    TORCH_ARG(int64_t, condition);              ///< K, width of the per-cloud conditioning vector
    /// [hidden] pointwise: widths of the hidden ConcatSquash layers (residual between equal widths).
    TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t> { 128, 128, 128 };
    TORCH_ARG(int64_t, width) = 128;      ///< [epic_width] epic: local (per-point) feature width
    TORCH_ARG(int64_t, globalWidth) = 32; ///< [epic_global] epic: width of the global vector
    TORCH_ARG(int64_t, layers) = 3;       ///< [epic_layers] epic: number of EPiC layers
    /// [epic_sum_scale] epic: the sum pool is divided by this (EPiC-GAN uses mean and sum pools; the scale keeps the
    /// sum of a typical cloud of order one).
    TORCH_ARG(double, sumScale) = 100.0;
};

/// Base of the point networks: y (M, F) = f(x (M, F) | conditioning (B, K), index (M)). Equivariant: permuting the
/// points of a cloud permutes its outputs, and a cloud's outputs depend on its own points and conditioning only.
/// Throws hepgen::ConfigError for inputs of the wrong shape.
class PointNetImpl : public torch::nn::Module {
public:
    explicit PointNetImpl(PointNetOptions options)
        : options(std::move(options))
    {
    }
    /// x (M, F) packed points, conditioning (B, K), index (M) int64 in [0, B).
    virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index)
        = 0;
    PointNetOptions options;

protected:
    void check(const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index) const;
};

/// A linear layer whose output is gated and shifted by the cloud's conditioning c (Grathwohl et al. 2019, FFJORD;
/// Luo & Hu 2021): y = (W x + b) * sigmoid(W_g c + b_g) + W_b c. Gate and shift are computed once per cloud.
class ConcatSquashLinearImpl : public torch::nn::Module {
public:
    ConcatSquashLinearImpl(int64_t in, int64_t out, int64_t condition);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index);

private:
    torch::nn::Linear m_layer { nullptr }, m_gate { nullptr }, m_shift { nullptr };
};
TORCH_MODULE(ConcatSquashLinear);

/// PointWise-Net: ConcatSquash layers F -> hidden... -> F with SiLU, residual between equal hidden widths.
class PointwiseNetImpl : public PointNetImpl {
public:
    explicit PointwiseNetImpl(const PointNetOptions& options);
    torch::Tensor forward(
        const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index) override;

private:
    std::vector<ConcatSquashLinear> m_layers;
};

/// EPiC network: a ConcatSquash embedding of each point, a global vector from the conditioning and the pools,
/// `layers` EPiC layers (global update from [mean, sum / sumScale, global, conditioning], then a local update of
/// every point from [point, global, conditioning], both residual), and a ConcatSquash output layer.
class EpicNetImpl : public PointNetImpl {
public:
    explicit EpicNetImpl(const PointNetOptions& options);
    torch::Tensor forward(
        const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index) override;

private:
    struct Layer {
        torch::nn::Linear global1 { nullptr }, global2 { nullptr };
        torch::nn::Linear localPoint { nullptr }, localGlobal { nullptr }, local2 { nullptr };
    };
    ConcatSquashLinear m_input { nullptr }, m_output { nullptr };
    torch::nn::Linear m_globalInit { nullptr };
    std::vector<Layer> m_layers;
};

/// Mean and sum of the rows of p (M, W) per cloud: ((B, W), (B, W)). counts (B) the points per cloud (> 0).
std::pair<torch::Tensor, torch::Tensor> segmentMeanSum(
    const torch::Tensor& p, const torch::Tensor& index, const torch::Tensor& counts, int64_t clouds);

/// Builds the network options.kind() names. Throws hepgen::ConfigError for an unknown kind or invalid widths.
std::shared_ptr<PointNetImpl> makePointNet(const PointNetOptions& options);

} // namespace hepgen::models::points
