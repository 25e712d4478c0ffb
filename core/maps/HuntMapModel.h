#pragma once
// A finished anomaly hunt's models (core/anomaly/HuntModel.h) as a map model of kind Score: the hunt's score of an
// event (the mean over its fold models and their ensemble members), with the spread over those members as the
// uncertainty. Methods whose models read the mass (anode, ranode, lacathode) take it as a condition, so a map holds
// it at a slice value or puts it on an axis; the others ignore it and do not offer it.
#include "core/anomaly/HuntModel.h"
#include "core/maps/MapModel.h"

#include <memory>
#include <string>
#include <vector>

namespace hepgen::maps {

class HuntMapModel : public MapModel {
public:
    /// `units`: one per feature or empty. ConfigError for a null model.
    HuntMapModel(
        std::shared_ptr<const hepgen::anomaly::HuntModel> model, std::string name, std::vector<std::string> units = {});

    std::string name() const override { return m_name; }
    const std::vector<std::string>& features() const override { return m_model->features(); }
    std::vector<std::string> units() const override { return m_units; }
    const std::vector<std::string>& conditions() const override { return m_conditions; }
    std::vector<MapKind> kinds() const override { return { MapKind::Score }; }
    std::string membersName() const override;
    int64_t members(MapKind) const override { return m_model->members() > 1 ? m_model->members() : 0; }
    MapEvaluation evaluate(MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds,
        const JobControl& job = {}) override;

    const hepgen::anomaly::HuntModel& huntModel() const { return *m_model; }

private:
    std::shared_ptr<const hepgen::anomaly::HuntModel> m_model;
    std::string m_name;
    std::vector<std::string> m_units, m_conditions;
};

/// True for the hunt methods whose models read the mass.
bool huntMethodReadsMass(const std::string& method);

} // namespace hepgen::maps
