#pragma once
// The one interface every generative family implements (GAN, WGAN-GP, VAE, flows, MAF, DDPM, EDM,
// CFM, Bayesian CFM, ensembles). The Trainer, the CLI and the GUI only ever talk to this interface,
// so none of them special-cases a family. Context (a mass, an incident energy) is passed per call.
//
// A model owns its networks and its optimiser(s): a GAN alternates two of them inside trainStep(),
// a flow has one. The Trainer drives the loop (batches, learning-rate schedule, EMA, validation,
// early stopping, NaN guard, checkpoints) through parameters(), optimizers() and the methods below.
#include "core/samplers/Samplers.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepgen::models {

/// A mini-batch: features (N, D) and, where the model is conditional, context (N, C); optional
/// per-event weights (N). All on the model's device.
struct Batch {
    torch::Tensor x;
    torch::Tensor context; ///< undefined for unconditional models
    torch::Tensor weight;  ///< undefined: all 1
};

/// What a training step or a validation pass reports: the loss the family minimises and any named
/// terms worth plotting (e.g. "generator", "critic", "kl", "gradient_penalty").
struct LossReport {
    double loss = 0.0;
    std::map<std::string, double> terms;
};

/// How to sample: the sampler and its number of steps (families without a choice ignore them),
/// whether to record the trajectory for the scrubber, and a seed for reproducible samples.
struct SampleOptions {
    std::string sampler; ///< "" = the family's default; ddpm | ddim | edm-heun | euler | heun | rk4
    int64_t steps = 0;   ///< 0 = the family's default
    bool recordTrajectory = false;
    std::optional<uint64_t> seed;
    hepgen::samplers::StopFn shouldStop;
    hepgen::samplers::ProgressFn progress;
};

/// Samples, in the units the model was trained in, and for models with uncertainty the per-sample
/// spread over members or posterior draws (undefined otherwise).
struct SampleOutput {
    torch::Tensor samples; ///< (n, D)
    hepgen::samplers::Trajectory trajectory;
    torch::Tensor spread; ///< (n, D) or undefined
};

/// A quantity a model can show over its data space besides samples (the model lab's live views):
/// a scalar per point (a log-density, a critic's output), a displacement per point (where a flow-matching
/// field moves it) or a reconstruction of each point (a VAE).
struct DiagnosticInfo {
    enum class Kind { Scalar, Vector, Reconstruction };
    std::string name;  ///< key for GenerativeModel::diagnostic()
    std::string label; ///< for colour-bar and legend titles
    Kind kind = Kind::Scalar;
    bool timeDependent = false; ///< diagnostic() reads its time argument (in [0, 1], 0 = data)
};

/// Shapes of the data a model is built for.
struct ModelShape {
    int64_t features = 2; ///< D
    int64_t context = 0;  ///< C (0: unconditional)
};

/// A generative model. Methods may throw hepgen::ConfigError (bad configuration or shapes),
/// hepgen::NumericError (non-finite loss) and hepgen::Cancelled (sampling stopped).
class GenerativeModel {
public:
    virtual ~GenerativeModel() = default;

    /// Family name as on the command line: gan, wgan-gp, vae, flow-affine, flow-rqs, maf-affine, maf-rqs,
    /// ddpm, edm, cfm, cfm-ot, bayes-cfm.
    virtual std::string family() const = 0;
    /// Every setting needed to rebuild the model (architecture, loss, optimiser), with defaults filled in.
    virtual nlohmann::json config() const = 0;
    virtual ModelShape shape() const = 0;

    /// One optimisation step on a batch (zero grads, loss, backward, clip to `clipNorm` if > 0, step).
    virtual LossReport trainStep(const Batch& batch, double clipNorm) = 0;
    /// The training objective on a batch without updating anything (validation).
    virtual LossReport evaluate(const Batch& batch) = 0;
    /// n samples given a context of shape (n, C) or (1, C) (undefined for unconditional models).
    virtual SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) = 0;

    /// Whether logDensity() is available (flows: exact; others: no).
    virtual bool hasLogDensity() const { return false; }
    /// log p(x | context), shape (N). Throws ConfigError for families without a tractable density.
    virtual torch::Tensor logDensity(const torch::Tensor& x, const torch::Tensor& context);

    /// The diagnostics this model offers (default: "log_density" where hasLogDensity()).
    virtual std::vector<DiagnosticInfo> diagnostics() const;
    /// Evaluates diagnostic `name` at x (N, D) in the model's units, without gradients: a Scalar gives (N), a
    /// Vector (N, D) (a velocity towards the data, per unit time), a Reconstruction (N, D). ConfigError for a
    /// name diagnostics() does not list.
    virtual torch::Tensor diagnostic(
        const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double time = 0.5);

    /// All trainable parameters (for EMA and checkpoints) and the optimisers that update them (for
    /// learning-rate schedules and checkpoints), in a fixed order.
    virtual std::vector<torch::Tensor> parameters() = 0;
    virtual std::vector<torch::optim::Optimizer*> optimizers() = 0;
    /// Networks as modules, for saving/loading and train()/eval() switching, in a fixed order.
    virtual std::vector<std::shared_ptr<torch::nn::Module>> modules() = 0;

    /// A deep copy (networks and optimiser state), so one thread can sample while another trains.
    virtual std::unique_ptr<GenerativeModel> clone() const = 0;

    /// Moves networks and optimiser state to a device (CPU by default; CUDA where LibTorch has it).
    virtual void to(const torch::Device& device) = 0;
    torch::Device device();
    void train(bool on = true);

    // ---- Uncertainty (deep ensembles, Bayesian networks) and training-set size. Defaults: none / no-op.

    /// How many members (ensembles) or posterior weight draws (Bayesian families) the model's spreads use by
    /// default; 0 for models without an uncertainty estimate.
    virtual int64_t uncertaintyDraws() const { return 0; }
    /// log p_k(x | context) per member / posterior draw k: shape (K, N). `draws` <= 0 takes uncertaintyDraws();
    /// ensembles always answer with all their members. The mean over k of exp(.) is the predictive density, the
    /// spread over k the model's (epistemic) uncertainty. Throws ConfigError for models without uncertainty or
    /// without a density.
    virtual torch::Tensor logDensityDraws(const torch::Tensor& x, const torch::Tensor& context, int64_t draws = 0);
    /// The number of training events (per epoch), which the Trainer passes in before it fits; Bayesian families
    /// scale their KL term by it (ELBO per event). Default: ignored.
    virtual void setTrainingSize(int64_t /*events*/) { }
};

/// The family names makeModel() knows, in the CLI's order.
std::vector<std::string> modelFamilies();

/// Throws ConfigError listing the known families unless `family` is one of them.
void requireFamily(const std::string& family);

/// Builds a fresh model of `family` for data of `shape`; `config` overrides the family's defaults
/// (unknown keys are a ConfigError naming them). Throws ConfigError for an unknown family. A config with
/// "ensemble": N > 1 builds a deep ensemble of N members of `family` (EnsembleModel.h).
std::unique_ptr<GenerativeModel> makeModel(
    const std::string& family, const ModelShape& shape, const nlohmann::json& config = nlohmann::json::object());

} // namespace hepgen::models
