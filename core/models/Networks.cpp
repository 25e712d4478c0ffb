#include "core/models/Networks.h"

#include "core/util/Error.h"

#include <cmath>
#include <fmt/format.h>

namespace hepgen::models {

torch::Tensor sinusoidalEmbedding(const torch::Tensor& t, int64_t dim, double scale, double maxPeriod)
{
    if (dim < 2 || dim % 2 != 0)
        throw ConfigError(fmt::format("The time embedding width must be even and at least 2 (got {}).", dim));
    const int64_t half = dim / 2;
    const auto opts = t.options().dtype(t.is_floating_point() ? t.scalar_type() : torch::kFloat32);
    const auto k = torch::arange(half, opts);
    const auto freqs = torch::exp(-std::log(maxPeriod) * k / static_cast<double>(half));
    const auto args = (t.reshape({ -1, 1 }).to(opts.dtype()) * scale) * freqs.unsqueeze(0);
    return torch::cat({ torch::sin(args), torch::cos(args) }, 1);
}

MlpImpl::MlpImpl(const MlpOptions& o)
    : options(o)
{
    reset();
}

void MlpImpl::reset()
{
    if (options.in() <= 0 || options.out() <= 0 || options.hidden().empty())
        throw ConfigError("An MLP needs positive input and output widths and at least one hidden layer.");
    const auto& a = options.activation();
    if (a != "silu" && a != "relu" && a != "leaky_relu" && a != "tanh")
        throw ConfigError(fmt::format("Unknown activation '{}'; use silu, relu, leaky_relu or tanh.", a));
    const int64_t cond = options.timeEmbedding() + options.context();
    m_layers = register_module("layers", torch::nn::ModuleList());
    m_conditioning = register_module("conditioning", torch::nn::ModuleList());
    int64_t width = options.in() + cond;
    for (int64_t h : options.hidden()) {
        m_layers->push_back(linear(width, h));
        if (options.residual() && cond > 0)
            m_conditioning->push_back(linear(cond, h));
        width = h;
    }
    m_output = register_module("output", linear(width, options.out()));
    if (options.zeroOutput()) {
        torch::NoGradGuard guard;
        for (auto& p : m_output->named_parameters(false))
            if (p.key() != "weight_rho" && p.key() != "bias_rho")
                p.value().zero_();
    }
}

std::shared_ptr<torch::nn::Module> MlpImpl::linear(int64_t in, int64_t out) const
{
    if (options.bayesian())
        return BayesLinear(
            BayesLinearOptions(in, out).priorStd(options.priorStd()).initialSigma(options.initialSigma()))
            .ptr();
    return torch::nn::Linear(in, out).ptr();
}

namespace {

torch::Tensor applyLinear(const std::shared_ptr<torch::nn::Module>& m, const torch::Tensor& x)
{
    if (auto* plain = m->as<torch::nn::Linear>())
        return plain->forward(x);
    return m->as<BayesLinear>()->forward(x);
}

} // namespace

std::vector<BayesLinear> MlpImpl::bayesianLayers() const
{
    std::vector<BayesLinear> out;
    for (const auto& m : modules(false))
        if (auto b = std::dynamic_pointer_cast<BayesLinearImpl>(m))
            out.emplace_back(b);
    return out;
}

torch::Tensor MlpImpl::kl() const
{
    torch::Tensor total = torch::zeros({}, parameters().front().options());
    for (const auto& b : bayesianLayers())
        total = total + b->kl();
    return total;
}

void MlpImpl::setWeightMode(WeightMode mode)
{
    for (auto& b : bayesianLayers())
        b->setMode(mode);
}

void MlpImpl::drawWeights(const c10::optional<at::Generator>& generator)
{
    for (auto& b : bayesianLayers())
        b->drawWeights(generator);
}

torch::Tensor MlpImpl::activate(const torch::Tensor& x) const
{
    const auto& a = options.activation();
    if (a == "relu")
        return torch::relu(x);
    if (a == "leaky_relu")
        return torch::leaky_relu(x, 0.2);
    if (a == "tanh")
        return torch::tanh(x);
    return torch::silu(x);
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& context)
{
    if (x.dim() != 2 || x.size(1) != options.in())
        throw ConfigError(fmt::format("The network expects inputs of shape (N, {}).", options.in()));
    const int64_t n = x.size(0);
    std::vector<torch::Tensor> condParts;
    if (options.timeEmbedding() > 0) {
        if (!t.defined() || t.numel() != n)
            throw ConfigError("This network needs a time value per event.");
        condParts.push_back(sinusoidalEmbedding(t, options.timeEmbedding(), options.timeScale()).to(x.dtype()));
    }
    if (options.context() > 0) {
        if (!context.defined() || context.dim() != 2 || context.size(0) != n || context.size(1) != options.context())
            throw ConfigError(fmt::format("This network needs a context of shape (N, {}).", options.context()));
        condParts.push_back(context.to(x.dtype()));
    } else if (context.defined() && context.numel() > 0) {
        throw ConfigError("This network is unconditional but was given a context.");
    }
    const torch::Tensor cond = condParts.empty() ? torch::Tensor() : torch::cat(condParts, 1);
    torch::Tensor h = cond.defined() ? torch::cat({ x, cond }, 1) : x;
    for (std::size_t i = 0; i < m_layers->size(); ++i) {
        torch::Tensor next = applyLinear(m_layers[i], h);
        if (options.residual() && cond.defined())
            next = next + applyLinear(m_conditioning[i], cond);
        next = activate(next);
        h = (options.residual() && i > 0 && next.sizes() == h.sizes()) ? h + next : next;
    }
    return applyLinear(m_output, h);
}

} // namespace hepgen::models
