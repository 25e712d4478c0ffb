#include "core/models/points/PointCloudModel.h"

#include "core/models/EdmModel.h"
#include "core/models/ModelSupport.h"
#include "core/models/Networks.h"
#include "core/samplers/ConsistencySampler.h"
#include "core/samplers/FlowMatching.h"
#include "core/samplers/Samplers.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hepgen::models::points {

namespace smp = hepgen::samplers;

namespace {

const std::string kWhat = "point model config";

torch::Tensor draw(bool normal, at::IntArrayRef sizes, const torch::Tensor& like, const c10::optional<at::Generator>& g)
{
    const auto opts = torch::TensorOptions().dtype(like.dtype());
    if (g.has_value())
        return (normal ? torch::randn(sizes, *g, opts) : torch::rand(sizes, *g, opts)).to(like.device());
    return normal ? torch::randn(sizes, opts.device(like.device())) : torch::rand(sizes, opts.device(like.device()));
}

c10::optional<uint64_t> stepSeed(const std::optional<uint64_t>& seed)
{
    if (!seed)
        return c10::nullopt;
    return *seed ^ 0x9E3779B97F4A7C15ULL; // another stream than the initial noise (as TimeConditionedModel)
}

smp::OdeMethod odeMethod(const std::string& name)
{
    if (name == "euler")
        return smp::OdeMethod::Euler;
    if (name == "rk4")
        return smp::OdeMethod::Rk4;
    return smp::OdeMethod::Heun;
}

} // namespace

OptimizerConfig PointModelConfig::defaultOptimizer()
{
    OptimizerConfig c;
    c.learningRate = 1e-3;
    return c;
}

