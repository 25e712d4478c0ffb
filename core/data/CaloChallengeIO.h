#pragma once
// Reading and writing the CaloChallenge 2022 HDF5 layout: `incident_energies` (N x 1, MeV) and
// `showers` (N x n_voxels, MeV), voxels in the order of the binning XML (see CaloBinning.h).
#include "core/data/CaloBinning.h"
#include "core/data/Dataset.h"

#include <string>

namespace hepgen::data {

/// Reads a CaloChallenge file into point-cloud showers (one point per non-empty voxel at its
/// centre; E in MeV, incident energy in GeV). `binningXml` is the binning_dataset_*.xml the file
/// was made with; its first <Bin> is used. Reads `showers` in row blocks, so only the non-empty
/// voxels are held in memory. Throws FormatError if binningXml is empty, if a dataset is missing
/// or has the wrong shape, if the voxel count differs from the XML's (naming both numbers), or
/// if a value is NaN/Inf; FileError if the file cannot be opened. Every message names the file.
Dataset readCaloChallenge(const std::string& path, const std::string& binningXml);

/// Writes showers in exactly the community layout, `incident_energies` (N x 1 float32, MeV) and
/// `showers` (N x voxels() float32, MeV), chunked and deflated, nothing else, so the challenge's
/// evaluate.py reads it. Hits are binned by showersToVoxels; those that fit no voxel are dropped
/// and counted in `stats` if given. Throws FileError if the file cannot be created and
/// ConfigError if the showers are inconsistent or the binning has no voxels.
void writeCaloChallenge(
    const Showers& s, const std::string& path, const CaloBinning& b, VoxelisationStats* stats = nullptr);

} // namespace hepgen::data
