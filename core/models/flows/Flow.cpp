#include "core/models/flows/Flow.h"

#include "core/util/Error.h"

#include <cmath>
#include <fmt/format.h>

namespace hepgen::models::flows {

namespace {

constexpr std::pair<FlowKind, const char*> kFlowKindNames[] = { { FlowKind::AffineCoupling, "affine-coupling" },
    { FlowKind::RqsCoupling, "rqs-coupling" }, { FlowKind::MafAffine, "maf-affine" }, { FlowKind::MafRqs, "maf-rqs" } };
constexpr std::pair<PermutationKind, const char*> kPermutationNames[] = { { PermutationKind::None, "none" },
    { PermutationKind::Reverse, "reverse" }, { PermutationKind::Random, "random" } };

void checkOptions(const FlowOptions& o)
{
    if (o.features() < 1)
        throw ConfigError(fmt::format("Flow: features must be at least 1, got {}.", o.features()));
    if (o.context() < 0)
        throw ConfigError(fmt::format("Flow: context must be >= 0, got {}.", o.context()));
    if (o.layers() < 1)
        throw ConfigError(fmt::format("Flow: layers must be at least 1, got {}.", o.layers()));
    const bool coupling = o.kind() == FlowKind::AffineCoupling || o.kind() == FlowKind::RqsCoupling;
    if (coupling && o.features() == 1 && o.context() == 0)
        throw ConfigError(fmt::format(
            "Flow: a {} flow over 1 feature needs a context; use maf-affine or maf-rqs.", toString(o.kind())));
}

} // namespace

std::string toString(FlowKind kind)
{
    for (const auto& [k, name] : kFlowKindNames)
        if (k == kind)
            return name;
    return "unknown";
}

FlowKind flowKindFromString(const std::string& name)
{
    for (const auto& [k, n] : kFlowKindNames)
        if (name == n)
            return k;
    throw ConfigError(fmt::format(
        "Unknown flow kind '{}'; choose one of: affine-coupling, rqs-coupling, maf-affine, maf-rqs.", name));
}

std::string toString(PermutationKind kind)
{
    for (const auto& [k, name] : kPermutationNames)
        if (k == kind)
            return name;
    return "unknown";
}

PermutationKind permutationKindFromString(const std::string& name)
{
    for (const auto& [k, n] : kPermutationNames)
        if (name == n)
            return k;
    throw ConfigError(fmt::format("Unknown permutation '{}'; choose one of: none, reverse, random.", name));
}

torch::Tensor standardNormalLogProb(const torch::Tensor& z)
{
    const double logTwoPi = std::log(2.0 * M_PI);
    return -0.5 * z.square().sum(1) - 0.5 * static_cast<double>(z.size(1)) * logTwoPi;
}

FlowImpl::FlowImpl(const FlowOptions& options_)
    : options(options_)
{
    reset();
}

void FlowImpl::reset()
{
    checkOptions(options);
    const int64_t d = options.features();
    transforms = register_module("transforms", torch::nn::ModuleList());
    const SplineOptions spline = SplineOptions().bins(options.bins()).tailBound(options.tailBound());
    for (int64_t l = 0; l < options.layers(); ++l) {
        // Consecutive coupling layers must transform complementary halves of the original
        // features: a reversal of an even number of features already swaps the parity of every
        // index, so the parity alternates only when the permutation does not do it.
        const bool swapsParity = options.permutation() == PermutationKind::Reverse && d % 2 == 0;
        const bool odd = swapsParity ? false : (l % 2 == 1);
        switch (options.kind()) {
        case FlowKind::AffineCoupling:
            transforms->push_back(AffineCoupling(AffineCouplingOptions(d)
                                                     .context(options.context())
                                                     .hidden(options.hidden())
                                                     .transformOdd(odd)
                                                     .scale(options.affineScale())));
            break;
        case FlowKind::RqsCoupling:
            transforms->push_back(RqsCoupling(RqsCouplingOptions(d)
                                                  .context(options.context())
                                                  .hidden(options.hidden())
                                                  .transformOdd(odd)
                                                  .spline(spline)));
            break;
        case FlowKind::MafAffine:
            transforms->push_back(MafAffine(
                MafAffineOptions(d).context(options.context()).hidden(options.hidden()).scale(options.affineScale())));
            break;
        case FlowKind::MafRqs:
            transforms->push_back(
                MafRqs(MafRqsOptions(d).context(options.context()).hidden(options.hidden()).spline(spline)));
            break;
        }
        if (d > 1 && options.permutation() != PermutationKind::None)
            transforms->push_back(Permutation(
                PermutationOptions(d).kind(options.permutation()).seed(options.seed() + static_cast<uint64_t>(l))));
    }
}

std::vector<Bijection*> FlowImpl::bijections() const
{
    std::vector<Bijection*> out;
    for (const auto& m : *transforms) {
        auto* b = m->as<Bijection>();
        if (b == nullptr)
            throw ConfigError("Flow: a layer of the stack is not a Bijection.");
        out.push_back(b);
    }
    return out;
}

torch::Tensor FlowImpl::broadcastContext(const torch::Tensor& context, int64_t n) const
{
    const int64_t c = options.context();
    if (c == 0) {
        if (context.defined())
            throw ConfigError("Flow: this flow is unconditional but was given a context.");
        return {};
    }
    if (!context.defined())
        throw ConfigError(fmt::format("Flow: needs a context of {} columns but none was given.", c));
    const torch::Tensor rows = context.dim() == 1 ? context.unsqueeze(0) : context;
    if (rows.dim() != 2 || rows.size(1) != c || (rows.size(0) != n && rows.size(0) != 1))
        throw ConfigError(fmt::format("Flow: context must be ({}, {}) or a single row of {} values.", n, c, c));
    return rows.size(0) == n ? rows : rows.expand({ n, c });
}

FlowResult FlowImpl::forwardWithLogDet(const torch::Tensor& x, const torch::Tensor& context)
{
    detail::checkInput(x, options.features(), "Flow");
    const auto c = broadcastContext(context, x.size(0));
    FlowResult r { x, torch::zeros({ x.size(0) }, x.options()) };
    for (Bijection* b : bijections()) {
        const FlowResult step = b->forward(r.outputs, c);
        r = { step.outputs, r.logAbsDet + step.logAbsDet };
    }
    return r;
}

FlowResult FlowImpl::inverseWithLogDet(const torch::Tensor& z, const torch::Tensor& context)
{
    detail::checkInput(z, options.features(), "Flow");
    const auto c = broadcastContext(context, z.size(0));
    FlowResult r { z, torch::zeros({ z.size(0) }, z.options()) };
    const auto layers = bijections();
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        const FlowResult step = (*it)->inverse(r.outputs, c);
        r = { step.outputs, r.logAbsDet + step.logAbsDet };
    }
    return r;
}

torch::Tensor FlowImpl::logProb(const torch::Tensor& x, const torch::Tensor& context)
{
    const FlowResult r = forwardWithLogDet(x, context);
    return standardNormalLogProb(r.outputs) + r.logAbsDet;
}

torch::Tensor FlowImpl::sample(int64_t n, const torch::Tensor& context)
{
    if (n < 0)
        throw ConfigError(fmt::format("Flow: cannot draw {} samples.", n));
    const auto params = parameters();
    const auto like = params.front();
    const auto z
        = torch::randn({ n, options.features() }, torch::TensorOptions().dtype(like.dtype()).device(like.device()));
    return inverseWithLogDet(z, context).outputs;
}

Flow makeFlow(const FlowOptions& o) { return Flow(o); }

} // namespace hepgen::models::flows