PointModelConfig PointModelConfig::fromJson(const nlohmann::json& json)
{
    ConfigReader r(json, kWhat);
    PointModelConfig c;
    r.read("network", c.network);
    r.read("training", c.training);
    r.read("hidden", c.hidden);
    r.read("epic_width", c.epicWidth);
    r.read("epic_global", c.epicGlobal);
    r.read("epic_layers", c.epicLayers);
    r.read("epic_sum_scale", c.epicSumScale);
    r.read("train_points", c.trainPoints);
    r.read("time_embedding", c.timeEmbedding);
    r.read("time_scale", c.timeScale);
    r.read("schedule", c.schedule);
    r.read("timesteps", c.timesteps);
    r.read("beta_start", c.betaStart);
    r.read("beta_end", c.betaEnd);
    r.read("min_alpha_bar", c.minAlphaBar);
    r.read("eta", c.eta);
    r.read("sigma_data", c.sigmaData);
    r.read("p_mean", c.pMean);
    r.read("p_std", c.pStd);
    r.read("sigma_min", c.sigmaMin);
    r.read("sigma_max", c.sigmaMax);
    r.read("rho", c.rho);
    r.read("grid_steps", c.gridSteps);
    r.read("target_ema", c.targetEma);
    r.read("loss", c.loss);
    r.read("huber_c", c.huberC);
    r.read("sigma_mid", c.sigmaMid);
    r.read("teacher", c.teacher);
    r.read("sampler", c.sampler);
    r.read("sample_steps", c.sampleSteps);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(c.network == "pointwise" || c.network == "epic", kWhat, "network", "pointwise or epic", c.network);
    require(c.training == "ddpm" || c.training == "edm" || c.training == "cfm" || c.training == "consistency", kWhat,
        "training", "ddpm, edm, cfm or consistency", c.training);
    require(!c.hidden.empty() && std::all_of(c.hidden.begin(), c.hidden.end(), [](int64_t h) { return h > 0; }), kWhat,
        "hidden", "a non-empty list of positive widths", c.hidden);
    require(c.epicWidth >= 1, kWhat, "epic_width", "at least 1", c.epicWidth);
    require(c.epicGlobal >= 1, kWhat, "epic_global", "at least 1", c.epicGlobal);
    require(c.epicLayers >= 1, kWhat, "epic_layers", "at least 1", c.epicLayers);
    require(c.epicSumScale > 0 && std::isfinite(c.epicSumScale), kWhat, "epic_sum_scale", "positive", c.epicSumScale);
    require(c.trainPoints >= 0, kWhat, "train_points", "non-negative (0: every point)", c.trainPoints);
    require(c.trainPoints == 0 || c.network == "pointwise", kWhat, "train_points",
        "0 for the epic network (a set network must see whole clouds)", c.trainPoints);
    require(c.timeEmbedding >= 2 && c.timeEmbedding % 2 == 0, kWhat, "time_embedding", "even and at least 2",
        c.timeEmbedding);
    require(c.timeScale > 0 && std::isfinite(c.timeScale), kWhat, "time_scale", "positive", c.timeScale);
    require(c.schedule == "linear" || c.schedule == "cosine", kWhat, "schedule", "linear or cosine", c.schedule);
    require(c.timesteps >= 1, kWhat, "timesteps", "at least 1", c.timesteps);
    require(c.betaStart > 0 && c.betaStart < c.betaEnd && c.betaEnd < 1, kWhat, "beta_start/beta_end",
        "0 < beta_start < beta_end < 1", nlohmann::json::array({ c.betaStart, c.betaEnd }));
    require(c.minAlphaBar >= 0 && c.minAlphaBar < 0.1, kWhat, "min_alpha_bar", "in [0, 0.1)", c.minAlphaBar);
    require(c.eta >= 0 && c.eta <= 1, kWhat, "eta", "in [0, 1]", c.eta);
    require(c.sigmaData > 0 && std::isfinite(c.sigmaData), kWhat, "sigma_data", "positive", c.sigmaData);
    require(c.pStd > 0 && std::isfinite(c.pStd) && std::isfinite(c.pMean), kWhat, "p_mean/p_std",
        "finite with p_std > 0", nlohmann::json::array({ c.pMean, c.pStd }));
    require(c.sigmaMin > 0 && c.sigmaMin < c.sigmaMax && std::isfinite(c.sigmaMax), kWhat, "sigma_min/sigma_max",
        "0 < sigma_min < sigma_max", nlohmann::json::array({ c.sigmaMin, c.sigmaMax }));
    require(c.rho > 0 && std::isfinite(c.rho), kWhat, "rho", "positive", c.rho);
    require(c.gridSteps >= 2, kWhat, "grid_steps", "at least 2", c.gridSteps);
    require(c.targetEma >= 0 && c.targetEma < 1, kWhat, "target_ema", "in [0, 1)", c.targetEma);
    require(c.loss == "l2" || c.loss == "pseudo-huber", kWhat, "loss", "l2 or pseudo-huber", c.loss);
    require(c.huberC > 0 && std::isfinite(c.huberC), kWhat, "huber_c", "positive", c.huberC);
    require(c.sigmaMid > c.sigmaMin && c.sigmaMid < c.sigmaMax, kWhat, "sigma_mid", "between sigma_min and sigma_max",
        c.sigmaMid);
    const auto allowed = c.samplers(); // a sampler the training kind does not know is not in the list
    require(c.sampler.empty() || std::find(allowed.begin(), allowed.end(), c.sampler) != allowed.end(), kWhat,
        "sampler", fmt::format("one of {} for training {}", nlohmann::json(allowed).dump(), c.training), c.sampler);
    require(c.sampleSteps >= 0, kWhat, "sample_steps", "non-negative (0: the sampler's default)", c.sampleSteps);
    return c;
}

nlohmann::json PointModelConfig::toJson() const
{
    nlohmann::json j = { { "network", network }, { "training", training }, { "hidden", hidden },
        { "epic_width", epicWidth }, { "epic_global", epicGlobal }, { "epic_layers", epicLayers },
        { "epic_sum_scale", epicSumScale }, { "train_points", trainPoints }, { "time_embedding", timeEmbedding },
        { "time_scale", timeScale }, { "schedule", schedule }, { "timesteps", timesteps }, { "beta_start", betaStart },
        { "beta_end", betaEnd }, { "min_alpha_bar", minAlphaBar }, { "eta", eta }, { "sigma_data", sigmaData },
        { "p_mean", pMean }, { "p_std", pStd }, { "sigma_min", sigmaMin }, { "sigma_max", sigmaMax }, { "rho", rho },
        { "grid_steps", gridSteps }, { "target_ema", targetEma }, { "loss", loss }, { "huber_c", huberC },
        { "sigma_mid", sigmaMid }, { "teacher", teacher }, { "sampler", sampler }, { "sample_steps", sampleSteps } };
    optimizer.write(j);
    return j;
}

