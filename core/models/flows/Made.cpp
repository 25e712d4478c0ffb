#include "core/models/flows/Made.h"

#include "core/util/Error.h"

#include <algorithm>
#include <fmt/format.h>

namespace hepgen::models::flows {

namespace {

/// mask[o][i] = 1 when unit o of the next layer may see unit i: deg_out >= deg_in, or > when strict.
torch::Tensor degreeMask(const std::vector<int64_t>& outDegrees, const std::vector<int64_t>& inDegrees, bool strict)
{
    const auto o = torch::tensor(outDegrees, torch::kLong).unsqueeze(1);
    const auto i = torch::tensor(inDegrees, torch::kLong).unsqueeze(0);
    return (strict ? o.gt(i) : o.ge(i)).to(torch::kFloat32);
}

/// MAF inverse (Papamakarios et al. 2017, sec. 3.1): x_d depends on x_<d only, so starting from
/// x = 0 each pass of `step` (elementwise inverse given the network evaluated at the current x)
/// fixes one more feature; after D passes x is exact and the last pass's log-determinant is the
/// one at the final x.
template <class Step>
FlowResult autoregressiveInverse(const torch::Tensor& z, int64_t features, Step&& step)
{
    FlowResult r { torch::zeros_like(z), {} };
    for (int64_t d = 0; d < features; ++d)
        r = step(r.outputs);
    return r;
}

} // namespace

// ---------------------------------------------------------------------------------------------
MaskedLinearImpl::MaskedLinearImpl(int64_t in_, int64_t out_)
    : in(in_)
    , out(out_)
{
    reset();
}

void MaskedLinearImpl::reset()
{
    if (in < 1 || out < 1)
        throw ConfigError(fmt::format("MaskedLinear: sizes must be at least 1, got {} -> {}.", in, out));
    linear = register_module("linear", torch::nn::Linear(in, out));
    mask = register_buffer("mask", torch::ones({ out, in }));
}

torch::Tensor MaskedLinearImpl::forward(const torch::Tensor& x)
{
    return torch::nn::functional::linear(x, linear->weight * mask, linear->bias);
}

void MaskedLinearImpl::setMask(const torch::Tensor& m)
{
    if (m.dim() != 2 || m.size(0) != out || m.size(1) != in)
        throw ConfigError(fmt::format("MaskedLinear: mask must have shape ({}, {}).", out, in));
    torch::NoGradGuard noGrad;
    mask.copy_(m);
}

// ---------------------------------------------------------------------------------------------
MadeImpl::MadeImpl(const MadeOptions& options_)
    : options(options_)
{
    reset();
}

void MadeImpl::reset()
{
    const int64_t d = options.features();
    if (d < 1 || options.outputsPerFeature() < 1 || options.context() < 0)
        throw ConfigError(
            fmt::format("Made: needs features >= 1, outputsPerFeature >= 1, context >= 0; got {}, {}, {}.", d,
                options.outputsPerFeature(), options.context()));
    if (options.hidden().empty())
        throw ConfigError("Made: needs at least one hidden layer.");
    layers.clear();
    m_hiddenDegrees.clear();
    std::vector<int64_t> inDegrees(static_cast<size_t>(d));
    for (int64_t i = 0; i < d; ++i)
        inDegrees[static_cast<size_t>(i)] = i + 1;
    std::vector<int64_t> prev = inDegrees;
    for (size_t l = 0; l < options.hidden().size(); ++l) {
        const int64_t h = options.hidden()[l];
        if (h < 1)
            throw ConfigError(fmt::format("Made: hidden layer sizes must be at least 1, got {}.", h));
        // Degrees cycle through 1..D-1 so every degree is represented when h >= D - 1; with D = 1
        // they are all 0 and the single output depends on the context only.
        std::vector<int64_t> deg(static_cast<size_t>(h));
        for (int64_t j = 0; j < h; ++j)
            deg[static_cast<size_t>(j)] = j % std::max<int64_t>(1, d - 1) + std::min<int64_t>(1, d - 1);
        auto layer = register_module("masked" + std::to_string(l), MaskedLinear(static_cast<int64_t>(prev.size()), h));
        layer->setMask(degreeMask(deg, prev, false));
        layers.push_back(layer);
        m_hiddenDegrees.push_back(deg);
        prev = deg;
    }
    std::vector<int64_t> outDegrees;
    for (int64_t i = 0; i < d; ++i)
        outDegrees.insert(outDegrees.end(), static_cast<size_t>(options.outputsPerFeature()), i + 1);
    auto output = register_module("masked" + std::to_string(options.hidden().size()),
        MaskedLinear(static_cast<int64_t>(prev.size()), d * options.outputsPerFeature()));
    output->setMask(degreeMask(outDegrees, prev, true));
    if (options.zeroLast()) {
        torch::NoGradGuard noGrad;
        output->linear->weight.zero_();
        output->linear->bias.zero_();
    }
    layers.push_back(output);
    contextLayer = nullptr;
    if (options.context() > 0)
        contextLayer = register_module(
            "context", torch::nn::Linear(torch::nn::LinearOptions(options.context(), options.hidden()[0]).bias(false)));
}

torch::Tensor MadeImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    detail::checkInput(x, options.features(), "Made");
    detail::checkContext(context, options.context(), x.size(0), "Made");
    torch::Tensor h = layers[0]->forward(x);
    if (contextLayer)
        h = h + contextLayer->forward(context);
    for (size_t l = 1; l < layers.size(); ++l)
        h = layers[l]->forward(torch::relu(h));
    return h.reshape({ x.size(0), options.features(), options.outputsPerFeature() });
}

