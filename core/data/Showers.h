#pragma once
// Calorimeter showers as ragged point clouds: per shower a list of hits (x, y, z, E) and the
// incident energy, plus the geometry they live in. Plain value type (no torch).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::data {

/// A layered sampling calorimeter along z. Lengths in mm.
struct CalorimeterGeometry {
    std::string name;             ///< e.g. "ILD-like Si-W ECAL" or "CaloChallenge dataset 2"
    std::vector<double> layerZ;   ///< depth of each layer's centre (sensitive layer), mm
    double cellSize = 0.0;        ///< square cell pitch in x and y, mm (0: not a square grid)
    double radiationLength = 0.0; ///< X0 of the absorber, mm (0 if unknown)
    double moliereRadius = 0.0;   ///< R_M, mm (0 if unknown)
};

/// N showers; shower i owns points[offsets[i]*4 .. offsets[i+1]*4).
struct Showers {
    std::vector<float> points;         ///< M*4: x, y, z [mm], E [MeV]
    std::vector<std::int64_t> offsets; ///< N+1, offsets[0] = 0, offsets[N] = M
    std::vector<float> incidentEnergy; ///< N, GeV
    CalorimeterGeometry geometry;

    std::size_t size() const { return incidentEnergy.size(); }
    std::size_t hits(std::size_t shower) const
    {
        return static_cast<std::size_t>(offsets[shower + 1] - offsets[shower]);
    }
};

} // namespace hepgen::data
