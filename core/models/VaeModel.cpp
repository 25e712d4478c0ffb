#include "core/models/VaeModel.h"

#include "core/models/TimeConditionedModel.h"

#include "core/models/ModelSupport.h"
#include "core/util/Error.h"

#include <cmath>
#include <fmt/format.h>

namespace hepgen::models {

torch::Tensor gaussianKl(const torch::Tensor& mu, const torch::Tensor& logVar)
{
    return 0.5 * (mu.pow(2) + torch::exp(logVar) - 1 - logVar).sum(1);
}

VaeModelConfig VaeModelConfig::read(const nlohmann::json& json)
{
    VaeModelConfig c;
    const std::string what = "vae config";
    ConfigReader r(json, what);
    r.read("latent_dim", c.latentDim);
    r.read("hidden", c.hidden);
    r.read("activation", c.activation);
    r.read("beta", c.beta);
    r.read("learn_sigma", c.learnSigma);
    r.read("sigma", c.sigma);
    r.read("sample_noise", c.sampleNoise);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(c.latentDim >= 1, what, "latent_dim", "at least 1", c.latentDim);
    bool hiddenOk = !c.hidden.empty();
    for (int64_t h : c.hidden)
        hiddenOk = hiddenOk && h >= 1;
    require(hiddenOk, what, "hidden", "a non-empty list of positive widths", c.hidden);
    require(c.activation == "silu" || c.activation == "relu" || c.activation == "leaky_relu" || c.activation == "tanh",
        what, "activation", "silu, relu, leaky_relu or tanh", c.activation);
    require(c.beta >= 0 && std::isfinite(c.beta), what, "beta", "a finite non-negative number", c.beta);
    require(c.sigma > 0 && std::isfinite(c.sigma), what, "sigma", "positive", c.sigma);
    return c;
}

nlohmann::json VaeModelConfig::toJson() const
{
    nlohmann::json j { { "latent_dim", latentDim }, { "hidden", hidden }, { "activation", activation },
        { "beta", beta }, { "learn_sigma", learnSigma }, { "sigma", sigma }, { "sample_noise", sampleNoise } };
    optimizer.write(j);
    return j;
}

VaeNetworksImpl::VaeNetworksImpl(const VaeNetworksOptions& o)
    : options(o)
{
    reset();
}

void VaeNetworksImpl::reset()
{
    const auto& c = options.config();
    std::vector<int64_t> mirrored(c.hidden.rbegin(), c.hidden.rend());
    encoder = register_module("encoder",
        Mlp(MlpOptions(options.features(), 2 * c.latentDim)
                .hidden(c.hidden)
                .activation(c.activation)
                .context(options.context())));
    decoder = register_module("decoder",
        Mlp(MlpOptions(c.latentDim, options.features())
                .hidden(mirrored)
                .activation(c.activation)
                .context(options.context())));
    const auto init = torch::full({ options.features() }, std::log(c.sigma));
    logSigma = c.learnSigma ? register_parameter("log_sigma", init) : register_buffer("log_sigma", init);
}

VaeEncoding VaeNetworksImpl::encode(const torch::Tensor& x, const torch::Tensor& context)
{
    const auto h = encoder->forward(x, {}, context);
    const auto parts = h.chunk(2, 1);
    return { parts[0], parts[1] };
}

torch::Tensor VaeNetworksImpl::decode(const torch::Tensor& z, const torch::Tensor& context)
{
    return decoder->forward(z, {}, context);
}

VaeModel::VaeModel(const ModelShape& shape, const nlohmann::json& config)
    : m_shape(shape)
    , m_config(VaeModelConfig::read(config))
{
    m_net = VaeNetworks(VaeNetworksOptions(shape.features, shape.context, m_config));
    m_optimizer = makeOptimizer(m_net->parameters(), m_config.optimizer);
}

VaeModel::Terms VaeModel::terms(const Batch& batch)
{
    support::checkBatch(batch, m_shape, "vae");
    const auto enc = m_net->encode(batch.x, batch.context);
    const auto z = enc.mu + torch::exp(0.5 * enc.logVar) * torch::randn_like(enc.mu); // reparameterisation
    const auto mean = m_net->decode(z, batch.context);
    // -log N(x; m, diag sigma^2) summed over features.
    const auto logSigma = m_net->logSigma.to(mean.dtype());
    const auto r = (batch.x - mean) * torch::exp(-logSigma);
    const auto nll = (0.5 * r.pow(2) + logSigma + 0.5 * std::log(2 * M_PI)).sum(1);
    Terms t;
    t.reconstruction = support::weightedMean(nll, batch.weight);
    t.kl = support::weightedMean(gaussianKl(enc.mu, enc.logVar), batch.weight);
    t.loss = m_config.beta > 0 ? t.reconstruction + m_config.beta * t.kl : t.reconstruction;
    return t;
}

LossReport VaeModel::trainStep(const Batch& batch, double clipNorm)
{
    m_net->train(true);
    m_optimizer->zero_grad();
    const auto t = terms(batch);
    t.loss.backward();
    if (clipNorm > 0)
        torch::nn::utils::clip_grad_norm_(m_net->parameters(), clipNorm);
    m_optimizer->step();
    return { t.loss.item<double>(),
        { { "reconstruction", t.reconstruction.item<double>() }, { "kl", t.kl.item<double>() } } };
}

LossReport VaeModel::evaluate(const Batch& batch)
{
    torch::NoGradGuard noGrad;
    const auto t = terms(batch);
    return { t.loss.item<double>(),
        { { "reconstruction", t.reconstruction.item<double>() }, { "kl", t.kl.item<double>() } } };
}

SampleOutput VaeModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    const auto c = support::sampleContext(context, n, m_shape, "vae");
    support::pollStop(options);
    const auto like = m_net->logSigma;
    // One stream for the latent draw and the observation noise, so a seed fixes both.
    const auto noise = support::initialNoise({ n, m_config.latentDim + m_shape.features }, like, options.seed);
    const auto z = noise.narrow(1, 0, m_config.latentDim);
    SampleOutput out;
    out.samples = m_net->decode(z, c);
    if (m_config.sampleNoise)
        out.samples = out.samples + torch::exp(m_net->logSigma) * noise.narrow(1, m_config.latentDim, m_shape.features);
    if (options.progress)
        options.progress(1, 1);
    return out;
}

