#pragma once
// The one interface the maps talk to: a trained model that answers a quantity (MapKind) for events given as plain
// rows of raw-unit inputs, with its members' answers where it has several (deep ensembles, fold models, Bayesian
// posterior draws). Adapters wrap model-lab runs (flows and their ensembles, bayes-cfm), two runs as a density ratio,
// the anomaly hunt's models, MLP classifier ensembles, the classifier surrogate and the out-of-distribution
// indicator (MapModels.h, Surrogate.h, SupportDistance.h). No torch here: the GUI holds these.
#include "core/maps/Map.h"
#include "core/util/Job.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace hepgen::maps {

/// A model's answer for N events.
struct MapEvaluation {
    std::vector<double> value;   ///< N: the model's own answer (mean score, predictive log-density, ...)
    std::vector<double> members; ///< K x N row-major: member / posterior draw k's answer; empty when K = 0
    int64_t k = 0;
};

/// A trained model a map can be drawn of. Implementations are not required to be thread-safe: callers hold
/// lock() while they evaluate (the GUI's map worker and a surrogate's training may share a model).
class MapModel {
public:
    virtual ~MapModel() = default;

    /// Shown in pickers, titles and files (e.g. "flow-rqs x5 · runs/moons").
    virtual std::string name() const = 0;
    /// Feature columns the model reads, in the order evaluate() takes them.
    virtual const std::vector<std::string>& features() const = 0;
    /// Their units ("" each where unknown); empty or one per feature.
    virtual std::vector<std::string> units() const { return {}; }
    /// Columns the model is conditioned on (e.g. the dijet mass of p(x | m)), in the order evaluate() takes them.
    virtual const std::vector<std::string>& conditions() const;
    /// The kinds evaluate() answers (OutOfDistribution is offered by SupportDistance, not by models).
    virtual std::vector<MapKind> kinds() const = 0;
    /// What the members are, for labels: "ensemble members", "posterior draws", "fold models"; "" without.
    virtual std::string membersName() const { return {}; }
    /// Number of members behind evaluate()'s spread for `kind` (0: none).
    virtual int64_t members(MapKind kind) const = 0;

    /// The answer for N events: rows N x features() and conds N x conditions(), raw units, row-major. Throws
    /// ConfigError for a kind not in kinds() or wrong sizes, Cancelled when `job` asks to stop.
    virtual MapEvaluation evaluate(
        MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job = {})
        = 0;

    /// features() then conditions(): every column a map can put on an axis or hold at a slice value.
    std::vector<std::string> inputs() const;
    bool offers(MapKind kind) const;
    /// Held by whoever calls evaluate().
    std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(m_mutex); }

private:
    std::mutex m_mutex;
};

/// Throws ConfigError unless rows/conds hold a whole number of events of the model's widths; returns N.
std::size_t checkedEvents(const MapModel& model, const std::vector<float>& rows, const std::vector<float>& conds);

} // namespace hepgen::maps
