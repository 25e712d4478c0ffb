#include "core/models/points/PointNetworks.h"

#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::models::points {

void PointNetImpl::check(const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index) const
{
    if (!x.defined() || x.dim() != 2 || x.size(1) != options.features())
        throw ConfigError(fmt::format("The point network expects packed points of shape (M, {}).", options.features()));
    if (!conditioning.defined() || conditioning.dim() != 2 || conditioning.size(1) != options.condition())
        throw ConfigError(
            fmt::format("The point network expects a conditioning of shape (B, {}).", options.condition()));
    if (!index.defined() || index.dim() != 1 || index.size(0) != x.size(0) || index.scalar_type() != torch::kLong)
        throw ConfigError("The point network needs one int64 cloud index per point.");
}

ConcatSquashLinearImpl::ConcatSquashLinearImpl(int64_t in, int64_t out, int64_t condition)
{
    m_layer = register_module("layer", torch::nn::Linear(in, out));
    m_gate = register_module("gate", torch::nn::Linear(condition, out));
    m_shift = register_module("shift", torch::nn::Linear(torch::nn::LinearOptions(condition, out).bias(false)));
}

torch::Tensor ConcatSquashLinearImpl::forward(
    const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index)
{
    // Gate and shift per cloud (B rows), then gathered: the conditioning costs B, not M, evaluations.
    const auto gate = torch::sigmoid(m_gate->forward(conditioning)).index_select(0, index);
    const auto shift = m_shift->forward(conditioning).index_select(0, index);
    return m_layer->forward(x) * gate + shift;
}

PointwiseNetImpl::PointwiseNetImpl(const PointNetOptions& o)
    : PointNetImpl(o)
{
    if (o.hidden().empty())
        throw ConfigError("The pointwise network needs at least one hidden layer.");
    int64_t width = o.features();
    std::size_t i = 0;
    for (const int64_t h : o.hidden()) {
        if (h < 1)
            throw ConfigError(fmt::format("Hidden widths must be positive (got {}).", h));
        m_layers.push_back(register_module(fmt::format("layer{}", i++), ConcatSquashLinear(width, h, o.condition())));
        width = h;
    }
    m_layers.push_back(
        register_module(fmt::format("layer{}", i), ConcatSquashLinear(width, o.features(), o.condition())));
}

torch::Tensor PointwiseNetImpl::forward(
    const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index)
{
    check(x, conditioning, index);
    torch::Tensor h = x;
    for (std::size_t i = 0; i + 1 < m_layers.size(); ++i) {
        auto next = torch::silu(m_layers[i]->forward(h, conditioning, index));
        h = (i > 0 && next.sizes() == h.sizes()) ? h + next : next;
    }
    return m_layers.back()->forward(h, conditioning, index);
}

std::pair<torch::Tensor, torch::Tensor> segmentMeanSum(
    const torch::Tensor& p, const torch::Tensor& index, const torch::Tensor& counts, int64_t clouds)
{
    const auto sum = torch::zeros({ clouds, p.size(1) }, p.options()).index_add(0, index, p);
    const auto mean = sum / counts.to(p.dtype()).clamp_min(1.0).unsqueeze(1);
    return { mean, sum };
}

EpicNetImpl::EpicNetImpl(const PointNetOptions& o)
    : PointNetImpl(o)
{
    if (o.width() < 1 || o.globalWidth() < 1 || o.layers() < 1 || !(o.sumScale() > 0))
        throw ConfigError(fmt::format("The epic network needs positive widths, at least one layer and a positive sum "
                                      "scale (got width {}, global {}, layers {}, sum scale {}).",
            o.width(), o.globalWidth(), o.layers(), o.sumScale()));
    const int64_t w = o.width(), g = o.globalWidth(), k = o.condition();
    m_input = register_module("input", ConcatSquashLinear(o.features(), w, k));
    m_globalInit = register_module("global_init", torch::nn::Linear(2 * w + k, g));
    for (int64_t l = 0; l < o.layers(); ++l) {
        Layer layer;
        layer.global1 = register_module(fmt::format("global1_{}", l), torch::nn::Linear(2 * w + g + k, g));
        layer.global2 = register_module(fmt::format("global2_{}", l), torch::nn::Linear(g, g));
        layer.localPoint = register_module(fmt::format("local_point_{}", l), torch::nn::Linear(w, w));
        layer.localGlobal = register_module(fmt::format("local_global_{}", l), torch::nn::Linear(g + k, w));
        layer.local2 = register_module(fmt::format("local2_{}", l), torch::nn::Linear(w, w));
        m_layers.push_back(layer);
    }
    m_output = register_module("output", ConcatSquashLinear(w, o.features(), k));
}

torch::Tensor EpicNetImpl::forward(
    const torch::Tensor& x, const torch::Tensor& conditioning, const torch::Tensor& index)
{
    check(x, conditioning, index);
    const int64_t clouds = conditioning.size(0);
    const auto counts = torch::bincount(index, {}, clouds);
    const double scale = options.sumScale();
    auto p = torch::silu(m_input->forward(x, conditioning, index));
    auto [mean, sum] = segmentMeanSum(p, index, counts, clouds);
    auto g = torch::silu(m_globalInit->forward(torch::cat({ mean, sum / scale, conditioning }, 1)));
    for (auto& layer : m_layers) {
        // EPiC layer (Buhmann et al. 2023, Fig. 2): the global vector from the pooled points, then every point
        // from itself and the new global vector; the per-cloud part of the local update is computed once per cloud.
        std::tie(mean, sum) = segmentMeanSum(p, index, counts, clouds);
        const auto gIn = torch::cat({ mean, sum / scale, g, conditioning }, 1);
        g = torch::silu(layer.global2->forward(torch::silu(layer.global1->forward(gIn))) + g);
        const auto perCloud = layer.localGlobal->forward(torch::cat({ g, conditioning }, 1)).index_select(0, index);
        const auto h = torch::silu(layer.localPoint->forward(p) + perCloud);
        p = torch::silu(layer.local2->forward(h) + p);
    }
    return m_output->forward(p, conditioning, index);
}

std::shared_ptr<PointNetImpl> makePointNet(const PointNetOptions& options)
{
    if (options.features() < 1 || options.condition() < 1)
        throw ConfigError("A point network needs positive feature and conditioning widths.");
    if (options.kind() == "pointwise")
        return std::make_shared<PointwiseNetImpl>(options);
    if (options.kind() == "epic")
        return std::make_shared<EpicNetImpl>(options);
    throw ConfigError(fmt::format("Unknown point network '{}'; choose pointwise or epic.", options.kind()));
}

} // namespace hepgen::models::points
