#pragma once
// The adversarial families behind the GenerativeModel interface: an MLP generator x = G(z; c),
// z ~ N(0, I_latent), against an MLP discriminator / critic D(x; c) (context concatenated to the
// inputs of both).
//
//   gan      non-saturating GAN (Goodfellow et al. 2014, sec. 3: the generator maximises log D(G(z))
//            instead of minimising log(1 - D(G(z)))): discriminator loss
//            -log sigmoid(D(x)) - log(1 - sigmoid(D(G(z)))), generator loss -log sigmoid(D(G(z))).
//   wgan-gp  Wasserstein GAN with gradient penalty (Gulrajani et al. 2017, Algorithm 1): critic loss
//            D(G(z)) - D(x) + lambda (||grad_xhat D(xhat)|| - 1)^2 at xhat = eps x + (1 - eps) G(z),
//            eps ~ U(0, 1); generator loss -D(G(z)); n_critic critic steps per generator step.
//
// One trainStep() = `critic_steps` discriminator/critic updates followed by one generator update.
// The Trainer hands over one batch per step, so every critic update of a step sees the same real
// events (each time against freshly generated ones): the batch is consumed by the critic steps,
// and the generator step needs no real data. Per-event weights weight the real-data terms (and the
// gradient penalty, whose interpolates pair real events with generated ones).
//
// LossReport: gan: loss = the discriminator loss (about 2 log 2 = 1.386 at equilibrium; not a quality
// measure); terms "discriminator", "generator", "d_real" (mean D on data), "d_fake", "accuracy"
// (of the discriminator on data vs generated events, 0.5 at equilibrium). wgan-gp: loss = the
// critic's Wasserstein estimate W = E_w[D(x)] - E[D(G(z))] (tends to 0 as the generator improves,
// for a good critic); terms "critic" (its loss), "generator", "gradient_penalty", "wasserstein".
// Adversarial losses do not measure sample quality reliably: keep early stopping off for these families.
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/models/Networks.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepgen::models {

/// Gradient penalty of Gulrajani et al. 2017 (Algorithm 1, line 7):
/// lambda * mean_w[(||grad_xhat critic(xhat)||_2 - 1)^2], xhat = eps real + (1 - eps) fake, eps ~ U(0, 1)
/// per event (global generator). real, fake (N, D); weight (N) or undefined. Builds a graph through
/// the critic's parameters (create_graph), so the result can be back-propagated; it enables autograd
/// itself, so it also works under a NoGradGuard.
torch::Tensor gradientPenalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
    const torch::Tensor& real, const torch::Tensor& fake, double lambda, const torch::Tensor& weight = {});

/// Every setting of a GAN family (JSON keys in brackets), with defaults.
struct GanModelConfig {
    bool wasserstein = false;                               ///< fixed by the family name (wgan-gp)
    int64_t latentDim = 8;                                  ///< [latent_dim]
    std::vector<int64_t> generatorHidden { 128, 128, 128 }; ///< [generator_hidden]
    std::vector<int64_t> criticHidden { 128, 128, 128 };    ///< [critic_hidden] discriminator / critic
    std::string activation = "leaky_relu";                  ///< [activation] of both networks (slope 0.2)
    int64_t criticSteps = 1;                                ///< [critic_steps] per generator step (wgan-gp: 5)
    /// [gp_lambda] gradient penalty weight (wgan-gp only). 0.1, as Gulrajani et al. use for their 2D toys (their
    /// gan_toy.py; 10 is their image setting): measured on moons with the learning test's budget, lambda = 10 stalls
    /// at a two-sample AUC of 0.82, lambda = 0.1 reaches 0.53.
    double gpLambda = 0.1;
    OptimizerConfig generatorOptimizer; ///< [optimizer, lr, weight_decay, beta1, beta2]
    double criticLearningRate = 0.0;    ///< [critic_lr] (0: same as lr; wgan-gp default 2e-3 vs lr 2e-4)

    /// Defaults of `family` overridden by `json`. Throws ConfigError for unknown keys or bad values.
    static GanModelConfig read(const std::string& family, const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// The gan and wgan-gp families. Throws ConfigError for a bad config or ill-shaped inputs.
class GanModel : public GenerativeModel {
public:
    /// `family` is gan or wgan-gp.
    GanModel(const std::string& family, const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return m_config.wasserstein ? "wgan-gp" : "gan"; }
    nlohmann::json config() const override { return m_config.toJson(); }
    ModelShape shape() const override { return m_shape; }

    LossReport trainStep(const Batch& batch, double clipNorm) override;
    /// The losses of trainStep() on a batch, with fresh latent draws and no update.
    LossReport evaluate(const Batch& batch) override;
    /// x = G(z; c) in one pass; sampler/steps/recordTrajectory are ignored.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// "critic": the discriminator's probability D(x) that x is real (gan) or the critic's score f(x) (wgan-gp).
    std::vector<DiagnosticInfo> diagnostics() const override;
    torch::Tensor diagnostic(
        const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time) override;

    /// Generator parameters, then critic parameters.
    std::vector<torch::Tensor> parameters() override;
    /// Generator optimiser, then critic optimiser.
    std::vector<torch::optim::Optimizer*> optimizers() override;
    /// Generator, then critic.
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    std::unique_ptr<GenerativeModel> clone() const override;
    void to(const torch::Device& device) override;

    Mlp& generator() { return m_generator; }
    Mlp& critic() { return m_critic; }

private:
    struct CriticLosses {
        torch::Tensor loss, real, fake, penalty;
    };
    CriticLosses criticLosses(const Batch& batch);
    torch::Tensor generatorLoss(const torch::Tensor& context, int64_t n);
    torch::Tensor generate(const torch::Tensor& context, int64_t n, const std::optional<uint64_t>& seed = std::nullopt);
    LossReport report(const CriticLosses& c, const torch::Tensor& generatorLoss, const torch::Tensor& weight) const;

    ModelShape m_shape;
    GanModelConfig m_config;
    Mlp m_generator { nullptr }, m_critic { nullptr };
    std::unique_ptr<torch::optim::Optimizer> m_generatorOptimizer, m_criticOptimizer;
};

} // namespace hepgen::models
