#include "core/models/ModelSupport.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "core/util/Error.h"

#include <fmt/format.h>

#include <sstream>

namespace hepgen::models::support {

namespace {

bool hasContext(const torch::Tensor& c) { return c.defined() && c.numel() > 0; }

void checkContextRows(const torch::Tensor& context, int64_t n, const ModelShape& shape, const std::string& family)
{
    if (shape.context == 0) {
        if (hasContext(context))
            throw ConfigError(fmt::format("The {} model is unconditional but was given a context.", family));
        return;
    }
    if (!context.defined() || context.dim() != 2 || context.size(0) != n || context.size(1) != shape.context)
        throw ConfigError(fmt::format("The {} model needs a context of shape ({}, {}).", family, n, shape.context));
}

} // namespace

void checkInput(
    const torch::Tensor& x, const torch::Tensor& context, const ModelShape& shape, const std::string& family)
{
    if (!x.defined() || x.dim() != 2 || x.size(1) != shape.features)
        throw ConfigError(fmt::format("The {} model expects events of shape (N, {}).", family, shape.features));
    checkContextRows(context, x.size(0), shape, family);
}

void checkBatch(const Batch& batch, const ModelShape& shape, const std::string& family)
{
    checkInput(batch.x, batch.context, shape, family);
    if (batch.x.size(0) == 0)
        throw ConfigError(fmt::format("The {} model got an empty batch.", family));
    if (batch.weight.defined() && (batch.weight.dim() != 1 || batch.weight.size(0) != batch.x.size(0)))
        throw ConfigError(fmt::format("The {} model expects one weight per event ({}).", family, batch.x.size(0)));
}

torch::Tensor sampleContext(const torch::Tensor& context, int64_t n, const ModelShape& shape, const std::string& family)
{
    if (n < 0)
        throw ConfigError(fmt::format("The {} model cannot draw {} samples.", family, n));
    if (shape.context == 0) {
        if (hasContext(context))
            throw ConfigError(fmt::format("The {} model is unconditional but was given a context.", family));
        return {};
    }
    if (!context.defined())
        throw ConfigError(fmt::format("The {} model needs a context of shape ({}, {}) or (1, {}) to sample.", family, n,
            shape.context, shape.context));
    const auto c = context.dim() == 1 ? context.unsqueeze(0) : context;
    if (c.dim() != 2 || c.size(1) != shape.context || (c.size(0) != n && c.size(0) != 1))
        throw ConfigError(fmt::format("The {} model needs a context of shape ({}, {}) or (1, {}) to sample.", family, n,
            shape.context, shape.context));
    return c.size(0) == n ? c : c.expand({ n, shape.context });
}

torch::Tensor weightedMean(const torch::Tensor& perEvent, const torch::Tensor& weight)
{
    if (!weight.defined())
        return perEvent.mean();
    const auto w = weight.to(perEvent.dtype());
    return (perEvent * w).sum() / w.sum();
}

torch::Tensor initialNoise(at::IntArrayRef sizes, const torch::Tensor& like, const std::optional<uint64_t>& seed)
{
    const auto opts = torch::TensorOptions().dtype(like.dtype()).device(like.device());
    if (!seed)
        return torch::randn(sizes, opts);
    auto gen = at::detail::createCPUGenerator(*seed);
    return torch::randn(sizes, gen, torch::TensorOptions().dtype(like.dtype())).to(opts.device());
}

void copyModuleState(const torch::nn::Module& from, torch::nn::Module& to)
{
    torch::NoGradGuard noGrad;
    const auto src = from.named_parameters(true);
    auto dst = to.named_parameters(true);
    for (const auto& item : src)
        dst[item.key()].copy_(item.value());
    const auto srcBuffers = from.named_buffers(true);
    auto dstBuffers = to.named_buffers(true);
    for (const auto& item : srcBuffers)
        dstBuffers[item.key()].copy_(item.value());
}

void copyOptimizerState(
    torch::optim::Optimizer& from, torch::optim::Optimizer& to, const std::optional<torch::Device>& device)
{
    std::stringstream stream;
    {
        torch::serialize::OutputArchive out;
        from.save(out);
        out.save_to(stream);
    }
    // The archive maps the saved state to `to`'s parameters by position; it does not carry the
    // parameter-group options (learning rate, ...), which are copied separately.
    torch::serialize::InputArchive in;
    in.load_from(stream, device ? c10::optional<torch::Device>(*device) : c10::nullopt);
    to.load(in);
    for (std::size_t i = 0; i < from.param_groups().size() && i < to.param_groups().size(); ++i)
        to.param_groups()[i].set_options(from.param_groups()[i].options().clone());
}

PreserveGlobalRng::PreserveGlobalRng()
    : m_state(at::detail::getDefaultCPUGenerator().get_state())
{
}

PreserveGlobalRng::~PreserveGlobalRng()
{
    at::Generator generator = at::detail::getDefaultCPUGenerator(); // a handle onto the global generator
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(m_state);
}

uint64_t resolveSeed(const std::optional<uint64_t>& seed)
{
    if (seed)
        return *seed;
    return static_cast<uint64_t>(torch::randint(int64_t(1) << 62, { 1 }, torch::kLong).item<int64_t>());
}

namespace {

// Row i of the result is frames[choice[i]][i] for frames of shape (n, D).
torch::Tensor pick(const std::vector<torch::Tensor>& frames, const torch::Tensor& choice)
{
    const auto stacked = torch::stack(frames);
    return stacked.index(
        { choice.to(stacked.device()), torch::arange(stacked.size(1), choice.options().device(stacked.device())) });
}

} // namespace

SampleOutput mixtureSample(const std::vector<SampleOutput>& draws, uint64_t seed)
{
    if (draws.size() < 2)
        throw ConfigError("A mixture sample needs at least two members or posterior draws.");
    std::vector<torch::Tensor> samples;
    for (const auto& d : draws)
        samples.push_back(d.samples);
    const int64_t n = samples.front().size(0);
    auto generator = at::detail::createCPUGenerator(seed ^ 0xC2B2AE3D27D4EB4FULL);
    const auto choice = torch::randint(static_cast<int64_t>(draws.size()), { n }, generator, torch::kLong);
    SampleOutput out;
    out.samples = pick(samples, choice);
    out.spread = torch::stack(samples).std(0);
    const auto& first = draws.front().trajectory;
    bool recorded = !first.empty();
    for (const auto& d : draws)
        recorded = recorded && d.trajectory.size() == first.size();
    if (recorded) {
        out.trajectory.times = first.times;
        for (std::size_t f = 0; f < first.size(); ++f) {
            std::vector<torch::Tensor> xt, x0;
            for (const auto& d : draws) {
                xt.push_back(d.trajectory.xt[f]);
                x0.push_back(d.trajectory.x0Pred[f]);
            }
            out.trajectory.xt.push_back(pick(xt, choice));
            out.trajectory.x0Pred.push_back(pick(x0, choice));
        }
    }
    return out;
}

void pollStop(const SampleOptions& options)
{
    if (options.shouldStop && options.shouldStop())
        throw Cancelled();
}

} // namespace hepgen::models::support
