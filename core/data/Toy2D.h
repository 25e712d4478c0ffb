#pragma once
// The 2D toy distributions of the model lab: two moons, 8 Gaussians, checkerboard, rings and a
// Gaussian mixture. Deterministic for a given seed.
#include "core/data/Table.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::data {

enum class Toy2DShape { Moons, EightGaussians, Checkerboard, Rings, Mixture };

/// Parses "moons", "8gaussians", "checkerboard", "rings", "mixture"; throws ConfigError otherwise.
Toy2DShape parseToy2DShape(const std::string& name);
std::string toy2DShapeName(Toy2DShape shape);
std::vector<std::string> toy2DShapeNames();

/// n events with columns x, y (dimensionless, roughly within [-4, 4]) and unknown labels.
/// Moons: two interleaved half circles of radius 1 with noise 0.1, scaled by 2 and centred.
/// 8 Gaussians: σ = 0.2 around 8 equally spaced points on a circle of radius 2.
/// Checkerboard: uniform on the 8 black squares of a 4x4 board on [-4, 4]².
/// Rings: 4 concentric circles of radii 0.5, 1.25, 2, 2.75 (area-weighted), noise 0.08.
/// Mixture: 5 anisotropic Gaussians with fixed means, covariances and weights.
Table generateToy2D(Toy2DShape shape, std::size_t n, std::uint64_t seed);

/// Whether toy2DLogDensity() knows the shape's density: 8 Gaussians and the Gaussian mixture.
bool toy2DHasDensity(Toy2DShape shape);
/// The exact log-density of the toy at each (x, y), for likelihood tests and density maps. Throws
/// ConfigError for a shape without a closed form (moons, checkerboard, rings).
std::vector<double> toy2DLogDensity(Toy2DShape shape, const std::vector<std::array<double, 2>>& points);

} // namespace hepgen::data