std::vector<std::string> PointModelConfig::samplers() const
{
    std::vector<std::string> all;
    if (training == "ddpm")
        all = { "ddpm", "ddim" };
    else if (training == "edm")
        all = { "edm-heun" };
    else if (training == "cfm")
        all = { "heun", "euler", "rk4" };
    else
        all = { "consistency" };
    const auto it = std::find(all.begin(), all.end(), sampler);
    if (it != all.end()) // the configured default first
        std::rotate(all.begin(), it, it + 1);
    return all;
}

int64_t PointModelConfig::defaultSteps(const std::string& name) const
{
    if (sampleSteps > 0 && name == defaultSampler())
        return sampleSteps;
    if (name == "ddpm")
        return timesteps;
    if (name == "ddim")
        return std::min<int64_t>(50, timesteps);
    if (name == "edm-heun")
        return 18; // Karras et al. 2022: 18 steps (35 evaluations); CaloClouds II samples with a few dozen
    if (name == "consistency")
        return 1;
    return 16; // ODE solvers: 16 Heun steps (32 evaluations)
}

PointCloudModel::PointCloudModel(const ModelShape& shape, const nlohmann::json& config)
    : m_shape(shape)
    , m_config(PointModelConfig::fromJson(config))
    , m_schedule(smp::NoiseScheduleOptions()
                     .steps(m_config.timesteps)
                     .kind(m_config.schedule == "cosine" ? smp::BetaSchedule::Cosine : smp::BetaSchedule::Linear)
                     .betaStart(m_config.betaStart)
                     .betaEnd(m_config.betaEnd)
                     .minAlphaBar(m_config.minAlphaBar))
{
    if (shape.features < 1 || shape.context < 1)
        throw ConfigError(fmt::format("A point model needs at least one feature per point and the point count as its "
                                      "last context column (got {} features, {} context columns).",
            shape.features, shape.context));
    const auto options = PointNetOptions(shape.features, m_config.timeEmbedding + shape.context - 1)
                             .kind(m_config.network)
                             .hidden(m_config.hidden)
                             .width(m_config.epicWidth)
                             .globalWidth(m_config.epicGlobal)
                             .layers(m_config.epicLayers)
                             .sumScale(m_config.epicSumScale);
    m_net = makePointNet(options);
    if (m_config.training == "consistency") {
        m_target = makePointNet(options);
        support::copyModuleState(*m_net, *m_target); // theta^- = theta at the start (Song et al. 2023, Algorithm 2)
        for (auto& p : m_target->parameters())
            p.set_requires_grad(false);
        m_target->eval();
    }
    m_optimizer = makeOptimizer(m_net->parameters(), m_config.optimizer);
}

torch::Tensor PointCloudModel::conditioning(const torch::Tensor& time, const torch::Tensor& context) const
{
    auto emb = sinusoidalEmbedding(time.reshape({ -1 }), m_config.timeEmbedding, m_config.timeScale);
    if (context.defined() && context.numel() > 0)
        emb = torch::cat({ emb.to(context.dtype()), context }, 1);
    return emb;
}

torch::Tensor PointCloudModel::apply(PointNetImpl& net, const torch::Tensor& x, const torch::Tensor& time,
    const torch::Tensor& context, const torch::Tensor& index) const
{
    return net.forward(x, conditioning(time.to(x.dtype()), context).to(x.dtype()), index);
}

torch::Tensor PointCloudModel::denoise(
    const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context, const torch::Tensor& index)
{
    // Karras et al. 2022, eq. 7, with sigma per cloud: D = c_skip x + c_out F(c_in x; c_noise).
    const auto s = sigma.to(x.dtype());
    const auto c = edmPreconditioning(s.index_select(0, index), m_config.sigmaData);
    return c.cSkip * x + c.cOut * apply(*m_net, c.cIn * x, s.log() / 4.0, context, index);
}

