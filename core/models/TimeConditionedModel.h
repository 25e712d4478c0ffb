#pragma once
// The common ground of the diffusion and flow-matching families (ddpm, edm, cfm, cfm-ot): one
// time-conditioned Mlp (x, time, context) -> (N, D), one optimiser, a per-event training objective
// that the family defines and that this base weights, averages, differentiates and steps. The
// samplers stay apart (core/samplers); the families only wrap their network as the function a
// sampler expects.
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/models/Networks.h"

#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hepgen::models {

/// Settings of the time-conditioned network shared by ddpm, edm and cfm (JSON keys in brackets).
/// Defaults measured on the standardised 8-Gaussians toy with the Trainer's defaults (see the report of
/// feature/diffusion): 3 x 256 and a narrow embedding. A wide embedding (64) is concatenated to the 2-3 data
/// features and dominates the first layer's fan-in, so the default initialisation leaves the network almost linear
/// in x; EDM, whose c_skip already removes the linear part of the target, then plateaus at F = 0.
struct TimeNetworkConfig {
    std::vector<int64_t> hidden { 256, 256, 256 }; ///< [hidden] widths of the hidden layers
    std::string activation = "silu";               ///< [activation] silu | relu | leaky_relu | tanh
    int64_t timeEmbedding = 16;                    ///< [time_embedding] width of the sinusoidal embedding (even)
    /// [time_scale] multiplies the network's time input before the embedding; every family hands the network a
    /// time of order one (ddpm t/T, edm ln(sigma)/4, cfm t), so 1000 gives the embedding of integer DDPM steps.
    double timeScale = 1000.0;
    bool residual = true; ///< [residual] residual blocks with the time/context projection added in every block

    /// Reads the keys above; ConfigError for a wrong type or an invalid value.
    void read(ConfigReader& r, const std::string& what);
    void write(nlohmann::json& j) const;
    /// The Mlp for data of `shape`: in = out = features, context = shape.context.
    MlpOptions mlpOptions(const ModelShape& shape) const;
};

/// The optimiser defaults of these families: Adam with learning rate 3e-3 (measured as above).
inline OptimizerConfig timeModelOptimizerDefaults()
{
    OptimizerConfig c;
    c.learningRate = 3e-3;
    return c;
}

/// Base of the families with one time-conditioned Mlp and one optimiser. Implements everything of
/// GenerativeModel but family(), config(), sample() and the objective.
class TimeConditionedModel : public GenerativeModel {
public:
    ModelShape shape() const override { return m_shape; }
    /// Weighted mean of the per-event objective; events of weight 0 are dropped before the objective is
    /// computed (so they cannot influence it, not even through a batch-level coupling such as OT). A batch of
    /// only zero weights returns a zero report without a step. ConfigError for inconsistent batch shapes.
    LossReport trainStep(const Batch& batch, double clipNorm) override;
    /// The objective with noise from a private generator of fixed seed, so that validation losses of
    /// different epochs see the same noise draws and validation does not advance the global generator.
    LossReport evaluate(const Batch& batch) override;

    std::vector<torch::Tensor> parameters() override;
    std::vector<torch::optim::Optimizer*> optimizers() override;
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    /// Rebuilt through makeModel(family(), shape(), config()), then parameters, buffers and optimiser
    /// state are copied (the optimiser through a serialised archive).
    std::unique_ptr<GenerativeModel> clone() const override;
    /// Moves the network in place and the optimiser state (same optimiser object) to `device`.
    void to(const torch::Device& device) override;

    /// The network, for tests and diagnostics.
    Mlp& network() { return m_net; }

protected:
    TimeConditionedModel(const ModelShape& shape, const TimeNetworkConfig& network, const OptimizerConfig& optimizer);
    /// With the network's options given directly (e.g. a Bayesian Mlp).
    TimeConditionedModel(const ModelShape& shape, const MlpOptions& network, const OptimizerConfig& optimizer);

    /// Per-event losses (N) and per-event named terms (N) of a batch whose weights are all non-zero.
    struct Objective {
        torch::Tensor perEvent;
        std::map<std::string, torch::Tensor> terms;
    };
    /// The family's training objective. `generator`: where to draw t and the noise from (undefined: the
    /// global generator of the batch's device); draw through randn()/rand() below.
    virtual Objective objective(const Batch& batch, const c10::optional<at::Generator>& generator) = 0;

    /// Standard normal / uniform [0, 1) tensors of `sizes` with the dtype and device of `like`; from `generator`
    /// (a CPU generator: drawn on the CPU and moved) or the global generator of `like`'s device.
    static torch::Tensor randn(at::IntArrayRef sizes, const torch::Tensor& like, const c10::optional<at::Generator>& g);
    static torch::Tensor rand(at::IntArrayRef sizes, const torch::Tensor& like, const c10::optional<at::Generator>& g);

    /// Initial noise (n, D) ~ N(0, I) for sampling, float32 on the model's device; with a seed from a private CPU
    /// generator (identical on every device).
    torch::Tensor initialNoise(int64_t n, const std::optional<uint64_t>& seed);
    /// The seed for a sampler's per-step noise derived from the sample seed (a different stream than the
    /// initial noise), or none.
    static c10::optional<uint64_t> stepSeed(const std::optional<uint64_t>& seed);
    /// Checks and broadcasts a sampling context: conditional models need (n, C) or (1, C) and get (n, C) on the
    /// model's device; unconditional ones need an undefined (or empty) context and get undefined. ConfigError else.
    torch::Tensor samplingContext(int64_t n, const torch::Tensor& context);

    ModelShape m_shape;
    Mlp m_net { nullptr };
    OptimizerConfig m_optimizerConfig;
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;

private:
    LossReport run(const Batch& batch, bool step, double clipNorm, const c10::optional<at::Generator>& generator);
    void copyStateFrom(const TimeConditionedModel& other);
};

/// Sets a module to eval mode for a scope and restores its previous mode.
class EvalModeGuard {
public:
    explicit EvalModeGuard(torch::nn::Module& module);
    ~EvalModeGuard();
    EvalModeGuard(const EvalModeGuard&) = delete;
    EvalModeGuard& operator=(const EvalModeGuard&) = delete;

private:
    torch::nn::Module& m_module;
    bool m_wasTraining;
};

} // namespace hepgen::models