std::vector<DiagnosticInfo> VaeModel::diagnostics() const
{
    return { { "reconstruction", "reconstruction", DiagnosticInfo::Kind::Reconstruction, false } };
}

torch::Tensor VaeModel::diagnostic(
    const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time)
{
    if (name != "reconstruction")
        return GenerativeModel::diagnostic(name, x, context, time);
    support::checkInput(x, context, m_shape, family());
    torch::NoGradGuard noGrad;
    const EvalModeGuard eval(*m_net);
    return m_net->decode(m_net->encode(x, context).mu, context);
}

std::vector<torch::Tensor> VaeModel::parameters() { return m_net->parameters(); }

std::vector<torch::optim::Optimizer*> VaeModel::optimizers() { return { m_optimizer.get() }; }

std::vector<std::shared_ptr<torch::nn::Module>> VaeModel::modules() { return { m_net.ptr() }; }

std::unique_ptr<GenerativeModel> VaeModel::clone() const
{
    const support::PreserveGlobalRng keepRandomStream;
    auto copy = std::make_unique<VaeModel>(m_shape, config());
    const auto device = m_net->logSigma.device();
    copy->m_net->to(device);
    support::copyModuleState(*m_net, *copy->m_net);
    support::copyOptimizerState(*m_optimizer, *copy->m_optimizer, device);
    copy->m_net->train(m_net->is_training());
    return copy;
}

void VaeModel::to(const torch::Device& device)
{
    m_net->to(device);
    support::copyOptimizerState(*m_optimizer, *m_optimizer, device);
}

} // namespace hepgen::models