torch::Tensor PointCloudModel::consistencyFn(PointNetImpl& net, const torch::Tensor& x, const torch::Tensor& sigma,
    const torch::Tensor& context, const torch::Tensor& index) const
{
    // Song et al. 2023, Appendix C: EDM's preconditioning with c_skip, c_out shifted so that f(x, sigma_min) = x.
    const auto s = sigma.to(x.dtype());
    const auto sp = s.index_select(0, index).reshape({ -1, 1 });
    const double sd = m_config.sigmaData, eps = m_config.sigmaMin;
    const auto norm = (sp * sp + sd * sd).rsqrt();
    const auto cSkip = sd * sd / ((sp - eps).pow(2) + sd * sd);
    const auto cOut = sd * (sp - eps) * norm;
    return cSkip * x + cOut * apply(net, norm * x, s.log() / 4.0, context, index);
}

torch::Tensor PointCloudModel::grid() const
{
    return smp::edmSigmaSchedule(m_config.gridSteps, m_config.sigmaMin, m_config.sigmaMax, m_config.rho)
        .slice(0, 0, m_config.gridSteps)
        .flip(0);
}

PointCloudModel::Packed PointCloudModel::pack(
    const Batch& batch, bool subsample, const c10::optional<at::Generator>& generator) const
{
    const int64_t f = m_shape.features, c = m_shape.context - 1;
    const auto& x = batch.x;
    if (!x.defined() || x.dim() != 3 || x.size(2) != f)
        throw ConfigError(fmt::format("A point model expects padded clouds of shape (B, P, {}).", f));
    const int64_t b = x.size(0);
    if (!batch.context.defined() || batch.context.dim() != 2 || batch.context.size(0) != b
        || batch.context.size(1) != c + 1)
        throw ConfigError(fmt::format(
            "A point model expects a context of shape (B, {}) whose last column is the point count.", c + 1));
    Packed p;
    p.clouds = b;
    p.counts = batch.context.select(1, c).round().to(torch::kLong);
    const int64_t pmax = b > 0 ? p.counts.max().item<int64_t>() : 0;
    if (b > 0 && (p.counts.min().item<int64_t>() < 1 || pmax > x.size(1)))
        throw ConfigError(fmt::format("Point counts must lie in [1, {}] (the padded size).", x.size(1)));
    auto mask = torch::arange(pmax, p.counts.options()).unsqueeze(0) < p.counts.unsqueeze(1);
    auto clouds = x.slice(1, 0, pmax);
    if (subsample && m_config.trainPoints > 0 && pmax > m_config.trainPoints) {
        // A uniform random subset of each cloud's real points: sort random keys with the padding's pushed last.
        const int64_t k = m_config.trainPoints;
        const auto keys = torch::rand({ b, pmax }, generator, x.options()).masked_fill(mask.logical_not(), 2.0);
        const auto pick = std::get<1>(keys.topk(k, 1, /*largest=*/false));
        clouds = clouds.gather(1, pick.unsqueeze(2).expand({ b, k, f }));
        p.counts = p.counts.clamp_max(k);
        mask = torch::arange(k, p.counts.options()).unsqueeze(0) < p.counts.unsqueeze(1);
    }
    const int64_t width = mask.size(1);
    p.x = clouds.index({ mask });
    p.index = torch::arange(b, p.counts.options()).unsqueeze(1).expand({ b, width }).index({ mask });
    p.context = batch.context.slice(1, 0, c);
    if (batch.weight.defined())
        p.weight = batch.weight.to(x.dtype()).index_select(0, p.index);
    return p;
}

