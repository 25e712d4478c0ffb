#pragma once
// The vae family behind the GenerativeModel interface: a variational auto-encoder (Kingma & Welling
// 2014) with a beta-weighted KL term (Higgins et al. 2017):
//   encoder  q(z | x, c) = N(mu(x, c), diag exp(logvar(x, c)))
//   decoder  p(x | z, c) = N(m(z, c), diag sigma^2), sigma one value per feature, either learned
//            (a free parameter, the "calibrated decoder" of Rybkin et al. 2021) or fixed
//   loss     E_q[-log p(x | z, c)] + beta KL(q(z | x, c) || N(0, I)), one reparameterised draw
//            z = mu + exp(logvar / 2) eps (Kingma & Welling 2014, eq. 10 and App. B), per-event
//            weighted mean. With beta = 1 it is the negative ELBO, a bound on -log p(x | c).
// Terms "reconstruction" and "kl" (before the beta factor). Samples: z ~ N(0, I) through the
// decoder mean m(z, c), plus N(0, sigma^2) observation noise when sample_noise is on.
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/models/Networks.h"

#include <memory>
#include <string>
#include <vector>

namespace hepgen::models {

/// KL(N(mu, diag exp(logVar)) || N(0, I)) per row (N) in closed form (Kingma & Welling 2014, App. B):
/// 0.5 sum_j (mu_j^2 + exp(logVar_j) - 1 - logVar_j).
torch::Tensor gaussianKl(const torch::Tensor& mu, const torch::Tensor& logVar);

/// Every setting of the vae family (JSON keys in brackets), with defaults.
struct VaeModelConfig {
    int64_t latentDim = 4;                         ///< [latent_dim]
    std::vector<int64_t> hidden { 128, 128, 128 }; ///< [hidden] encoder and decoder hidden sizes (decoder mirrors)
    std::string activation = "silu";               ///< [activation] silu | relu | leaky_relu | tanh
    double beta = 1.0;                             ///< [beta] weight of the KL term (0: a plain auto-encoder loss)
    bool learnSigma = true;                        ///< [learn_sigma] learn the decoder's sigma per feature
    double sigma = 0.1;                            ///< [sigma] the fixed sigma, or the learned one's initial value
    bool sampleNoise = false;                      ///< [sample_noise] add N(0, sigma^2) to sampled decoder means
    OptimizerConfig optimizer;                     ///< [optimizer, lr, weight_decay, beta1, beta2]

    /// Defaults overridden by `json`. Throws ConfigError for unknown keys or bad values.
    static VaeModelConfig read(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// Encoder output: mean and log-variance of q(z | x, c), each (N, latent).
struct VaeEncoding {
    torch::Tensor mu, logVar;
};

/// The encoder and decoder networks and the decoder's log sigma (LibTorch module, cloneable).
struct VaeNetworksOptions {
    VaeNetworksOptions(int64_t features, int64_t context, const VaeModelConfig& config)
        : features_(features)
        , context_(context)
        , config_(config)
    {
    }
    TORCH_ARG(int64_t, features);
    TORCH_ARG(int64_t, context);
    TORCH_ARG(VaeModelConfig, config);
};

class VaeNetworksImpl : public torch::nn::Cloneable<VaeNetworksImpl> {
public:
    explicit VaeNetworksImpl(const VaeNetworksOptions& options);
    void reset() override;
    /// x (N, D), context (N, C) or undefined.
    VaeEncoding encode(const torch::Tensor& x, const torch::Tensor& context);
    /// Decoder mean m(z, c) (N, D).
    torch::Tensor decode(const torch::Tensor& z, const torch::Tensor& context);

    VaeNetworksOptions options;
    Mlp encoder { nullptr }, decoder { nullptr };
    torch::Tensor logSigma; ///< (D); a parameter when learned, a buffer when fixed
};
TORCH_MODULE(VaeNetworks);

/// The vae family. Throws ConfigError for a bad config or ill-shaped inputs.
class VaeModel : public GenerativeModel {
public:
    VaeModel(const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return "vae"; }
    nlohmann::json config() const override { return m_config.toJson(); }
    ModelShape shape() const override { return m_shape; }

    LossReport trainStep(const Batch& batch, double clipNorm) override;
    /// The loss with one reparameterised draw (global generator), no update.
    LossReport evaluate(const Batch& batch) override;
    /// Decoder mean of z ~ N(0, I) (+ noise with sample_noise); sampler/steps/recordTrajectory are ignored.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// "reconstruction": the decoder mean at the encoder mean, m(mu(x, c), c).
    std::vector<DiagnosticInfo> diagnostics() const override;
    torch::Tensor diagnostic(
        const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time) override;

    std::vector<torch::Tensor> parameters() override;
    std::vector<torch::optim::Optimizer*> optimizers() override;
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    std::unique_ptr<GenerativeModel> clone() const override;
    void to(const torch::Device& device) override;

    VaeNetworks& networks() { return m_net; }

    /// Loss terms of a batch: per-event weighted means of the reconstruction NLL and of the KL, and
    /// loss = reconstruction + beta kl.
    struct Terms {
        torch::Tensor loss, reconstruction, kl;
    };
    Terms terms(const Batch& batch);

private:
    ModelShape m_shape;
    VaeModelConfig m_config;
    VaeNetworks m_net { nullptr };
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
};

} // namespace hepgen::models
