#pragma once
// Consistency distillation of a trained EDM run (Song et al. 2023, Algorithm 2) as a run of its own: the student
// takes the teacher's columns, preprocessing and network, starts from the teacher's (EMA) weights and trains with the
// ordinary Trainer; the run directory it writes samples without the teacher (config.json records the teacher's path).
#include "core/training/Run.h"

#include <string>

namespace hepgen::training {

/// Distils the edm run in `teacherRunDir` into a `request.family` ("consistency") student trained on `table` (which
/// must hold the teacher's columns) and writes request.outputDir. request.config may hold "model" (the student's
/// settings; the network and sigma settings come from the teacher) and "trainer"; request.columns/context must be
/// empty or the teacher's. Throws ConfigError for another family, a non-edm teacher or conflicting settings,
/// FileError/FormatError for an unreadable teacher run, NumericError as trainRun().
std::pair<Run, StopReason> distillRun(const std::string& teacherRunDir, const RunRequest& request,
    const hepgen::data::Table& table, const JobControl& job = {}, const Trainer::EpochCallback& onEpoch = {});

} // namespace hepgen::training
