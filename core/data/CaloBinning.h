#pragma once
// The voxel geometry of the CaloChallenge 2022 data sets (binning_dataset_*.xml) and the
// conversion between its flat voxel vectors and our ragged point clouds (Showers).
//
// Voxel order (CaloChallenge convention, XMLHandler.py of the challenge's evaluation code):
// layer outermost, then alpha, then r fastest. Layers may differ in their number of r and alpha
// bins (dataset 1), so the flat index of (layer l, alpha a, radial bin r) is
//     layerOffset(l) + a * nR(l) + r,   layerOffset(l) = sum_{k<l} nAlpha(k) * nR(k).
// Alpha bin a covers [-pi + 2 pi a / n, -pi + 2 pi (a + 1) / n); its centre is the midpoint.
// Cartesian coordinates of a voxel centre: x = r_mid cos(alpha_mid), y = r_mid sin(alpha_mid).
//
// The XML has no depth: z of a layer is its index in the file (0, 1, 2, ...), a unit of "one
// layer", not mm. The geometry name says so; set CaloBinning::layerZ to a pitch in mm if known.
#include "core/data/Showers.h"

#include <cstddef>
#include <string>
#include <vector>

namespace hepgen::data {

/// The binning of one particle's calorimeter in a CaloChallenge binning XML.
struct CaloBinning {
    /// One longitudinal layer: radial bin edges (mm) and the number of equal alpha bins.
    /// A single r edge (or none) means the layer has no voxels (empty layers of dataset 1).
    struct Layer {
        int id = 0;
        std::vector<double> rEdges; ///< increasing, mm
        int nAlpha = 1;
        std::size_t nR() const { return rEdges.size() < 2 ? 0 : rEdges.size() - 1; }
        std::size_t voxels() const { return nR() * static_cast<std::size_t>(nAlpha); }
    };

    std::string source;         ///< the XML file it was read from
    std::string particle;       ///< `name` of the <Bin> element ("electron", "photon", "pion")
    int pid = 0;                ///< `pid` of the <Bin> element (0 if absent)
    std::vector<Layer> layers;  ///< in file order = voxel order
    std::vector<double> layerZ; ///< z of each layer's centre; readCaloBinningXml sets 0, 1, 2, ...

    /// Total number of voxels of one shower (6480 for dataset 2, 40500 for dataset 3).
    std::size_t voxels() const;
    /// Flat index of the first voxel of a layer (layer == layers.size() gives voxels()).
    std::size_t layerOffset(std::size_t layer) const;
    /// Flat index of (layer, alpha bin, r bin); no range checks.
    std::size_t index(std::size_t layer, std::size_t alpha, std::size_t r) const
    {
        return layerOffset(layer) + alpha * layers[layer].nR() + r;
    }
    /// Centres of all voxels as voxels() x 3 floats (x, y, z), in voxel order.
    std::vector<float> voxelCentres() const;
    /// The geometry our Showers carry: name from the file and particle, layerZ.
    CalorimeterGeometry geometry() const;
};

/// Parses a CaloChallenge binning XML: <Bins><Bin name=".." pid=".."><Layer id=".."
/// r_edges="0,4.65,.." n_bin_alpha=".."/>...</Bin>...</Bins>. Attributes in any order, comments,
/// processing instructions and whitespace are allowed. Takes the <Bin> whose name equals
/// `particle`, or the first one when `particle` is empty. Throws FileError if the file cannot be
/// read and FormatError (naming the file and, for syntax errors, the line) if it is not such XML,
/// the particle is missing, or a layer's r_edges / n_bin_alpha are invalid.
CaloBinning readCaloBinningXml(const std::string& xmlPath, const std::string& particle = {});

/// What showersToVoxels could not place: hits outside the outermost r edge, outside the layer
/// range (farther than half a layer pitch from the first/last layer), nearest to a layer without
/// voxels, or with non-finite coordinates. They are dropped, not clamped.
struct VoxelisationStats {
    std::size_t droppedHits = 0;
    double droppedEnergyMeV = 0.0;
};

/// Converts N flat voxel showers (N x voxels(), MeV, row-major) into point clouds: one point per
/// voxel with E != 0 at the voxel centre (x, y, z mm-or-layer, E MeV); incident energies are
/// converted from MeV to GeV. Throws ConfigError if the sizes do not match the binning.
Showers voxelsToShowers(const std::vector<float>& voxels, const std::vector<float>& incidentMeV, const CaloBinning& b);

/// The same for a block of n showers, appending to `out` (which must have offsets = {0} or more);
/// used by the readers to convert chunk by chunk.
void appendVoxelShowers(
    const float* voxels, std::size_t n, const float* incidentMeV, const CaloBinning& b, Showers& out);

/// Bins every hit into its voxel: layer = nearest layerZ, r = hypot(x, y), alpha = atan2(y, x),
/// summing energies (MeV). Returns N x voxels() floats. Hits that do not fit are dropped and
/// counted in `stats` (see VoxelisationStats). Throws ConfigError if the binning has no layers.
std::vector<float> showersToVoxels(const Showers& s, const CaloBinning& b, VoxelisationStats* stats = nullptr);

/// The same for showers [begin, end), written to out[(i - begin) * voxels() ...]; stats accumulate.
void voxeliseShowers(const Showers& s, std::size_t begin, std::size_t end, const CaloBinning& b, float* out,
    VoxelisationStats* stats = nullptr);

} // namespace hepgen::data
