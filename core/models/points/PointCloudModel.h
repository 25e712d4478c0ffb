#pragma once
// Diffusion, EDM, flow-matching and consistency models of point clouds of variable size (calorimeter hits), behind
// the GenerativeModel interface so that the ordinary Trainer (batches, EMA, schedules, checkpoints, NaN guard)
// trains them. The table families (ddpm, edm, cfm, consistency) cannot be reused here: a cloud's points must share
// one noise level per training example and the loss must skip padding, so the objectives below are those families'
// objectives written for masked sets; the maths (NoiseSchedule, edmPreconditioning, the flow-matching target) and
// every sampler come from core/samplers unchanged.
//
// Data layout. Batch.x is (B, P, F) zero-padded clouds; Batch.context is (B, C + 1): C shower-level context values
// and, LAST, the raw number of points n_b of each cloud (its first n_b rows are real, the rest padding; n_b >= 1).
// Inside, clouds are packed (PointNetworks.h) so padding never reaches the network.
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/models/points/PointNetworks.h"
#include "core/samplers/NoiseSchedule.h"

#include <memory>
#include <string>
#include <vector>

namespace hepgen::models::points {

/// Every setting of a point-cloud model (JSON keys in brackets), with defaults.
struct PointModelConfig {
    std::string network = "pointwise"; ///< [network] pointwise | epic
    std::string training = "edm";      ///< [training] ddpm | edm | cfm | consistency (distilled from an edm teacher)
    std::vector<int64_t> hidden { 128, 128, 128 }; ///< [hidden] pointwise hidden widths
    int64_t epicWidth = 128;                       ///< [epic_width]
    int64_t epicGlobal = 32;                       ///< [epic_global]
    int64_t epicLayers = 3;                        ///< [epic_layers]
    double epicSumScale = 100.0;                   ///< [epic_sum_scale]
    /// [train_points] pointwise only: every training step, and the validation loss, uses at most this many random
    /// points of each cloud (0: all). The validation's subset is drawn from evaluate()'s fixed generator: the same
    /// points every epoch, and the loss an unbiased estimate of the whole clouds' at a seventh of the cost.
    /// The points are i.i.d. given the context, so a subset is an unbiased sample of the per-cloud loss and a step
    /// costs the same for every cloud size; set networks (epic) must see whole clouds.
    int64_t trainPoints = 0;
    int64_t timeEmbedding = 16; ///< [time_embedding] width of the sinusoidal time embedding
    double timeScale = 1000.0;  ///< [time_scale] multiplies the network's time (ddpm t/T, edm ln(sigma)/4, cfm t)
    // ddpm (Ho et al. 2020)
    std::string schedule = "linear"; ///< [schedule] linear | cosine
    int64_t timesteps = 1000;        ///< [timesteps] T
    double betaStart = 1e-4;         ///< [beta_start]
    double betaEnd = 0.02;           ///< [beta_end]
    double minAlphaBar = 1e-4;       ///< [min_alpha_bar]
    double eta = 0.0;                ///< [eta] DDIM stochasticity
    // edm (Karras et al. 2022, Table 1) and the consistency student
    double sigmaData = 1.0;  ///< [sigma_data]
    double pMean = -1.2;     ///< [p_mean]
    double pStd = 1.2;       ///< [p_std]
    double sigmaMin = 0.002; ///< [sigma_min]
    double sigmaMax = 80.0;  ///< [sigma_max]
    double rho = 7.0;        ///< [rho]
    // consistency distillation (Song et al. 2023)
    int64_t gridSteps = 18;  ///< [grid_steps] N of the Karras grid
    double targetEma = 0.95; ///< [target_ema] mu of the target network
    std::string loss = "l2"; ///< [loss] l2 | pseudo-huber
    double huberC = 0.01;    ///< [huber_c]
    double sigmaMid = 1.0;   ///< [sigma_mid] second level of multistep consistency sampling
    std::string teacher;     ///< [teacher] recorded: where the teacher came from
    // sampling defaults
    std::string sampler;     ///< [sampler] "" = ddpm: ddpm, edm: edm-heun, cfm: heun, consistency: consistency
    int64_t sampleSteps = 0; ///< [sample_steps] 0 = ddim 50, edm-heun 18, ODE 16, consistency 1 (ddpm: always T)
    OptimizerConfig optimizer = defaultOptimizer(); ///< [optimizer, lr, weight_decay, beta1, beta2]

