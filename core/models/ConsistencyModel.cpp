#include "core/models/ConsistencyModel.h"

#include "core/models/ModelSupport.h"
#include "core/samplers/ConsistencySampler.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

namespace smp = hepgen::samplers;

OptimizerConfig ConsistencyConfig::defaultOptimizer()
{
    // Measured on two moons distilled from a 3 x 128 edm teacher (AUC 0.655): 40 epochs of 8000 events at 1e-3 give a
    // 1-step AUC of 0.71 (2e-4 needs many more steps; the CD paper's 4e-4 is for CIFAR-10 with much larger batches).
    OptimizerConfig c;
    c.learningRate = 1e-3;
    return c;
}

ConsistencyConfig ConsistencyConfig::fromJson(const nlohmann::json& json)
{
    const std::string what = "consistency config";
    ConfigReader r(json, what);
    ConsistencyConfig c;
    c.network.read(r, what);
    r.read("sigma_data", c.sigmaData);
    r.read("sigma_min", c.sigmaMin);
    r.read("sigma_max", c.sigmaMax);
    r.read("rho", c.rho);
    r.read("grid_steps", c.gridSteps);
    r.read("target_ema", c.targetEma);
    r.read("loss", c.loss);
    r.read("huber_c", c.huberC);
    r.read("sample_steps", c.sampleSteps);
    r.read("sigma_mid", c.sigmaMid);
    r.read("teacher", c.teacher);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(std::isfinite(c.sigmaData) && c.sigmaData > 0, what, "sigma_data", "positive", c.sigmaData);
    require(c.sigmaMin > 0 && c.sigmaMin < c.sigmaMax && std::isfinite(c.sigmaMax), what, "sigma_min/sigma_max",
        "0 < sigma_min < sigma_max", nlohmann::json::array({ c.sigmaMin, c.sigmaMax }));
    require(std::isfinite(c.rho) && c.rho > 0, what, "rho", "positive", c.rho);
    require(c.gridSteps >= 2, what, "grid_steps", "at least 2", c.gridSteps);
    require(c.targetEma >= 0 && c.targetEma < 1, what, "target_ema", "in [0, 1)", c.targetEma);
    require(c.loss == "l2" || c.loss == "pseudo-huber", what, "loss", "l2 or pseudo-huber", c.loss);
    require(std::isfinite(c.huberC) && c.huberC > 0, what, "huber_c", "positive", c.huberC);
    require(c.sampleSteps >= 1, what, "sample_steps", "at least 1", c.sampleSteps);
    require(c.sigmaMid > c.sigmaMin && c.sigmaMid < c.sigmaMax, what, "sigma_mid", "between sigma_min and sigma_max",
        c.sigmaMid);
    return c;
}

nlohmann::json ConsistencyConfig::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    network.write(j);
    j["sigma_data"] = sigmaData;
    j["sigma_min"] = sigmaMin;
    j["sigma_max"] = sigmaMax;
    j["rho"] = rho;
    j["grid_steps"] = gridSteps;
    j["target_ema"] = targetEma;
    j["loss"] = loss;
    j["huber_c"] = huberC;
    j["sample_steps"] = sampleSteps;
    j["sigma_mid"] = sigmaMid;
    j["teacher"] = teacher;
    optimizer.write(j);
    return j;
}

ConsistencyModel::ConsistencyModel(const ModelShape& shape, const nlohmann::json& config)
    : ConsistencyModel(shape, ConsistencyConfig::fromJson(config))
{
}

ConsistencyModel::ConsistencyModel(const ModelShape& shape, const ConsistencyConfig& config)
    : TimeConditionedModel(shape, config.network, config.optimizer)
    , m_config(config)
    , m_target(config.network.mlpOptions(shape))
{
    support::copyModuleState(*m_net, *m_target); // theta^- = theta at the start (Algorithm 2)
    for (auto& p : m_target->parameters())
        p.set_requires_grad(false);
    m_target->eval();
}

