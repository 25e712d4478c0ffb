#pragma once
// Contour lines of a map, by marching squares (Lorensen & Cline 1987, in two dimensions) over the grid of bin
// centres: in every square of four neighbouring centres the level's crossings of the edges are found by linear
// interpolation and joined, saddles resolved by the mean of the four corners. Squares with a NaN corner are skipped.
#include "core/maps/Map.h"

#include <utility>
#include <vector>

namespace hepgen::maps {

/// A straight piece of a contour line, from (x0, y0) to (x1, y1) in the axes' units.
struct ContourSegment {
    double x0, y0, x1, y1;
};

/// The segments of the contour at `level` of `values` (layout of Map.h: y.bins rows of x.bins values).
/// ConfigError when the sizes do not match.
std::vector<ContourSegment> contourSegments(
    const MapAxis& x, const MapAxis& y, const std::vector<double>& values, double level);

/// `n` evenly spaced levels strictly inside the finite range of `values` (none when it is empty or flat).
std::vector<double> contourLevels(const std::vector<double>& values, int n);

} // namespace hepgen::maps
