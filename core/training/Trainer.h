#pragma once
// Training any GenerativeModel: shuffled mini-batches, learning-rate warm-up and schedule, gradient
// clipping, EMA weights, validation, early stopping, a NaN/Inf guard that keeps the last good
// weights, and checkpoints (model + optimisers + EMA + trainer state + config) that resume exactly.
// The loop is a function of (model, batch) per step, so a distributed version can all-reduce
// gradients between steps.
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace hepgen::training {

/// Every setting of the training loop, with defaults; read from / written to "trainer" in config.json.
struct TrainerConfig {
    int64_t epochs = 50;
    int64_t batchSize = 256;
    int64_t maxSteps = 0;            ///< stop after this many optimiser steps in total (0: epochs decide)
    double validationFraction = 0.1; ///< share of the data held out for validation
    std::string schedule = "cosine"; ///< constant | cosine (to 0 at the last step) | step
    int64_t warmupSteps = 0;         ///< linear warm-up from 0 over this many steps
    int64_t stepEvery = 20;          ///< schedule "step": multiply the rate by stepGamma every this many epochs
    double stepGamma = 0.5;
    double clipNorm = 1.0; ///< clip the global gradient norm (0: off)
    double emaDecay = 0.0; ///< exponential moving average of the weights (0: off; e.g. 0.999)
    int64_t patience = 0;  ///< early stopping after this many epochs without validation gain (0: off)
    uint64_t seed = 1;

    void read(hepgen::models::ConfigReader& r);
    nlohmann::json toJson() const;
};

/// Full data tensors: x (N, D), optional context (N, C) and weight (N).
struct TrainingData {
    torch::Tensor x, context, weight;
    int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

/// Splits off a seeded random validation share (at least one event each when N >= 2).
std::pair<TrainingData, TrainingData> splitTrainValidation(const TrainingData& all, double fraction, uint64_t seed);

/// One line of metrics.json.
struct EpochMetrics {
    int64_t epoch = 0, step = 0;
    double trainLoss = 0, validationLoss = 0, learningRate = 0, seconds = 0;
    std::map<std::string, double> terms; ///< epoch means of the family's named loss terms
};

/// How a fit() call ended.
enum class StopReason { Finished, EarlyStopped, StepLimit, Cancelled };

class Trainer {
public:
    using EpochCallback = std::function<void(const EpochMetrics&)>;

    Trainer(hepgen::models::GenerativeModel& model, TrainerConfig config);

    /// Trains from the current state (a fresh start, or where a checkpoint or an earlier call left
    /// off) until the configured epochs / steps, early stopping, `untilStep` (> 0: stop after that
    /// global step — the GUI's Step and Pause) or a stop request (returns Cancelled, state kept).
    /// Progress goes to `job`; `onEpoch` runs after every epoch. Throws NumericError when the loss
    /// becomes NaN or infinite, after restoring the weights of the last finished epoch.
    StopReason fit(const TrainingData& train, const TrainingData& validation, const JobControl& job = {},
        const EpochCallback& onEpoch = {}, int64_t untilStep = 0);

    /// Validation loss of the current (EMA, if on) weights.
    double validate(const TrainingData& validation);

    const std::vector<EpochMetrics>& history() const { return m_history; }
    int64_t epoch() const { return m_epoch; }
    int64_t step() const { return m_step; }
    const TrainerConfig& config() const { return m_config; }

    /// Writes config.json (family, shape, model and trainer settings), checkpoint.pt (networks,
    /// optimisers, EMA, trainer state) and metrics.json into `dir` (created if needed).
    void saveCheckpoint(const std::string& dir) const;
    /// Restores the state saveCheckpoint() wrote; the model must have been built from the same
    /// config.json. Throws FileError/FormatError for a missing or foreign checkpoint.
    void loadCheckpoint(const std::string& dir);

    /// Runs f with the EMA weights in the model (the weights to sample with), then restores the
    /// training weights. Without EMA it just runs f.
    void withEmaWeights(const std::function<void()>& f);

private:
    double learningRateFactor(int64_t step, int64_t totalSteps) const;
    void setLearningRates(double factor);
    void updateEma();
    std::vector<torch::Tensor> snapshot();
    void restore(const std::vector<torch::Tensor>& weights);
    int64_t stepsPerEpoch(int64_t n) const;

    hepgen::models::GenerativeModel& m_model;
    TrainerConfig m_config;
    std::vector<std::vector<double>> m_baseRates; ///< per optimiser, per parameter group
    std::vector<torch::Tensor> m_ema;
    std::vector<EpochMetrics> m_history;
    int64_t m_epoch = 0, m_step = 0;
    int64_t m_batchInEpoch = 0; ///< batches of the current epoch already done (a paused epoch resumes there)
    double m_epochLossSum = 0;  ///< running sums of the current epoch
    std::map<std::string, double> m_epochTerms;
    double m_epochSeconds = 0;
    double m_best = std::numeric_limits<double>::infinity();
    int64_t m_sinceBest = 0;
    std::vector<torch::Tensor> m_bestWeights;
};

/// Reads a run directory's config.json: family, shape, model config and trainer config.
struct RunConfig {
    std::string family;
    hepgen::models::ModelShape shape;
    nlohmann::json model;
    TrainerConfig trainer;
    nlohmann::json extra; ///< data file, columns, preprocessing: what the CLI/GUI stored
};
RunConfig readRunConfig(const std::string& dir);

} // namespace hepgen::training
