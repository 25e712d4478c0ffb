#include "core/data/CaloChallengeIO.h"

#include "core/data/Hdf5Util.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hepgen::data {

namespace {

constexpr std::size_t kFloatsPerBlock = 1u << 22; // 16 MiB of voxels per read / write block

std::string shapeText(const std::vector<hsize_t>& dims)
{
    return dims.empty() ? std::string("()") : fmt::format("({})", fmt::join(dims, ", "));
}

std::string baseName(const std::string& path) { return path.substr(path.find_last_of("/\\") + 1); }

/// Which official binning a voxel count belongs to, as a hint in error messages.
std::string binningHint(hsize_t voxels)
{
    switch (voxels) {
    case 368: return " (368 voxels is dataset 1, photons: binning_dataset_1_photons.xml)";
    case 533: return " (533 voxels is dataset 1, pions: binning_dataset_1_pions.xml)";
    case 6480: return " (6480 voxels is dataset 2: binning_dataset_2.xml)";
    case 40500: return " (40500 voxels is dataset 3: binning_dataset_3.xml)";
    default: return "";
    }
}

void requireNumeric(const std::string& path, const H5::DataSet& ds, const std::string& name)
{
    const H5T_class_t cls = ds.getTypeClass();
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        throw FormatError(path, fmt::format("'{}' does not hold numbers.", name));
}

} // namespace

Dataset readCaloChallenge(const std::string& path, const std::string& binningXml)
{
    if (binningXml.empty())
        throw FormatError(path,
            "CaloChallenge files need their binning XML (binning_dataset_*.xml); "
            "choose the one of the data set the file belongs to.");
    return translatingErrors("reading " + path, [&] {
        const CaloBinning b = readCaloBinningXml(binningXml);
        H5::H5File file = h5::openForReading(path);
        std::vector<std::string> missing;
        for (const char* name : { "incident_energies", "showers" })
            if (!h5::exists(file, std::string("/") + name))
                missing.emplace_back(name);
        if (!missing.empty())
            throw FormatError(path,
                fmt::format("not a CaloChallenge file: the dataset(s) {} are missing (expected "
                            "'incident_energies' and 'showers').",
                    fmt::join(missing, ", ")));
        const H5::DataSet energies = file.openDataSet("incident_energies");
        const H5::DataSet showers = file.openDataSet("showers");
        requireNumeric(path, energies, "incident_energies");
        requireNumeric(path, showers, "showers");
        const auto sdims = h5::shape(showers);
        const auto edims = h5::shape(energies);
        if (sdims.size() != 2)
            throw FormatError(
                path, fmt::format("'showers' has shape {} but (N, n_voxels) was expected.", shapeText(sdims)));
        const hsize_t n = sdims[0], nv = sdims[1];
        if (!(edims.size() == 1 || (edims.size() == 2 && edims[1] == 1)) || edims[0] != n)
            throw FormatError(path,
                fmt::format("'incident_energies' has shape {} but ({}, 1) was expected to match "
                            "'showers' of shape {}.",
                    shapeText(edims), n, shapeText(sdims)));
        if (nv != b.voxels())
            throw FormatError(path,
                fmt::format("'showers' has {} voxels per shower but the binning {} describes {} "
                            "voxels{}; choose the binning XML of this data set.",
                    nv, baseName(binningXml), b.voxels(), binningHint(nv)));

        std::vector<float> incident(n);
        if (n > 0)
            h5::readRows(energies, 0, n, H5::PredType::NATIVE_FLOAT, incident.data());
        for (hsize_t i = 0; i < n; ++i)
            if (!std::isfinite(incident[i]))
                throw FormatError(path, fmt::format("incident_energies[{}] is {}.", i, incident[i]));

        Showers s;
        s.geometry = b.geometry();
        s.offsets.push_back(0);
        const hsize_t rowsPerBlock = std::max<hsize_t>(1, kFloatsPerBlock / std::max<hsize_t>(1, nv));
        std::vector<float> block;
        for (hsize_t begin = 0; begin < n; begin += rowsPerBlock) {
            const hsize_t end = std::min(n, begin + rowsPerBlock);
            block.resize((end - begin) * nv);
            h5::readRows(showers, begin, end, H5::PredType::NATIVE_FLOAT, block.data());
            const auto bad = std::find_if(block.begin(), block.end(), [](float v) { return !std::isfinite(v); });
            if (bad != block.end()) {
                const auto k = static_cast<hsize_t>(bad - block.begin());
                throw FormatError(path, fmt::format("showers[{}, {}] is {}.", begin + k / nv, k % nv, *bad));
            }
            appendVoxelShowers(block.data(), end - begin, incident.data() + begin, b, s);
        }

        Dataset ds;
        ds.kind = DatasetKind::Showers;
        ds.source = path;
        ds.format = "CaloChallenge";
        ds.description = fmt::format("{} showers of {} voxels, binning {}{}", n, nv, baseName(binningXml),
            b.particle.empty() ? std::string() : " (" + b.particle + ")");
        ds.showers = std::move(s);
        return ds;
    });
}

void writeCaloChallenge(const Showers& s, const std::string& path, const CaloBinning& b, VoxelisationStats* stats)
{
    const hsize_t n = s.size(), nv = b.voxels();
    if (nv == 0)
        throw ConfigError("The calorimeter binning has no voxels.");
    if (s.offsets.size() != n + 1 || s.offsets.front() != 0
        || static_cast<std::size_t>(s.offsets.back()) * 4 != s.points.size())
        throw ConfigError("Shower offsets do not match the points.");
    translatingErrors("writing " + path, [&] {
        H5::H5File file = h5::createForWriting(path);
        H5::Group root = file.openGroup("/");
        std::vector<float> incidentMeV(n);
        for (hsize_t i = 0; i < n; ++i)
            incidentMeV[i] = static_cast<float>(static_cast<double>(s.incidentEnergy[i]) * 1000.0);
        h5::writeChunked(root, "incident_energies", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { n, 1 },
            incidentMeV.data());

        // `showers` is written block by block so that N x n_voxels never has to fit in memory.
        const hsize_t dims[2] = { n, nv };
        const hsize_t maxDims[2] = { H5S_UNLIMITED, nv };
        const hsize_t chunk[2] = { std::clamp<hsize_t>((1u << 20) / (4 * nv), 1, std::max<hsize_t>(1, n)), nv };
        H5::DSetCreatPropList props;
        props.setChunk(2, chunk);
        props.setShuffle();
        props.setDeflate(1); // level 1: ~15 % larger than level 4 on sparse voxels, but 2-3x faster
        H5::DataSet ds
            = root.createDataSet("showers", H5::PredType::IEEE_F32LE, H5::DataSpace(2, dims, maxDims), props);
        // Whole chunks per block, so that no chunk is compressed twice.
        const hsize_t rowsPerBlock = std::max<hsize_t>(1, kFloatsPerBlock / nv / chunk[0]) * chunk[0];
        std::vector<float> block;
        for (hsize_t begin = 0; begin < n; begin += rowsPerBlock) {
            const hsize_t end = std::min(n, begin + rowsPerBlock);
            block.resize((end - begin) * nv);
            voxeliseShowers(s, begin, end, b, block.data(), stats);
            H5::DataSpace fileSpace = ds.getSpace();
            const hsize_t start[2] = { begin, 0 }, count[2] = { end - begin, nv };
            fileSpace.selectHyperslab(H5S_SELECT_SET, count, start);
            ds.write(block.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, count), fileSpace);
        }
    });
}

} // namespace hepgen::data
