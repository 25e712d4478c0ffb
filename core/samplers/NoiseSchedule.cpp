#include "core/samplers/NoiseSchedule.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

namespace hepgen::samplers {

namespace {

const auto kDoubleCpu = torch::TensorOptions().dtype(torch::kFloat64).device(torch::kCPU);

// alphaBar of the cosine schedule at the papers' continuous step u = t/T (Nichol & Dhariwal 2021, eq. 17,
// before normalising by f(0)): f(u) = cos^2((u + s) / (1 + s) * pi / 2).
torch::Tensor cosineF(const torch::Tensor& u, double s)
{
    return torch::cos((u + s) / (1.0 + s) * (M_PI / 2.0)).pow(2);
}

} // namespace

std::string shapeString(const torch::Tensor& x)
{
    std::string s = "(";
    for (int64_t d = 0; d < x.dim(); ++d)
        s += (d ? ", " : "") + std::to_string(x.size(d));
    return s + ")";
}

NoiseSchedule::NoiseSchedule(const NoiseScheduleOptions& options)
    : m_options(options)
{
    const int64_t T = options.steps();
    if (T < 1)
        throw ConfigError(fmt::format("Noise schedule steps must be at least 1, got {}.", T));
    if (options.kind() == BetaSchedule::Linear) {
        // Ho et al. 2020 use beta from 1e-4 to 0.02 for T = 1000; improved-diffusion scales both by 1000/T so
        // that sum(beta), hence alphaBar_T, stays about the same for other T.
        const double scale = 1000.0 / static_cast<double>(T);
        const double b0 = options.betaStart() * scale, b1 = options.betaEnd() * scale;
        if (!(options.betaStart() > 0.0) || !(options.betaEnd() >= options.betaStart()) || !(b1 < 1.0))
            throw ConfigError(
                fmt::format("Linear beta schedule needs 0 < betaStart <= betaEnd and betaEnd * 1000/T < 1; "
                            "got betaStart {}, betaEnd {}, T {} (for short schedules use the cosine schedule).",
                    options.betaStart(), options.betaEnd(), T));
        m_betas = T == 1 ? torch::full({ 1 }, b0, kDoubleCpu) : torch::linspace(b0, b1, T, kDoubleCpu);
    } else {
        const double s = options.cosineOffset();
        if (!(s >= 0.0))
            throw ConfigError(fmt::format("Cosine schedule offset s must be >= 0, got {}.", s));
        if (!(options.maxBeta() > 0.0 && options.maxBeta() < 1.0))
            throw ConfigError(fmt::format("Cosine schedule maxBeta must lie in (0, 1), got {}.", options.maxBeta()));
        // beta_t = 1 - alphaBar(t) / alphaBar(t - 1) in the papers' 1-based steps (Nichol & Dhariwal, Sec. 3.2).
        const auto u = torch::arange(0, T + 1, kDoubleCpu) / static_cast<double>(T);
        const auto f = cosineF(u, s);
        m_betas = (1.0 - f.slice(0, 1) / f.slice(0, 0, T)).clamp(0.0, options.maxBeta());
    }
    const double floor = options.minAlphaBar();
    if (!(floor >= 0.0 && floor < 1.0))
        throw ConfigError(fmt::format("The alphaBar floor must lie in [0, 1), got {}.", floor));
    if (floor > 0.0) {
        // alphaBar' = m + (1 - m) alphaBar stays decreasing; the betas follow from consecutive ratios, so
        // alphaBar' = prod(1 - beta') still holds exactly.
        const auto floored = floor + (1.0 - floor) * torch::cumprod(1.0 - m_betas, 0);
        m_betas = 1.0 - floored / torch::cat({ torch::ones({ 1 }, kDoubleCpu), floored.slice(0, 0, T - 1) });
    }
    m_alphas = 1.0 - m_betas;
    m_alphaBars = torch::cumprod(m_alphas, 0);
    m_alphaBarsPrev = torch::cat({ torch::ones({ 1 }, kDoubleCpu), m_alphaBars.slice(0, 0, T - 1) });
    m_betaTildes = (1.0 - m_alphaBarsPrev) / (1.0 - m_alphaBars) * m_betas;
}

torch::Tensor NoiseSchedule::snr(torch::Dtype dtype) const { return (m_alphaBars / (1.0 - m_alphaBars)).to(dtype); }

torch::Tensor NoiseSchedule::noiseStds(torch::Dtype dtype) const { return torch::sqrt(1.0 - m_alphaBars).to(dtype); }

torch::Tensor NoiseSchedule::edmSigmas(torch::Dtype dtype) const
{
    return torch::sqrt((1.0 - m_alphaBars) / m_alphaBars).to(dtype);
}

torch::Tensor NoiseSchedule::gather(const torch::Tensor& table, const torch::Tensor& t, const torch::Tensor& like) const
{
    if (!t.defined())
        throw ConfigError("Timestep tensor t is undefined.");
    const bool perSample = t.dim() == 1;
    if (t.dim() > 1 || (perSample && (like.dim() == 0 || t.size(0) != like.size(0))))
        throw ConfigError(fmt::format("Timestep tensor t must be 0-dim or of shape (N) with N = {}; got shape {}.",
            like.dim() > 0 ? like.size(0) : 0, shapeString(t)));
    auto index = t.detach().to(torch::kCPU);
    if (index.is_floating_point()) {
        // Networks receive t as float; accept it back as long as it holds whole numbers.
        if (index.numel() > 0 && !torch::equal(index, index.round()))
            throw ConfigError("Timestep tensor t must hold whole numbers.");
    } else if (index.scalar_type() == torch::kBool || index.is_complex()) {
        throw ConfigError("Timestep tensor t must be an integer tensor.");
    }
    index = index.to(torch::kLong).reshape({ -1 });
    if (index.numel() > 0) {
        const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
        if (lo < 0 || hi >= table.size(0))
            throw ConfigError(
                fmt::format("Timestep t must lie in [0, {}]; got values in [{}, {}].", table.size(0) - 1, lo, hi));
    }
    std::vector<int64_t> shape(static_cast<size_t>(std::max<int64_t>(like.dim(), 1)), 1);
    shape[0] = index.numel();
    return table.index_select(0, index).reshape(shape).to(like.options());
}

torch::Tensor NoiseSchedule::addNoise(const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& t) const
{
    return gather(m_alphaBars.sqrt(), t, x0) * x0 + gather((1.0 - m_alphaBars).sqrt(), t, x0) * eps;
}

torch::Tensor NoiseSchedule::predictX0(
    const torch::Tensor& xt, const torch::Tensor& epsPred, const torch::Tensor& t) const
{
    // Solve eq. 4 for x0: multiply by 1/sqrt(alphaBar) rather than divide so the two tables are exact in float64.
    return gather(m_alphaBars.rsqrt(), t, xt) * xt
        - gather(((1.0 - m_alphaBars) / m_alphaBars).sqrt(), t, xt) * epsPred;
}

torch::Tensor NoiseSchedule::predictEpsilon(
    const torch::Tensor& xt, const torch::Tensor& x0Pred, const torch::Tensor& t) const
{
    return (xt - gather(m_alphaBars.sqrt(), t, xt) * x0Pred) * gather((1.0 - m_alphaBars).rsqrt(), t, xt);
}

Posterior NoiseSchedule::posterior(const torch::Tensor& x0, const torch::Tensor& xt, const torch::Tensor& t) const
{
    // Ho et al. 2020, eq. 7.
    const auto c0 = m_betas * m_alphaBarsPrev.sqrt() / (1.0 - m_alphaBars);
    const auto ct = m_alphas.sqrt() * (1.0 - m_alphaBarsPrev) / (1.0 - m_alphaBars);
    return { gather(c0, t, xt) * x0 + gather(ct, t, xt) * xt, gather(m_betaTildes, t, xt) };
}

} // namespace hepgen::samplers
