#include "core/samplers/Samplers.h"

#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hepgen::samplers {

namespace {

// Standard normal noise shaped like a given tensor. With a seed, drawn from a private CPU generator (so a seeded
// run gives the same numbers on every device) and moved to the tensor's device; otherwise from the global generator.
class NoiseSource {
public:
    explicit NoiseSource(c10::optional<uint64_t> seed)
    {
        if (seed)
            m_generator = at::detail::createCPUGenerator(*seed);
    }
    torch::Tensor like(const torch::Tensor& x)
    {
        if (!m_generator)
            return torch::randn_like(x);
        return torch::randn(x.sizes(), m_generator, x.options().device(torch::kCPU)).to(x.device());
    }

private:
    c10::optional<at::Generator> m_generator;
};

void checkNoise(const torch::Tensor& x, const char* sampler)
{
    if (!x.defined() || x.dim() < 1 || x.size(0) < 1 || !x.is_floating_point())
        throw ConfigError(fmt::format("{}: the initial noise must be a floating-point tensor of shape (N, ...) with "
                                      "N >= 1.",
            sampler));
}

// Calls a model function and checks that it answers with a tensor shaped like its input.
torch::Tensor call(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& fn,
    const torch::Tensor& x, const torch::Tensor& t, const char* sampler)
{
    if (!fn)
        throw ConfigError(fmt::format("{}: no model function given.", sampler));
    auto out = fn(x, t);
    if (!out.defined() || out.sizes() != x.sizes())
        throw ConfigError(fmt::format("{}: the model returned shape {} for an input of shape {}.", sampler,
            out.defined() ? shapeString(out) : std::string("(undefined)"), shapeString(x)));
    return out;
}

// A time tensor (N) holding value, in x's dtype and on x's device.
torch::Tensor timeLike(const torch::Tensor& x, double value) { return torch::full({ x.size(0) }, value, x.options()); }

// The integer timestep of DDPM/DDIM as a float32 tensor (N) on x's device: float32 holds every step exactly, where
// a half-precision x would not.
torch::Tensor timestepLike(const torch::Tensor& x, int64_t t)
{
    return torch::full({ x.size(0) }, static_cast<double>(t), x.options().dtype(torch::kFloat32));
}

void poll(const StopFn& shouldStop)
{
    if (shouldStop && shouldStop())
        throw Cancelled();
}

void report(const ProgressFn& progress, int64_t done, int64_t total)
{
    if (progress)
        progress(done, total);
}

void record(Trajectory& trajectory, double time, const torch::Tensor& x, const torch::Tensor& x0Pred)
{
    trajectory.times.push_back(time);
    trajectory.xt.push_back(x);
    trajectory.x0Pred.push_back(x0Pred);
}

} // namespace

// ---------------------------------------------------------------------------------------------------- DDPM

SamplerStep DdpmSampler::step(const torch::Tensor& epsPred, int64_t t, const torch::Tensor& xt,
    const torch::Tensor& noise, PosteriorVariance variance) const
{
    if (t < 0 || t >= m_schedule.steps())
        throw ConfigError(fmt::format("DDPM step t must lie in [0, {}], got {}.", m_schedule.steps() - 1, t));
    const double beta = m_schedule.betas(torch::kFloat64)[t].item<double>();
    const double alphaBar = m_schedule.alphaBars(torch::kFloat64)[t].item<double>();
    // Ho et al. 2020, Algorithm 2: x_{t-1} = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - alphaBar_t) eps) + sigma_t z.
    auto mean = (xt - (beta / std::sqrt(1.0 - alphaBar)) * epsPred) * (1.0 / std::sqrt(1.0 - beta));
    auto x0 = (xt - std::sqrt(1.0 - alphaBar) * epsPred) * (1.0 / std::sqrt(alphaBar));
    if (t == 0)
        return { mean, x0 };
    const double var
        = variance == PosteriorVariance::Beta ? beta : m_schedule.posteriorVariances(torch::kFloat64)[t].item<double>();
    return { mean + std::sqrt(var) * noise, x0 };
}

