#pragma once
// The out-of-distribution indicator of the maps: how far a point lies from the support of the reference data (the
// data a model was trained on, or the loaded data set), as a k-nearest-neighbour distance.
//
// Definition. Features are standardised with the reference events' mean and standard deviation. d_k(x) is the
// Euclidean distance from x to its k-th nearest reference event (at most `maxReference` events, a seeded subsample).
// The typical distance D_k is the median, over those reference events, of the distance to their own k-th nearest
// other reference event. The indicator is d_k(x) / D_k: about 1 (and below) inside the bulk of the data, growing in
// the sparse tails and roughly linearly with the distance once x has left the support (a k-NN density estimate
// scales as d_k^-D, so a value r means a local reference density about r^D times below the typical one).
#include "core/data/Table.h"
#include "core/maps/MapModel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::maps {

/// d_k(x) / D_k over `columns` of a reference table, as a MapModel of kind OutOfDistribution. ConfigError when a
/// column is missing, fewer than k + 1 reference events have finite values, or k < 1.
class SupportDistance : public MapModel {
public:
    SupportDistance(const hepgen::data::Table& reference, std::vector<std::string> columns, int k = 10,
        int64_t maxReference = 4000, std::uint64_t seed = 1);
    ~SupportDistance() override;

    std::string name() const override { return "distance to the data"; }
    const std::vector<std::string>& features() const override { return m_columns; }
    std::vector<MapKind> kinds() const override { return { MapKind::OutOfDistribution }; }
    int64_t members(MapKind) const override { return 0; }
    MapEvaluation evaluate(MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds,
        const JobControl& job = {}) override;

    /// D_k in standardised units.
    double typicalDistance() const { return m_typical; }
    int neighbours() const { return m_k; }
    int64_t referenceEvents() const;

private:
    struct Impl;
    std::vector<std::string> m_columns;
    int m_k;
    double m_typical = 1.0;
    std::unique_ptr<Impl> m;
};

} // namespace hepgen::maps
