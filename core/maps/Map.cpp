#include "core/maps/Map.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace hepgen::maps {

const std::vector<MapKind>& mapKinds()
{
    static const std::vector<MapKind> kinds { MapKind::Score, MapKind::LogDensity, MapKind::DensityRatio,
        MapKind::OutOfDistribution };
    return kinds;
}

std::string kindName(MapKind kind)
{
    switch (kind) {
    case MapKind::Score: return "score";
    case MapKind::LogDensity: return "log_density";
    case MapKind::DensityRatio: return "density_ratio";
    case MapKind::OutOfDistribution: return "ood";
    }
    return "score";
}

MapKind kindFromName(const std::string& name)
{
    std::string n = name;
    std::replace(n.begin(), n.end(), '-', '_');
    for (MapKind k : mapKinds())
        if (kindName(k) == n)
            return k;
    throw ConfigError(fmt::format("Unknown map kind '{}'; use one of: score, log_density, density_ratio, ood.", name));
}

std::string kindLabel(MapKind kind)
{
    switch (kind) {
    case MapKind::Score: return "anomaly score";
    case MapKind::LogDensity: return "log p(x)";
    case MapKind::DensityRatio: return "log p_data(x|m) / p_bg(x|m)";
    case MapKind::OutOfDistribution: return "k-NN distance / typical";
    }
    return {};
}

bool divergingKind(MapKind kind) { return kind == MapKind::DensityRatio; }

int MapAxis::bin(double v) const
{
    if (!(v >= lo && v <= hi) || bins < 1)
        return -1;
    const int i = static_cast<int>(std::floor((v - lo) / (hi - lo) * bins));
    return std::min(i, bins - 1);
}

nlohmann::json MapRequest::toJson() const
{
    nlohmann::json j = { { "kind", kindName(kind) }, { "x", x }, { "y", y }, { "x_bins", xBins }, { "y_bins", yBins },
        { "slices", slices }, { "partial_dependence", partialDependence }, { "pd_events", pdEvents },
        { "seed", seed } };
    if (xRange)
        j["x_range"] = { xRange->first, xRange->second };
    if (yRange)
        j["y_range"] = { yRange->first, yRange->second };
    return j;
}

std::optional<std::pair<double, double>> MapResult::lookup(double vx, double vy) const
{
    const int i = x.bin(vx), j = y.bin(vy);
    if (i < 0 || j < 0 || value.size() != static_cast<std::size_t>(x.bins) * y.bins)
        return std::nullopt;
    const double u = hasUncertainty() ? uncertainty[index(i, j)] : std::numeric_limits<double>::quiet_NaN();
    return std::make_pair(value[index(i, j)], u);
}

std::pair<double, double> MapResult::valueRange() const
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : value)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (lo > hi)
        return { std::nan(""), std::nan("") };
    return { lo, hi };
}

nlohmann::json MapResult::summaryJson() const
{
    auto axis = [](const MapAxis& a) {
        return nlohmann::json { { "feature", a.feature }, { "unit", a.unit }, { "range", { a.lo, a.hi } },
            { "bins", a.bins } };
    };
    const auto [lo, hi] = valueRange();
    auto finiteOrNull = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    double uMax = std::nan("");
    for (double u : uncertainty)
        if (std::isfinite(u))
            uMax = std::isfinite(uMax) ? std::max(uMax, u) : u;
    return { { "kind", kindName(kind) }, { "label", label }, { "model", model }, { "x", axis(x) }, { "y", axis(y) },
        { "members", members }, { "uncertainty", uncertaintyLabel }, { "slices", slices },
        { "partial_dependence", partialDependence }, { "pd_events", pdEvents }, { "value_min", finiteOrNull(lo) },
        { "value_max", finiteOrNull(hi) }, { "uncertainty_max", finiteOrNull(uMax) }, { "non_finite", nonFinite },
        { "seconds", seconds } };
}

} // namespace hepgen::maps
