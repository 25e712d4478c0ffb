#pragma once
// Discrete DDPM noise schedules (Ho et al. 2020, "Denoising Diffusion Probabilistic Models";
// Nichol & Dhariwal 2021, "Improved DDPM") and the closed-form maths built on them: forward
// noising, x0 prediction, signal-to-noise ratio and the Gaussian posterior q(x_{t-1} | x_t, x_0).
//
// Indexing: timesteps are 0-based, t in {0, ..., T-1}; index t stands for the papers' step t+1,
// so t = 0 is the least noisy step (beta_0 = 1e-4 for the linear schedule) and t = T-1 the
// noisiest. This is the convention of diffusers' DDPMScheduler and of the networks' inputs.
// Everything is computed in float64 and handed out in the dtype and on the device of the tensor
// it is combined with (or float32 on the CPU for the raw tables).
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace hepgen::samplers {

/// Which beta schedule a NoiseSchedule uses.
enum class BetaSchedule {
    Linear, ///< beta linear from betaStart to betaEnd, both scaled by 1000/T (Ho et al. 2020, Sec. 4)
    Cosine, ///< alphaBar from a squared cosine (Nichol & Dhariwal 2021, eq. 17), beta clipped at maxBeta
};

/// Which per-step variance the ancestral (DDPM) sampler uses: Ho et al. 2020, Sec. 3.2.
enum class PosteriorVariance {
    Beta,      ///< sigma_t^2 = beta_t (optimal for x0 ~ N(0, I))
    BetaTilde, ///< sigma_t^2 = beta~_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t (optimal for a point x0)
};

/// Settings of a NoiseSchedule; every field has a default (the DDPM paper's T = 1000 linear schedule).
struct NoiseScheduleOptions {
    /// Number of diffusion steps T (>= 1).
    TORCH_ARG(int64_t, steps) = 1000;
    TORCH_ARG(BetaSchedule, kind) = BetaSchedule::Linear;
    /// Linear schedule: first and last beta for T = 1000; both are scaled by 1000/T so that the total
    /// noise stays the same for other T (as in improved-diffusion's get_named_beta_schedule).
    TORCH_ARG(double, betaStart) = 1e-4;
    TORCH_ARG(double, betaEnd) = 0.02;
    /// Cosine schedule: offset s and the clip on beta (Nichol & Dhariwal 2021, Sec. 3.2).
    TORCH_ARG(double, cosineOffset) = 0.008;
    TORCH_ARG(double, maxBeta) = 0.999;
    /// Floor on alphaBar (0: off). With a floor m > 0 the schedule's alphaBar_t becomes m + (1 - m) alphaBar_t
    /// (and beta_t = 1 - alphaBar_t / alphaBar_{t-1} follows), so sqrt(alphaBar_T) no longer vanishes: the cosine
    /// schedule's last alphaBar is ~2e-9, and the x0 = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t) of the
    /// first DDIM step then multiplies the network's error by ~2e4 (samples explode).
    TORCH_ARG(double, minAlphaBar) = 0.0;
};

/// q(x_{t-1} | x_t, x_0) = N(mean, variance I) (Ho et al. 2020, eqs. 6-7).
struct Posterior {
    torch::Tensor mean;     ///< same shape as x_t
    torch::Tensor variance; ///< beta~_t, shape (N, 1, ..., 1) broadcastable to x_t
};

/// A discrete noise schedule with its tables beta_t, alpha_t = 1 - beta_t, alphaBar_t = prod_{s<=t} alpha_s.
/// A plain value type: cheap to copy, immutable, thread-safe to share. Per-sample helpers take an integer
/// timestep tensor t of shape (N) (or a 0-dim tensor, used for every sample) and throw hepgen::ConfigError
/// when t is not integral, out of [0, T-1], or its length does not match the batch.
class NoiseSchedule {
public:
    /// Builds the tables. Throws hepgen::ConfigError for steps < 1, a non-increasing linear range or
    /// betas outside (0, 1), a negative cosine offset, maxBeta outside (0, 1) or minAlphaBar outside [0, 1).
    explicit NoiseSchedule(const NoiseScheduleOptions& options = {});

    const NoiseScheduleOptions& options() const { return m_options; }
    int64_t steps() const { return m_options.steps(); }

    /// Tables of length T; float32 on the CPU by default, any dtype on request.
    torch::Tensor betas(torch::Dtype dtype = torch::kFloat32) const { return m_betas.to(dtype); }
    torch::Tensor alphas(torch::Dtype dtype = torch::kFloat32) const { return m_alphas.to(dtype); }
    torch::Tensor alphaBars(torch::Dtype dtype = torch::kFloat32) const { return m_alphaBars.to(dtype); }
    /// alphaBar_{t-1}, with alphaBar_{-1} = 1 (no noise before the first step).
    torch::Tensor alphaBarsPrev(torch::Dtype dtype = torch::kFloat32) const { return m_alphaBarsPrev.to(dtype); }
    /// Posterior variance beta~_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t (Ho et al. eq. 7); beta~_0 = 0.
    torch::Tensor posteriorVariances(torch::Dtype dtype = torch::kFloat32) const { return m_betaTildes.to(dtype); }
    /// Signal-to-noise ratio SNR_t = alphaBar_t / (1 - alphaBar_t) (Kingma et al. 2021, "Variational Diffusion
    /// Models").
    torch::Tensor snr(torch::Dtype dtype = torch::kFloat32) const;
    /// sigma_t = sqrt(1 - alphaBar_t): the standard deviation of the noise in x_t.
    torch::Tensor noiseStds(torch::Dtype dtype = torch::kFloat32) const;
    /// The EDM / variance-exploding noise level of step t, sigma_t = sqrt((1 - alphaBar_t) / alphaBar_t) = SNR^-1/2:
    /// x_t / sqrt(alphaBar_t) = x0 + sigma_t eps (Karras et al. 2022, Table 1, "VP").
    torch::Tensor edmSigmas(torch::Dtype dtype = torch::kFloat32) const;

    /// Forward noising x_t = sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps (Ho et al. eq. 4); t int (N) or 0-dim.
    torch::Tensor addNoise(const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& t) const;
    /// The inverse of addNoise for a given eps: x0 = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t).
    torch::Tensor predictX0(const torch::Tensor& xt, const torch::Tensor& epsPred, const torch::Tensor& t) const;
    /// eps from x0: eps = (x_t - sqrt(alphaBar_t) x0) / sqrt(1 - alphaBar_t).
    torch::Tensor predictEpsilon(const torch::Tensor& xt, const torch::Tensor& x0Pred, const torch::Tensor& t) const;
    /// The posterior q(x_{t-1} | x_t, x_0): mean = c0 x0 + ct x_t with c0 = beta_t sqrt(alphaBar_{t-1}) / (1 -
    /// alphaBar_t), ct = sqrt(alpha_t) (1 - alphaBar_{t-1}) / (1 - alphaBar_t), variance beta~_t (Ho et al. eqs. 6-7).
    Posterior posterior(const torch::Tensor& x0, const torch::Tensor& xt, const torch::Tensor& t) const;

    /// Gathers table[t] for each sample and reshapes it to (N, 1, ..., 1) so that it broadcasts against `like`
    /// (dtype and device of `like`). For samplers and losses that need other per-sample coefficients.
    torch::Tensor gather(const torch::Tensor& table, const torch::Tensor& t, const torch::Tensor& like) const;

private:
    NoiseScheduleOptions m_options;
    torch::Tensor m_betas, m_alphas, m_alphaBars, m_alphaBarsPrev, m_betaTildes; // float64, CPU, length T
};

/// "(N, D)": a tensor's shape for error messages.
std::string shapeString(const torch::Tensor& x);

} // namespace hepgen::samplers
