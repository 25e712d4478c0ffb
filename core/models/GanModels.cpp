#include "core/models/GanModels.h"

#include "core/models/TimeConditionedModel.h"

#include "core/models/ModelSupport.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::models {

namespace {

bool positiveWidths(const std::vector<int64_t>& hidden)
{
    bool ok = !hidden.empty();
    for (int64_t h : hidden)
        ok = ok && h >= 1;
    return ok;
}

void setRequiresGrad(const std::vector<torch::Tensor>& params, bool on)
{
    for (auto p : params)
        p.requires_grad_(on);
}

} // namespace

torch::Tensor gradientPenalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
    const torch::Tensor& real, const torch::Tensor& fake, double lambda, const torch::Tensor& weight)
{
    if (real.sizes() != fake.sizes() || real.dim() != 2)
        throw ConfigError("gradientPenalty: real and fake events must both be (N, D).");
    torch::AutoGradMode enable(true);
    const auto eps = torch::rand({ real.size(0), 1 }, real.options());
    const auto xhat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(true);
    const auto out = critic(xhat);
    const auto grad
        = torch::autograd::grad({ out.sum() }, { xhat }, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    // sqrt(|g|^2 + tiny): the plain norm has an undefined (NaN) gradient at g = 0.
    const auto norm = torch::sqrt(grad.pow(2).sum(1) + 1e-12);
    return lambda * support::weightedMean((norm - 1).pow(2), weight);
}

GanModelConfig GanModelConfig::read(const std::string& family, const nlohmann::json& json)
{
    if (family != "gan" && family != "wgan-gp")
        throw ConfigError(fmt::format("'{}' is not a GAN family; use gan or wgan-gp.", family));
    GanModelConfig c;
    c.wasserstein = family == "wgan-gp";
    // Adam with beta = (0.5, 0.9) for both (Radford et al. 2016 use beta1 = 0.5; Gulrajani et al. 2017
    // beta2 = 0.9); WGAN-GP's n_critic = 5 (Gulrajani et al. 2017, Algorithm 1).
    c.generatorOptimizer.beta1 = 0.5;
    c.generatorOptimizer.beta2 = 0.9;
    c.generatorOptimizer.learningRate = 2e-4;
    // WGAN-GP: the critic learns 10x faster than the generator (two time-scale update rule, Heusel et
    // al. 2017). With equal rates and beta1 = 0.5 the critic lags, its Wasserstein estimate turns
    // negative and the generator overshoots (measured on 8 Gaussians: W1 0.76 vs 0.07 per coordinate).
    c.criticLearningRate = c.wasserstein ? 2e-3 : 0.0;
    c.criticSteps = c.wasserstein ? 5 : 1;
    const std::string what = family + " config";
    ConfigReader r(json, what);
    r.read("latent_dim", c.latentDim);
    r.read("generator_hidden", c.generatorHidden);
    r.read("critic_hidden", c.criticHidden);
    r.read("activation", c.activation);
    r.read("critic_steps", c.criticSteps);
    if (c.wasserstein)
        r.read("gp_lambda", c.gpLambda);
    c.generatorOptimizer.read(r);
    r.read("critic_lr", c.criticLearningRate);
    r.rejectUnknownKeys();
    require(c.latentDim >= 1, what, "latent_dim", "at least 1", c.latentDim);
    require(positiveWidths(c.generatorHidden), what, "generator_hidden", "a non-empty list of positive widths",
        c.generatorHidden);
    require(
        positiveWidths(c.criticHidden), what, "critic_hidden", "a non-empty list of positive widths", c.criticHidden);
    require(c.activation == "silu" || c.activation == "relu" || c.activation == "leaky_relu" || c.activation == "tanh",
        what, "activation", "silu, relu, leaky_relu or tanh", c.activation);
    require(c.criticSteps >= 1 && c.criticSteps <= 100, what, "critic_steps", "in [1, 100]", c.criticSteps);
    require(c.gpLambda >= 0, what, "gp_lambda", "non-negative", c.gpLambda);
    require(c.criticLearningRate >= 0, what, "critic_lr", "non-negative (0: same as lr)", c.criticLearningRate);
    return c;
}

nlohmann::json GanModelConfig::toJson() const
{
    nlohmann::json j { { "latent_dim", latentDim }, { "generator_hidden", generatorHidden },
        { "critic_hidden", criticHidden }, { "activation", activation }, { "critic_steps", criticSteps },
        { "critic_lr", criticLearningRate } };
    if (wasserstein)
        j["gp_lambda"] = gpLambda;
    generatorOptimizer.write(j);
    return j;
}

GanModel::GanModel(const std::string& family, const ModelShape& shape, const nlohmann::json& config)
    : m_shape(shape)
    , m_config(GanModelConfig::read(family, config))
{
    m_generator = Mlp(MlpOptions(m_config.latentDim, shape.features)
                          .hidden(m_config.generatorHidden)
                          .activation(m_config.activation)
                          .context(shape.context));
    m_critic = Mlp(MlpOptions(shape.features, 1)
                       .hidden(m_config.criticHidden)
                       .activation(m_config.activation)
                       .context(shape.context));
    m_generatorOptimizer = makeOptimizer(m_generator->parameters(), m_config.generatorOptimizer);
    OptimizerConfig criticOptimizer = m_config.generatorOptimizer;
    if (m_config.criticLearningRate > 0)
        criticOptimizer.learningRate = m_config.criticLearningRate;
    m_criticOptimizer = makeOptimizer(m_critic->parameters(), criticOptimizer);
}

torch::Tensor GanModel::generate(const torch::Tensor& context, int64_t n, const std::optional<uint64_t>& seed)
{
    const auto like = m_generator->parameters().front();
    const auto z = support::initialNoise({ n, m_config.latentDim }, like, seed);
    return m_generator->forward(z, {}, context);
}

GanModel::CriticLosses GanModel::criticLosses(const Batch& batch)
{
    const int64_t n = batch.x.size(0);
    torch::Tensor fake;
    {
        torch::NoGradGuard noGrad; // the critic step does not train the generator
        fake = generate(batch.context, n);
    }
    CriticLosses c;
    c.real = m_critic->forward(batch.x, {}, batch.context).squeeze(1);
    c.fake = m_critic->forward(fake, {}, batch.context).squeeze(1);
    if (m_config.wasserstein) {
        const auto critic
            = [&](const torch::Tensor& xhat) { return m_critic->forward(xhat, {}, batch.context).squeeze(1); };
        c.penalty = gradientPenalty(critic, batch.x, fake, m_config.gpLambda, batch.weight);
        c.loss = c.fake.mean() - support::weightedMean(c.real, batch.weight) + c.penalty;
    } else {
        // -log sigmoid(a) = softplus(-a), -log(1 - sigmoid(a)) = softplus(a): stable for large |a|.
        c.loss = support::weightedMean(torch::softplus(-c.real), batch.weight) + torch::softplus(c.fake).mean();
    }
    return c;
}

torch::Tensor GanModel::generatorLoss(const torch::Tensor& context, int64_t n)
{
    const auto out = m_critic->forward(generate(context, n), {}, context).squeeze(1);
    return m_config.wasserstein ? -out.mean() : torch::softplus(-out).mean(); // -log D(G(z)): non-saturating
}

LossReport GanModel::report(
    const CriticLosses& c, const torch::Tensor& generatorLoss, const torch::Tensor& weight) const
{
    torch::NoGradGuard noGrad;
    LossReport r;
    const double criticLoss = c.loss.item<double>();
    if (m_config.wasserstein) {
        const double w = (support::weightedMean(c.real, weight) - c.fake.mean()).item<double>();
        r.loss = w;
        r.terms = { { "critic", criticLoss }, { "generator", generatorLoss.item<double>() },
            { "gradient_penalty", c.penalty.item<double>() }, { "wasserstein", w } };
    } else {
        const double accuracy = 0.5
            * (support::weightedMean((c.real > 0).to(c.real.dtype()), weight) + (c.fake < 0).to(c.fake.dtype()).mean())
                  .item<double>();
        r.loss = criticLoss;
        r.terms = { { "discriminator", criticLoss }, { "generator", generatorLoss.item<double>() },
            { "d_real", support::weightedMean(torch::sigmoid(c.real), weight).item<double>() },
            { "d_fake", torch::sigmoid(c.fake).mean().item<double>() }, { "accuracy", accuracy } };
    }
    return r;
}

LossReport GanModel::trainStep(const Batch& batch, double clipNorm)
{
    support::checkBatch(batch, m_shape, family());
    m_generator->train(true);
    m_critic->train(true);
    CriticLosses last;
    for (int64_t k = 0; k < m_config.criticSteps; ++k) {
        m_criticOptimizer->zero_grad();
        last = criticLosses(batch);
        last.loss.backward();
        if (clipNorm > 0)
            torch::nn::utils::clip_grad_norm_(m_critic->parameters(), clipNorm);
        m_criticOptimizer->step();
    }
    // Generator step: gradients flow through the critic to the generator but need not be kept for
    // the critic's own parameters.
    const auto criticParams = m_critic->parameters();
    setRequiresGrad(criticParams, false);
    m_generatorOptimizer->zero_grad();
    torch::Tensor g;
    try {
        g = generatorLoss(batch.context, batch.x.size(0));
        g.backward();
    } catch (...) {
        setRequiresGrad(criticParams, true);
        throw;
    }
    setRequiresGrad(criticParams, true);
    if (clipNorm > 0)
        torch::nn::utils::clip_grad_norm_(m_generator->parameters(), clipNorm);
    m_generatorOptimizer->step();
    return report(last, g, batch.weight);
}

LossReport GanModel::evaluate(const Batch& batch)
{
    support::checkBatch(batch, m_shape, family());
    const auto c = criticLosses(batch); // the gradient penalty enables autograd for itself
    torch::NoGradGuard noGrad;
    return report(c, generatorLoss(batch.context, batch.x.size(0)), batch.weight);
}

SampleOutput GanModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    const auto c = support::sampleContext(context, n, m_shape, family());
    support::pollStop(options);
    SampleOutput out;
    out.samples = generate(c, n, options.seed);
    if (options.progress)
        options.progress(1, 1);
    return out;
}

