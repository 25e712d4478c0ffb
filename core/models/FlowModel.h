#pragma once
// The normalizing-flow families (flow-affine, flow-rqs, maf-affine, maf-rqs) behind the
// GenerativeModel interface: a flows::Flow trained by maximum likelihood,
//   loss = - sum_i w_i log p(x_i | c_i) / sum_i w_i   (Papamakarios et al. 2021, sec. 2.1 and 4.1),
// with an exact logDensity() and one-pass sampling x = f^{-1}(z; c), z ~ N(0, I).
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/models/flows/Flow.h"

#include <memory>
#include <string>

namespace hepgen::models {

/// Every setting of a flow family (JSON keys in brackets), with defaults.
struct FlowModelConfig {
    flows::FlowKind kind = flows::FlowKind::RqsCoupling; ///< fixed by the family name
    int64_t layers = 6;                                  ///< [layers] coupling / autoregressive layers
    std::vector<int64_t> hidden { 128, 128 };            ///< [hidden] conditioner / MADE hidden sizes
    int64_t bins = 8;                                    ///< [bins] spline bins (rqs kinds only)
    double tailBound = 4.0;                              ///< [tail_bound] spline interval [-B, B] (rqs kinds only)
    std::string affineScale = "tanh";                    ///< [affine_scale] tanh | softplus (affine kinds only)
    std::string permutation = "reverse";                 ///< [permutation] none | reverse | random
    uint64_t permutationSeed = 0;                        ///< [permutation_seed] seed of random permutations
    OptimizerConfig optimizer;                           ///< [optimizer, lr, weight_decay, beta1, beta2]

    /// Defaults of `family` overridden by `json`. Throws ConfigError for unknown keys or bad values.
    static FlowModelConfig read(const std::string& family, const nlohmann::json& json);
    nlohmann::json toJson() const;
    bool isSpline() const;
};

/// A flow family. Throws ConfigError for a bad config or ill-shaped inputs.
class FlowModel : public GenerativeModel {
public:
    /// `family` is one of flow-affine, flow-rqs, maf-affine, maf-rqs.
    FlowModel(const std::string& family, const ModelShape& shape, const nlohmann::json& config);

    std::string family() const override { return m_family; }
    nlohmann::json config() const override { return m_config.toJson(); }
    ModelShape shape() const override { return m_shape; }

    LossReport trainStep(const Batch& batch, double clipNorm) override;
    LossReport evaluate(const Batch& batch) override;
    /// One pass through the inverse flow; sampler/steps are ignored. With recordTrajectory the
    /// trajectory holds the state after each layer on the way latent -> data, at times 1 (the
    /// noise) ... 0 (the sample), each with the final sample as its prediction (the map is deterministic).
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    bool hasLogDensity() const override { return true; }
    /// Exact log p(x | c) (N), in the caller's grad mode.
    torch::Tensor logDensity(const torch::Tensor& x, const torch::Tensor& context) override;

    std::vector<torch::Tensor> parameters() override;
    std::vector<torch::optim::Optimizer*> optimizers() override;
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    std::unique_ptr<GenerativeModel> clone() const override;
    void to(const torch::Device& device) override;

    /// The underlying flow (for inspection and tests).
    flows::Flow& flow() { return m_flow; }

private:
    torch::Tensor loss(const Batch& batch);

    std::string m_family;
    ModelShape m_shape;
    FlowModelConfig m_config;
    flows::Flow m_flow { nullptr };
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
};

} // namespace hepgen::models
