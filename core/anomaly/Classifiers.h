#pragma once
// The classifiers an anomaly hunt trains in every fold: a boosted decision tree through XGBoost's C
// API, and an ensemble of MLP BinaryClassifiers (core/metrics) averaged CATHODE-style
// (arXiv:2109.00546, sec. III: several networks, the best epochs of each, predictions averaged).
// Both take labelled, weighted events, balance the two classes by weight, keep a seeded validation
// share for early stopping, and predict a probability of class 1 per event. Internal to core (torch
// in the interface); the hunt's results are plain value types (Hunt.h).
#include "core/models/Config.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

namespace hepgen::anomaly {

/// Events to train on: x (N, D) float32, y (N) float32 0/1, w (N) float32 or undefined (all 1).
struct LabelledEvents {
    torch::Tensor x, y, w;
    int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

/// Boosted decision tree settings (JSON keys in brackets): XGBoost gbtree, binary:logistic, hist.
struct BdtConfig {
    int64_t rounds = 300;            ///< [rounds] most boosting rounds
    int64_t maxDepth = 4;            ///< [max_depth]
    double learningRate = 0.1;       ///< [eta]
    double subsample = 0.8;          ///< [subsample] rows per tree
    double minChildWeight = 1.0;     ///< [min_child_weight]
    int64_t earlyStopping = 20;      ///< [early_stopping] stop after this many rounds without validation gain
    double validationFraction = 0.2; ///< [validation_fraction] held out of the training events
    int64_t threads = 1;             ///< [threads] XGBoost threads (results do not depend on it)

    void read(hepgen::models::ConfigReader& r);
    nlohmann::json toJson() const;
};

/// MLP ensemble settings: `members` networks with seeds seed, seed+1, ...; each is a
/// hepgen::metrics::BinaryClassifier built from `network` (its documented keys; given keys are merged
/// into these defaults, sized for a 2-core CPU: CATHODE trained 100 epochs on a GPU).
struct MlpEnsembleConfig {
    int64_t members = 3; ///< [members] networks averaged
    nlohmann::json network = { { "epochs", 20 }, { "batch_size", 512 }, { "patience", 5 } }; ///< [network]

    void read(hepgen::models::ConfigReader& r);
    nlohmann::json toJson() const;
};

/// Both classifiers' settings, as a hunt config holds them.
struct ClassifierSettings {
    BdtConfig bdt;
    MlpEnsembleConfig mlp;
};

/// A classifier trained once (per fold). fit() may throw Cancelled; predict() is deterministic.
class EventClassifier {
public:
    virtual ~EventClassifier() = default;
    /// "bdt" or "mlp".
    virtual std::string kind() const = 0;
    /// Trains on `events` with the classes balanced by weight; progress and stop polls through `job`.
    virtual void fit(const LabelledEvents& events, const JobControl& job) = 0;
    /// Probability of class 1 per row of x (N, D), shape (N), float64.
    virtual torch::Tensor predict(const torch::Tensor& x) = 0;
    /// Number of members whose mean predict() returns (an ensemble's networks; 1 otherwise).
    virtual int64_t members() const { return 1; }
    /// Each member's probabilities (members(), N), float64; their mean is predict().
    virtual torch::Tensor predictMembers(const torch::Tensor& x) { return predict(x).unsqueeze(0); }
    /// Writes the trained classifier into `dir` (created) so loadClassifier() predicts exactly as it
    /// does. ConfigError before fit(), FileError when it cannot write.
    virtual void save(const std::string& dir) const = 0;
};

/// The classifier kinds makeClassifier() knows: {"mlp", "bdt"}.
const std::vector<std::string>& classifierKinds();

/// A fresh classifier of `kind` seeded with `seed`. ConfigError for an unknown kind.
std::unique_ptr<EventClassifier> makeClassifier(
    const std::string& kind, const ClassifierSettings& settings, std::uint64_t seed);

/// A classifier saved by EventClassifier::save(); FileError when files are missing, FormatError for
/// foreign content.
std::unique_ptr<EventClassifier> loadClassifier(const std::string& dir);

/// Per-event weights that give both classes the same total weight (times the given weights).
torch::Tensor balancedWeights(const torch::Tensor& y, const torch::Tensor& w);

} // namespace hepgen::anomaly
