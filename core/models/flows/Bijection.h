#pragma once
// The bijection interface shared by every normalizing-flow layer, and the small helpers the layers
// have in common (the affine scale map, unpacking spline parameters).
//
// Design: Bijection is an abstract interface that inherits torch::nn::Module *virtually*, the way
// torch::nn::Cloneable<T> does, so a concrete layer is
//     class FooImpl : public torch::nn::Cloneable<FooImpl>, public Bijection
// with a single Module sub-object: it registers its parameters in reset() as LibTorch modules do,
// clone() deep-copies it, and a torch::nn::ModuleList of such layers is cloned layer by layer. A
// stack (FlowImpl) keeps its layers in a ModuleList and reaches them with Module::as<Bijection>().
#include "core/models/flows/Spline.h"

#include <torch/torch.h>

namespace hepgen::models::flows {

/// Output of a bijection: the transformed batch (N, D) and log|det d outputs / d inputs| per sample (N).
struct FlowResult {
    torch::Tensor outputs;
    torch::Tensor logAbsDet;
};

/// A differentiable bijection of R^D, optionally conditioned on a context c (N, C); an undefined c
/// means unconditional. forward maps data to latent, inverse latent to data; each returns the
/// log-determinant of the direction it computes, so inverse(forward(x).outputs).logAbsDet ==
/// -forward(x).logAbsDet. Tensors are batch-first; layers follow the dtype and device of their
/// inputs and parameters and never move data themselves.
class Bijection : public virtual torch::nn::Module {
public:
    /// Data -> latent.
    virtual FlowResult forward(const torch::Tensor& x, const torch::Tensor& context = {}) = 0;
    /// Latent -> data.
    virtual FlowResult inverse(const torch::Tensor& z, const torch::Tensor& context = {}) = 0;
};

/// How affine layers turn an unconstrained network output a into a positive scale s = exp(log s):
/// Tanh: log s = bound * tanh(a / bound) (soft-clamped, |log s| < bound);
/// Softplus: s = 1e-3 + softplus(a + c) with c chosen so a == 0 gives s == 1.
/// Both give s == 1 for a == 0, so zero-initialised layers start as the identity.
enum class AffineScale { Tanh, Softplus };

/// Parameters of the rational-quadratic spline used by the RQS layers (see rationalQuadraticSpline).
struct SplineOptions {
    TORCH_ARG(int64_t, bins) = 8;
    TORCH_ARG(double, tailBound) = 3.0;
    TORCH_ARG(double, minBinWidth) = 1e-3;
    TORCH_ARG(double, minBinHeight) = 1e-3;
    TORCH_ARG(double, minDerivative) = 1e-3;
};

namespace detail {

/// log s for the raw scale output a (see AffineScale); same shape as a.
torch::Tensor affineLogScale(const torch::Tensor& raw, AffineScale kind, double tanhBound);

/// Number of network outputs per transformed feature that a spline with `bins` bins needs (3K - 1).
inline int64_t splineParamsPerFeature(int64_t bins) { return 3 * bins - 1; }

/// Applies the spline to x (N, d) with packed parameters (N, d, 3K - 1) = [widths | heights |
/// interior derivatives]; logAbsDet summed over features (N).
FlowResult packedSpline(const torch::Tensor& x, const torch::Tensor& params, bool inverse, const SplineOptions& o);

/// Throws hepgen::ConfigError unless the spline options are usable (bins >= 1, tailBound > 0, ...).
void checkSplineOptions(const SplineOptions& o, const char* owner);

/// Throws hepgen::ConfigError if `context` does not fit a layer built for `contextFeatures`
/// columns and a batch of n rows (undefined context iff contextFeatures == 0).
void checkContext(const torch::Tensor& context, int64_t contextFeatures, int64_t n, const char* owner);

/// Throws hepgen::ConfigError unless x is a (N, features) matrix.
void checkInput(const torch::Tensor& x, int64_t features, const char* owner);

} // namespace detail
} // namespace hepgen::models::flows
