#include "core/models/flows/Transforms.h"

#include "core/util/Error.h"

#include <algorithm>
#include <fmt/format.h>
#include <numeric>
#include <random>

namespace hepgen::models::flows {

namespace {

torch::Tensor indexTensor(const std::vector<int64_t>& v, const torch::Device& device)
{
    return torch::tensor(v, torch::TensorOptions().dtype(torch::kLong)).to(device);
}

void checkHidden(const std::vector<int64_t>& hidden, const char* owner)
{
    if (hidden.empty())
        throw ConfigError(fmt::format("{}: needs at least one hidden layer.", owner));
    for (const int64_t h : hidden)
        if (h < 1)
            throw ConfigError(fmt::format("{}: hidden layer sizes must be at least 1, got {}.", owner, h));
}

/// Splits features into the identity half I and the transformed half T, alternating over indices
/// (RealNVP's checkerboard mask in 1D); a single feature is always transformed.
void couplingHalves(int64_t features, int64_t context, bool transformOdd, const char* owner,
    std::vector<int64_t>& identity, std::vector<int64_t>& transformed)
{
    if (features < 1 || context < 0)
        throw ConfigError(
            fmt::format("{}: features must be >= 1 and context >= 0, got {} and {}.", owner, features, context));
    if (features == 1 && context == 0)
        throw ConfigError(fmt::format("{}: a coupling layer over 1 feature needs a context to condition on.", owner));
    identity.clear();
    transformed.clear();
    for (int64_t i = 0; i < features; ++i)
        ((features == 1 || (i % 2 == 1) == transformOdd) ? transformed : identity).push_back(i);
}

/// Shared body of the coupling layers: runs the conditioner on [x_I, c], lets `transform` map x_T
/// given the conditioner output (N, |T|, P), and puts the halves back in feature order.
template <class Transform>
FlowResult couplingApply(const torch::Tensor& x, const torch::Tensor& context, int64_t features, int64_t contextSize,
    const std::vector<int64_t>& identity, const std::vector<int64_t>& transformed, ConditionerMlp& conditioner,
    int64_t paramsPerFeature, const char* owner, Transform&& transform)
{
    detail::checkInput(x, features, owner);
    detail::checkContext(context, contextSize, x.size(0), owner);
    const auto dev = x.device();
    const auto xI = x.index_select(1, indexTensor(identity, dev));
    const auto xT = x.index_select(1, indexTensor(transformed, dev));
    const auto netIn = context.defined() ? torch::cat({ xI, context }, 1) : xI;
    const auto params = conditioner->forward(netIn).reshape(
        { x.size(0), static_cast<int64_t>(transformed.size()), paramsPerFeature });
    const FlowResult r = transform(xT, params);
    // cat gives the columns in the order [I..., T...]; gather them back into feature order.
    std::vector<int64_t> order(identity);
    order.insert(order.end(), transformed.begin(), transformed.end());
    std::vector<int64_t> back(order.size());
    for (size_t j = 0; j < order.size(); ++j)
        back[static_cast<size_t>(order[j])] = static_cast<int64_t>(j);
    return { torch::cat({ xI, r.outputs }, 1).index_select(1, indexTensor(back, dev)), r.logAbsDet };
}

} // namespace

// ---------------------------------------------------------------------------------------------
ConditionerMlpImpl::ConditionerMlpImpl(const ConditionerMlpOptions& options_)
    : options(options_)
{
    reset();
}

void ConditionerMlpImpl::reset()
{
    if (options.in() < 1 || options.out() < 1)
        throw ConfigError(fmt::format(
            "ConditionerMlp: sizes must be in >= 1 and out >= 1, got {} and {}.", options.in(), options.out()));
    checkHidden(options.hidden(), "ConditionerMlp");
    m_layers.clear();
    int64_t in = options.in();
    std::vector<int64_t> sizes(options.hidden());
    sizes.push_back(options.out());
    for (size_t i = 0; i < sizes.size(); ++i) {
        m_layers.push_back(register_module("linear" + std::to_string(i), torch::nn::Linear(in, sizes[i])));
        in = sizes[i];
    }
    if (options.zeroLast()) {
        torch::NoGradGuard noGrad;
        m_layers.back()->weight.zero_();
        m_layers.back()->bias.zero_();
    }
}

torch::Tensor ConditionerMlpImpl::forward(const torch::Tensor& x)
{
    torch::Tensor h = x;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        h = m_layers[i]->forward(h);
        if (i + 1 < m_layers.size())
            h = torch::relu(h);
    }
    return h;
}

// ---------------------------------------------------------------------------------------------
AffineCouplingImpl::AffineCouplingImpl(const AffineCouplingOptions& options_)
    : options(options_)
{
    reset();
}

