#pragma once
// How a shower generator reads the showers it learns from: which axis is the depth, where the layers sit along
// it, and whether the two lateral coordinates live on a square cell grid. Our own and CaloChallenge files state the
// layers in CalorimeterGeometry::layerZ (z = depth; CaloChallenge z is the layer index, "layer units"); CaloClouds
// files carry no geometry and, in the ILD data, run the depth along y, so there the layers are found as the few
// distinct values one axis takes. Plain std code.
#include "core/data/Showers.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace hepgen::showers {

/// The layered structure a generator works in. Lateral axes a, b are the two axes other than the depth, in x, y, z
/// order (depth z: a = x, b = y; depth y: a = x, b = z).
struct ShowerLayout {
    int depthAxis = 2;          ///< 0 = x, 1 = y, 2 = z
    std::vector<double> layers; ///< positions of the layers along the depth axis, ascending (mm or layer units)
    double cellSize = 0.0;      ///< lateral square cell pitch; 0: lateral positions are continuous
    double originA = 0.0;       ///< a cell centre's a (cell centres at originA + k cellSize)
    double originB = 0.0;       ///< a cell centre's b

    int axisA() const { return depthAxis == 0 ? 1 : 0; }
    int axisB() const { return depthAxis == 2 ? 1 : 2; }
    std::size_t size() const { return layers.size(); }
    /// The nearest layer to a depth.
    std::size_t layerOf(double depth) const;
    /// Continuous layer coordinate of a depth: k at layers[k], linear in between and linear beyond the ends (with
    /// the end spacings); depthAt() is its inverse.
    double layerCoordinate(double depth) const;
    double depthAt(double coordinate) const;
    /// The centre of the cell holding lateral coordinate v (origin `origin`); v itself without a grid.
    double snap(double v, double origin) const;

    nlohmann::json toJson() const;
    /// FormatError-free: throws ConfigError for a malformed object.
    static ShowerLayout fromJson(const nlohmann::json& j);
};

/// Finds the layout of `showers`. depthAxis: "auto" | "x" | "y" | "z"; "auto" takes z when the geometry lists
/// layers (layerZ), else the axis with the fewest distinct point positions if it has at most 200 of them. lateral:
/// "auto" (a cell grid where the geometry has a cell size and the depth is z) | "cells" | "continuous".
/// Throws ConfigError when no axis is layered ("auto"), when the given depth axis takes more than 200 distinct
/// values, for an unknown option, or when "cells" is asked for without a cell size.
ShowerLayout inferLayout(
    const hepgen::data::Showers& showers, const std::string& depthAxis = "auto", const std::string& lateral = "auto");

} // namespace hepgen::showers
