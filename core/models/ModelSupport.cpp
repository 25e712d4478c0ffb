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

void pollStop(const SampleOptions& options)
{
    if (options.shouldStop && options.shouldStop())
        throw Cancelled();
}

} // namespace hepgen::models::support
