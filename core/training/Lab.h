#pragma once
// The model lab's core: a training session that advances step by step (Start, Pause, Step, Stop), hands out
// copies of its model to sample from on another thread, and computes LabFrames from such a copy. The Qt side
// only schedules these calls on worker threads and draws the frames.
#include "core/training/LabFrame.h"
#include "core/training/Run.h"

#include <memory>
#include <string>

namespace hepgen::training {

/// What a frame shows.
struct LabFrameRequest {
    int64_t samples = 1000;
    uint64_t seed = 7;             ///< the same noise every frame, so frames differ only by training
    bool trajectory = true;        ///< record the sampling trajectory
    LabGrid grid;                  ///< for scalar fields (used when the model has two features)
    int vectorGrid = 21;           ///< arrows per axis for vector fields
    double fieldTime = 0.5;        ///< time of time-dependent fields
    std::vector<float> dataEvents; ///< events x 2 in original units, reconstructed by Reconstruction fields
    std::vector<double> context;   ///< one raw value per context column (conditional runs only)
};

/// Computes a frame from `model` (a snapshot no other thread uses) and the run's preprocessing. Log-densities
/// include the preprocessing's Jacobian (densities in the original units); vector fields are mapped to the
/// original units. Throws what sampling throws (Cancelled when `job` is stopped, ConfigError).
LabFrame computeLabFrame(
    hepgen::models::GenerativeModel& model, const Run& run, const LabFrameRequest& request, const JobControl& job = {});

/// A training run driven interactively. Not thread-safe: one thread at a time calls its methods (the GUI's
/// job worker); snapshots it hands out are independent.
class LabSession {
public:
    /// Prepares the run (prepareRun: columns, preprocessing, model, split) into request.outputDir.
    LabSession(const RunRequest& request, const hepgen::data::Table& table);
    /// Opens a saved run for viewing and sampling; it cannot train further (no data).
    explicit LabSession(const std::string& runDir);

    /// Trains until global step `untilStep` (0: to the end), a stop request (Cancelled) or the end. The
    /// trainer's NumericError propagates after the last good weights were restored.
    StopReason advance(int64_t untilStep, const JobControl& job = {}, const Trainer::EpochCallback& onEpoch = {});
    bool canTrain() const { return m_train.size() > 0; }
    /// Whether training reached its configured end (epochs, max steps or early stopping).
    bool finished() const { return m_finished; }
    int64_t step() const { return m_run.trainer->step(); }
    /// Optimiser steps of the whole run as configured.
    int64_t totalSteps() const;

    /// A deep copy of the model with the weights to sample with (EMA where on).
    std::unique_ptr<hepgen::models::GenerativeModel> snapshot();
    /// Writes config.json, checkpoint.pt and metrics.json into `dir`.
    void save(const std::string& dir) const;

    const Run& run() const { return m_run; }
    const std::string& directory() const { return m_dir; }

private:
    Run m_run;
    TrainingData m_train, m_validation;
    std::string m_dir;
    bool m_finished = false;
};

} // namespace hepgen::training