// ---------------------------------------------------------------------------------------------
MafAffineImpl::MafAffineImpl(const MafAffineOptions& options_)
    : options(options_)
{
    reset();
}

void MafAffineImpl::reset()
{
    if (options.scale() == AffineScale::Tanh && !(options.tanhBound() > 0))
        throw ConfigError(fmt::format("MafAffine: tanhBound must be positive, got {}.", options.tanhBound()));
    made = register_module(
        "made", Made(MadeOptions(options.features(), 2).context(options.context()).hidden(options.hidden())));
}

FlowResult MafAffineImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    const auto p = made->forward(x, context);
    const auto logScale = detail::affineLogScale(p.select(2, 1), options.scale(), options.tanhBound());
    return { x * logScale.exp() + p.select(2, 0), logScale.sum(1) };
}

FlowResult MafAffineImpl::inverse(const torch::Tensor& z, const torch::Tensor& context)
{
    detail::checkInput(z, options.features(), "MafAffine");
    return autoregressiveInverse(z, options.features(), [&](const torch::Tensor& x) -> FlowResult {
        const auto p = made->forward(x, context);
        const auto logScale = detail::affineLogScale(p.select(2, 1), options.scale(), options.tanhBound());
        return { (z - p.select(2, 0)) * (-logScale).exp(), -logScale.sum(1) };
    });
}

// ---------------------------------------------------------------------------------------------
MafRqsImpl::MafRqsImpl(const MafRqsOptions& options_)
    : options(options_)
{
    reset();
}

void MafRqsImpl::reset()
{
    detail::checkSplineOptions(options.spline(), "MafRqs");
    made = register_module("made",
        Made(MadeOptions(options.features(), detail::splineParamsPerFeature(options.spline().bins()))
                 .context(options.context())
                 .hidden(options.hidden())));
}

FlowResult MafRqsImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    return detail::packedSpline(x, made->forward(x, context), false, options.spline());
}

FlowResult MafRqsImpl::inverse(const torch::Tensor& z, const torch::Tensor& context)
{
    detail::checkInput(z, options.features(), "MafRqs");
    return autoregressiveInverse(z, options.features(), [&](const torch::Tensor& x) {
        return detail::packedSpline(z, made->forward(x, context), true, options.spline());
    });
}

} // namespace hepgen::models::flows