    static OptimizerConfig defaultOptimizer();
    /// Defaults overridden by `json`; ConfigError for unknown keys, wrong types or invalid values.
    static PointModelConfig fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
    /// The samplers this training kind accepts, default first.
    std::vector<std::string> samplers() const;
    std::string defaultSampler() const { return samplers().front(); }
    /// The default number of steps of `sampler` (ddpm: T).
    int64_t defaultSteps(const std::string& sampler) const;
};

/// A point-cloud generative model (see the file comment for the data layout). Throws ConfigError for bad settings
/// or inputs, Cancelled when sampling is stopped.
class PointCloudModel : public GenerativeModel {
public:
    /// shape.features = F per point, shape.context = C + 1 (the last column: points per cloud).
    PointCloudModel(const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return "shower-points"; }
    nlohmann::json config() const override { return m_config.toJson(); }
    ModelShape shape() const override { return m_shape; }
    const PointModelConfig& settings() const { return m_config; }

    LossReport trainStep(const Batch& batch, double clipNorm) override;
    /// The objective with noise from a private generator of fixed seed (comparable validation losses).
    LossReport evaluate(const Batch& batch) override;
    /// n clouds for a context (n, C + 1) (or one row): padded (n, P, F) samples, P the largest count. The initial
    /// noise comes from options.seed for the whole batch. The trajectory (if recorded) is in the packed layout.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// Samples packed clouds from given standard-normal noise z (M, F) (scaled by sigma_max inside for edm and
    /// consistency, so the trajectory's first frame is the scaled prior sample) with `counts` (B) points per cloud
    /// (sum M) and context (B, C) (without the count column). Each cloud depends only on its own noise and context,
    /// except through the per-step noise of the stochastic samplers (ddpm, ddim with eta > 0, consistency with more
    /// than one step), drawn for the whole batch from options.seed. Returns the packed sample (M, F) and, with
    /// options.recordTrajectory, the sampler's trajectory (packed frames).
    hepgen::samplers::SampleResult samplePacked(const torch::Tensor& z, const torch::Tensor& counts,
        const torch::Tensor& context, const SampleOptions& options);

    /// The network's raw output for padded clouds x (B, P, F) at one time per cloud (the network's time input,
    /// e.g. t/T) and context (B, C + 1); padding rows of the result are zero. For tests of equivariance and masks.
    torch::Tensor networkOutput(const torch::Tensor& x, const torch::Tensor& time, const torch::Tensor& context);

    /// Attaches an edm teacher (same network settings) for consistency distillation and starts the student and its
    /// target network from the teacher's weights (Song et al. 2023, Sec. 6). ConfigError unless this model trains
    /// "consistency" and the teacher is an edm PointCloudModel of the same architecture.
    void setTeacher(std::shared_ptr<PointCloudModel> teacher);

    /// What the scrubber labels the times with and the log10 signal-to-noise ratio at a trajectory time of
    /// `sampler` (ShowerTrajectory.h conventions).
    std::string timeName(const std::string& sampler) const;
    double log10Snr(const std::string& sampler, double time) const;

    std::vector<torch::Tensor> parameters() override;
    std::vector<torch::optim::Optimizer*> optimizers() override;
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    std::unique_ptr<GenerativeModel> clone() const override;
    void to(const torch::Device& device) override;

    /// The denoiser D(x; sigma) of an edm model on packed points (for the consistency teacher).
    torch::Tensor denoise(
        const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context, const torch::Tensor& index);

private:
    struct Packed {
        torch::Tensor x, index, counts, context, weight; ///< (M, F), (M), (B), (B, C), (M) or undefined
        int64_t clouds = 0;
    };
    /// Packs the real points; with `subsample` (a pointwise model with train_points > 0) a random subset of at most
    /// train_points per cloud, drawn from `generator` where given.
    Packed pack(const Batch& batch, bool subsample = false, const c10::optional<at::Generator>& generator = {}) const;
    LossReport run(const Batch& batch, bool step, double clipNorm, const c10::optional<at::Generator>& generator);
    torch::Tensor objective(const Packed& p, const c10::optional<at::Generator>& generator);
    torch::Tensor conditioning(const torch::Tensor& time, const torch::Tensor& context) const;
    torch::Tensor apply(PointNetImpl& net, const torch::Tensor& x, const torch::Tensor& time,
        const torch::Tensor& context, const torch::Tensor& index) const;
    torch::Tensor consistencyFn(PointNetImpl& net, const torch::Tensor& x, const torch::Tensor& sigma,
        const torch::Tensor& context, const torch::Tensor& index) const;
    torch::Tensor grid() const;
    void updateTarget();

    ModelShape m_shape;
    PointModelConfig m_config;
    hepgen::samplers::NoiseSchedule m_schedule;
    std::shared_ptr<PointNetImpl> m_net, m_target;
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    std::shared_ptr<PointCloudModel> m_teacher;
};

} // namespace hepgen::models::points
