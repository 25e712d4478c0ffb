#include "core/data/DatasetIO.h"

#include "core/data/CaloBinning.h"
#include "core/data/CaloChallengeIO.h"
#include "core/data/CaloCloudsIO.h"
#include "core/data/Hdf5Util.h"
#include "core/data/HepgenSchema.h"
#include "core/data/LhcoReader.h"
#include "core/data/NumpyReader.h"
#include "core/util/Error.h"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace hepgen::data {

namespace {

bool startsWith(const std::string& path, const std::string& magic)
{
    std::ifstream in(path, std::ios::binary);
    std::string head(magic.size(), '\0');
    return in.read(head.data(), static_cast<std::streamsize>(head.size())) && head == magic;
}

// The CaloChallenge binning bundled with the app whose voxel count matches the file's, or "".
// The four published binnings have distinct counts (368, 533, 6480, 40500), so the match is unique.
std::string bundledBinningFor(const std::string& path)
{
    const char* env = std::getenv("HEPGEN_RESOURCE_DIR");
    const std::filesystem::path dir = std::filesystem::path(env ? env : HEPGEN_RESOURCE_DIR) / "calochallenge";
    const auto voxels = translatingErrors("reading " + path, [&] {
        const auto dims = h5::shape(h5::openForReading(path).openDataSet("/showers"));
        return dims.size() == 2 ? static_cast<std::size_t>(dims[1]) : std::size_t(0);
    });
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".xml")
            continue;
        try {
            if (readCaloBinningXml(entry.path().string()).voxels() == voxels)
                return entry.path().string();
        } catch (const Error&) {
            continue; // not a binning file
        }
    }
    return {};
}

} // namespace

std::string formatName(FileFormat format)
{
    switch (format) {
    case FileFormat::HepgenSchema: return "HEPGen schema";
    case FileFormat::LhcoPandasFixed: return "LHC Olympics pandas file (fixed layout)";
    case FileFormat::LhcoPandasTable: return "LHC Olympics pandas file (table layout)";
    case FileFormat::CathodeNpy: return "NumPy array (.npy)";
    case FileFormat::Npz: return "NumPy archive (.npz)";
    case FileFormat::CaloChallenge: return "CaloChallenge HDF5";
    case FileFormat::CaloClouds: return "CaloClouds HDF5";
    }
    return "unknown";
}

FileFormat detectFormat(const std::string& path)
{
    std::ifstream probe(path, std::ios::binary);
    if (!probe)
        throw FileError(path, "the file does not exist or cannot be read.");
    if (startsWith(path, "\x93NUMPY"))
        return FileFormat::CathodeNpy;
    if (startsWith(path, std::string("PK\x03\x04", 4)) || startsWith(path, std::string("PK\x05\x06", 4)))
        return FileFormat::Npz;
    if (!h5::hasHdf5Signature(path))
        throw FileError(path,
            "this is neither an HDF5 file nor a NumPy file; supported are the HEPGen schema, "
            "LHC Olympics pandas files, CaloChallenge and CaloClouds HDF5, and .npy/.npz.");
    return translatingErrors("reading " + path, [&] {
        H5::H5File file = h5::openForReading(path);
        if (file.attrExists("hepgen_schema"))
            return FileFormat::HepgenSchema;
        if (h5::exists(file, "/df/table"))
            return FileFormat::LhcoPandasTable;
        if (h5::exists(file, "/df/axis0") && h5::exists(file, "/df/block0_values"))
            return FileFormat::LhcoPandasFixed;
        if (h5::exists(file, "/showers") && h5::exists(file, "/incident_energies"))
            return FileFormat::CaloChallenge;
        if (h5::exists(file, "/events") && h5::exists(file, "/energy"))
            return FileFormat::CaloClouds;
        throw FormatError(path,
            "an HDF5 file of unknown layout: expected the HEPGen schema (hepgen_schema "
            "attribute), a pandas file (/df), CaloChallenge (/showers, /incident_energies) or "
            "CaloClouds (/events, /energy).");
    });
}

Dataset readDataset(const std::string& path, const ReadOptions& options)
{
    const FileFormat format = detectFormat(path);
    auto tableDataset = [&](Table table) {
        Dataset ds;
        ds.kind = DatasetKind::Table;
        ds.source = path;
        ds.format = formatName(format);
        ds.table = std::move(table);
        if (ds.table->rows() == 0)
            throw FormatError(path, "the table holds no events.");
        return ds;
    };
    switch (format) {
    case FileFormat::HepgenSchema: return readHepgenFile(path, options.maxEvents);
    case FileFormat::LhcoPandasFixed:
    case FileFormat::LhcoPandasTable: return tableDataset(readLhcoPandas(path));
    case FileFormat::CathodeNpy: return tableDataset(readNpy(path, options.columnNames));
    case FileFormat::Npz: return tableDataset(readNpz(path, options.columnNames, options.npzMember));
    case FileFormat::CaloChallenge: {
        const std::string xml = options.binningXml.empty() ? bundledBinningFor(path) : options.binningXml;
        Dataset ds = readCaloChallenge(path, xml); // an empty xml gets the reader's "needs its binning" error
        ds.source = path;
        if (options.binningXml.empty())
            ds.description = "binning " + std::filesystem::path(xml).filename().string() + " (matched by voxel count)";
        return ds;
    }
    case FileFormat::CaloClouds: {
        Dataset ds = readCaloClouds(path);
        ds.source = path;
        return ds;
    }
    }
    throw FormatError(path, "unsupported format.");
}

void writeDataset(const Dataset& dataset, const std::string& path) { writeHepgenFile(dataset, path); }

} // namespace hepgen::data
