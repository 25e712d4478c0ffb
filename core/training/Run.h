#pragma once
// A training run on a table, as `hepgen train` / `hepgen sample` and the model lab do it: pick
// columns (and context columns), preprocess, split, train, and keep everything in a run directory
// (config.json, checkpoint.pt, metrics.json) from which samples come back in the original units.
#include "core/data/Preprocessing.h"
#include "core/data/Table.h"
#include "core/models/GenerativeModel.h"
#include "core/training/Trainer.h"
#include "core/util/Job.h"

#include <memory>
#include <string>
#include <vector>

namespace hepgen::training {

/// What to train. `config` may hold "model", "trainer" and "preprocessing" objects (all optional).
struct RunRequest {
    std::string family;
    nlohmann::json config = nlohmann::json::object();
    std::vector<std::string> columns; ///< features to model (empty: every column not used as context)
    std::vector<std::string> context; ///< columns to condition on (empty: unconditional)
    std::string dataDescription;      ///< recorded in config.json (e.g. the data file)
    std::string outputDir;            ///< run directory (created)
};

/// A run in memory: the model, its trainer and the fitted preprocessing of features and context.
struct Run {
    std::unique_ptr<hepgen::models::GenerativeModel> model;
    std::unique_ptr<Trainer> trainer;
    hepgen::data::Preprocessing features, context;
    std::vector<std::string> columns, contextColumns, units;
    bool conditional() const { return !contextColumns.empty(); }
};

/// A run ready to train: the model (freshly initialised from the trainer seed), its trainer, the fitted
/// preprocessing, and the preprocessed training and validation data.
struct PreparedRun {
    Run run;
    TrainingData train, validation;
};

/// Reads the request, picks and checks the columns, fits the preprocessing, builds the model and splits
/// the data; writes the data section of config.json into request.outputDir (created). Throws ConfigError
/// for bad columns/config or non-finite values, FileError when the directory cannot be created.
PreparedRun prepareRun(const RunRequest& request, const hepgen::data::Table& table);

/// Trains on `table` and writes the run directory (checkpoint after every epoch, so a stopped run
/// keeps its last finished epoch). Returns the run and how it ended. Throws ConfigError for bad
/// columns/config, NumericError when training diverges (after saving the last good weights).
std::pair<Run, StopReason> trainRun(const RunRequest& request, const hepgen::data::Table& table,
    const JobControl& job = {}, const Trainer::EpochCallback& onEpoch = {});

/// The building blocks prepareRun() and trainRun() share with training::distillRun (whose columns, preprocessing,
/// model and trainer come from a teacher run):
/// the training tensors of `table` under a run's columns and fitted preprocessing (weights where the table has them);
/// ConfigError for missing columns or NaN/infinite values.
TrainingData runData(const Run& run, const hepgen::data::Table& table);
/// Splits `all` by the run's trainer settings (validation fraction, seed) and writes the data section of config.json
/// into request.outputDir (created; FileError when it cannot be).
PreparedRun prepareRunData(Run run, const TrainingData& all, const RunRequest& request);
/// Trains a prepared run, writing a checkpoint into request.outputDir after every epoch and at the end; NumericError
/// as trainRun().
std::pair<Run, StopReason> fitPreparedRun(PreparedRun prepared, const RunRequest& request, const JobControl& job = {},
    const Trainer::EpochCallback& onEpoch = {});

/// Rebuilds a run from its directory (FileError/FormatError for anything missing or foreign).
Run loadRun(const std::string& dir);

/// n samples in the original units (EMA weights where the run used EMA). `contextValues` holds one
/// raw-unit value per context column (ignored for unconditional runs; ConfigError if missing).
/// With options.recordTrajectory the trajectory is returned in preprocessed units.
hepgen::data::Table sampleRun(Run& run, int64_t n, const std::vector<double>& contextValues,
    const hepgen::models::SampleOptions& options, hepgen::samplers::Trajectory* trajectory = nullptr);

} // namespace hepgen::training
