#pragma once
// A normalizing flow: a stack of bijections (Bijection.h, Transforms.h, Made.h) over a standard
// normal base density in D dimensions, optionally conditioned on a context (p(x | c)).
// Change of variables (Papamakarios et al. 2021, "Normalizing Flows for Probabilistic Modeling and
// Inference", sec. 2.1): log p(x | c) = log N(f(x; c); 0, I) + log|det df/dx|.
#include "core/models/flows/Bijection.h"
#include "core/models/flows/Made.h"
#include "core/models/flows/Transforms.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace hepgen::models::flows {

/// The layer family a flow is built from.
enum class FlowKind { AffineCoupling, RqsCoupling, MafAffine, MafRqs };

/// "affine-coupling", "rqs-coupling", "maf-affine", "maf-rqs".
std::string toString(FlowKind kind);
/// Inverse of toString(FlowKind). Throws hepgen::ConfigError for an unknown name.
FlowKind flowKindFromString(const std::string& name);
/// "none", "reverse", "random".
std::string toString(PermutationKind kind);
/// Inverse of toString(PermutationKind). Throws hepgen::ConfigError for an unknown name.
PermutationKind permutationKindFromString(const std::string& name);

/// Every setting of a flow, with defaults (saved next to a checkpoint; reset() rebuilds from it).
struct FlowOptions {
    explicit FlowOptions(int64_t features = 2)
        : features_(features)
    {
    }
    TORCH_ARG(FlowKind, kind) = FlowKind::RqsCoupling;
    /// Data dimension D.
    TORCH_ARG(int64_t, features);
    /// Context columns C (0: unconditional).
    TORCH_ARG(int64_t, context) = 0;
    /// Number of coupling / autoregressive layers (a permutation follows each).
    TORCH_ARG(int64_t, layers) = 4;
    /// Hidden layer sizes of each conditioner / MADE.
    TORCH_ARG(std::vector<int64_t>, hidden) = { 64, 64 };
    /// Spline bins K (RQS kinds).
    TORCH_ARG(int64_t, bins) = 8;
    /// Spline interval [-B, B] (RQS kinds); identity outside.
    TORCH_ARG(double, tailBound) = 3.0;
    /// Permutation after each layer.
    TORCH_ARG(PermutationKind, permutation) = PermutationKind::Reverse;
    /// Seed of the random permutations (layer l uses seed + l). Weights use torch's global generator.
    TORCH_ARG(uint64_t, seed) = 0;
    /// Scale map of the affine kinds.
    TORCH_ARG(AffineScale, affineScale) = AffineScale::Tanh;
};

/// The flow p(x | c): layers[0] is applied first in the data -> latent direction. Every call takes
/// the context per call: c is (N, C), a single row (1, C) or (C) broadcast to the batch, or
/// undefined for an unconditional flow. Follows the dtype/device of its parameters (sample) or
/// inputs (the rest); clone() deep-copies the whole stack (for sampling while training).
/// Throws hepgen::ConfigError for invalid options and for inputs or contexts of the wrong shape.
class FlowImpl : public torch::nn::Cloneable<FlowImpl> {
public:
    explicit FlowImpl(const FlowOptions& options);
    void reset() override;

    /// Data -> latent: z = f(x; c) (N, D) and log|det df/dx| (N).
    FlowResult forwardWithLogDet(const torch::Tensor& x, const torch::Tensor& context = {});
    /// Latent -> data: x = f^{-1}(z; c) (N, D) and log|det df^{-1}/dz| (N).
    FlowResult inverseWithLogDet(const torch::Tensor& z, const torch::Tensor& context = {});
    /// log p(x | c) per sample (N).
    torch::Tensor logProb(const torch::Tensor& x, const torch::Tensor& context = {});
    /// n samples (n, D) of p(x | c); c is (n, C) or one row broadcast. Uses torch's global
    /// generator; wrap in torch::NoGradGuard when gradients are not needed.
    torch::Tensor sample(int64_t n, const torch::Tensor& context = {});

    /// The bijections in data -> latent order.
    std::vector<Bijection*> bijections() const;

    FlowOptions options;
    torch::nn::ModuleList transforms { nullptr };

private:
    torch::Tensor broadcastContext(const torch::Tensor& context, int64_t n) const;
};
TORCH_MODULE(Flow);

/// log N(z; 0, I) per row of z (N, D).
torch::Tensor standardNormalLogProb(const torch::Tensor& z);

/// Builds the flow described by o (equivalent to Flow(o)). Throws hepgen::ConfigError for invalid options.
Flow makeFlow(const FlowOptions& o);

} // namespace hepgen::models::flows
