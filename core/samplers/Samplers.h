#pragma once
// Samplers for diffusion and flow-matching models, kept apart from the networks (as diffusers'
// schedulers are): each takes a plain function (an eps-predictor, a denoiser or a velocity field),
// the initial noise, its options, and returns the sample plus, on request, the whole trajectory
// for the timestep scrubber.
//
//   DdpmSampler  ancestral sampling, Ho et al. 2020, Algorithm 2
//   DdimSampler  Song, Meng & Ermon 2021 (DDIM), eq. 12, S <= T steps, eta in [0, 1]
//   EdmSampler   Karras et al. 2022 (EDM), Heun 2nd order, Algorithm 1 (+ optional churn, Algorithm 2)
//   OdeSolver    Euler / Heun / RK4 for dx/dt = v(x, t): flow matching (Lipman et al. 2023) from t = 1 to 0
//
// Conventions: batch-first tensors (N, ...); every tensor the functions receive (sigma, t, noise) follows
// the dtype and device of the initial noise, except DDPM/DDIM timesteps, which are float32 (exact integers). The
// samplers run in the caller's grad mode: wrap inference in torch::NoGradGuard. Cancellation: when options.shouldStop()
// returns true the sampler throws hepgen::Cancelled between steps; options.progress(done, total) is called after each.
#include "core/samplers/NoiseSchedule.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

namespace hepgen::samplers {

/// eps-prediction network eps(x_t, t), t a float32 tensor (N) on x_t's device holding integer timesteps 0..T-1.
using EpsilonFn = std::function<torch::Tensor(const torch::Tensor& xt, const torch::Tensor& t)>;
/// Velocity field v(x, t) of a continuous-time model, t a tensor (N) in [0, 1] (dtype of x).
using VelocityFn = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;
/// EDM denoiser D(x; sigma) ~ E[x0 | x = x0 + sigma eps], sigma a tensor (N) (Karras et al. 2022, eq. 2).
using DenoiserFn = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& sigma)>;

/// Cooperative cancellation and progress, polled once per step.
using StopFn = std::function<bool()>;
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

/// Every state a sampler passed through, for the timestep scrubber. Entry k holds the time (t for DDPM/DDIM in
/// the papers' 1-based counting, so T = pure noise and 0 = data; sigma for EDM; t for the ODE solvers), the state
/// x at that time and the clean sample predicted from it. Entry 0 is the initial noise exactly (and its
/// prediction); the last entry is the returned sample exactly, with x0Pred equal to it where the last time is 0.
struct Trajectory {
    std::vector<double> times;
    std::vector<torch::Tensor> xt;
    std::vector<torch::Tensor> x0Pred;

    size_t size() const { return xt.size(); }
    bool empty() const { return xt.empty(); }
};

/// What every sampler returns: the final sample and the trajectory (empty unless recording was asked for).
struct SampleResult {
    torch::Tensor sample;
    Trajectory trajectory;
};

/// One reverse step, named like diffusers' SchedulerOutput.
struct SamplerStep {
    torch::Tensor prevSample;         ///< x_{t-1} (or x at the next time)
    torch::Tensor predOriginalSample; ///< the clean sample predicted at x_t
};

// ---------------------------------------------------------------------------------------------------- DDPM

/// Options of DdpmSampler.
struct DdpmSamplerOptions {
    /// sigma_t^2 = beta_t or beta~_t (Ho et al. 2020, Sec. 3.2).
    TORCH_ARG(PosteriorVariance, variance) = PosteriorVariance::Beta;
    /// Seed of the per-step noise (a private CPU generator, so results do not depend on the device); unset:
    /// the global generator of the noise's device.
    TORCH_ARG(c10::optional<uint64_t>, seed) = c10::nullopt;
    TORCH_ARG(StopFn, shouldStop) = nullptr;
    TORCH_ARG(ProgressFn, progress) = nullptr;
};

/// Ancestral DDPM sampling over all T steps of a schedule (Ho et al. 2020, Algorithm 2).
class DdpmSampler {
public:
    explicit DdpmSampler(NoiseSchedule schedule)
        : m_schedule(std::move(schedule))
    {
    }
    const NoiseSchedule& schedule() const { return m_schedule; }

