#pragma once
// What a shower generator hands to the Showers workspace's timestep scrubber and to `hepgen sample
// --trajectory`: every state one generated shower passed through on its way from noise to shower, in
// physical units. Plain value type (no torch), so widgets and the CLI can hold it.
//
// Frame k holds the time the sampler was at (DDPM/DDIM: the 1-based step t, T = pure noise, 0 = data;
// EDM: sigma; flow matching: t in [0, 1], 1 = noise), the state x_t of every point and the clean shower
// the network predicted from it. Frame 0 is the prior sample exactly. The last frame's xt is the returned
// shower exactly (the same floats, point for point). Where the generator post-processes the sampler's end
// state (projecting points onto cells and layers, calibrating energies), `postProcessed` is true, the last
// frame is the post-processed shower (its x0Pred equal to it, its time that of the frame before, and its
// number of points may differ) and the frame before it is the sampler's end state. A 1-step model has two
// sampler frames: noise, shower.
#include <cstddef>
#include <string>
#include <vector>

namespace hepgen::showers {

struct ShowerTrajectory {
    std::string sampler;  ///< ddpm | ddim | edm-heun | euler | heun | rk4 | consistency
    std::string timeName; ///< "t" or "sigma": what `times` holds, for labels
    std::vector<double> times;
    /// log10 of the signal-to-noise ratio at each frame (alphaBar / (1 - alphaBar) for DDPM/DDIM,
    /// 1 / sigma^2 for EDM with unit-variance data, (1 - t)^2 / t^2 for flow matching); +inf at the data end.
    std::vector<double> log10Snr;
    /// Per frame, points x 4 floats: x, y, z [mm], E [MeV], in the generator's physical units (the
    /// inverse of its preprocessing applied to x_t and to the prediction alike).
    std::vector<std::vector<float>> xt, x0Pred;
    bool postProcessed = false;
    double incidentEnergy = 0.0; ///< GeV

    std::size_t frames() const { return xt.size(); }
    std::size_t points(std::size_t frame) const { return xt.at(frame).size() / 4; }
};

} // namespace hepgen::showers