torch::Tensor PointCloudModel::objective(const Packed& p, const c10::optional<at::Generator>& g)
{
    const auto& x0 = p.x;
    const auto& index = p.index;
    const int64_t b = p.clouds;
    torch::Tensor perPoint;
    if (m_config.training == "ddpm") {
        // Ho et al. 2020, Algorithm 1, with one t per cloud: |eps - eps_theta(x_t, t)|^2.
        const double steps = static_cast<double>(m_schedule.steps());
        const auto t = (draw(false, { b }, x0, g) * steps).floor().clamp_max(steps - 1).to(torch::kLong);
        const auto eps = draw(true, x0.sizes(), x0, g);
        const auto xt = m_schedule.addNoise(x0, eps, t.index_select(0, index));
        const auto pred = apply(*m_net, xt, t.to(x0.dtype()) / steps, p.context, index);
        perPoint = (pred - eps).pow(2).mean(1);
    } else if (m_config.training == "edm") {
        // Karras et al. 2022, Sec. 5: ln sigma ~ N(P_mean, P_std^2) per cloud, lambda(sigma) |D(x + sigma n) - x|^2.
        const auto sigma = (draw(true, { b }, x0, g) * m_config.pStd + m_config.pMean).exp();
        const auto sp = sigma.index_select(0, index).unsqueeze(1);
        const auto noisy = x0 + sp * draw(true, x0.sizes(), x0, g);
        const double sd2 = m_config.sigmaData * m_config.sigmaData;
        const auto weight = (sp * sp + sd2) / (sp * sp * sd2);
        perPoint = (weight * (denoise(noisy, sigma, p.context, index) - x0).pow(2)).mean(1);
    } else if (m_config.training == "cfm") {
        // Lipman et al. 2023 (straight conditional paths), one t per cloud: |v(x_t, t) - (eps - x0)|^2.
        const auto t = draw(false, { b }, x0, g);
        const auto target
            = smp::conditionalFlowMatchingTarget(x0, draw(true, x0.sizes(), x0, g), t.index_select(0, index));
        perPoint = (apply(*m_net, target.xt, t, p.context, index) - target.target).pow(2).mean(1);
    } else {
        // Consistency distillation (Song et al. 2023, Algorithm 2), one grid interval per cloud.
        if (!m_teacher)
            throw ConfigError(m_config.teacher.empty()
                    ? "A consistency point model is distilled from an edm teacher; none is attached."
                    : fmt::format("This consistency point model is distilled from '{}', which is not attached.",
                        m_config.teacher));
        const int64_t n = m_config.gridSteps;
        const auto sigmas = grid().to(x0.device(), x0.dtype());
        const auto k
            = (draw(false, { b }, x0, g) * static_cast<double>(n - 1)).floor().to(torch::kLong).clamp(0, n - 2);
        const auto lo = sigmas.index_select(0, k), hi = sigmas.index_select(0, k + 1);
        const auto loP = lo.index_select(0, index).unsqueeze(1), hiP = hi.index_select(0, index).unsqueeze(1);
        const auto xHi = x0 + hiP * draw(true, x0.sizes(), x0, g);
        torch::Tensor target;
        {
            // One Heun step of the teacher's probability-flow ODE from sigma_{n+1} to sigma_n (Karras et al. 2022,
            // Algorithm 1), then the target network at the lower level.
            torch::NoGradGuard noGrad;
            const auto h = loP - hiP;
            const auto d = (xHi - m_teacher->denoise(xHi, hi, p.context, index)) / hiP;
            const auto euler = xHi + h * d;
            const auto d2 = (euler - m_teacher->denoise(euler, lo, p.context, index)) / loP;
            target = consistencyFn(*m_target, xHi + h * 0.5 * (d + d2), lo, p.context, index);
        }
        const auto diff = consistencyFn(*m_net, xHi, hi, p.context, index) - target;
        if (m_config.loss == "l2") {
            perPoint = diff.pow(2).mean(1);
        } else {
            const double c = m_config.huberC; // pseudo-Huber (Song & Dhariwal 2023)
            perPoint = (diff.pow(2).sum(1) + c * c).sqrt() - c;
        }
    }
    return support::weightedMean(perPoint, p.weight);
}