    /// One step t -> t-1 (t in 0..T-1, 0-based): x_{t-1} = (x_t - beta_t / sqrt(1 - alphaBar_t) eps) / sqrt(alpha_t)
    /// + sigma_t z (Ho et al. eq. 11 and Algorithm 2); `noise` z is ignored (may be undefined) at t = 0.
    /// Throws hepgen::ConfigError for t out of range.
    SamplerStep step(const torch::Tensor& epsPred, int64_t t, const torch::Tensor& xt, const torch::Tensor& noise,
        PosteriorVariance variance = PosteriorVariance::Beta) const;

    /// Runs x_T = initialNoise (~ N(0, I)) down to x_0: T network calls. Trajectory: T + 1 entries, times T..0.
    /// Throws hepgen::ConfigError for an empty/non-float noise tensor or a network output of the wrong shape,
    /// hepgen::Cancelled when stopped.
    SampleResult sample(const EpsilonFn& epsilon, const torch::Tensor& initialNoise,
        const DdpmSamplerOptions& options = {}, bool record = false) const;

private:
    NoiseSchedule m_schedule;
};

// ---------------------------------------------------------------------------------------------------- DDIM

/// Options of DdimSampler.
struct DdimSamplerOptions {
    /// Number of sampling steps S, 1 <= S <= T, on an evenly spaced subsequence of 0..T-1 (both ends included).
    TORCH_ARG(int64_t, steps) = 50;
    /// eta = 0: deterministic DDIM; eta = 1: the DDPM posterior variance (Song et al. 2021, eq. 16).
    TORCH_ARG(double, eta) = 0.0;
    TORCH_ARG(c10::optional<uint64_t>, seed) = c10::nullopt;
    TORCH_ARG(StopFn, shouldStop) = nullptr;
    TORCH_ARG(ProgressFn, progress) = nullptr;
};

/// DDIM sampling (Song, Meng & Ermon 2021, eq. 12) on a subsequence of a schedule's timesteps.
class DdimSampler {
public:
    explicit DdimSampler(NoiseSchedule schedule)
        : m_schedule(std::move(schedule))
    {
    }
    const NoiseSchedule& schedule() const { return m_schedule; }

    /// The S timesteps visited, descending from T-1 to 0: round(k (T-1) / (S-1)). Throws hepgen::ConfigError
    /// unless 1 <= S <= T.
    std::vector<int64_t> timesteps(int64_t steps) const;

    /// One step t -> tPrev (tPrev = -1 means the clean end, alphaBar = 1):
    /// x_prev = sqrt(aPrev) x0 + sqrt(1 - aPrev - sigma^2) eps + sigma z with
    /// sigma = eta sqrt((1 - aPrev) / (1 - a_t)) sqrt(1 - a_t / aPrev) (eqs. 12, 16). z may be undefined if sigma = 0.
    SamplerStep step(const torch::Tensor& epsPred, int64_t t, int64_t tPrev, const torch::Tensor& xt, double eta,
        const torch::Tensor& noise) const;

    /// Runs initialNoise (~ N(0, I), at t = T-1) to the clean end in S network calls. Trajectory: S + 1 entries,
    /// times t+1 of the visited steps, then 0. Throws hepgen::ConfigError for bad options (S, eta < 0) or inputs,
    /// hepgen::Cancelled when stopped.
    SampleResult sample(const EpsilonFn& epsilon, const torch::Tensor& initialNoise,
        const DdimSamplerOptions& options = {}, bool record = false) const;

private:
    NoiseSchedule m_schedule;
};

// ---------------------------------------------------------------------------------------------------- EDM

