#pragma once
// The trained models a map can be drawn of, behind MapModel: model-lab run directories (any family with a density:
// flows, cfm, their deep ensembles, bayes-cfm), the ANODE ratio of two density models, and loading whatever a
// directory holds (a classifier surrogate, a run). The hunt's models and the MLP classifier ensembles have their
// own adapters (HuntMapModel.h, ClassifierMapModel.h); the surrogate is in Surrogate.h.
#include "core/maps/MapModel.h"

#include <memory>
#include <string>

namespace hepgen::maps {

/// A model-lab run directory (hepgen train, the model lab) as a map model: features are the run's columns,
/// conditions its context columns; kind LogDensity (in the original units, the preprocessing's Jacobian included)
/// where the family has a density, with the members of a deep ensemble or the posterior draws of bayes-cfm as the
/// uncertainty. The EMA weights are used where the run kept them. FileError/FormatError for a missing or foreign
/// directory; ConfigError for a run without a density.
std::shared_ptr<MapModel> loadRunModel(const std::string& runDir);

/// The ANODE score (arXiv:2001.04990, eq. 3) as a map model: log p_data(x | m) - log p_bg(x | m), from a density of
/// the signal-region data and one of the background (fitted in the sidebands, interpolated into the SR). Both must
/// read the same features (in any order); conditions are the union of theirs. Members: paired posterior draws /
/// ensemble members of the two (independent), so the spread is that of the difference; a model without members
/// enters with its single answer. ConfigError for different features, the same model twice, or a model without
/// LogDensity.
std::shared_ptr<MapModel> densityRatioModel(std::shared_ptr<MapModel> data, std::shared_ptr<MapModel> background);

/// Opens a directory as a map model: a classifier surrogate (surrogate.json, Surrogate.h), a saved hunt model
/// (hunt_model.json, `hepgen hunt --save-model`; HuntMapModel.h), or a model-lab run. FileError naming the directory for anything else.
std::shared_ptr<MapModel> loadMapModel(const std::string& dir);

} // namespace hepgen::maps
