#include "core/models/TimeConditionedModel.h"

#include "core/models/ModelSupport.h"

#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

// ------------------------------------------------------------------------------------------ TimeNetworkConfig

void TimeNetworkConfig::read(ConfigReader& r, const std::string& what)
{
    r.read("hidden", hidden);
    r.read("activation", activation);
    r.read("time_embedding", timeEmbedding);
    r.read("time_scale", timeScale);
    r.read("residual", residual);
    bool positive = !hidden.empty();
    for (int64_t h : hidden)
        positive = positive && h > 0;
    require(positive, what, "hidden", "a non-empty list of positive widths", hidden);
    require(activation == "silu" || activation == "relu" || activation == "leaky_relu" || activation == "tanh", what,
        "activation", "silu, relu, leaky_relu or tanh", activation);
    require(timeEmbedding >= 2 && timeEmbedding % 2 == 0, what, "time_embedding", "even and at least 2", timeEmbedding);
    require(std::isfinite(timeScale) && timeScale > 0, what, "time_scale", "positive", timeScale);
}

void TimeNetworkConfig::write(nlohmann::json& j) const
{
    j["hidden"] = hidden;
    j["activation"] = activation;
    j["time_embedding"] = timeEmbedding;
    j["time_scale"] = timeScale;
    j["residual"] = residual;
}

MlpOptions TimeNetworkConfig::mlpOptions(const ModelShape& shape) const
{
    return MlpOptions(shape.features, shape.features)
        .hidden(hidden)
        .activation(activation)
        .timeEmbedding(timeEmbedding)
        .timeScale(timeScale)
        .context(shape.context)
        .residual(residual);
}

// ------------------------------------------------------------------------------------------ TimeConditionedModel

TimeConditionedModel::TimeConditionedModel(
    const ModelShape& shape, const TimeNetworkConfig& network, const OptimizerConfig& optimizer)
    : TimeConditionedModel(shape, network.mlpOptions(shape), optimizer)
{
}

TimeConditionedModel::TimeConditionedModel(
    const ModelShape& shape, const MlpOptions& network, const OptimizerConfig& optimizer)
    : m_shape(shape)
    , m_net(network)
    , m_optimizerConfig(optimizer)
    , m_optimizer(makeOptimizer(m_net->parameters(), optimizer))
{
}

LossReport TimeConditionedModel::trainStep(const Batch& batch, double clipNorm)
{
    return run(batch, true, clipNorm, c10::nullopt);
}

LossReport TimeConditionedModel::evaluate(const Batch& batch)
{
    // A fixed seed: every validation pass sees the same t and noise for the same batch.
    return run(batch, false, 0.0, at::detail::createCPUGenerator(20240601));
}

LossReport TimeConditionedModel::run(
    const Batch& input, bool step, double clipNorm, const c10::optional<at::Generator>& generator)
{
    const std::string what = family() + " batch";
    if (!input.x.defined() || input.x.dim() != 2 || input.x.size(1) != m_shape.features)
        throw ConfigError(fmt::format("{}: x must have shape (N, {}).", what, m_shape.features));
    const int64_t n = input.x.size(0);
    if (m_shape.context > 0) {
        if (!input.context.defined() || input.context.dim() != 2 || input.context.size(0) != n
            || input.context.size(1) != m_shape.context)
            throw ConfigError(fmt::format(
                "{}: the model is conditional and needs a context of shape ({}, {}).", what, n, m_shape.context));
    } else if (input.context.defined() && input.context.numel() > 0) {
        throw ConfigError(what + ": the model is unconditional but the batch has a context.");
    }
    if (input.weight.defined() && (input.weight.dim() != 1 || input.weight.size(0) != n))
        throw ConfigError(fmt::format("{}: weights must have shape ({}).", what, n));

    Batch batch = input;
    if (batch.weight.defined()) { // drop weight-0 events: they must not influence anything
        const auto keep = batch.weight.ne(0).nonzero().flatten();
        if (keep.numel() < n) {
            batch.x = batch.x.index_select(0, keep);
            batch.weight = batch.weight.index_select(0, keep);
            if (batch.context.defined() && m_shape.context > 0)
                batch.context = batch.context.index_select(0, keep);
        }
        if (keep.numel() == 0)
            return {};
    }
    if (n == 0)
        return {};

    auto weightedMean = [&](const torch::Tensor& perEvent) {
        if (!batch.weight.defined())
            return perEvent.mean();
        const auto w = batch.weight.to(perEvent.dtype());
        return (perEvent * w).sum() / w.sum();
    };

    if (step)
        m_optimizer->zero_grad();
    const Objective o = objective(batch, generator);
    const auto loss = weightedMean(o.perEvent);
    if (step) {
        loss.backward();
        if (clipNorm > 0)
            torch::nn::utils::clip_grad_norm_(m_net->parameters(), clipNorm);
        m_optimizer->step();
    }
    LossReport report;
    report.loss = loss.item<double>();
    for (const auto& [name, term] : o.terms)
        report.terms[name] = weightedMean(term.detach()).item<double>();
    return report;
}

