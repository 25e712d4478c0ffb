#pragma once
// Coupling layers and permutations for normalizing flows: the conditioner network, RealNVP affine
// coupling (Dinh, Sohl-Dickstein & Bengio 2016, arXiv:1605.08803), rational-quadratic spline
// coupling (Durkan et al. 2019, arXiv:1906.04032) and fixed feature permutations. The autoregressive
// layers (MADE, MAF) are in Made.h, the stack over a Gaussian base in Flow.h.
#include "core/models/flows/Bijection.h"

#include <torch/torch.h>

#include <vector>

namespace hepgen::models::flows {

/// Options of ConditionerMlp: in -> hidden... -> out with ReLU in between.
struct ConditionerMlpOptions {
    ConditionerMlpOptions(int64_t in, int64_t out)
        : in_(in)
        , out_(out)
    {
    }
    TORCH_ARG(int64_t, in);
    TORCH_ARG(int64_t, out);
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    /// Zero the last layer's weight and bias so the network starts by outputting 0.
    TORCH_ARG(bool, zeroLast) = true;
};

/// A plain MLP used as the conditioner of coupling layers; forward maps (N, in) to (N, out).
/// Throws hepgen::ConfigError for sizes < 1 or no hidden layer.
class ConditionerMlpImpl : public torch::nn::Cloneable<ConditionerMlpImpl> {
public:
    explicit ConditionerMlpImpl(const ConditionerMlpOptions& options);
    void reset() override;
    torch::Tensor forward(const torch::Tensor& x);

    ConditionerMlpOptions options;

private:
    std::vector<torch::nn::Linear> m_layers;
};
TORCH_MODULE(ConditionerMlp);

/// Options of AffineCoupling.
struct AffineCouplingOptions {
    explicit AffineCouplingOptions(int64_t features)
        : features_(features)
    {
    }
    TORCH_ARG(int64_t, features);
    /// Columns of the context c (0: unconditional).
    TORCH_ARG(int64_t, context) = 0;
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    /// false: features 0, 2, 4, ... are transformed, conditioned on 1, 3, 5, ...; true: the other way round.
    TORCH_ARG(bool, transformOdd) = false;
    TORCH_ARG(AffineScale, scale) = AffineScale::Tanh;
    /// Bound of |log s| for AffineScale::Tanh.
    TORCH_ARG(double, tanhBound) = 2.0;
};

/// RealNVP affine coupling (Dinh et al. 2016, sec. 3.3): z_T = x_T * s(x_I, c) + t(x_I, c), z_I = x_I,
/// with the transformed half T and the identity half I alternating over feature indices. The
/// conditioner sees [x_I, c]; its last layer starts at zero, so the layer starts as the identity.
/// With one feature only the feature is transformed, conditioned on c alone.
/// Throws hepgen::ConfigError for bad options (nothing to condition on, non-positive sizes) and
/// for inputs/contexts of the wrong shape.
class AffineCouplingImpl : public torch::nn::Cloneable<AffineCouplingImpl>, public Bijection {
public:
    explicit AffineCouplingImpl(const AffineCouplingOptions& options);
    void reset() override;
    FlowResult forward(const torch::Tensor& x, const torch::Tensor& context = {}) override;
    FlowResult inverse(const torch::Tensor& z, const torch::Tensor& context = {}) override;

    AffineCouplingOptions options;
    ConditionerMlp conditioner { nullptr };

private:
    FlowResult apply(const torch::Tensor& x, const torch::Tensor& context, bool inverse);
    std::vector<int64_t> m_identity, m_transformed;
};
TORCH_MODULE(AffineCoupling);

/// Options of RqsCoupling.
struct RqsCouplingOptions {
    explicit RqsCouplingOptions(int64_t features)
        : features_(features)
    {
    }
    TORCH_ARG(int64_t, features);
    TORCH_ARG(int64_t, context) = 0;
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    TORCH_ARG(bool, transformOdd) = false;
    TORCH_ARG(SplineOptions, spline);
};

/// Rational-quadratic spline coupling (Durkan et al. 2019, sec. 3.2): each transformed feature goes
/// through its own spline whose 3K - 1 parameters the conditioner computes from [x_I, c]. The
/// conditioner's last layer starts at zero: uniform bins and unit derivatives, i.e. the identity.
/// Throws hepgen::ConfigError like AffineCoupling, and for invalid spline options.
class RqsCouplingImpl : public torch::nn::Cloneable<RqsCouplingImpl>, public Bijection {
public:
    explicit RqsCouplingImpl(const RqsCouplingOptions& options);
    void reset() override;
    FlowResult forward(const torch::Tensor& x, const torch::Tensor& context = {}) override;
    FlowResult inverse(const torch::Tensor& z, const torch::Tensor& context = {}) override;

    RqsCouplingOptions options;
    ConditionerMlp conditioner { nullptr };

private:
    FlowResult apply(const torch::Tensor& x, const torch::Tensor& context, bool inverse);
    std::vector<int64_t> m_identity, m_transformed;
};
TORCH_MODULE(RqsCoupling);

/// How a Permutation reorders features.
enum class PermutationKind { None, Reverse, Random };

/// Options of Permutation; `seed` drives the Random kind (the same seed gives the same permutation
/// on every platform).
struct PermutationOptions {
    explicit PermutationOptions(int64_t features)
        : features_(features)
    {
    }
    TORCH_ARG(int64_t, features);
    TORCH_ARG(PermutationKind, kind) = PermutationKind::Reverse;
    TORCH_ARG(uint64_t, seed) = 0;
};

/// A fixed permutation of the features (z = x[:, perm]), log-determinant 0. No parameters; the
/// permutation is rebuilt from the options in reset(). Throws hepgen::ConfigError for features < 1.
class PermutationImpl : public torch::nn::Cloneable<PermutationImpl>, public Bijection {
public:
    explicit PermutationImpl(const PermutationOptions& options);
    void reset() override;
    FlowResult forward(const torch::Tensor& x, const torch::Tensor& context = {}) override;
    FlowResult inverse(const torch::Tensor& z, const torch::Tensor& context = {}) override;
    /// perm[i] = the input feature that becomes output feature i.
    const std::vector<int64_t>& permutation() const { return m_permutation; }

    PermutationOptions options;

private:
    std::vector<int64_t> m_permutation, m_inversePermutation;
};
TORCH_MODULE(Permutation);

} // namespace hepgen::models::flows
