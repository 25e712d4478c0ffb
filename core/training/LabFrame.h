#pragma once
// What the model lab draws of a model at one moment of training, as plain values (no torch), so the
// widgets can take it across threads and render it: samples, the family's diagnostics over a 2D grid and
// the recorded sampling trajectory, all in the data's original units.
#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::training {

/// A regular grid over two features: nx x ny points from (xMin, yMin) to (xMax, yMax), both ends included.
struct LabGrid {
    double xMin = -4, xMax = 4, yMin = -4, yMax = 4;
    int nx = 80, ny = 80;
    double x(int i) const { return nx > 1 ? xMin + (xMax - xMin) * i / (nx - 1) : xMin; }
    double y(int j) const { return ny > 1 ? yMin + (yMax - yMin) * j / (ny - 1) : yMin; }
};

/// One diagnostic of the model (GenerativeModel::diagnostics()) evaluated for display.
struct LabField {
    enum class Kind { Scalar, Vector, Reconstruction };
    std::string name, label;
    Kind kind = Kind::Scalar;
    LabGrid grid;               ///< Scalar and Vector: where the values are
    std::vector<double> values; ///< Scalar: ny*nx, index j*nx + i; Vector: 2 per point (dx, dy per unit time);
                                ///< Reconstruction: pairs (input x, y, reconstructed x, y) per event
    double time = 0.5;          ///< for time-dependent fields
};

/// The model at one step: samples, diagnostics and the sampling trajectory.
struct LabFrame {
    int64_t step = 0;
    int64_t dims = 0;                       ///< features per event (only the first two are drawn)
    std::vector<float> samples;             ///< events x dims, original units
    std::vector<LabField> fields;           ///< empty unless dims == 2
    std::vector<double> trajectoryTimes;    ///< per recorded step (the sampler's time, 1 = noise for flows)
    std::vector<std::vector<float>> xt, x0; ///< per recorded step: events x dims, original units
    double seconds = 0;                     ///< time taken to compute the frame
    int64_t events() const { return dims > 0 ? static_cast<int64_t>(samples.size()) / dims : 0; }
};

} // namespace hepgen::training
