#include "core/models/EdmModel.h"

#include "core/samplers/Samplers.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

namespace smp = hepgen::samplers;

EdmConfig EdmConfig::fromJson(const nlohmann::json& json)
{
    const std::string what = "edm config";
    ConfigReader r(json, what);
    EdmConfig c;
    c.network.read(r, what);
    r.read("sigma_data", c.sigmaData);
    r.read("p_mean", c.pMean);
    r.read("p_std", c.pStd);
    r.read("sampler", c.sampler);
    r.read("sample_steps", c.sampleSteps);
    r.read("sigma_min", c.sigmaMin);
    r.read("sigma_max", c.sigmaMax);
    r.read("rho", c.rho);
    c.optimizer.read(r);
    r.rejectUnknownKeys();
    require(std::isfinite(c.sigmaData) && c.sigmaData > 0, what, "sigma_data", "positive", c.sigmaData);
    require(std::isfinite(c.pMean), what, "p_mean", "finite", c.pMean);
    require(std::isfinite(c.pStd) && c.pStd > 0, what, "p_std", "positive", c.pStd);
    require(c.sampler == "edm-heun", what, "sampler", "edm-heun", c.sampler);
    require(c.sampleSteps >= 1, what, "sample_steps", "at least 1", c.sampleSteps);
    require(c.sigmaMin > 0 && c.sigmaMin < c.sigmaMax && std::isfinite(c.sigmaMax), what, "sigma_min/sigma_max",
        "0 < sigma_min < sigma_max", nlohmann::json::array({ c.sigmaMin, c.sigmaMax }));
    require(std::isfinite(c.rho) && c.rho > 0, what, "rho", "positive", c.rho);
    return c;
}

nlohmann::json EdmConfig::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    network.write(j);
    j["sigma_data"] = sigmaData;
    j["p_mean"] = pMean;
    j["p_std"] = pStd;
    j["sampler"] = sampler;
    j["sample_steps"] = sampleSteps;
    j["sigma_min"] = sigmaMin;
    j["sigma_max"] = sigmaMax;
    j["rho"] = rho;
    optimizer.write(j);
    return j;
}

EdmPreconditioning edmPreconditioning(const torch::Tensor& sigma, double sigmaData)
{
    const auto s = sigma.reshape({ -1, 1 });
    const double sd2 = sigmaData * sigmaData;
    const auto norm = (s * s + sd2).rsqrt(); // 1 / sqrt(sigma^2 + s_d^2)
    return { sd2 * norm * norm, s * sigmaData * norm, norm, s.log() / 4.0 };
}

EdmModel::EdmModel(const ModelShape& shape, const nlohmann::json& config)
    : EdmModel(shape, EdmConfig::fromJson(config))
{
}

EdmModel::EdmModel(const ModelShape& shape, const EdmConfig& config)
    : TimeConditionedModel(shape, config.network, config.optimizer)
    , m_config(config)
{
}

torch::Tensor EdmModel::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context)
{
    // Karras et al. 2022, eq. 7: D(x; sigma) = c_skip x + c_out F(c_in x; c_noise).
    const auto c = edmPreconditioning(sigma.to(x.dtype()), m_config.sigmaData);
    return c.cSkip * x + c.cOut * m_net->forward(c.cIn * x, c.cNoise.flatten(), context);
}

TimeConditionedModel::Objective EdmModel::objective(const Batch& batch, const c10::optional<at::Generator>& generator)
{
    // Karras et al. 2022, Sec. 5 / Table 1: ln sigma ~ N(P_mean, P_std^2), lambda(sigma) = (sigma^2 + s_d^2) / (sigma
    // s_d)^2, loss lambda |D(y + n; sigma) - y|^2 with n ~ N(0, sigma^2 I).
    const auto& y = batch.x;
    const int64_t n = y.size(0);
    const auto sigma = (randn({ n }, y, generator) * m_config.pStd + m_config.pMean).exp();
    const auto noisy = y + sigma.reshape({ -1, 1 }) * randn(y.sizes(), y, generator);
    const auto squared = (denoise(noisy, sigma, batch.context) - y).pow(2).mean(1);
    const double sd = m_config.sigmaData;
    const auto lambda = (sigma * sigma + sd * sd) / (sigma * sd).pow(2);
    return { lambda * squared, { { "denoising_mse", squared } } };
}

SampleOutput EdmModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    EvalModeGuard evalMode(*m_net);
    const std::string sampler = options.sampler.empty() ? m_config.sampler : options.sampler;
    if (sampler != "edm-heun")
        throw ConfigError(fmt::format("edm: unknown sampler '{}'; the only choice is edm-heun.", sampler));
    if (options.steps < 0)
        throw ConfigError(fmt::format("edm: sampling steps must be positive (got {}).", options.steps));
    const auto ctx = samplingContext(n, context);
    // EdmSampler starts from x_0 ~ N(0, sigma_max^2 I): scale the unit noise here (Algorithm 1, line 2).
    const auto noise = initialNoise(n, options.seed) * m_config.sigmaMax;
    const smp::DenoiserFn denoiser
        = [&](const torch::Tensor& x, const torch::Tensor& sigma) { return denoise(x, sigma, ctx); };
    const auto o = smp::EdmSamplerOptions()
                       .steps(options.steps > 0 ? options.steps : m_config.sampleSteps)
                       .sigmaMin(m_config.sigmaMin)
                       .sigmaMax(m_config.sigmaMax)
                       .rho(m_config.rho)
                       .seed(stepSeed(options.seed))
                       .shouldStop(options.shouldStop)
                       .progress(options.progress);
    auto result = smp::EdmSampler().sample(denoiser, noise, o, options.recordTrajectory);
    SampleOutput out;
    out.samples = result.sample;
    out.trajectory = std::move(result.trajectory);
    return out;
}

} // namespace hepgen::models
