#pragma once
// The consistency family (Song et al. 2023, "Consistency Models"): a student f(x, sigma) that maps any point of a
// probability-flow ODE trajectory to its clean end, so that one evaluation turns noise into a sample.
//
//   f(x, sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma))       (Appendix C)
//   c_skip = s_d^2 / ((sigma - sigma_min)^2 + s_d^2), c_out = s_d (sigma - sigma_min) / sqrt(sigma^2 + s_d^2),
//   c_in = 1 / sqrt(sigma^2 + s_d^2), c_noise = ln(sigma) / 4  (EDM's, so the student starts from the teacher's F),
// so f(x, sigma_min) = x exactly (the boundary condition).
//
// Consistency distillation (CD, Algorithm 2) with an EDM teacher: on the Karras grid sigma_1 = sigma_min < ... <
// sigma_N = sigma_max, draw n, x_{n+1} = x + sigma_{n+1} z, take one Heun step of the teacher's ODE to sigma_n and
// minimise d(f_theta(x_{n+1}, sigma_{n+1}), f_target(x^_n, sigma_n)), the target network an EMA of the student.
// Without a teacher the family falls back to consistency training (CT, Algorithm 3: x^_n = x + sigma_n z, the same z).
// The teacher joins through setTeacher() (training::distillRun does it); sampling never needs it.
#include "core/models/EdmModel.h"
#include "core/models/TimeConditionedModel.h"

#include <memory>

namespace hepgen::models {

/// Every setting of the consistency family; JSON keys in brackets.
struct ConsistencyConfig {
    TimeNetworkConfig network; ///< [hidden, activation, time_embedding, time_scale, residual] (the teacher's)
    double sigmaData = 1.0;    ///< [sigma_data]
    double sigmaMin = 0.002;   ///< [sigma_min] epsilon of the boundary condition
    double sigmaMax = 80.0;    ///< [sigma_max]
    double rho = 7.0;          ///< [rho] of the Karras grid
    int64_t gridSteps = 18;    ///< [grid_steps] N, the points of the Karras sigma grid (CD paper: 18 on CIFAR-10)
    double targetEma = 0.95;   ///< [target_ema] mu of the target network theta^- <- mu theta^- + (1 - mu) theta
    std::string loss = "l2";   ///< [loss] l2 (mean squared difference) | pseudo-huber (Song & Dhariwal 2023)
    double huberC = 0.01;      ///< [huber_c] c of the pseudo-Huber distance sqrt(|a - b|^2 + c^2) - c
    int64_t sampleSteps = 1;   ///< [sample_steps] 1; more with the multistep rule (see ConsistencyModel::sample)
    double sigmaMid = 1.0;     ///< [sigma_mid] the noise level of the second step
    /// [teacher] the EDM run the student was distilled from (recorded; "": consistency training, no teacher).
    std::string teacher;
    OptimizerConfig optimizer = defaultOptimizer(); ///< [optimizer, lr, weight_decay, beta1, beta2]; Adam, lr 1e-3

    static OptimizerConfig defaultOptimizer();
    /// Defaults overridden by `json`; ConfigError for unknown keys, wrong types or invalid values.
    static ConsistencyConfig fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// The consistency family. Sampling: sampler "consistency" (or ""); 1 step, or S steps with the multistep rule
/// (Algorithm 1) at the noise levels sigma_max, sigma_mid and, for S > 2, S - 2 more levels on Karras' rho-spacing from
/// sigma_mid towards sigma_min.
class ConsistencyModel : public TimeConditionedModel {
public:
    /// Throws ConfigError for an invalid configuration.
    ConsistencyModel(const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return "consistency"; }
    nlohmann::json config() const override { return m_config.toJson(); }
    /// A step of the student, then the target network's EMA update. ConfigError when the config names a teacher
    /// that was not attached (continue a distillation through training::distillRun).
    LossReport trainStep(const Batch& batch, double clipNorm) override;
    /// ConfigError for another sampler, negative steps, a bad context or n < 1; Cancelled when stopped.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    /// The student and the target network (both saved in checkpoints); parameters() is the student's.
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    /// Copies the student, target and optimiser; the teacher is shared.
    std::unique_ptr<GenerativeModel> clone() const override;
    void to(const torch::Device& device) override;

    /// Attaches the teacher (an edm model of the same shape and network architecture; ConfigError otherwise) and
    /// initialises the student and the target network with the teacher's weights (Song et al. 2023, Sec. 6).
    void setTeacher(std::shared_ptr<GenerativeModel> teacher);
    bool hasTeacher() const { return m_teacher != nullptr; }

    /// The student f_theta(x, sigma), x (N, D), sigma (N), context (N, C) or undefined.
    torch::Tensor consistency(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context);
    /// The Karras grid sigma_1 = sigma_min < ... < sigma_N = sigma_max (float64, N values).
    torch::Tensor grid() const;

protected:
    Objective objective(const Batch& batch, const c10::optional<at::Generator>& generator) override;

private:
    ConsistencyModel(const ModelShape& shape, const ConsistencyConfig& config);
    torch::Tensor apply(Mlp& net, const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& context);
    void updateTarget();

    ConsistencyConfig m_config;
    Mlp m_target { nullptr };
    std::shared_ptr<EdmModel> m_teacher;
};

} // namespace hepgen::models
