#include "core/models/FlowMatchingModel.h"

#include "core/models/ModelSupport.h"
#include "core/samplers/FlowMatching.h"
#include "core/samplers/Samplers.h"
#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

namespace smp = hepgen::samplers;

namespace {

bool knownSampler(const std::string& s) { return s == "euler" || s == "heun" || s == "rk4"; }

} // namespace

FlowMatchingConfig FlowMatchingConfig::fromJson(const nlohmann::json& json, bool ot, bool bayes)
{
    const std::string what = ot ? "cfm-ot config" : bayes ? "bayes-cfm config" : "cfm config";
    ConfigReader r(json, what);
    FlowMatchingConfig c;
    c.network.read(r, what);
    r.read("sampler", c.sampler);
    r.read("sample_steps", c.sampleSteps);
    if (ot)
        r.read("ot_context_weight", c.otContextWeight);
    if (bayes) {
        r.read("prior_std", c.priorStd);
        r.read("initial_sigma", c.initialSigma);
        r.read("draws", c.draws);
    }
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(std::isfinite(c.priorStd) && c.priorStd > 0, what, "prior_std", "positive", c.priorStd);
    require(std::isfinite(c.initialSigma) && c.initialSigma > 0, what, "initial_sigma", "positive", c.initialSigma);
    require(c.draws >= 2, what, "draws", "at least 2", c.draws);
    require(knownSampler(c.sampler), what, "sampler", "euler, heun or rk4", c.sampler);
    require(c.sampleSteps >= 1, what, "sample_steps", "at least 1", c.sampleSteps);
    require(std::isfinite(c.otContextWeight) && c.otContextWeight >= 0, what, "ot_context_weight",
        "finite and non-negative", c.otContextWeight);
    return c;
}

nlohmann::json FlowMatchingConfig::toJson(bool ot, bool bayes) const
{
    nlohmann::json j = nlohmann::json::object();
    network.write(j);
    j["sampler"] = sampler;
    j["sample_steps"] = sampleSteps;
    if (ot)
        j["ot_context_weight"] = otContextWeight;
    if (bayes) {
        j["prior_std"] = priorStd;
        j["initial_sigma"] = initialSigma;
        j["draws"] = draws;
    }
    optimizer.write(j);
    return j;
}

FlowMatchingModel::FlowMatchingModel(const ModelShape& shape, const nlohmann::json& config, bool ot, bool bayes)
    : FlowMatchingModel(shape, FlowMatchingConfig::fromJson(config, ot, bayes), ot, bayes)
{
}

FlowMatchingModel::FlowMatchingModel(const ModelShape& shape, const FlowMatchingConfig& config, bool ot, bool bayes)
    : TimeConditionedModel(shape,
        config.network.mlpOptions(shape).bayesian(bayes).priorStd(config.priorStd).initialSigma(config.initialSigma),
        config.optimizer)
    , m_config(config)
    , m_ot(ot)
    , m_bayes(bayes)
{
}

namespace {

// Puts a network back into fresh-draw (training) mode when a scope that fixed its weights ends.
class SampleModeOnExit {
public:
    explicit SampleModeOnExit(Mlp& net)
        : m_net(net)
    {
    }
    ~SampleModeOnExit() { m_net->setWeightMode(WeightMode::Sample); }
    SampleModeOnExit(const SampleModeOnExit&) = delete;
    SampleModeOnExit& operator=(const SampleModeOnExit&) = delete;

private:
    Mlp& m_net;
};

smp::OdeMethod odeMethod(const std::string& sampler)
{
    return sampler == "euler" ? smp::OdeMethod::Euler : sampler == "rk4" ? smp::OdeMethod::Rk4 : smp::OdeMethod::Heun;
}

} // namespace

std::vector<DiagnosticInfo> FlowMatchingModel::diagnostics() const
{
    // Not the base's "log_density": an ODE solve with D backward passes per step on a whole grid (times the posterior
    // draws of bayes-cfm) is too slow for a live preview frame; diagnostic("log_density") still answers on demand.
    return { { "flow", "-v(x, t)", DiagnosticInfo::Kind::Vector, true } };
}

torch::Tensor FlowMatchingModel::diagnostic(
    const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time)
{
    if (name != "flow")
        return GenerativeModel::diagnostic(name, x, context, time);
    const auto ctx = samplingContext(x.size(0), context);
    torch::NoGradGuard noGrad;
    const EvalModeGuard eval(*m_net);
    SampleModeOnExit restore(m_net);
    if (m_bayes)
        m_net->setWeightMode(WeightMode::Mean);
    return -velocity(x.to(torch::kFloat32), torch::full({ x.size(0) }, time, x.options().dtype(torch::kFloat32)), ctx);
}

torch::Tensor FlowMatchingModel::velocity(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& context)
{
    return m_net->forward(x, t, context);
}