LossReport PointCloudModel::run(
    const Batch& batch, bool step, double clipNorm, const c10::optional<at::Generator>& generator)
{
    const Packed p = pack(batch, true, generator);
    if (p.clouds == 0)
        return {};
    if (step)
        m_optimizer->zero_grad();
    const auto loss = objective(p, generator);
    if (step) {
        loss.backward();
        if (clipNorm > 0)
            torch::nn::utils::clip_grad_norm_(m_net->parameters(), clipNorm);
        m_optimizer->step();
        if (m_target)
            updateTarget();
    }
    LossReport report;
    report.loss = loss.item<double>();
    return report;
}

LossReport PointCloudModel::trainStep(const Batch& batch, double clipNorm)
{
    return run(batch, true, clipNorm, c10::nullopt);
}

LossReport PointCloudModel::evaluate(const Batch& batch)
{
    torch::NoGradGuard noGrad;
    at::Generator g = at::detail::createCPUGenerator(0x5eedULL);
    return run(batch, false, 0.0, g);
}

void PointCloudModel::updateTarget()
{
    torch::NoGradGuard noGrad;
    const auto online = m_net->parameters();
    auto target = m_target->parameters();
    for (std::size_t i = 0; i < online.size(); ++i)
        target[i].mul_(m_config.targetEma).add_(online[i].detach(), 1.0 - m_config.targetEma);
}

smp::SampleResult PointCloudModel::samplePacked(
    const torch::Tensor& z, const torch::Tensor& counts, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = m_net->is_training();
    m_net->eval();
    struct Restore {
        PointNetImpl& net;
        bool on;
        ~Restore() { net.train(on); }
    } restore { *m_net, wasTraining };

    const auto device = m_net->parameters().front().device();
    const std::string sampler = options.sampler.empty() ? m_config.defaultSampler() : options.sampler;
    const auto allowed = m_config.samplers();
    if (std::find(allowed.begin(), allowed.end(), sampler) == allowed.end())
        throw ConfigError(fmt::format("A point model trained as {} samples with {}, not '{}'.", m_config.training,
            fmt::format("{}", nlohmann::json(allowed).dump()), sampler));
    if (options.steps < 0)
        throw ConfigError(fmt::format("Sampling steps must be positive (got {}).", options.steps));
    const int64_t steps = options.steps > 0 ? options.steps : m_config.defaultSteps(sampler);
    const int64_t c = m_shape.context - 1;
    if (!counts.defined() || counts.dim() != 1 || counts.numel() < 1)
        throw ConfigError("Sampling a point model needs at least one cloud.");
    const auto n = counts.to(torch::kLong).to(device);
    const int64_t b = n.size(0);
    if (n.min().item<int64_t>() < 1)
        throw ConfigError("Every cloud needs at least one point.");
    if (!z.defined() || z.dim() != 2 || z.size(1) != m_shape.features || z.size(0) != n.sum().item<int64_t>())
        throw ConfigError(
            fmt::format("The initial noise must be (M, {}) with M the total number of points.", m_shape.features));
    const auto ctx = c > 0 ? context.to(device, torch::kFloat32) : torch::Tensor();
    if (c > 0 && (!ctx.defined() || ctx.dim() != 2 || ctx.size(0) != b || ctx.size(1) != c))
        throw ConfigError(fmt::format("The sampling context must be (B, {}).", c));
    const auto index = torch::repeat_interleave(torch::arange(b, n.options()), n);
    const auto first = n.cumsum(0) - n; // each cloud's first point: its time is the cloud's time
    const auto perCloud = [&](const torch::Tensor& t) { return t.index_select(0, first); };
    auto x = z.to(device, torch::kFloat32);

    smp::SampleResult result;
    if (sampler == "ddpm" || sampler == "ddim") {
        const double total = static_cast<double>(m_schedule.steps());
        const smp::EpsilonFn eps = [&](const torch::Tensor& xt, const torch::Tensor& t) {
            return apply(*m_net, xt, perCloud(t) / total, ctx, index);
        };
        if (sampler == "ddpm") {
            const auto o = smp::DdpmSamplerOptions()
                               .seed(stepSeed(options.seed))
                               .shouldStop(options.shouldStop)
                               .progress(options.progress);
            result = smp::DdpmSampler(m_schedule).sample(eps, x, o, options.recordTrajectory);
        } else {
            const auto o = smp::DdimSamplerOptions()
                               .steps(std::min(steps, m_schedule.steps()))
                               .eta(m_config.eta)
                               .seed(stepSeed(options.seed))
                               .shouldStop(options.shouldStop)
                               .progress(options.progress);
            result = smp::DdimSampler(m_schedule).sample(eps, x, o, options.recordTrajectory);
        }
    } else if (sampler == "edm-heun") {
        const smp::DenoiserFn d = [&](const torch::Tensor& xs, const torch::Tensor& sigma) {
            return denoise(xs, perCloud(sigma), ctx, index);
        };
        const auto o = smp::EdmSamplerOptions()
                           .steps(steps)
                           .sigmaMin(m_config.sigmaMin)
                           .sigmaMax(m_config.sigmaMax)
                           .rho(m_config.rho)
                           .seed(stepSeed(options.seed))
                           .shouldStop(options.shouldStop)
                           .progress(options.progress);
        result = smp::EdmSampler().sample(d, x * m_config.sigmaMax, o, options.recordTrajectory);
    } else if (sampler == "consistency") {
        // sigma_max, sigma_mid, then rho-spaced levels towards sigma_min (as ConsistencyModel::sample).
        std::vector<double> sigmas { m_config.sigmaMax };
        const double r = 1.0 / m_config.rho, hi = std::pow(m_config.sigmaMid, r), lo = std::pow(m_config.sigmaMin, r);
        for (int64_t k = 2; k <= steps; ++k)
            sigmas.push_back(
                std::pow(hi + static_cast<double>(k - 2) / static_cast<double>(steps - 1) * (lo - hi), m_config.rho));
        const smp::ConsistencyFn f = [&](const torch::Tensor& xs, const torch::Tensor& sigma) {
            return consistencyFn(*m_net, xs, perCloud(sigma), ctx, index);
        };
        const auto o = smp::ConsistencySamplerOptions()
                           .sigmas(sigmas)
                           .sigmaMin(m_config.sigmaMin)
                           .seed(stepSeed(options.seed))
                           .shouldStop(options.shouldStop)
                           .progress(options.progress);
        result = smp::ConsistencySampler().sample(f, x * m_config.sigmaMax, o, options.recordTrajectory);
    } else {
        const smp::VelocityFn v = [&](const torch::Tensor& xs, const torch::Tensor& t) {
            return apply(*m_net, xs, perCloud(t), ctx, index);
        };
        const auto o = smp::OdeSolverOptions()
                           .method(odeMethod(sampler))
                           .steps(steps)
                           .shouldStop(options.shouldStop)
                           .progress(options.progress);
        result = smp::OdeSolver().sample(v, x, o, options.recordTrajectory);
    }
    return result;
}