torch::Tensor ConsistencyModel::grid() const
{
    // Karras et al. 2022, eq. 5, in ascending order: sigma_i = (eps^(1/rho) + (i-1)/(N-1) (T^(1/rho) -
    // eps^(1/rho)))^rho.
    return smp::edmSigmaSchedule(m_config.gridSteps, m_config.sigmaMin, m_config.sigmaMax, m_config.rho)
        .slice(0, 0, m_config.gridSteps)
        .flip(0);
}

torch::Tensor ConsistencyModel::apply(
    Mlp& net, const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context)
{
    // Song et al. 2023, Appendix C: the EDM preconditioning with c_skip, c_out shifted so that f(x, eps) = x.
    const auto s = sigma.to(x.dtype()).reshape({ -1, 1 });
    const double sd = m_config.sigmaData, eps = m_config.sigmaMin;
    const auto norm = (s * s + sd * sd).rsqrt();
    const auto cSkip = sd * sd / ((s - eps).pow(2) + sd * sd);
    const auto cOut = sd * (s - eps) * norm;
    return cSkip * x + cOut * net->forward(norm * x, (s.log() / 4.0).flatten(), context);
}

torch::Tensor ConsistencyModel::consistency(
    const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context)
{
    return apply(m_net, x, sigma, context);
}

TimeConditionedModel::Objective ConsistencyModel::objective(
    const Batch& batch, const c10::optional<at::Generator>& generator)
{
    const auto& x = batch.x;
    const int64_t n = x.size(0);
    const int64_t N = m_config.gridSteps;
    const auto sigmas = grid().to(x.device(), x.dtype());
    // n ~ U{1, ..., N-1} (0-based: the pair sigma_i < sigma_{i+1}, i = 0..N-2).
    const auto index
        = (rand({ n }, x, generator) * static_cast<double>(N - 1)).floor().to(torch::kLong).clamp(0, N - 2);
    const auto lo = sigmas.index_select(0, index), hi = sigmas.index_select(0, index + 1);
    const auto z = randn(x.sizes(), x, generator);
    const auto xHi = x + hi.unsqueeze(1) * z;
    torch::Tensor target;
    {
        torch::NoGradGuard noGrad;
        torch::Tensor xLo;
        if (m_teacher) {
            // One Heun step of the teacher's probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma from
            // sigma_{n+1} to sigma_n (Karras et al. 2022, Algorithm 1, lines 4-8; Song et al. 2023, Algorithm 2).
            const auto h = (lo - hi).unsqueeze(1);
            const auto d = (xHi - m_teacher->denoise(xHi, hi, batch.context)) / hi.unsqueeze(1);
            const auto euler = xHi + h * d;
            const auto d2 = (euler - m_teacher->denoise(euler, lo, batch.context)) / lo.unsqueeze(1);
            xLo = xHi + h * 0.5 * (d + d2);
        } else {
            xLo = x + lo.unsqueeze(1) * z; // consistency training: the same z at the lower level (Algorithm 3)
        }
        target = apply(m_target, xLo, lo, batch.context);
    }
    const auto diff = apply(m_net, xHi, hi, batch.context) - target;
    if (m_config.loss == "l2")
        return { diff.pow(2).mean(1), {} };
    const double c = m_config.huberC; // pseudo-Huber (Song & Dhariwal 2023, "Improved Techniques for Training CMs")
    return { (diff.pow(2).sum(1) + c * c).sqrt() - c, {} };
}

void ConsistencyModel::updateTarget()
{
    torch::NoGradGuard noGrad;
    const auto online = m_net->parameters();
    auto target = m_target->parameters();
    for (std::size_t i = 0; i < online.size(); ++i)
        target[i].mul_(m_config.targetEma).add_(online[i].detach(), 1.0 - m_config.targetEma);
}

LossReport ConsistencyModel::trainStep(const Batch& batch, double clipNorm)
{
    if (!m_config.teacher.empty() && !m_teacher)
        throw ConfigError(fmt::format("This consistency model is distilled from the teacher run '{}', which is not "
                                      "attached; continue the distillation with hepgen train --teacher.",
            m_config.teacher));
    const auto report = TimeConditionedModel::trainStep(batch, clipNorm);
    updateTarget();
    return report;
}