SampleResult DdpmSampler::sample(const EpsilonFn& epsilon, const torch::Tensor& initialNoise,
    const DdpmSamplerOptions& options, bool recordTrajectory) const
{
    checkNoise(initialNoise, "DDPM sampler");
    const int64_t T = m_schedule.steps();
    NoiseSource noise(options.seed());
    SampleResult result;
    auto x = initialNoise;
    for (int64_t t = T - 1; t >= 0; --t) {
        poll(options.shouldStop());
        const auto eps = call(epsilon, x, timestepLike(x, t), "DDPM sampler");
        const auto z = t > 0 ? noise.like(x) : torch::Tensor();
        auto out = step(eps, t, x, z, options.variance());
        if (recordTrajectory)
            record(result.trajectory, static_cast<double>(t + 1), x, out.predOriginalSample);
        x = out.prevSample;
        report(options.progress(), T - t, T);
    }
    if (recordTrajectory)
        record(result.trajectory, 0.0, x, x);
    result.sample = x;
    return result;
}

// ---------------------------------------------------------------------------------------------------- DDIM

std::vector<int64_t> DdimSampler::timesteps(int64_t steps) const
{
    const int64_t T = m_schedule.steps();
    if (steps < 1 || steps > T)
        throw ConfigError(fmt::format("DDIM steps must lie in [1, {}] (the schedule's T), got {}.", T, steps));
    std::vector<int64_t> ts(static_cast<size_t>(steps));
    for (int64_t k = 0; k < steps; ++k) {
        // Evenly spaced over [0, T-1]: consecutive values differ by (T-1)/(S-1) >= 1, so they stay distinct.
        const double u = steps == 1 ? 1.0 : static_cast<double>(k) / static_cast<double>(steps - 1);
        ts[static_cast<size_t>(steps - 1 - k)] = std::llround(u * static_cast<double>(T - 1));
    }
    return ts;
}

SamplerStep DdimSampler::step(const torch::Tensor& epsPred, int64_t t, int64_t tPrev, const torch::Tensor& xt,
    double eta, const torch::Tensor& noise) const
{
    const int64_t T = m_schedule.steps();
    if (t < 0 || t >= T || tPrev < -1 || tPrev >= t)
        throw ConfigError(
            fmt::format("DDIM step needs 0 <= t < {} and -1 <= tPrev < t; got t {}, tPrev {}.", T, t, tPrev));
    if (!(eta >= 0.0))
        throw ConfigError(fmt::format("DDIM eta must be >= 0, got {}.", eta));
    const auto alphaBars = m_schedule.alphaBars(torch::kFloat64);
    const double a = alphaBars[t].item<double>();
    const double aPrev = tPrev < 0 ? 1.0 : alphaBars[tPrev].item<double>();
    // Song et al. 2021, eq. 16 (sigma) and eq. 12 (the update).
    const double sigma = eta * std::sqrt((1.0 - aPrev) / (1.0 - a)) * std::sqrt(1.0 - a / aPrev);
    const auto x0 = (xt - std::sqrt(1.0 - a) * epsPred) * (1.0 / std::sqrt(a));
    auto prev = std::sqrt(aPrev) * x0 + std::sqrt(std::max(0.0, 1.0 - aPrev - sigma * sigma)) * epsPred;
    if (sigma > 0.0)
        prev = prev + sigma * noise;
    return { prev, x0 };
}

