#include "core/samplers/FlowMatching.h"

#include "core/samplers/NoiseSchedule.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace hepgen::samplers {

FlowMatchingTarget conditionalFlowMatchingTarget(
    const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& t)
{
    if (!x0.defined() || !eps.defined() || x0.dim() < 1 || x0.sizes() != eps.sizes())
        throw ConfigError(fmt::format("Flow matching needs x0 and eps of the same shape (N, ...); got {} and {}.",
            x0.defined() ? shapeString(x0) : "(undefined)", eps.defined() ? shapeString(eps) : "(undefined)"));
    if (!t.defined() || t.dim() > 1 || (t.dim() == 1 && t.size(0) != x0.size(0)))
        throw ConfigError(fmt::format("Flow matching time t must be 0-dim or of shape ({}); got {}.", x0.size(0),
            t.defined() ? shapeString(t) : "(undefined)"));
    std::vector<int64_t> shape(static_cast<size_t>(x0.dim()), 1);
    shape[0] = t.numel();
    const auto tb = t.to(x0.options()).reshape(shape);
    return { (1.0 - tb) * x0 + tb * eps, eps - x0 };
}

std::vector<int64_t> solveAssignment(const std::vector<double>& cost, int64_t n)
{
    if (n < 0 || cost.size() != static_cast<size_t>(n * n))
        throw ConfigError(
            fmt::format("Assignment needs an n x n cost matrix; got {} values for n = {}.", cost.size(), n));
    for (double c : cost)
        if (!std::isfinite(c))
            throw ConfigError("Assignment costs must be finite.");
    // Hungarian algorithm in its O(n^3) shortest-augmenting-path form (Kuhn 1955, Munkres 1957; with the potentials
    // of Edmonds & Karp 1972 / Tomizawa 1971). Rows are added one at a time; u, v are dual potentials keeping reduced
    // costs c_ij - u_i - v_j >= 0, and each row is matched by a Dijkstra-like search over columns. 1-based with
    // column 0 as the virtual source. Invariant on exit: sum of u + sum of v = optimal cost (LP duality).
    const auto N = static_cast<size_t>(n);
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(N + 1, 0.0), v(N + 1, 0.0), minv(N + 1);
    std::vector<size_t> match(N + 1, 0), way(N + 1, 0); // match[j]: the row matched to column j (0 = none)
    std::vector<char> used(N + 1);
    for (size_t i = 1; i <= N; ++i) {
        match[0] = i;
        size_t j0 = 0;
        std::fill(minv.begin(), minv.end(), inf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[j0] = 1;
            const size_t i0 = match[j0];
            const double* row = cost.data() + (i0 - 1) * N;
            double delta = inf;
            size_t j1 = 0;
            for (size_t j = 1; j <= N; ++j) {
                if (used[j])
                    continue;
                const double reduced = row[j - 1] - u[i0] - v[j];
                if (reduced < minv[j]) {
                    minv[j] = reduced;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (size_t j = 0; j <= N; ++j) {
                if (used[j]) {
                    u[match[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (match[j0] != 0);
        // Augment along the alternating path back to the source.
        do {
            const size_t j1 = way[j0];
            match[j0] = match[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<int64_t> assignment(N);
    for (size_t j = 1; j <= N; ++j)
        assignment[match[j] - 1] = static_cast<int64_t>(j - 1);
    return assignment;
}

OtPairing otPairing(const torch::Tensor& x0, const torch::Tensor& eps)
{
    if (!x0.defined() || !eps.defined() || x0.dim() < 1 || x0.sizes() != eps.sizes() || x0.size(0) < 1)
        throw ConfigError(
            fmt::format("OT pairing needs x0 and eps of the same shape (N, ...) with N >= 1; got {} and {}.",
                x0.defined() ? shapeString(x0) : "(undefined)", eps.defined() ? shapeString(eps) : "(undefined)"));
    torch::NoGradGuard noGrad;
    const int64_t n = x0.size(0);
    const auto a = x0.detach().reshape({ n, -1 }).to(torch::kCPU, torch::kFloat64);
    const auto b = eps.detach().reshape({ n, -1 }).to(torch::kCPU, torch::kFloat64);
    // |a_i - b_j|^2 = |a_i|^2 + |b_j|^2 - 2 a_i.b_j, one matrix product; clamp the tiny negatives of cancellation.
    const auto costMatrix
        = (a.pow(2).sum(1, true) + b.pow(2).sum(1).unsqueeze(0) - 2.0 * a.matmul(b.t())).clamp_min(0.0).contiguous();
    const std::vector<double> cost(costMatrix.data_ptr<double>(), costMatrix.data_ptr<double>() + n * n);
    const auto assignment = solveAssignment(cost, n);
    OtPairing out;
    out.permutation = torch::tensor(assignment, torch::kLong).to(x0.device());
    out.eps = eps.index_select(0, out.permutation);
    out.cost = (a - b.index_select(0, out.permutation.cpu())).pow(2).sum().item<double>();
    return out;
}

torch::Tensor flowLogDensity(const VelocityFn& velocity, const torch::Tensor& x, OdeMethod method, int64_t steps)
{
    if (!x.defined() || x.dim() != 2 || x.size(0) < 1 || !x.is_floating_point())
        throw ConfigError("flowLogDensity: x must be a floating-point tensor of shape (N, D) with N >= 1.");
    if (!velocity)
        throw ConfigError("flowLogDensity: no velocity field given.");
    const int64_t d = x.size(1);
    // The augmented field on s = (x, l): dx/dt = v(x, t), dl/dt = div v(x, t).
    const VelocityFn augmented = [&](const torch::Tensor& s, const torch::Tensor& t) {
        torch::AutoGradMode enable(true);
        const auto xs = s.slice(1, 0, d).detach().requires_grad_(true);
        const auto v = velocity(xs, t);
        if (!v.defined() || v.sizes() != xs.sizes())
            throw ConfigError("flowLogDensity: the velocity field returned the wrong shape.");
        auto div = torch::zeros({ xs.size(0) }, xs.options().requires_grad(false));
        if (v.requires_grad())
            for (int64_t i = 0; i < d; ++i) {
                const auto g = torch::autograd::grad({ v.select(1, i).sum() }, { xs }, {}, /*retain_graph=*/i + 1 < d,
                    /*create_graph=*/false, /*allow_unused=*/true)[0];
                if (g.defined())
                    div = div + g.select(1, i).detach();
            }
        return torch::cat({ v.detach(), div.unsqueeze(1) }, 1);
    };
    const auto start = torch::cat({ x.detach(), torch::zeros({ x.size(0), 1 }, x.options()) }, 1);
    const auto end
        = OdeSolver().sample(augmented, start, OdeSolverOptions().method(method).steps(steps).t0(0.0).t1(1.0)).sample;
    const auto z = end.slice(1, 0, d);
    const double logNorm = -0.5 * static_cast<double>(d) * std::log(2.0 * M_PI);
    return -0.5 * z.pow(2).sum(1) + logNorm + end.select(1, d);
}

} // namespace hepgen::samplers
