#include "core/samplers/ConsistencySampler.h"

#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

namespace hepgen::samplers {

SampleResult ConsistencySampler::sample(const ConsistencyFn& f, const torch::Tensor& initialNoise,
    const ConsistencySamplerOptions& options, bool record) const
{
    const auto& sigmas = options.sigmas();
    if (!f)
        throw ConfigError("Consistency sampler: no consistency function given.");
    if (!initialNoise.defined() || initialNoise.dim() < 1 || initialNoise.size(0) < 1
        || !initialNoise.is_floating_point())
        throw ConfigError("Consistency sampler: the initial noise must be a floating-point tensor of shape (N, ...).");
    bool ok = !sigmas.empty() && options.sigmaMin() > 0;
    for (std::size_t i = 0; i < sigmas.size(); ++i)
        ok = ok && std::isfinite(sigmas[i]) && sigmas[i] > options.sigmaMin() && (i == 0 || sigmas[i] < sigmas[i - 1]);
    if (!ok)
        throw ConfigError(fmt::format(
            "Consistency sampler: the noise levels must descend and stay above sigma_min = {}.", options.sigmaMin()));

    c10::optional<at::Generator> generator;
    if (options.seed())
        generator = at::detail::createCPUGenerator(*options.seed());
    SampleResult result;
    auto x = initialNoise;
    const auto total = static_cast<int64_t>(sigmas.size());
    for (int64_t k = 0; k < total; ++k) {
        if (options.shouldStop() && options.shouldStop()())
            throw Cancelled();
        const double tau = sigmas[static_cast<std::size_t>(k)];
        if (k > 0) {
            // Algorithm 1, line 5: x_tau = x + sqrt(tau^2 - eps^2) z.
            const auto z = generator
                ? torch::randn(x.sizes(), *generator, x.options().device(torch::kCPU)).to(x.device())
                : torch::randn_like(x);
            x = x + std::sqrt(tau * tau - options.sigmaMin() * options.sigmaMin()) * z;
        }
        const auto out = f(x, torch::full({ x.size(0) }, tau, x.options()));
        if (!out.defined() || out.sizes() != x.sizes())
            throw ConfigError("Consistency sampler: the consistency function returned the wrong shape.");
        if (record) {
            result.trajectory.times.push_back(tau);
            result.trajectory.xt.push_back(x);
            result.trajectory.x0Pred.push_back(out);
        }
        x = out;
        if (options.progress())
            options.progress()(k + 1, total);
    }
    if (record) {
        result.trajectory.times.push_back(0.0);
        result.trajectory.xt.push_back(x);
        result.trajectory.x0Pred.push_back(x);
    }
    result.sample = x;
    return result;
}

} // namespace hepgen::samplers
