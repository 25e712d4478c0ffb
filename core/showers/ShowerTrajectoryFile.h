#pragma once
// The /trajectory group of a showers file (docs/file-format.md, "Shower trajectories"): `hepgen sample --run
// SHOWER_RUN --trajectory` writes it beside the generated showers, and the Showers workspace reads it back when it
// compares with such a file, so the timestep scrubber can scrub a trajectory sampled on the command line. One writer
// and one reader, here, for both.
#include "core/showers/ShowerTrajectory.h"

#include <cstddef>
#include <optional>
#include <string>

namespace hepgen::showers {

/// A trajectory as stored in a file, with the index of the shower (of the file's showers) it belongs to.
struct StoredShowerTrajectory {
    ShowerTrajectory trajectory;
    std::size_t shower = 0;
};

/// Adds the group /trajectory to the existing HDF5 file `path` (one trajectory, that of shower `shower`).
/// FileError when the file cannot be opened for writing or already holds a trajectory.
void writeShowerTrajectory(const std::string& path, const ShowerTrajectory& trajectory, std::size_t shower);

/// The trajectory stored in `path`, or nothing when the file is not HDF5 (other shower formats hold none) or has no
/// /trajectory group. FileError for an HDF5 file that cannot be opened; FormatError, naming the problem, for a group
/// that does not follow the format (missing or mis-shaped datasets, offsets that do not fit the points, non-finite
/// times).
std::optional<StoredShowerTrajectory> readShowerTrajectory(const std::string& path);

} // namespace hepgen::showers
