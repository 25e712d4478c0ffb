#pragma once
// Sampling a consistency model (Song et al. 2023, "Consistency Models", Algorithm 1): one evaluation of the
// consistency function f(x, sigma) maps noise at sigma_max straight to a sample; the multistep rule re-noises the
// sample to a lower level tau and applies f again, trading one more evaluation for quality.
#include "core/samplers/Samplers.h"

#include <torch/torch.h>

#include <vector>

namespace hepgen::samplers {

/// A consistency function f(x, sigma) ~ the clean end of the probability-flow ODE trajectory through x at sigma;
/// sigma a tensor (N) with x's dtype and device.
using ConsistencyFn = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& sigma)>;

/// Options of ConsistencySampler.
struct ConsistencySamplerOptions {
    /// The noise levels at which f is applied, descending: sigmas[0] = sigma_max of the initial noise, then the levels
    /// tau_1 > tau_2 > ... > sigma_min of the multistep rule (one entry: one-step sampling).
    TORCH_ARG(std::vector<double>, sigmas) = std::vector<double> { 80.0 };
    /// The smallest noise level epsilon: re-noising to tau adds noise of variance tau^2 - epsilon^2.
    TORCH_ARG(double, sigmaMin) = 0.002;
    TORCH_ARG(c10::optional<uint64_t>, seed) = c10::nullopt;
    TORCH_ARG(StopFn, shouldStop) = nullptr;
    TORCH_ARG(ProgressFn, progress) = nullptr;
};

/// Song et al. 2023, Algorithm 1: x <- f(x_T, T); for tau in sigmas[1:]: x <- f(x + sqrt(tau^2 - eps^2) z, tau).
class ConsistencySampler {
public:
    /// initialNoise must already be scaled: x_T ~ N(0, sigmas[0]^2 I). Trajectory: one entry per evaluation (time
    /// tau_k, the state f was applied to, f's output), then (0, sample, sample): a 1-step sample is a single jump from
    /// noise to data. Throws hepgen::ConfigError for empty or non-descending sigmas (all > sigmaMin > 0) or bad
    /// inputs, hepgen::Cancelled when stopped.
    SampleResult sample(const ConsistencyFn& f, const torch::Tensor& initialNoise,
        const ConsistencySamplerOptions& options = {}, bool record = false) const;
};

} // namespace hepgen::samplers
