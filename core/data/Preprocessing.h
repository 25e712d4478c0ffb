#pragma once
// Invertible preprocessing of features before training: standardise, min-max scaling, and a logit
// with margin. Each step fits its parameters on training data, maps exactly both ways and reports
// the log-Jacobian of the forward map per event, so that a flow trained on preprocessed features
// still gives densities in the original units: log p_x(x) = log p_y(f(x)) + log|det df/dx|.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace hepgen::data {

/// One elementwise step on (N, D) tensors. kind: standardize | minmax | logit.
struct PreprocessStep {
    std::string kind;
    torch::Tensor shift, scale; ///< (D) fitted parameters (float64): y = (x - shift) / scale for the affine part
    double margin = 0.0;        ///< logit: the affine part maps [min, max] to [margin, 1 - margin] first
};

/// A chain of steps, fitted once, applied in order forward and in reverse order inverse.
class Preprocessing {
public:
    /// kinds in order, e.g. {"logit", "standardize"}; margin for "logit" (default 0.05; the hunts' densities use 0.001,
    /// see DensityConfig). Throws ConfigError for an unknown kind or a margin outside (0, 0.5).
    explicit Preprocessing(std::vector<std::string> kinds = { "standardize" }, double margin = 0.05);

    /// Fits every step on x (N, D) (each step on the output of the previous one). Constant features get
    /// scale 1 (standardize) or a unit range (minmax/logit) instead of a division by zero.
    void fit(const torch::Tensor& x);
    bool fitted() const { return m_fitted; }

    torch::Tensor forward(const torch::Tensor& x) const;
    torch::Tensor inverse(const torch::Tensor& y) const;
    /// log|det d forward / dx| per event, shape (N).
    torch::Tensor logAbsDetJacobian(const torch::Tensor& x) const;

    nlohmann::json toJson() const;
    static Preprocessing fromJson(const nlohmann::json& j);

private:
    std::vector<PreprocessStep> m_steps;
    bool m_fitted = false;
};

} // namespace hepgen::data
