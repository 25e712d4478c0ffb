#include "core/showers/ShowerLayout.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace hepgen::showers {

namespace {

constexpr std::size_t kMaxLayers = 200;
const char* kAxisNames[] = { "x", "y", "z" };

/// Distinct values (to 1e-4 of a unit) of one coordinate over all points, stopping once more than `cap` are seen.
std::vector<double> distinctValues(const hepgen::data::Showers& s, int axis, std::size_t cap)
{
    std::set<long long> keys;
    const std::size_t m = s.points.size() / 4;
    for (std::size_t i = 0; i < m && keys.size() <= cap; ++i)
        keys.insert(std::llround(static_cast<double>(s.points[4 * i + static_cast<std::size_t>(axis)]) * 1e4));
    std::vector<double> out;
    for (const long long k : keys)
        out.push_back(static_cast<double>(k) * 1e-4);
    return out;
}

} // namespace

std::size_t ShowerLayout::layerOf(double depth) const
{
    const auto it = std::lower_bound(layers.begin(), layers.end(), depth);
    if (it == layers.begin())
        return 0;
    if (it == layers.end())
        return layers.size() - 1;
    const auto k = static_cast<std::size_t>(it - layers.begin());
    return depth - layers[k - 1] <= layers[k] - depth ? k - 1 : k;
}

double ShowerLayout::layerCoordinate(double depth) const
{
    const std::size_t n = layers.size();
    if (n == 1)
        return depth - layers[0];
    if (depth <= layers[0])
        return (depth - layers[0]) / (layers[1] - layers[0]);
    if (depth >= layers[n - 1])
        return static_cast<double>(n - 1) + (depth - layers[n - 1]) / (layers[n - 1] - layers[n - 2]);
    const auto k = static_cast<std::size_t>(std::upper_bound(layers.begin(), layers.end(), depth) - layers.begin()) - 1;
    return static_cast<double>(k) + (depth - layers[k]) / (layers[k + 1] - layers[k]);
}

double ShowerLayout::depthAt(double coordinate) const
{
    const std::size_t n = layers.size();
    if (n == 1)
        return layers[0] + coordinate;
    if (coordinate <= 0.0)
        return layers[0] + coordinate * (layers[1] - layers[0]);
    const double last = static_cast<double>(n - 1);
    if (coordinate >= last)
        return layers[n - 1] + (coordinate - last) * (layers[n - 1] - layers[n - 2]);
    const auto k = static_cast<std::size_t>(coordinate);
    const double f = coordinate - static_cast<double>(k);
    return layers[k] + f * (layers[k + 1] - layers[k]);
}

double ShowerLayout::snap(double v, double origin) const
{
    if (cellSize <= 0.0)
        return v;
    return origin + cellSize * std::round((v - origin) / cellSize);
}

nlohmann::json ShowerLayout::toJson() const
{
    return { { "depth_axis", kAxisNames[depthAxis] }, { "layers", layers }, { "cell_size", cellSize },
        { "origin_a", originA }, { "origin_b", originB } };
}

ShowerLayout ShowerLayout::fromJson(const nlohmann::json& j)
{
    ShowerLayout l;
    try {
        const auto axis = j.at("depth_axis").get<std::string>();
        l.depthAxis = axis == "x" ? 0 : axis == "y" ? 1 : 2;
        l.layers = j.at("layers").get<std::vector<double>>();
        l.cellSize = j.at("cell_size").get<double>();
        l.originA = j.at("origin_a").get<double>();
        l.originB = j.at("origin_b").get<double>();
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("The stored shower layout is malformed: ") + e.what());
    }
    if (l.layers.empty() || !std::is_sorted(l.layers.begin(), l.layers.end()))
        throw ConfigError("The stored shower layout has no layers or unsorted ones.");
    return l;
}

ShowerLayout inferLayout(const hepgen::data::Showers& s, const std::string& depthAxis, const std::string& lateral)
{
    if (depthAxis != "auto" && depthAxis != "x" && depthAxis != "y" && depthAxis != "z")
        throw ConfigError(fmt::format("Unknown depth axis '{}'; choose auto, x, y or z.", depthAxis));
    if (lateral != "auto" && lateral != "cells" && lateral != "continuous")
        throw ConfigError(fmt::format("Unknown lateral mode '{}'; choose auto, cells or continuous.", lateral));
    ShowerLayout l;
    const bool geometryLayers = !s.geometry.layerZ.empty();
    if (depthAxis == "auto" && geometryLayers) {
        l.depthAxis = 2;
    } else if (depthAxis == "auto") {
        std::size_t best = kMaxLayers + 1;
        for (int axis = 2; axis >= 0; --axis) { // z first on ties
            const std::size_t n = distinctValues(s, axis, kMaxLayers).size();
            if (n < best) {
                best = n;
                l.depthAxis = axis;
            }
        }
        if (best > kMaxLayers)
            throw ConfigError(fmt::format("These showers have no layered depth axis: the geometry lists no layers and "
                                          "x, y and z each take more than {} distinct values. Give the depth axis "
                                          "(depth_axis) of a layered calorimeter.",
                kMaxLayers));
    } else {
        l.depthAxis = depthAxis == "x" ? 0 : depthAxis == "y" ? 1 : 2;
    }
    if (l.depthAxis == 2 && geometryLayers) {
        l.layers = s.geometry.layerZ;
        std::sort(l.layers.begin(), l.layers.end());
    } else {
        l.layers = distinctValues(s, l.depthAxis, kMaxLayers);
        if (l.layers.size() > kMaxLayers)
            throw ConfigError(fmt::format("The depth axis {} takes more than {} distinct values, so the showers are "
                                          "not layered along it.",
                kAxisNames[l.depthAxis], kMaxLayers));
        if (l.layers.empty())
            throw ConfigError("There are no hits to find the layers from.");
    }
    const bool grid = s.geometry.cellSize > 0.0 && l.depthAxis == 2;
    if (lateral == "cells" && !grid)
        throw ConfigError(
            "Lateral cells need a geometry with a square cell pitch along a z depth axis; use continuous.");
    if (lateral == "cells" || (lateral == "auto" && grid)) {
        l.cellSize = s.geometry.cellSize;
        // The grid's offset: the median remainder of the hits' positions modulo the pitch.
        for (const int axis : { l.axisA(), l.axisB() }) {
            std::vector<double> rem;
            const std::size_t m = std::min<std::size_t>(s.points.size() / 4, 20000);
            for (std::size_t i = 0; i < m; ++i) {
                const double v = s.points[4 * i + static_cast<std::size_t>(axis)];
                rem.push_back(v - l.cellSize * std::round(v / l.cellSize));
            }
            double origin = 0.0;
            if (!rem.empty()) {
                std::nth_element(rem.begin(), rem.begin() + static_cast<std::ptrdiff_t>(rem.size() / 2), rem.end());
                origin = rem[rem.size() / 2];
            }
            (axis == l.axisA() ? l.originA : l.originB) = origin;
        }
    }
    return l;
}

} // namespace hepgen::showers