std::vector<torch::Tensor> GanModel::parameters()
{
    auto p = m_generator->parameters();
    const auto q = m_critic->parameters();
    p.insert(p.end(), q.begin(), q.end());
    return p;
}

std::vector<torch::optim::Optimizer*> GanModel::optimizers()
{
    return { m_generatorOptimizer.get(), m_criticOptimizer.get() };
}

std::vector<std::shared_ptr<torch::nn::Module>> GanModel::modules() { return { m_generator.ptr(), m_critic.ptr() }; }

std::vector<DiagnosticInfo> GanModel::diagnostics() const
{
    return { { "critic", m_config.wasserstein ? "critic f(x)" : "discriminator D(x)", DiagnosticInfo::Kind::Scalar,
        false } };
}

torch::Tensor GanModel::diagnostic(
    const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time)
{
    if (name != "critic")
        return GenerativeModel::diagnostic(name, x, context, time);
    support::checkInput(x, context, m_shape, family());
    torch::NoGradGuard noGrad;
    const EvalModeGuard eval(*m_critic);
    const auto out = m_critic->forward(x, {}, context).squeeze(1);
    return m_config.wasserstein ? out : torch::sigmoid(out);
}

std::unique_ptr<GenerativeModel> GanModel::clone() const
{
    const support::PreserveGlobalRng keepRandomStream;
    auto copy = std::make_unique<GanModel>(family(), m_shape, config());
    const auto device = m_generator->parameters().front().device();
    copy->to(device);
    support::copyModuleState(*m_generator, *copy->m_generator);
    support::copyModuleState(*m_critic, *copy->m_critic);
    support::copyOptimizerState(*m_generatorOptimizer, *copy->m_generatorOptimizer, device);
    support::copyOptimizerState(*m_criticOptimizer, *copy->m_criticOptimizer, device);
    copy->m_generator->train(m_generator->is_training());
    copy->m_critic->train(m_critic->is_training());
    return copy;
}

void GanModel::to(const torch::Device& device)
{
    m_generator->to(device);
    m_critic->to(device);
    support::copyOptimizerState(*m_generatorOptimizer, *m_generatorOptimizer, device);
    support::copyOptimizerState(*m_criticOptimizer, *m_criticOptimizer, device);
}

} // namespace hepgen::models
