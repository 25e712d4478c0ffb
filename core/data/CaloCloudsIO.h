#pragma once
// Reading and writing CaloClouds point-cloud files (Buhmann et al., arXiv:2305.04847 and 2309.05704):
// `events` float32 of shape (N, 4, P) or (N, P, 4) holding x, y, z, E per point, zero-padded,
// and `energy` (N x 1 or N, incident energy in GeV).
#include "core/data/Dataset.h"

#include <string>

namespace hepgen::data {

/// Reads a CaloClouds file into Showers. Padding points (E == 0) are dropped. Units: positions
/// are kept as stored (mm); hit energies are stored in GeV (the CaloClouds training code
/// multiplies them by 1000 to get MeV) and are converted to MeV, our Showers convention; the
/// incident energy stays in GeV. Axes are kept as stored: in the ILD files of CaloClouds the
/// shower depth runs along y, not z. Reads `events` in row blocks. Throws FileError if the file
/// cannot be opened and FormatError (naming the file and the shape found) if `events` or
/// `energy` is missing, has the wrong shape, or holds NaN/Inf.
Dataset readCaloClouds(const std::string& path);

/// Writes showers in the CaloClouds layout: `events` float32 of shape (N, 4, P) (x, y, z in mm, E in GeV as the
/// CaloClouds files store hit energies), each shower's hits first and zero padding after them, P the largest
/// number of hits (at least 1, and 5 where it would be 4: readers take (N, 4, 4) for (N, P, 4)), and `energy`
/// (N, 1) float32 incident energies in GeV; chunked and deflated, nothing else. Hits with E == 0 cannot be
/// told from padding and are dropped (their count is returned); axes are written as they are (depth along z).
/// readCaloClouds() reads the file back. Throws ConfigError if the showers are inconsistent, FileError if the
/// file cannot be written.
std::size_t writeCaloClouds(const Showers& showers, const std::string& path);

} // namespace hepgen::data
