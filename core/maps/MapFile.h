#pragma once
// Writing and reading maps: our HDF5 schema (root kind "map", docs/file-format.md) and a CSV of one row per grid
// point. Both keep the layout of Map.h (x along columns, y along rows, values at the bin centres).
#include "core/maps/Map.h"

#include <string>

namespace hepgen::maps {

/// Writes `map` to `path`: HDF5 when it ends in .h5/.hdf5, CSV when it ends in .csv; `settings` (the request's JSON)
/// is stored with it. ConfigError for another suffix, FileError when the file cannot be written.
void writeMap(const MapResult& map, const std::string& path, const nlohmann::json& settings = {});

/// Reads a map written by writeMap() as HDF5. FileError/FormatError for a missing or foreign file.
MapResult readMap(const std::string& path);

} // namespace hepgen::maps