SampleResult DdimSampler::sample(const EpsilonFn& epsilon, const torch::Tensor& initialNoise,
    const DdimSamplerOptions& options, bool recordTrajectory) const
{
    checkNoise(initialNoise, "DDIM sampler");
    if (!(options.eta() >= 0.0))
        throw ConfigError(fmt::format("DDIM eta must be >= 0, got {}.", options.eta()));
    const auto ts = timesteps(options.steps());
    const auto alphaBars = m_schedule.alphaBars(torch::kFloat64);
    NoiseSource noise(options.seed());
    SampleResult result;
    auto x = initialNoise;
    const auto S = static_cast<int64_t>(ts.size());
    for (int64_t k = 0; k < S; ++k) {
        poll(options.shouldStop());
        const int64_t t = ts[static_cast<size_t>(k)];
        const int64_t tPrev = k + 1 < S ? ts[static_cast<size_t>(k + 1)] : -1;
        const auto eps = call(epsilon, x, timestepLike(x, t), "DDIM sampler");
        // Draw noise only where the step uses it (sigma > 0), so eta = 1 with S = T consumes the same numbers as DDPM.
        const double a = alphaBars[t].item<double>(), aPrev = tPrev < 0 ? 1.0 : alphaBars[tPrev].item<double>();
        const bool noisy = options.eta() > 0.0 && aPrev < 1.0 && a < aPrev;
        auto out = step(eps, t, tPrev, x, options.eta(), noisy ? noise.like(x) : torch::Tensor());
        if (recordTrajectory)
            record(result.trajectory, static_cast<double>(t + 1), x, out.predOriginalSample);
        x = out.prevSample;
        report(options.progress(), k + 1, S);
    }
    if (recordTrajectory)
        record(result.trajectory, 0.0, x, x);
    result.sample = x;
    return result;
}

// ---------------------------------------------------------------------------------------------------- EDM

torch::Tensor edmSigmaSchedule(int64_t steps, double sigmaMin, double sigmaMax, double rho)
{
    if (steps < 1)
        throw ConfigError(fmt::format("EDM steps must be at least 1, got {}.", steps));
    if (!(sigmaMin > 0.0 && sigmaMin < sigmaMax && std::isfinite(sigmaMax)))
        throw ConfigError(
            fmt::format("EDM needs 0 < sigmaMin < sigmaMax < inf; got sigmaMin {}, sigmaMax {}.", sigmaMin, sigmaMax));
    if (!(rho > 0.0 && std::isfinite(rho)))
        throw ConfigError(fmt::format("EDM rho must be a positive number, got {}.", rho));
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    // Karras et al. 2022, eq. 5.
    const auto i = torch::arange(steps, opts);
    const double denom = steps > 1 ? static_cast<double>(steps - 1) : 1.0;
    const double lo = std::pow(sigmaMin, 1.0 / rho), hi = std::pow(sigmaMax, 1.0 / rho);
    auto sigmas = torch::cat({ (hi + i / denom * (lo - hi)).pow(rho), torch::zeros({ 1 }, opts) });
    // Pin the ends to the exact settings (x^(1/rho))^rho is off by rounding.
    sigmas[0] = sigmaMax;
    if (steps > 1)
        sigmas[steps - 1] = sigmaMin;
    return sigmas;
}

