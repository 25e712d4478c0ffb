#pragma once
// Writing showers (simulated, loaded or generated) in the three layouts the app knows: our own HDF5 schema,
// the CaloChallenge voxel layout (with a binning XML whose layers are the showers' layers) and the CaloClouds
// point-cloud layout. One entry point for the Showers workspace's exports and the CLI.
#include "core/data/Showers.h"

#include <cstddef>
#include <string>
#include <vector>

namespace hepgen::showers {

enum class ShowerFileFormat { Hepgen, CaloChallenge, CaloClouds };

/// What a write left out: hits outside every voxel (CaloChallenge) or with E == 0 (CaloClouds).
struct ShowerExportReport {
    std::size_t showers = 0;
    std::size_t droppedHits = 0;
    double droppedEnergyMeV = 0.0;
    std::string binningXml; ///< the binning used (CaloChallenge)
};

/// The bundled CaloChallenge binnings (resources/calochallenge, or $HEPGEN_RESOURCE_DIR/calochallenge) with
/// this many layers, sorted by file name. Never throws.
std::vector<std::string> bundledBinningsWithLayers(std::size_t layers);

/// Writes `showers` to `path` in `format`. CaloChallenge: `binningXml` (empty: the one bundled binning with the
/// showers' number of layers) must have as many layers as the showers' geometry; hits are binned with the
/// geometry's layer depths (the XML has none) and r, alpha about x = y = 0. Throws ConfigError for showers
/// without hits' layers or a binning that does not fit (naming both layer counts), FileError / FormatError
/// from the writers and the XML reader.
ShowerExportReport writeShowers(const hepgen::data::Showers& showers, const std::string& path, ShowerFileFormat format,
    const std::string& binningXml = {});

} // namespace hepgen::showers