std::vector<torch::Tensor> TimeConditionedModel::parameters() { return m_net->parameters(); }

std::vector<torch::optim::Optimizer*> TimeConditionedModel::optimizers() { return { m_optimizer.get() }; }

std::vector<std::shared_ptr<torch::nn::Module>> TimeConditionedModel::modules() { return { m_net.ptr() }; }

void TimeConditionedModel::copyStateFrom(const TimeConditionedModel& other)
{
    support::copyModuleState(*other.m_net, *m_net);
    support::copyOptimizerState(*other.m_optimizer, *m_optimizer, m_net->parameters().front().device());
    m_net->train(other.m_net->is_training());
}

std::unique_ptr<GenerativeModel> TimeConditionedModel::clone() const
{
    const support::PreserveGlobalRng keepRandomStream;
    auto copy = makeModel(family(), m_shape, config());
    auto* typed = dynamic_cast<TimeConditionedModel*>(copy.get());
    if (!typed)
        throw ConfigError("clone: the family table built a different model type for " + family() + ".");
    typed->to(m_net->parameters().front().device());
    typed->copyStateFrom(*this);
    return copy;
}

void TimeConditionedModel::to(const torch::Device& device)
{
    // Module::to moves parameters in place (same tensor objects), so the optimiser's parameter references stay
    // valid; its state is moved by a save/load round trip onto the new device.
    m_net->to(device);
    support::copyOptimizerState(*m_optimizer, *m_optimizer, device);
}

torch::Tensor TimeConditionedModel::randn(
    at::IntArrayRef sizes, const torch::Tensor& like, const c10::optional<at::Generator>& g)
{
    if (!g)
        return torch::randn(sizes, like.options());
    return torch::randn(sizes, *g, like.options().device(torch::kCPU)).to(like.device());
}

torch::Tensor TimeConditionedModel::rand(
    at::IntArrayRef sizes, const torch::Tensor& like, const c10::optional<at::Generator>& g)
{
    if (!g)
        return torch::rand(sizes, like.options());
    return torch::rand(sizes, *g, like.options().device(torch::kCPU)).to(like.device());
}

torch::Tensor TimeConditionedModel::initialNoise(int64_t n, const std::optional<uint64_t>& seed)
{
    if (n < 1)
        throw ConfigError(fmt::format("{}: the number of samples must be positive (got {}).", family(), n));
    const auto device = m_net->parameters().front().device();
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
    if (!seed)
        return torch::randn({ n, m_shape.features }, opts.device(device));
    auto generator = at::detail::createCPUGenerator(*seed);
    return torch::randn({ n, m_shape.features }, generator, opts).to(device);
}

c10::optional<uint64_t> TimeConditionedModel::stepSeed(const std::optional<uint64_t>& seed)
{
    if (!seed)
        return c10::nullopt;
    return *seed ^ 0x9E3779B97F4A7C15ULL; // golden-ratio constant: another stream than the initial noise
}

torch::Tensor TimeConditionedModel::samplingContext(int64_t n, const torch::Tensor& context)
{
    if (m_shape.context == 0) {
        if (context.defined() && context.numel() > 0)
            throw ConfigError(family() + ": the model is unconditional but a context was given for sampling.");
        return {};
    }
    if (!context.defined() || context.dim() != 2 || context.size(1) != m_shape.context
        || (context.size(0) != n && context.size(0) != 1))
        throw ConfigError(fmt::format("{}: sampling needs a context of shape ({}, {}) or (1, {}).", family(), n,
            m_shape.context, m_shape.context));
    const auto device = m_net->parameters().front().device();
    return context.to(device, torch::kFloat32).expand({ n, m_shape.context }).contiguous();
}

// ------------------------------------------------------------------------------------------ EvalModeGuard

EvalModeGuard::EvalModeGuard(torch::nn::Module& module)
    : m_module(module)
    , m_wasTraining(module.is_training())
{
    m_module.eval();
}

EvalModeGuard::~EvalModeGuard() { m_module.train(m_wasTraining); }

} // namespace hepgen::models