TimeConditionedModel::Objective FlowMatchingModel::objective(
    const Batch& batch, const c10::optional<at::Generator>& generator)
{
    const auto& x0 = batch.x;
    const int64_t n = x0.size(0);
    auto eps = randn(x0.sizes(), x0, generator);
    std::map<std::string, torch::Tensor> terms;
    if (m_ot) {
        // Mini-batch OT (Tong et al. 2024, Alg. 1 with exact OT; Pooladian et al. 2023): pair each event with the
        // noise that minimises the summed squared distance. With a context, the context joins both sides (eps_j
        // keeps the context of the event it was drawn for), weighted by ot_context_weight (see FlowMatchingConfig).
        torch::Tensor a = x0.detach(), b = eps;
        if (m_shape.context > 0 && m_config.otContextWeight > 0) {
            const auto c = batch.context.detach().to(x0.dtype()) * std::sqrt(m_config.otContextWeight);
            a = torch::cat({ a, c }, 1);
            b = torch::cat({ b, c }, 1);
        }
        const auto pairing = smp::otPairing(a, b);
        eps = eps.index_select(0, pairing.permutation);
        terms["ot_distance"] = (x0.detach() - eps).pow(2).sum(1);
    }
    const auto t = rand({ n }, x0, generator);
    const auto path = smp::conditionalFlowMatchingTarget(x0, eps, t);
    if (!m_bayes) {
        const auto v = velocity(path.xt, t, batch.context);
        return { (v - path.target).pow(2).mean(1), terms };
    }
    // ELBO per event (Blundell et al. 2015, eq. 2 divided by N_train): E_q[loss] + KL(q || p) / N_train, one weight
    // draw per batch; validation draws its weights from its own generator.
    SampleModeOnExit restore(m_net);
    if (generator)
        m_net->drawWeights(generator);
    const auto v = velocity(path.xt, t, batch.context);
    const double events = static_cast<double>(m_trainingSize > 0 ? m_trainingSize : n);
    const auto kl = (m_net->kl() / events).expand({ n });
    terms["kl"] = kl;
    return { (v - path.target).pow(2).mean(1) + kl, terms };
}

SampleOutput FlowMatchingModel::sampleOnce(
    const torch::Tensor& ctx, const torch::Tensor& noise, const std::string& sampler, const SampleOptions& options)
{
    const smp::VelocityFn field = [&](const torch::Tensor& x, const torch::Tensor& t) { return velocity(x, t, ctx); };
    const auto o = smp::OdeSolverOptions()
                       .method(odeMethod(sampler))
                       .steps(options.steps > 0 ? options.steps : m_config.sampleSteps)
                       .t0(1.0)
                       .t1(0.0)
                       .shouldStop(options.shouldStop)
                       .progress(options.progress);
    auto result = smp::OdeSolver().sample(field, noise, o, options.recordTrajectory);
    SampleOutput out;
    out.samples = result.sample;
    out.trajectory = std::move(result.trajectory);
    return out;
}

SampleOutput FlowMatchingModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    EvalModeGuard evalMode(*m_net);
    const std::string sampler = options.sampler.empty() ? m_config.sampler : options.sampler;
    if (!knownSampler(sampler))
        throw ConfigError(fmt::format("{}: unknown sampler '{}'; choose euler, heun or rk4.", family(), sampler));
    if (options.steps < 0)
        throw ConfigError(fmt::format("{}: sampling steps must be positive (got {}).", family(), options.steps));
    const auto ctx = samplingContext(n, context);
    if (!m_bayes)
        return sampleOnce(ctx, initialNoise(n, options.seed), sampler, options);

    // The same noise through `draws` posterior weight draws; the weights from a generator derived from the seed.
    const uint64_t seed = support::resolveSeed(options.seed);
    const auto noise = initialNoise(n, seed);
    auto weights = at::detail::createCPUGenerator(seed ^ 0x2545F4914F6CDD1DULL);
    SampleModeOnExit restore(m_net);
    std::vector<SampleOutput> draws;
    const int64_t k = m_config.draws;
    for (int64_t i = 0; i < k; ++i) {
        SampleOptions o = options;
        if (options.progress)
            o.progress
                = [&options, i, k](int64_t done, int64_t total) { options.progress(i * total + done, k * total); };
        m_net->drawWeights(weights);
        draws.push_back(sampleOnce(ctx, noise, sampler, o));
    }
    return support::mixtureSample(draws, seed);
}

torch::Tensor FlowMatchingModel::logDensityOnce(const torch::Tensor& x, const torch::Tensor& context)
{
    const smp::VelocityFn field
        = [&](const torch::Tensor& xt, const torch::Tensor& t) { return velocity(xt, t, context); };
    return smp::flowLogDensity(field, x, odeMethod(m_config.sampler), m_config.sampleSteps);
}

torch::Tensor FlowMatchingModel::logDensity(const torch::Tensor& x, const torch::Tensor& context)
{
    if (m_bayes) {
        const auto draws = logDensityDraws(x, context);
        return torch::logsumexp(draws, 0) - std::log(static_cast<double>(draws.size(0)));
    }
    support::checkInput(x, context, m_shape, family());
    EvalModeGuard evalMode(*m_net);
    return logDensityOnce(x.to(torch::kFloat32), context);
}

torch::Tensor FlowMatchingModel::logDensityDraws(const torch::Tensor& x, const torch::Tensor& context, int64_t draws)
{
    if (!m_bayes)
        return TimeConditionedModel::logDensityDraws(x, context, draws);
    support::checkInput(x, context, m_shape, family());
    EvalModeGuard evalMode(*m_net);
    SampleModeOnExit restore(m_net);
    std::vector<torch::Tensor> rows;
    for (int64_t k = 0; k < (draws > 0 ? draws : m_config.draws); ++k) {
        auto generator = at::detail::createCPUGenerator(0xB4E5ULL + static_cast<uint64_t>(k));
        m_net->drawWeights(generator);
        rows.push_back(logDensityOnce(x.to(torch::kFloat32), context));
    }
    return torch::stack(rows);
}

} // namespace hepgen::models
