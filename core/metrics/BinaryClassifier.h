#pragma once
// A small MLP binary classifier for the metrics and the anomaly hunt: classifier two-sample tests,
// CWoLa / CATHODE-style classifiers (the hunt builds ensembles of these), supervised references.
// Inputs are standardised with parameters fitted on the training data; training minimises the
// (weighted) binary cross-entropy with Adam and keeps the weights of the epoch with the lowest
// validation loss (early stopping). Reproducible for a given seed, independent of the global RNG.
#include "core/data/Preprocessing.h"
#include "core/models/Networks.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::metrics {

/// Every setting of the classifier; JSON keys in brackets.
struct ClassifierConfig {
    std::vector<int64_t> hidden { 64, 64, 64 }; ///< [hidden] widths of the hidden layers
    std::string activation = "relu";            ///< [activation] silu | relu | leaky_relu | tanh
    int64_t epochs = 100;                       ///< [epochs] at most this many passes over the training data
    int64_t batchSize = 256;                    ///< [batch_size]
    double learningRate = 1e-3;                 ///< [lr] Adam
    double weightDecay = 0.0;                   ///< [weight_decay] L2 (Adam)
    double validationFraction = 0.2;            ///< [validation_fraction] in [0, 1); 0: no validation, last epoch kept
    int64_t patience = 10;      ///< [patience] stop after this many epochs without a better validation loss (0: never)
    bool balanceClasses = true; ///< [balance_classes] reweight so both classes carry equal total weight
    bool standardize = true;    ///< [standardize] standardise inputs (fitted on the training data)
    uint64_t seed = 0;          ///< [seed] initialisation, validation split and shuffling

    /// Defaults overridden by `json`; ConfigError for unknown keys, wrong types or invalid values.
    static ClassifierConfig fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// What fit() did: per-epoch mean losses (weighted BCE, nats) and the epoch whose weights were kept.
struct ClassifierFitReport {
    std::vector<double> trainLoss;
    std::vector<double> validationLoss; ///< empty without validation
    int64_t bestEpoch = -1;             ///< 0-based; the last epoch without validation
    bool earlyStopped = false;
};

/// An MLP classifier p(y = 1 | x). Not thread-safe: one thread uses an instance at a time.
class BinaryClassifier {
public:
    explicit BinaryClassifier(ClassifierConfig config = {});

    /// Trains a fresh network on x (N, D) with labels y (N, values 0 or 1) and optional non-negative
    /// weights w (N, undefined: all 1). Throws ConfigError for bad shapes, labels or weights, or a class
    /// missing from the training part; NumericError when the loss becomes non-finite; Cancelled when
    /// `job` asks to stop (polled once per batch). Reports progress per epoch.
    ClassifierFitReport fit(
        const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w = {}, const JobControl& job = {});

    /// Probabilities p(y = 1 | x) (N), float64 on the CPU. Throws ConfigError before fit() or for a
    /// wrong number of features.
    torch::Tensor predict(const torch::Tensor& x) const;
    /// The same as plain values.
    std::vector<double> predictValues(const torch::Tensor& x) const;

    bool fitted() const { return !m_net.is_empty(); }
    /// Writes the trained classifier (settings, input standardisation, weights) into directory `dir`
    /// (created): classifier.json and classifier.pt. ConfigError before fit(), FileError when it cannot write.
    void save(const std::string& dir) const;
    /// Reads what save() wrote; FileError when files are missing, FormatError for foreign content.
    static BinaryClassifier load(const std::string& dir);
    const ClassifierConfig& config() const { return m_config; }

private:
    torch::Tensor logits(const torch::Tensor& x) const;

    ClassifierConfig m_config;
    int64_t m_features = 0;
    hepgen::data::Preprocessing m_preprocessing;
    hepgen::models::Mlp m_net { nullptr };
};

} // namespace hepgen::metrics
