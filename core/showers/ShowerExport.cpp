#include "core/showers/ShowerExport.h"

#include "core/data/CaloChallengeIO.h"
#include "core/data/CaloCloudsIO.h"
#include "core/data/DatasetIO.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace hepgen::showers {

std::vector<std::string> bundledBinningsWithLayers(std::size_t layers)
{
    const char* env = std::getenv("HEPGEN_RESOURCE_DIR");
    const std::filesystem::path dir = std::filesystem::path(env ? env : HEPGEN_RESOURCE_DIR) / "calochallenge";
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".xml")
            continue;
        try {
            if (hepgen::data::readCaloBinningXml(entry.path().string()).layers.size() == layers)
                found.push_back(entry.path().string());
        } catch (const Error&) {
            continue; // not a binning file
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

ShowerExportReport writeShowers(const hepgen::data::Showers& showers, const std::string& path, ShowerFileFormat format,
    const std::string& binningXml)
{
    ShowerExportReport report;
    report.showers = showers.size();
    switch (format) {
    case ShowerFileFormat::Hepgen: {
        hepgen::data::Dataset ds;
        ds.kind = hepgen::data::DatasetKind::Showers;
        ds.source = path;
        ds.showers = showers;
        hepgen::data::writeDataset(ds, path);
        break;
    }
    case ShowerFileFormat::CaloClouds: report.droppedHits = hepgen::data::writeCaloClouds(showers, path); break;
    case ShowerFileFormat::CaloChallenge: {
        const std::size_t layers = showers.geometry.layerZ.size();
        if (layers == 0)
            throw ConfigError("These showers carry no layer geometry, so they cannot be voxelised for the "
                              "CaloChallenge format.");
        std::string xml = binningXml;
        if (xml.empty()) {
            const auto candidates = bundledBinningsWithLayers(layers);
            if (candidates.empty())
                throw ConfigError(fmt::format("No bundled CaloChallenge binning has the showers' {} layers: choose "
                                              "a binning XML made for this calorimeter.",
                    layers));
            xml = candidates.front();
        }
        hepgen::data::CaloBinning binning = hepgen::data::readCaloBinningXml(xml);
        if (binning.layers.size() != layers)
            throw ConfigError(fmt::format("The binning {} has {} layers but the showers' calorimeter ({}) has {}: "
                                          "choose a binning XML made for this calorimeter.",
                std::filesystem::path(xml).filename().string(), binning.layers.size(), showers.geometry.name, layers));
        binning.layerZ = showers.geometry.layerZ; // the XML has no depths: bin by the showers' own layers
        hepgen::data::VoxelisationStats stats;
        hepgen::data::writeCaloChallenge(showers, path, binning, &stats);
        report.droppedHits = stats.droppedHits;
        report.droppedEnergyMeV = stats.droppedEnergyMeV;
        report.binningXml = xml;
        break;
    }
    }
    return report;
}

} // namespace hepgen::showers
