#pragma once
// Training-side building blocks of conditional flow matching, as pure functions: the regression target
// of the straight (rectified / OT) conditional path, and mini-batch optimal-transport pairing of data
// with noise (Lipman et al. 2023, "Flow Matching for Generative Modeling"; Liu et al. 2023, "Flow
// Straight and Fast"; Tong et al. 2024, "Improving and generalizing flow-based generative models with
// minibatch optimal transport"; Pooladian et al. 2023, "Multisample Flow Matching").
//
// Convention (shared with OdeSolver): x_t = (1 - t) x0 + t eps, t = 0 data, t = 1 noise, v = eps - x0.
#include "core/samplers/Samplers.h"

#include <torch/torch.h>

#include <vector>

namespace hepgen::samplers {

/// The point on the conditional path and the velocity to regress on.
struct FlowMatchingTarget {
    torch::Tensor xt;     ///< (1 - t) x0 + t eps, shape of x0
    torch::Tensor target; ///< eps - x0 (the conditional velocity d x_t / dt)
};

/// x_t = (1 - t) x0 + t eps and target eps - x0 (Lipman et al. 2023, eqs. 20-23 with sigma_min = 0, time reversed
/// to our convention). t is a tensor (N) or 0-dim with values in [0, 1]; it is broadcast over the other axes.
/// Throws hepgen::ConfigError when shapes disagree.
FlowMatchingTarget conditionalFlowMatchingTarget(
    const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& t);

/// The result of otPairing.
struct OtPairing {
    torch::Tensor permutation; ///< int64 (N) on x0's device: x0[i] is paired with eps[permutation[i]]
    torch::Tensor eps;         ///< eps.index_select(0, permutation): the noise reordered to match x0 row by row
    double cost = 0.0;         ///< sum_i |x0_i - eps_perm(i)|^2 of the optimal pairing
};

/// Exact mini-batch optimal-transport pairing: the permutation pi minimising sum_i |x0_i - eps_pi(i)|^2 (squared
/// Euclidean distance over all non-batch axes). Solved as a linear assignment problem with the Hungarian algorithm
/// (Kuhn 1955; shortest augmenting paths with potentials, O(N^3)) on a float64 CPU cost matrix; meant for training
/// batches up to a few hundred (N = 512: ~30 ms for 3 features, ~120 ms for 2000). Throws hepgen::ConfigError when the
/// shapes differ or N = 0.
OtPairing otPairing(const torch::Tensor& x0, const torch::Tensor& eps);

/// log p_0(x) of the density transported by dx/dt = v(x, t) from N(0, I) at t = 1 to the data at t = 0, by the
/// instantaneous change of variables (Chen et al. 2018, "Neural Ordinary Differential Equations", Theorem 1):
/// d/dt log p_t(x_t) = -div v(x_t, t), so log p_0(x) = log N(x_1; 0, I) + int_0^1 div v(x_t, t) dt, integrating the
/// state (x_t, int div v) from t = 0 to 1 with `method` and `steps` fixed steps. The divergence is exact: one autograd
/// pass per dimension (cost D backward passes per velocity call: meant for D up to ~10). x (N, D); returns (N), with
/// no graph (densities for evaluation, not for training). Throws hepgen::ConfigError for bad inputs or steps < 1.
torch::Tensor flowLogDensity(const VelocityFn& velocity, const torch::Tensor& x, OdeMethod method, int64_t steps);

/// The linear assignment behind otPairing: for a row-major n x n cost matrix, the column assigned to each row so that
/// the summed cost is minimal. Exposed for tests and other matching uses. Throws hepgen::ConfigError when
/// cost.size() != n * n or a cost is not finite.
std::vector<int64_t> solveAssignment(const std::vector<double>& cost, int64_t n);

} // namespace hepgen::samplers