void AffineCouplingImpl::reset()
{
    couplingHalves(
        options.features(), options.context(), options.transformOdd(), "AffineCoupling", m_identity, m_transformed);
    if (options.scale() == AffineScale::Tanh && !(options.tanhBound() > 0))
        throw ConfigError(fmt::format("AffineCoupling: tanhBound must be positive, got {}.", options.tanhBound()));
    checkHidden(options.hidden(), "AffineCoupling");
    const auto in = static_cast<int64_t>(m_identity.size()) + options.context();
    const auto out = 2 * static_cast<int64_t>(m_transformed.size()); // (shift, raw scale) per feature
    conditioner
        = register_module("conditioner", ConditionerMlp(ConditionerMlpOptions(in, out).hidden(options.hidden())));
}

FlowResult AffineCouplingImpl::apply(const torch::Tensor& x, const torch::Tensor& context, bool inverse)
{
    return couplingApply(x, context, options.features(), options.context(), m_identity, m_transformed, conditioner, 2,
        "AffineCoupling", [&](const torch::Tensor& xT, const torch::Tensor& p) -> FlowResult {
            const auto shift = p.select(2, 0);
            const auto logScale = detail::affineLogScale(p.select(2, 1), options.scale(), options.tanhBound());
            if (!inverse)
                return { xT * logScale.exp() + shift, logScale.sum(1) };
            return { (xT - shift) * (-logScale).exp(), -logScale.sum(1) };
        });
}

FlowResult AffineCouplingImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    return apply(x, context, false);
}

FlowResult AffineCouplingImpl::inverse(const torch::Tensor& z, const torch::Tensor& context)
{
    return apply(z, context, true);
}

// ---------------------------------------------------------------------------------------------
RqsCouplingImpl::RqsCouplingImpl(const RqsCouplingOptions& options_)
    : options(options_)
{
    reset();
}

void RqsCouplingImpl::reset()
{
    couplingHalves(
        options.features(), options.context(), options.transformOdd(), "RqsCoupling", m_identity, m_transformed);
    detail::checkSplineOptions(options.spline(), "RqsCoupling");
    checkHidden(options.hidden(), "RqsCoupling");
    const auto in = static_cast<int64_t>(m_identity.size()) + options.context();
    const auto out
        = static_cast<int64_t>(m_transformed.size()) * detail::splineParamsPerFeature(options.spline().bins());
    conditioner
        = register_module("conditioner", ConditionerMlp(ConditionerMlpOptions(in, out).hidden(options.hidden())));
}

FlowResult RqsCouplingImpl::apply(const torch::Tensor& x, const torch::Tensor& context, bool inverse)
{
    return couplingApply(x, context, options.features(), options.context(), m_identity, m_transformed, conditioner,
        detail::splineParamsPerFeature(options.spline().bins()), "RqsCoupling",
        [&](const torch::Tensor& xT, const torch::Tensor& p) {
            return detail::packedSpline(xT, p, inverse, options.spline());
        });
}

FlowResult RqsCouplingImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    return apply(x, context, false);
}

FlowResult RqsCouplingImpl::inverse(const torch::Tensor& z, const torch::Tensor& context)
{
    return apply(z, context, true);
}

// ---------------------------------------------------------------------------------------------
PermutationImpl::PermutationImpl(const PermutationOptions& options_)
    : options(options_)
{
    reset();
}

void PermutationImpl::reset()
{
    const int64_t d = options.features();
    if (d < 1)
        throw ConfigError(fmt::format("Permutation: features must be at least 1, got {}.", d));
    m_permutation.resize(static_cast<size_t>(d));
    std::iota(m_permutation.begin(), m_permutation.end(), int64_t(0));
    if (options.kind() == PermutationKind::Reverse) {
        std::reverse(m_permutation.begin(), m_permutation.end());
    } else if (options.kind() == PermutationKind::Random) {
        // Fisher-Yates on mt19937_64, whose output the standard fixes: the same seed gives the same
        // permutation everywhere (std::shuffle's algorithm is implementation-defined).
        std::mt19937_64 rng(options.seed());
        for (int64_t i = d - 1; i > 0; --i)
            std::swap(m_permutation[static_cast<size_t>(i)],
                m_permutation[static_cast<size_t>(rng() % static_cast<uint64_t>(i + 1))]);
    }
    m_inversePermutation.resize(m_permutation.size());
    for (size_t i = 0; i < m_permutation.size(); ++i)
        m_inversePermutation[static_cast<size_t>(m_permutation[i])] = static_cast<int64_t>(i);
}

FlowResult PermutationImpl::forward(const torch::Tensor& x, const torch::Tensor& /*context*/)
{
    detail::checkInput(x, options.features(), "Permutation");
    return { x.index_select(1, indexTensor(m_permutation, x.device())), torch::zeros({ x.size(0) }, x.options()) };
}

FlowResult PermutationImpl::inverse(const torch::Tensor& z, const torch::Tensor& /*context*/)
{
    detail::checkInput(z, options.features(), "Permutation");
    return { z.index_select(1, indexTensor(m_inversePermutation, z.device())),
        torch::zeros({ z.size(0) }, z.options()) };
}

} // namespace hepgen::models::flows