SampleOutput PointCloudModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    if (n < 1)
        throw ConfigError(fmt::format("The number of clouds must be positive (got {}).", n));
    const auto ctx = support::sampleContext(context, n, m_shape, family());
    const int64_t c = m_shape.context - 1;
    const auto counts = ctx.select(1, c).round().to(torch::kLong);
    if (counts.min().item<int64_t>() < 1)
        throw ConfigError("Every cloud needs at least one point (the last context column).");
    const int64_t total = counts.sum().item<int64_t>();
    const auto z = support::initialNoise({ total, m_shape.features }, ctx, options.seed);
    auto result = samplePacked(z, counts, ctx.slice(1, 0, c), options);
    const int64_t pmax = counts.max().item<int64_t>();
    const auto mask = torch::arange(pmax, counts.options()).unsqueeze(0) < counts.unsqueeze(1);
    auto padded = torch::zeros({ n, pmax, m_shape.features }, result.sample.options());
    padded.index_put_({ mask.to(padded.device()) }, result.sample);
    SampleOutput out;
    out.samples = padded;
    out.trajectory = std::move(result.trajectory);
    return out;
}

torch::Tensor PointCloudModel::networkOutput(
    const torch::Tensor& x, const torch::Tensor& time, const torch::Tensor& context)
{
    const Packed p = pack({ x, context, {} });
    const auto out = apply(*m_net, p.x, time, p.context, p.index);
    const int64_t pmax = p.counts.max().item<int64_t>();
    const auto mask = torch::arange(pmax, p.counts.options()).unsqueeze(0) < p.counts.unsqueeze(1);
    auto padded = torch::zeros({ p.clouds, x.size(1), x.size(2) }, out.options());
    padded.slice(1, 0, pmax).index_put_({ mask }, out);
    return padded;
}