SampleOutput ConsistencyModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    EvalModeGuard evalMode(*m_net);
    if (!options.sampler.empty() && options.sampler != "consistency")
        throw ConfigError(
            fmt::format("consistency: unknown sampler '{}'; the only choice is consistency.", options.sampler));
    if (options.steps < 0)
        throw ConfigError(fmt::format("consistency: sampling steps must be positive (got {}).", options.steps));
    const int64_t steps = options.steps > 0 ? options.steps : m_config.sampleSteps;
    const auto ctx = samplingContext(n, context);
    const auto noise = initialNoise(n, options.seed) * m_config.sigmaMax;
    // sigma_max, then sigma_mid, then (for S > 2) levels on Karras' rho-spacing from sigma_mid towards sigma_min:
    // tau_k = (mid^(1/rho) + (k-2)/(S-1) (min^(1/rho) - mid^(1/rho)))^rho, k = 2..S (sigma_min itself never recurs).
    std::vector<double> sigmas { m_config.sigmaMax };
    const double r = 1.0 / m_config.rho, hi = std::pow(m_config.sigmaMid, r), lo = std::pow(m_config.sigmaMin, r);
    for (int64_t k = 2; k <= steps; ++k)
        sigmas.push_back(
            std::pow(hi + static_cast<double>(k - 2) / static_cast<double>(steps - 1) * (lo - hi), m_config.rho));
    const smp::ConsistencyFn f
        = [&](const torch::Tensor& x, const torch::Tensor& s) { return apply(m_net, x, s, ctx); };
    const auto o = smp::ConsistencySamplerOptions()
                       .sigmas(sigmas)
                       .sigmaMin(m_config.sigmaMin)
                       .seed(stepSeed(options.seed))
                       .shouldStop(options.shouldStop)
                       .progress(options.progress);
    auto result = smp::ConsistencySampler().sample(f, noise, o, options.recordTrajectory);
    SampleOutput out;
    out.samples = result.sample;
    out.trajectory = std::move(result.trajectory);
    return out;
}

std::vector<std::shared_ptr<torch::nn::Module>> ConsistencyModel::modules() { return { m_net.ptr(), m_target.ptr() }; }

std::unique_ptr<GenerativeModel> ConsistencyModel::clone() const
{
    auto copy = TimeConditionedModel::clone();
    auto* typed = dynamic_cast<ConsistencyModel*>(copy.get());
    if (!typed)
        throw ConfigError("clone: the family table built a different model type for consistency.");
    support::copyModuleState(*m_target, *typed->m_target);
    typed->m_teacher = m_teacher;
    return copy;
}

void ConsistencyModel::to(const torch::Device& device)
{
    TimeConditionedModel::to(device);
    m_target->to(device);
    if (m_teacher)
        m_teacher->to(device);
}

void ConsistencyModel::setTeacher(std::shared_ptr<GenerativeModel> teacher)
{
    auto edm = std::dynamic_pointer_cast<EdmModel>(teacher);
    if (!edm)
        throw ConfigError(fmt::format("Consistency distillation needs an edm teacher, not {}.",
            teacher ? teacher->family() : std::string("nothing")));
    if (edm->shape().features != m_shape.features || edm->shape().context != m_shape.context)
        throw ConfigError("The teacher models data of another shape than the student.");
    const auto tc = edm->config();
    for (const char* key : { "hidden", "activation", "time_embedding", "time_scale", "residual" })
        if (tc.at(key) != config().at(key))
            throw ConfigError(fmt::format("The student must have the teacher's network; '{}' differs ({} vs {}).", key,
                tc.at(key).dump(), config().at(key).dump()));
    if (tc.at("sigma_data").get<double>() != m_config.sigmaData)
        throw ConfigError("The student must use the teacher's sigma_data.");
    support::copyModuleState(*edm->network(), *m_net); // Song et al. 2023, Sec. 6: initialise from the teacher
    support::copyModuleState(*edm->network(), *m_target);
    edm->train(false);
    m_teacher = std::move(edm);
}

} // namespace hepgen::models
