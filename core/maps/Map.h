#pragma once
// A map: one quantity of a trained model (an anomaly score, a log-density, the ANODE density ratio, or the distance
// to the data's support) evaluated over a regular grid of two of its input features, with the other inputs held at
// slice values or averaged over the data (partial dependence), and its uncertainty (the spread over ensemble
// members, fold models or Bayesian posterior draws). Plain values (no torch), so the widgets, the CLI and the map
// file share them.
//
// Layout, everywhere (memory, MAP.h5, CSV): values[j * nx + i] is the value at the centre of x bin i and y bin j,
// i.e. x runs along the columns and y along the rows, row 0 at the bottom of the y range. Bin i of an axis covers
// [lo + i w, lo + (i + 1) w) with w = (hi - lo) / bins; its value is computed at its centre lo + (i + 1/2) w.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hepgen::maps {

/// What a map shows.
enum class MapKind {
    Score,            ///< an anomaly / classifier score (mean over members)
    LogDensity,       ///< log p(x | context) of a density model, in the inputs' original units
    DensityRatio,     ///< log p_data(x | m) - log p_bg(x | m): the ANODE score (arXiv:2001.04990, eq. 3)
    OutOfDistribution ///< distance to the reference data's support (SupportDistance.h)
};

/// Every kind, in the order pickers list them.
const std::vector<MapKind>& mapKinds();
/// "score", "log_density", "density_ratio", "ood" (the CLI's --kind and the file's map_kind).
std::string kindName(MapKind kind);
/// Inverse of kindName(), also accepting '-' for '_'; ConfigError listing the names for anything else.
MapKind kindFromName(const std::string& name);
/// A colour-bar title, e.g. "log p(x)".
std::string kindLabel(MapKind kind);
/// True for signed quantities centred at 0 (the density ratio): drawn with a diverging colour map.
bool divergingKind(MapKind kind);

/// One axis: `bins` equal bins over [lo, hi], values at the bin centres.
struct MapAxis {
    std::string feature;
    std::string unit; ///< "" for dimensionless or unknown
    double lo = 0.0, hi = 1.0;
    int bins = 200;

    double width() const { return (hi - lo) / bins; }
    double centre(int i) const { return lo + (hi - lo) * (i + 0.5) / bins; }
    double edge(int i) const { return lo + (hi - lo) * static_cast<double>(i) / bins; }
    /// The bin holding v (the upper edge belongs to the last bin), or -1 outside [lo, hi].
    int bin(double v) const;
};

/// Grid sizes accepted per axis.
inline constexpr int kMinBins = 2;
inline constexpr int kMaxBins = 2000;

/// What to map. Ranges left unset come from the reference data; slice values left unset are the data's medians.
struct MapRequest {
    MapKind kind = MapKind::Score;
    std::string x, y;                                ///< input columns on the two axes (different)
    std::optional<std::pair<double, double>> xRange; ///< [lo, hi]; default: defaultRange() of the data
    std::optional<std::pair<double, double>> yRange;
    int xBins = 200, yBins = 200;
    /// Values of the inputs not on an axis (features and conditions such as the mass). A condition always takes
    /// its slice value (the density is mapped at that mass); features do too unless partialDependence is on.
    std::map<std::string, double> slices;
    /// Partial dependence (Friedman 2001, eq. 40): the map at (x, y) is the mean over `pdEvents` data events of
    /// the model with the axis features set to (x, y) and the other features taken from the event.
    bool partialDependence = false;
    int64_t pdEvents = 32;
    std::uint64_t seed = 1; ///< which events partial dependence and the out-of-distribution reference use

    /// The settings as JSON (for the map file and --json); ranges as [lo, hi] when set.
    nlohmann::json toJson() const;
};

/// A computed map (see the layout at the top of this file).
struct MapResult {
    MapKind kind = MapKind::Score;
    std::string label; ///< colour-bar title of the values
    std::string model; ///< the model's name
    MapAxis x, y;
    std::vector<double> value;            ///< y.bins * x.bins
    std::vector<double> uncertainty;      ///< same layout: standard deviation over members; empty without members
    int64_t members = 0;                  ///< members / posterior draws behind the uncertainty (0: none)
    std::string uncertaintyLabel;         ///< e.g. "std over 5 ensemble members"
    std::map<std::string, double> slices; ///< every input not on an axis, with the value it was held at
    bool partialDependence = false;
    int64_t pdEvents = 0;
    int64_t nonFinite = 0; ///< grid points where the model gave NaN or infinity (stored as NaN)
    double seconds = 0.0;  ///< time taken to compute

    std::size_t index(int i, int j) const { return static_cast<std::size_t>(j) * x.bins + i; }
    double at(int i, int j) const { return value[index(i, j)]; }
    bool hasUncertainty() const { return !uncertainty.empty(); }
    /// The value and uncertainty (NaN without) of the bin holding (vx, vy); nothing outside the grid.
    std::optional<std::pair<double, double>> lookup(double vx, double vy) const;
    /// Smallest and largest finite value (NaN, NaN when there is none).
    std::pair<double, double> valueRange() const;
    /// The CLI's --json object: kind, label, model, x and y (feature, unit, range, bins), members, slices,
    /// partial dependence, value range, non-finite count, seconds.
    nlohmann::json summaryJson() const;
};

} // namespace hepgen::maps
