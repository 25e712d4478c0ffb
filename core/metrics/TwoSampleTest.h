#pragma once
// The classifier two-sample test: how well can a classifier tell generated events from reference ones?
// A BinaryClassifier is trained on a seeded half of both samples and scored on the other, held-out half.
// AUC 0.5 means indistinguishable (to this classifier); the held-out classifier output also gives a
// lower-bound estimate of the Jensen-Shannon divergence between the two distributions.
#include "core/metrics/BinaryClassifier.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>

namespace hepgen::metrics {

/// Settings of the test; JSON keys in brackets.
struct TwoSampleTestConfig {
    double testFraction = 0.5; ///< [test_fraction] held-out part of each sample, in (0, 1)
    uint64_t seed = 0;         ///< [seed] the train / held-out split (the classifier has its own seed)
    ClassifierConfig classifier = defaultClassifier(); ///< [classifier] object with the classifier's keys

    /// Defaults overridden by `json`; ConfigError for unknown keys, wrong types or invalid values.
    static TwoSampleTestConfig fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
    /// The classifier defaults for two-sample tests: 3 x 64 ReLU, up to 60 epochs, patience 8.
    static ClassifierConfig defaultClassifier();
};

/// What the test measured on the held-out part.
struct TwoSampleResult {
    double auc = 0.5; ///< ROC AUC of "generated" (label 1) vs "reference" (label 0) on held-out events
    /// Standard deviation of the AUC when both samples come from one distribution (Mann-Whitney null:
    /// sqrt((n_ref + n_gen + 1) / (12 n_ref n_gen))): how far from 0.5 chance alone moves it.
    double aucNullSigma = 0.0;
    /// Jensen-Shannon divergence in bits, in [0, 1]: ln 2 + 1/2 E_gen[ln D] + 1/2 E_ref[ln(1 - D)] over the
    /// held-out events, divided by ln 2, with D the classifier's p(generated | x) trained on balanced
    /// classes (the GAN identity, Goodfellow et al. 2014, Theorem 1). For an imperfect classifier it is a
    /// lower bound in expectation; clipped at 0.
    double jsdBits = 0.0;
    int64_t trainEvents = 0;   ///< reference + generated events the classifier was trained on
    int64_t heldOutEvents = 0; ///< reference + generated events scored
    ClassifierFitReport fit;
};

/// Runs the test on reference (N1, D) and generated (N2, D) events (any float dtype, same D). Throws
/// ConfigError for mismatched shapes or too few events (each held-out and training part needs at least
/// 2 events of each sample), NumericError / Cancelled as BinaryClassifier::fit.
TwoSampleResult classifierTwoSampleTest(const torch::Tensor& reference, const torch::Tensor& generated,
    const TwoSampleTestConfig& config = {}, const JobControl& job = {});

} // namespace hepgen::metrics