/// Options of EdmSampler; defaults as in Karras et al. 2022, Table 1 / Sec. 3 (deterministic: no churn).
struct EdmSamplerOptions {
    /// Number of sampling steps N (N sigmas, then 0); 2N - 1 denoiser calls.
    TORCH_ARG(int64_t, steps) = 18;
    TORCH_ARG(double, sigmaMin) = 0.002;
    TORCH_ARG(double, sigmaMax) = 80.0;
    TORCH_ARG(double, rho) = 7.0;
    /// Stochastic churn (Algorithm 2): gamma_i = min(sChurn / N, sqrt(2) - 1) for sigma_i in [sTmin, sTmax].
    TORCH_ARG(double, sChurn) = 0.0;
    TORCH_ARG(double, sTmin) = 0.0;
    TORCH_ARG(double, sTmax) = std::numeric_limits<double>::infinity();
    TORCH_ARG(double, sNoise) = 1.0;
    TORCH_ARG(c10::optional<uint64_t>, seed) = c10::nullopt;
    TORCH_ARG(StopFn, shouldStop) = nullptr;
    TORCH_ARG(ProgressFn, progress) = nullptr;
};

/// The EDM noise levels sigma_i = (sigmaMax^(1/rho) + i/(N-1) (sigmaMin^(1/rho) - sigmaMax^(1/rho)))^rho,
/// i = 0..N-1, followed by sigma_N = 0 (Karras et al. 2022, eq. 5): float64 CPU tensor of N + 1 values. N = 1 gives
/// {sigmaMax, 0}. Throws hepgen::ConfigError unless N >= 1, 0 < sigmaMin < sigmaMax and rho > 0.
torch::Tensor edmSigmaSchedule(int64_t steps, double sigmaMin = 0.002, double sigmaMax = 80.0, double rho = 7.0);

/// Heun sampler of Karras et al. 2022 (Algorithm 1; Algorithm 2's churn when sChurn > 0).
class EdmSampler {
public:
    /// The prior sample must be passed in as initialNoise, i.e. already scaled: x_0 ~ N(0, sigmaMax^2 I)
    /// (sigmaMax * eps with eps ~ N(0, I)), so that the trajectory starts exactly at it. Trajectory: N + 1 entries,
    /// times sigma_0..sigma_N = 0; x0Pred = D(x_i; sigma_i). Throws hepgen::ConfigError for bad options or inputs,
    /// hepgen::Cancelled when stopped.
    SampleResult sample(const DenoiserFn& denoiser, const torch::Tensor& initialNoise,
        const EdmSamplerOptions& options = {}, bool record = false) const;
};

// ---------------------------------------------------------------------------------------------------- ODE

/// Integration scheme of OdeSolver (fixed step; global error O(h), O(h^2), O(h^4)).
enum class OdeMethod { Euler, Heun, Rk4 };

/// Options of OdeSolver. Defaults: flow matching generation, t = 1 (noise) to t = 0 (data).
struct OdeSolverOptions {
    TORCH_ARG(OdeMethod, method) = OdeMethod::Heun;
    /// Number of steps S >= 1 (Euler: S velocity calls, Heun: 2S, RK4: 4S).
    TORCH_ARG(int64_t, steps) = 50;
    /// Start and end times; t1 < t0 integrates backwards in time (generation), t1 > t0 forwards (encoding).
    TORCH_ARG(double, t0) = 1.0;
    TORCH_ARG(double, t1) = 0.0;
    TORCH_ARG(StopFn, shouldStop) = nullptr;
    TORCH_ARG(ProgressFn, progress) = nullptr;
};

/// Fixed-step ODE solver for dx/dt = v(x, t) (flow matching: x_t = (1 - t) x0 + t eps, v = eps - x0). The clean
/// sample predicted at (x, t) is x - t v(x, t). Trajectory: S + 1 entries at t0 + k (t1 - t0) / S; the last entry's
/// x0Pred is the sample itself when t1 = 0 (and costs one extra velocity call when recording with t1 != 0).
class OdeSolver {
public:
    /// Integrates from initialNoise at t0 to t1. Throws hepgen::ConfigError for steps < 1, t0 == t1, non-finite
    /// times or bad inputs, hepgen::Cancelled when stopped.
    SampleResult sample(const VelocityFn& velocity, const torch::Tensor& initialNoise,
        const OdeSolverOptions& options = {}, bool record = false) const;
};

} // namespace hepgen::samplers
