#include "core/models/flows/Spline.h"

#include "core/util/Error.h"

#include <cmath>
#include <fmt/format.h>
#include <sstream>

namespace hepgen::models::flows {

namespace {

std::string shapeOf(const torch::Tensor& t)
{
    std::ostringstream s;
    s << t.sizes();
    return s.str();
}

void checkArguments(const torch::Tensor& inputs, const torch::Tensor& w, const torch::Tensor& h, const torch::Tensor& d,
    double tailBound, double minBinWidth, double minBinHeight, double minDerivative)
{
    if (!inputs.defined() || !w.defined() || !h.defined() || !d.defined())
        throw ConfigError("rationalQuadraticSpline: inputs and all spline parameters must be defined tensors.");
    const int64_t k = w.dim() > 0 ? w.size(-1) : 0;
    if (k < 1)
        throw ConfigError(
            fmt::format("rationalQuadraticSpline: needs at least one bin, got widths of shape {}.", shapeOf(w)));
    const auto batch = inputs.sizes();
    const auto sameBatch = [&](const torch::Tensor& p, int64_t last) {
        return p.dim() == inputs.dim() + 1 && p.sizes().slice(0, p.dim() - 1) == batch && p.size(-1) == last;
    };
    if (!sameBatch(w, k) || !sameBatch(h, k) || !sameBatch(d, k - 1))
        throw ConfigError(fmt::format("rationalQuadraticSpline: parameter shapes widths {}, heights {}, derivatives "
                                      "{} do not fit inputs {} (expected (..., D, K), (..., D, K), (..., D, K-1)).",
            shapeOf(w), shapeOf(h), shapeOf(d), shapeOf(inputs)));
    if (!(tailBound > 0))
        throw ConfigError(fmt::format("Spline tail bound must be positive, got {}.", tailBound));
    if (!(minBinWidth >= 0) || minBinWidth * static_cast<double>(k) >= 1)
        throw ConfigError(
            fmt::format("Spline minimum bin width {} is invalid for {} bins (need 0 <= min < 1/K).", minBinWidth, k));
    if (!(minBinHeight >= 0) || minBinHeight * static_cast<double>(k) >= 1)
        throw ConfigError(
            fmt::format("Spline minimum bin height {} is invalid for {} bins (need 0 <= min < 1/K).", minBinHeight, k));
    if (!(minDerivative >= 0) || minDerivative >= 1)
        throw ConfigError(fmt::format("Spline minimum derivative must lie in [0, 1), got {}.", minDerivative));
}

/// Knot positions (..., D, K+1) from unnormalised bin sizes: softmax, floored at minSize, cumulated
/// and mapped to [-B, B]; the end knots are set exactly to -B and B.
torch::Tensor knots(const torch::Tensor& unnormalized, double minSize, double tailBound)
{
    const int64_t k = unnormalized.size(-1);
    const auto sizes = minSize + (1.0 - minSize * static_cast<double>(k)) * torch::softmax(unnormalized, -1);
    const auto inner = (2.0 * tailBound) * torch::cumsum(sizes, -1).narrow(-1, 0, k - 1) - tailBound;
    auto shape = unnormalized.sizes().vec();
    shape.back() = 1;
    return torch::cat({ torch::full(shape, -tailBound, unnormalized.options()), inner,
                          torch::full(shape, tailBound, unnormalized.options()) },
        -1);
}

torch::Tensor pick(const torch::Tensor& table, const torch::Tensor& index)
{
    return table.gather(-1, index).squeeze(-1);
}

} // namespace

double splineDerivativeShift(double minDerivative)
{
    // softplus(c) = log(1 + e^c) = 1 - minDerivative  <=>  c = log(e^{1 - minDerivative} - 1).
    return std::log(std::expm1(1.0 - minDerivative));
}

SplineResult rationalQuadraticSpline(const torch::Tensor& inputs, const torch::Tensor& unnormalizedWidths,
    const torch::Tensor& unnormalizedHeights, const torch::Tensor& unnormalizedDerivatives, bool inverse,
    double tailBound, double minBinWidth, double minBinHeight, double minDerivative)
{
    checkArguments(inputs, unnormalizedWidths, unnormalizedHeights, unnormalizedDerivatives, tailBound, minBinWidth,
        minBinHeight, minDerivative);
    const int64_t k = unnormalizedWidths.size(-1);

    const auto cumWidths = knots(unnormalizedWidths, minBinWidth, tailBound);    // x_0..x_K
    const auto cumHeights = knots(unnormalizedHeights, minBinHeight, tailBound); // y_0..y_K
    const auto widths = cumWidths.narrow(-1, 1, k) - cumWidths.narrow(-1, 0, k);
    const auto heights = cumHeights.narrow(-1, 1, k) - cumHeights.narrow(-1, 0, k);
    // Boundary derivatives 1 (linear tails, sec. 3.1 of the paper); interior ones positive.
    auto edgeShape = unnormalizedDerivatives.sizes().vec();
    edgeShape.back() = 1;
    const auto one = torch::ones(edgeShape, unnormalizedDerivatives.options());
    const auto derivatives = torch::cat(
        { one, minDerivative + torch::softplus(unnormalizedDerivatives + splineDerivativeShift(minDerivative)), one },
        -1);

    // Evaluate the spline on inputs clamped into [-B, B] and select the identity outside: every
    // intermediate is finite at the clamped edge points, so the unselected branch never feeds a
    // NaN into the gradient.
    const auto inside = (inputs >= -tailBound) & (inputs <= tailBound);
    const auto v = inputs.clamp(-tailBound, tailBound);
    const auto& searchKnots = inverse ? cumHeights : cumWidths;
    const auto bin = (v.unsqueeze(-1) >= searchKnots.narrow(-1, 0, k)).sum(-1, /*keepdim=*/true).sub(1).clamp(0, k - 1);

    const auto xk = pick(cumWidths, bin), wk = pick(widths, bin);
    const auto yk = pick(cumHeights, bin), hk = pick(heights, bin);
    const auto dk = pick(derivatives, bin), dk1 = pick(derivatives, bin + 1);
    const auto sk = hk / wk; // s_k, the bin's slope
    const auto curvature = dk1 + dk - 2 * sk;

    torch::Tensor out, theta;
    if (!inverse) {
        theta = (v - xk) / wk; // xi of eq. 4
        const auto t1mt = theta * (1 - theta);
        out = yk + hk * (sk * theta.square() + dk * t1mt) / (sk + curvature * t1mt); // eq. 4
    } else {
        // Appendix A: xi is the root in [0, 1] of a xi^2 + b xi + c = 0, written in the
        // cancellation-free form 2c / (-b - sqrt(b^2 - 4ac)).
        const auto dy = v - yk;
        const auto a = hk * (sk - dk) + dy * curvature;
        const auto b = hk * dk - dy * curvature;
        const auto c = -sk * dy;
        const auto discriminant = (b.square() - 4 * a * c).clamp_min(0);
        theta = (2 * c) / (-b - discriminant.sqrt());
        out = theta * wk + xk;
    }
    // Eq. 5: dy/dx = s^2 (d_{k+1} xi^2 + 2 s xi (1 - xi) + d_k (1 - xi)^2) / (s + curvature xi (1 - xi))^2.
    const auto t1mt = theta * (1 - theta);
    const auto logDerivative
        = torch::log(sk.square() * (dk1 * theta.square() + 2 * sk * t1mt + dk * (1 - theta).square()))
        - 2 * torch::log(sk + curvature * t1mt);
    const auto logAbsDet = inverse ? -logDerivative : logDerivative;
    return { torch::where(inside, out, inputs), torch::where(inside, logAbsDet, torch::zeros_like(logAbsDet)) };
}

} // namespace hepgen::models::flows
