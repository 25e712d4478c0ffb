#include "core/models/FlowMatchingModel.h"

#include "core/samplers/FlowMatching.h"
#include "core/samplers/Samplers.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

namespace smp = hepgen::samplers;

namespace {

bool knownSampler(const std::string& s) { return s == "euler" || s == "heun" || s == "rk4"; }

} // namespace

FlowMatchingConfig FlowMatchingConfig::fromJson(const nlohmann::json& json, bool ot)
{
    const std::string what = ot ? "cfm-ot config" : "cfm config";
    ConfigReader r(json, what);
    FlowMatchingConfig c;
    c.network.read(r, what);
    r.read("sampler", c.sampler);
    r.read("sample_steps", c.sampleSteps);
    if (ot)
        r.read("ot_context_weight", c.otContextWeight);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(knownSampler(c.sampler), what, "sampler", "euler, heun or rk4", c.sampler);
    require(c.sampleSteps >= 1, what, "sample_steps", "at least 1", c.sampleSteps);
    require(std::isfinite(c.otContextWeight) && c.otContextWeight >= 0, what, "ot_context_weight",
        "finite and non-negative", c.otContextWeight);
    return c;
}

nlohmann::json FlowMatchingConfig::toJson(bool ot) const
{
    nlohmann::json j = nlohmann::json::object();
    network.write(j);
    j["sampler"] = sampler;
    j["sample_steps"] = sampleSteps;
    if (ot)
        j["ot_context_weight"] = otContextWeight;
    optimizer.write(j);
    return j;
}

FlowMatchingModel::FlowMatchingModel(const ModelShape& shape, const nlohmann::json& config, bool ot)
    : FlowMatchingModel(shape, FlowMatchingConfig::fromJson(config, ot), ot)
{
}

FlowMatchingModel::FlowMatchingModel(const ModelShape& shape, const FlowMatchingConfig& config, bool ot)
    : TimeConditionedModel(shape, config.network, config.optimizer)
    , m_config(config)
    , m_ot(ot)
{
}

std::vector<DiagnosticInfo> FlowMatchingModel::diagnostics() const
{
    auto list = GenerativeModel::diagnostics();
    list.push_back({ "flow", "-v(x, t)", DiagnosticInfo::Kind::Vector, true });
    return list;
}

torch::Tensor FlowMatchingModel::diagnostic(
    const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time)
{
    if (name != "flow")
        return GenerativeModel::diagnostic(name, x, context, time);
    const auto ctx = samplingContext(x.size(0), context);
    torch::NoGradGuard noGrad;
    const EvalModeGuard eval(*m_net);
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
    const auto v = velocity(path.xt, t, batch.context);
    return { (v - path.target).pow(2).mean(1), terms };
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
    const auto noise = initialNoise(n, options.seed);
    const smp::VelocityFn field = [&](const torch::Tensor& x, const torch::Tensor& t) { return velocity(x, t, ctx); };
    const auto method = sampler == "euler" ? smp::OdeMethod::Euler
        : sampler == "rk4"                 ? smp::OdeMethod::Rk4
                                           : smp::OdeMethod::Heun;
    const auto o = smp::OdeSolverOptions()
                       .method(method)
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

} // namespace hepgen::models
