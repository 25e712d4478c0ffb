#pragma once
// An ensemble of MLP BinaryClassifiers (core/metrics) as a map model of kind Score: the mean of the members'
// probabilities, and their spread as the uncertainty (a deep ensemble, Lakshminarayanan et al. 2017). What the
// hunt's MLP ensembles are made of; tests and the map benchmark build their own with trainClassifierEnsemble().
#include "core/data/Table.h"
#include "core/maps/MapModel.h"
#include "core/metrics/BinaryClassifier.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::maps {

class ClassifierEnsembleModel : public MapModel {
public:
    /// Trained members reading `features` (raw units, in this order). ConfigError for no members or an untrained one.
    ClassifierEnsembleModel(std::vector<hepgen::metrics::BinaryClassifier> members, std::vector<std::string> features,
        std::string name, std::vector<std::string> units = {});

    std::string name() const override { return m_name; }
    const std::vector<std::string>& features() const override { return m_features; }
    std::vector<std::string> units() const override { return m_units; }
    std::vector<MapKind> kinds() const override { return { MapKind::Score }; }
    std::string membersName() const override { return "ensemble members"; }
    int64_t members(MapKind) const override
    {
        return m_members.size() > 1 ? static_cast<int64_t>(m_members.size()) : 0;
    }
    MapEvaluation evaluate(MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds,
        const JobControl& job = {}) override;

private:
    std::vector<hepgen::metrics::BinaryClassifier> m_members;
    std::vector<std::string> m_features, m_units;
    std::string m_name;
};

/// Trains `members` classifiers (seeds config.seed, config.seed + 1, ...) on `features` of the labelled events of
/// `data` (label 1 against label 0; unknown labels are skipped). ConfigError for missing columns or a missing class.
std::shared_ptr<ClassifierEnsembleModel> trainClassifierEnsemble(const hepgen::data::Table& data,
    const std::vector<std::string>& features, int members, const hepgen::metrics::ClassifierConfig& config,
    const std::string& name, const JobControl& job = {});

} // namespace hepgen::maps