void PointCloudModel::setTeacher(std::shared_ptr<PointCloudModel> teacher)
{
    if (m_config.training != "consistency")
        throw ConfigError("Only a consistency point model is distilled from a teacher.");
    if (!teacher || teacher->m_config.training != "edm")
        throw ConfigError("Consistency distillation of a point model needs an edm-trained teacher.");
    if (teacher->m_shape.features != m_shape.features || teacher->m_shape.context != m_shape.context)
        throw ConfigError("The teacher models point clouds of another shape than the student.");
    const auto tc = teacher->config(), sc = config();
    for (const char* key : { "network", "hidden", "epic_width", "epic_global", "epic_layers", "epic_sum_scale",
             "time_embedding", "time_scale", "sigma_data" })
        if (tc.at(key) != sc.at(key))
            throw ConfigError(fmt::format("The student must have the teacher's network; '{}' differs ({} vs {}).", key,
                tc.at(key).dump(), sc.at(key).dump()));
    support::copyModuleState(*teacher->m_net, *m_net);
    support::copyModuleState(*teacher->m_net, *m_target);
    teacher->train(false);
    m_teacher = std::move(teacher);
}

std::string PointCloudModel::timeName(const std::string& sampler) const
{
    const std::string s = sampler.empty() ? m_config.defaultSampler() : sampler;
    return s == "edm-heun" || s == "consistency" ? "sigma" : "t";
}

double PointCloudModel::log10Snr(const std::string& sampler, double time) const
{
    const std::string s = sampler.empty() ? m_config.defaultSampler() : sampler;
    const double inf = std::numeric_limits<double>::infinity();
    if (time <= 0.0)
        return inf;
    if (s == "ddpm" || s == "ddim") {
        // Trajectory times are the papers' 1-based steps: time t holds alphaBar of the 0-based index t - 1.
        const auto t = std::clamp<int64_t>(static_cast<int64_t>(std::llround(time)) - 1, 0, m_schedule.steps() - 1);
        const double ab = m_schedule.alphaBars(torch::kFloat64)[t].item<double>();
        return std::log10(ab / (1.0 - ab));
    }
    if (s == "edm-heun" || s == "consistency")
        return 2.0 * std::log10(m_config.sigmaData / time);
    if (time >= 1.0)
        return -inf;
    return 2.0 * std::log10((1.0 - time) / time);
}

std::vector<torch::Tensor> PointCloudModel::parameters() { return m_net->parameters(); }

std::vector<torch::optim::Optimizer*> PointCloudModel::optimizers() { return { m_optimizer.get() }; }

std::vector<std::shared_ptr<torch::nn::Module>> PointCloudModel::modules()
{
    if (m_target)
        return { m_net, m_target };
    return { m_net };
}

std::unique_ptr<GenerativeModel> PointCloudModel::clone() const
{
    support::PreserveGlobalRng keep; // building the copy initialises fresh networks
    auto copy = std::make_unique<PointCloudModel>(m_shape, config());
    support::copyModuleState(*m_net, *copy->m_net);
    if (m_target)
        support::copyModuleState(*m_target, *copy->m_target);
    support::copyOptimizerState(*m_optimizer, *copy->m_optimizer);
    copy->m_net->train(m_net->is_training());
    copy->m_teacher = m_teacher;
    return copy;
}

void PointCloudModel::to(const torch::Device& device)
{
    m_net->to(device);
    if (m_target)
        m_target->to(device);
    support::copyOptimizerState(*m_optimizer, *m_optimizer, device);
    if (m_teacher)
        m_teacher->to(device);
}

} // namespace hepgen::models::points
