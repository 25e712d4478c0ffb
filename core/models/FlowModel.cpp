#include "core/models/FlowModel.h"

#include "core/models/ModelSupport.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::models {

namespace {

flows::FlowKind kindOfFamily(const std::string& family)
{
    if (family == "flow-affine")
        return flows::FlowKind::AffineCoupling;
    if (family == "flow-rqs")
        return flows::FlowKind::RqsCoupling;
    if (family == "maf-affine")
        return flows::FlowKind::MafAffine;
    if (family == "maf-rqs")
        return flows::FlowKind::MafRqs;
    throw ConfigError(
        fmt::format("'{}' is not a flow family; use flow-affine, flow-rqs, maf-affine or maf-rqs.", family));
}

flows::FlowOptions flowOptions(const FlowModelConfig& c, const ModelShape& shape)
{
    flows::FlowOptions o(shape.features);
    o.kind(c.kind)
        .context(shape.context)
        .layers(c.layers)
        .hidden(c.hidden)
        .bins(c.bins)
        .tailBound(c.tailBound)
        .permutation(flows::permutationKindFromString(c.permutation))
        .seed(c.permutationSeed)
        .affineScale(c.affineScale == "softplus" ? flows::AffineScale::Softplus : flows::AffineScale::Tanh);
    return o;
}

} // namespace

bool FlowModelConfig::isSpline() const
{
    return kind == flows::FlowKind::RqsCoupling || kind == flows::FlowKind::MafRqs;
}

FlowModelConfig FlowModelConfig::read(const std::string& family, const nlohmann::json& json)
{
    FlowModelConfig c;
    c.kind = kindOfFamily(family);
    // Affine layers are less expressive per layer than splines, so their families stack more of them.
    c.layers = c.isSpline() ? 6 : 10;
    const std::string what = family + " config";
    ConfigReader r(json, what);
    r.read("layers", c.layers);
    r.read("hidden", c.hidden);
    if (c.isSpline()) {
        r.read("bins", c.bins);
        r.read("tail_bound", c.tailBound);
    } else {
        r.read("affine_scale", c.affineScale);
    }
    r.read("permutation", c.permutation);
    r.read("permutation_seed", c.permutationSeed);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(c.layers >= 1 && c.layers <= 64, what, "layers", "in [1, 64]", c.layers);
    bool hiddenOk = !c.hidden.empty();
    for (int64_t h : c.hidden)
        hiddenOk = hiddenOk && h >= 1;
    require(hiddenOk, what, "hidden", "a non-empty list of positive widths", c.hidden);
    require(c.bins >= 1 && c.bins <= 256, what, "bins", "in [1, 256]", c.bins);
    require(c.tailBound > 0, what, "tail_bound", "positive", c.tailBound);
    require(c.affineScale == "tanh" || c.affineScale == "softplus", what, "affine_scale", "tanh or softplus",
        c.affineScale);
    require(c.permutation == "none" || c.permutation == "reverse" || c.permutation == "random", what, "permutation",
        "none, reverse or random", c.permutation);
    return c;
}

nlohmann::json FlowModelConfig::toJson() const
{
    nlohmann::json j { { "layers", layers }, { "hidden", hidden }, { "permutation", permutation },
        { "permutation_seed", permutationSeed } };
    if (isSpline()) {
        j["bins"] = bins;
        j["tail_bound"] = tailBound;
    } else {
        j["affine_scale"] = affineScale;
    }
    optimizer.write(j);
    return j;
}

FlowModel::FlowModel(const std::string& family, const ModelShape& shape, const nlohmann::json& config)
    : m_family(family)
    , m_shape(shape)
    , m_config(FlowModelConfig::read(family, config))
{
    m_flow = flows::makeFlow(flowOptions(m_config, m_shape));
    m_optimizer = makeOptimizer(m_flow->parameters(), m_config.optimizer);
}

torch::Tensor FlowModel::loss(const Batch& batch)
{
    support::checkBatch(batch, m_shape, m_family);
    return support::weightedMean(-m_flow->logProb(batch.x, batch.context), batch.weight);
}

LossReport FlowModel::trainStep(const Batch& batch, double clipNorm)
{
    m_flow->train(true);
    m_optimizer->zero_grad();
    const auto l = loss(batch);
    l.backward();
    if (clipNorm > 0)
        torch::nn::utils::clip_grad_norm_(m_flow->parameters(), clipNorm);
    m_optimizer->step();
    const double value = l.item<double>();
    return { value, { { "nll", value } } };
}

LossReport FlowModel::evaluate(const Batch& batch)
{
    torch::NoGradGuard noGrad;
    const double value = loss(batch).item<double>();
    return { value, { { "nll", value } } };
}

SampleOutput FlowModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    const auto like = m_flow->parameters().front();
    const auto c = support::sampleContext(context, n, m_shape, m_family);
    support::pollStop(options);
    SampleOutput out;
    const auto z = support::initialNoise({ n, m_shape.features }, like, options.seed);
    const auto cc = c.defined() ? c.to(like.options()) : c;
    if (!options.recordTrajectory) {
        out.samples = m_flow->inverseWithLogDet(z, cc).outputs;
    } else {
        // Walk the layers latent -> data ourselves to keep every intermediate state.
        const auto layers = m_flow->bijections();
        const double total = static_cast<double>(layers.size());
        torch::Tensor x = z;
        out.trajectory.times.push_back(1.0);
        out.trajectory.xt.push_back(x);
        for (std::size_t k = 0; k < layers.size(); ++k) {
            x = layers[layers.size() - 1 - k]->inverse(x, cc).outputs;
            out.trajectory.times.push_back(1.0 - static_cast<double>(k + 1) / total);
            out.trajectory.xt.push_back(x);
        }
        out.samples = x;
        out.trajectory.x0Pred.assign(out.trajectory.xt.size(), x);
    }
    if (options.progress)
        options.progress(1, 1);
    return out;
}

torch::Tensor FlowModel::logDensity(const torch::Tensor& x, const torch::Tensor& context)
{
    support::checkInput(x, context, m_shape, m_family);
    return m_flow->logProb(x, context);
}

std::vector<torch::Tensor> FlowModel::parameters() { return m_flow->parameters(); }

std::vector<torch::optim::Optimizer*> FlowModel::optimizers() { return { m_optimizer.get() }; }

std::vector<std::shared_ptr<torch::nn::Module>> FlowModel::modules() { return { m_flow.ptr() }; }

std::unique_ptr<GenerativeModel> FlowModel::clone() const
{
    const support::PreserveGlobalRng keepRandomStream;
    auto copy = std::make_unique<FlowModel>(m_family, m_shape, config());
    const auto device = m_flow->parameters().front().device();
    copy->m_flow->to(device);
    support::copyModuleState(*m_flow, *copy->m_flow);
    support::copyOptimizerState(*m_optimizer, *copy->m_optimizer, device);
    copy->m_flow->train(m_flow->is_training());
    return copy;
}

void FlowModel::to(const torch::Device& device)
{
    m_flow->to(device);
    support::copyOptimizerState(*m_optimizer, *m_optimizer, device);
}

} // namespace hepgen::models