SampleResult EdmSampler::sample(const DenoiserFn& denoiser, const torch::Tensor& initialNoise,
    const EdmSamplerOptions& options, bool recordTrajectory) const
{
    checkNoise(initialNoise, "EDM sampler");
    if (!(options.sChurn() >= 0.0 && options.sNoise() >= 0.0))
        throw ConfigError(
            fmt::format("EDM sChurn and sNoise must be >= 0; got {} and {}.", options.sChurn(), options.sNoise()));
    const auto sigmaTable = edmSigmaSchedule(options.steps(), options.sigmaMin(), options.sigmaMax(), options.rho());
    const auto sigmas = sigmaTable.accessor<double, 1>();
    const int64_t N = options.steps();
    const double gammaMax = std::min(options.sChurn() / static_cast<double>(N), std::sqrt(2.0) - 1.0);
    NoiseSource noise(options.seed());
    SampleResult result;
    auto x = initialNoise;
    for (int64_t i = 0; i < N; ++i) {
        poll(options.shouldStop());
        const double tCur = sigmas[i], tNext = sigmas[i + 1];
        // Algorithm 2, lines 4-6: raise the noise level to tHat = (1 + gamma) tCur by adding fresh noise.
        const double gamma
            = options.sChurn() > 0.0 && tCur >= options.sTmin() && tCur <= options.sTmax() ? gammaMax : 0.0;
        const double tHat = tCur * (1.0 + gamma);
        auto xHat = x;
        if (gamma > 0.0)
            xHat = x + std::sqrt(tHat * tHat - tCur * tCur) * options.sNoise() * noise.like(x);
        // Algorithm 1, lines 4-8: Euler step with d = (x - D(x; t)) / t, then the trapezoidal correction.
        const auto denoised = call(denoiser, xHat, timeLike(x, tHat), "EDM sampler");
        const auto d = (xHat - denoised) * (1.0 / tHat);
        auto xNext = xHat + (tNext - tHat) * d;
        if (tNext > 0.0) {
            const auto denoisedNext = call(denoiser, xNext, timeLike(x, tNext), "EDM sampler");
            const auto dNext = (xNext - denoisedNext) * (1.0 / tNext);
            xNext = xHat + (0.5 * (tNext - tHat)) * (d + dNext);
        }
        if (recordTrajectory)
            record(result.trajectory, tCur, x, denoised);
        x = xNext;
        report(options.progress(), i + 1, N);
    }
    if (recordTrajectory)
        record(result.trajectory, 0.0, x, x);
    result.sample = x;
    return result;
}

// ---------------------------------------------------------------------------------------------------- ODE

SampleResult OdeSolver::sample(const VelocityFn& velocity, const torch::Tensor& initialNoise,
    const OdeSolverOptions& options, bool recordTrajectory) const
{
    checkNoise(initialNoise, "ODE solver");
    const int64_t S = options.steps();
    const double t0 = options.t0(), t1 = options.t1();
    if (S < 1)
        throw ConfigError(fmt::format("ODE solver steps must be at least 1, got {}.", S));
    if (!std::isfinite(t0) || !std::isfinite(t1) || t0 == t1)
        throw ConfigError(fmt::format("ODE solver needs finite, distinct t0 and t1; got t0 {}, t1 {}.", t0, t1));
    const auto v = [&](const torch::Tensor& x, double t) { return call(velocity, x, timeLike(x, t), "ODE solver"); };
    SampleResult result;
    auto x = initialNoise;
    for (int64_t k = 0; k < S; ++k) {
        poll(options.shouldStop());
        // t_k from the endpoints rather than by accumulating h, so the last step lands on t1 exactly (and the last
        // Euler step towards t1 = 0 is exactly x - t v, the recorded x0Pred).
        const double t = t0 + (t1 - t0) * static_cast<double>(k) / static_cast<double>(S);
        const double tNext = k + 1 == S ? t1 : t0 + (t1 - t0) * static_cast<double>(k + 1) / static_cast<double>(S);
        const double h = tNext - t;
        const auto k1 = v(x, t);
        torch::Tensor next;
        switch (options.method()) {
        case OdeMethod::Euler: next = x + h * k1; break;
        case OdeMethod::Heun: {
            // Explicit trapezoidal rule (Heun's method), second order.
            const auto k2 = v(x + h * k1, tNext);
            next = x + (0.5 * h) * (k1 + k2);
            break;
        }
        case OdeMethod::Rk4: {
            // Classical fourth-order Runge-Kutta.
            const auto k2 = v(x + (0.5 * h) * k1, t + 0.5 * h);
            const auto k3 = v(x + (0.5 * h) * k2, t + 0.5 * h);
            const auto k4 = v(x + h * k3, tNext);
            next = x + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            break;
        }
        }
        if (recordTrajectory)
            record(result.trajectory, t, x, x - t * k1); // flow matching: x0 = x_t - t v
        x = next;
        report(options.progress(), k + 1, S);
    }
    if (recordTrajectory)
        record(result.trajectory, t1, x, t1 == 0.0 ? x : x - t1 * v(x, t1));
    result.sample = x;
    return result;
}

} // namespace hepgen::samplers
