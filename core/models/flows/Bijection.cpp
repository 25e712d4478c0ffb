#include "core/models/flows/Bijection.h"

#include "core/util/Error.h"

#include <cmath>
#include <fmt/format.h>

namespace hepgen::models::flows::detail {

torch::Tensor affineLogScale(const torch::Tensor& raw, AffineScale kind, double tanhBound)
{
    if (kind == AffineScale::Tanh)
        return tanhBound * torch::tanh(raw / tanhBound);
    // s = m + softplus(a + c) with softplus(c) = 1 - m, so s(0) = 1.
    constexpr double minScale = 1e-3;
    return torch::log(minScale + torch::softplus(raw + std::log(std::expm1(1.0 - minScale))));
}

FlowResult packedSpline(const torch::Tensor& x, const torch::Tensor& params, bool inverse, const SplineOptions& o)
{
    const int64_t k = o.bins();
    const auto r = rationalQuadraticSpline(x, params.narrow(-1, 0, k), params.narrow(-1, k, k),
        params.narrow(-1, 2 * k, k - 1), inverse, o.tailBound(), o.minBinWidth(), o.minBinHeight(), o.minDerivative());
    return { r.outputs, r.logAbsDet.sum(-1) };
}

void checkSplineOptions(const SplineOptions& o, const char* owner)
{
    if (o.bins() < 1)
        throw ConfigError(fmt::format("{}: spline bins must be at least 1, got {}.", owner, o.bins()));
    if (!(o.tailBound() > 0))
        throw ConfigError(fmt::format("{}: spline tail bound must be positive, got {}.", owner, o.tailBound()));
    const double kk = static_cast<double>(o.bins());
    if (!(o.minBinWidth() >= 0) || o.minBinWidth() * kk >= 1 || !(o.minBinHeight() >= 0) || o.minBinHeight() * kk >= 1)
        throw ConfigError(fmt::format("{}: spline minimum bin width {} / height {} must lie in [0, 1/bins).", owner,
            o.minBinWidth(), o.minBinHeight()));
    if (!(o.minDerivative() >= 0) || o.minDerivative() >= 1)
        throw ConfigError(
            fmt::format("{}: spline minimum derivative must lie in [0, 1), got {}.", owner, o.minDerivative()));
}

void checkContext(const torch::Tensor& context, int64_t contextFeatures, int64_t n, const char* owner)
{
    if (contextFeatures == 0) {
        if (context.defined())
            throw ConfigError(fmt::format("{} is unconditional but was given a context.", owner));
        return;
    }
    if (!context.defined())
        throw ConfigError(fmt::format("{} needs a context of {} columns but none was given.", owner, contextFeatures));
    if (context.dim() != 2 || context.size(1) != contextFeatures || context.size(0) != n)
        throw ConfigError(fmt::format("{} needs a context of shape ({}, {}), got {} dimensions with {} columns.", owner,
            n, contextFeatures, context.dim(), context.dim() > 1 ? context.size(1) : 0));
}

void checkInput(const torch::Tensor& x, int64_t features, const char* owner)
{
    if (!x.defined() || x.dim() != 2 || x.size(1) != features)
        throw ConfigError(fmt::format("{} expects inputs of shape (N, {}).", owner, features));
}

} // namespace hepgen::models::flows::detail
