#pragma once
// Reading and writing data sets in every supported format. readDataset() recognises the format
// from the file itself (never trusts the suffix alone) and throws FileError / FormatError with a
// message naming the file and the problem.
#include "core/data/Dataset.h"

#include <string>
#include <vector>

namespace hepgen::data {

/// Options a format may need; ignored by formats that do not.
struct ReadOptions {
    std::string binningXml;               ///< CaloChallenge: the binning_dataset_*.xml of the file (default:
                                          ///< the bundled binning with the file's voxel count)
    std::vector<std::string> columnNames; ///< .npy/.npz: names of the columns (default: CATHODE's six, or col0..)
    std::string npzMember;                ///< .npz with several arrays: which one to read
    std::size_t maxEvents = 0;            ///< HEPGen tables: read at most this many events (0: all), lazily,
                                          ///< so a file larger than memory still opens
};

/// The formats readDataset() knows.
enum class FileFormat { HepgenSchema, LhcoPandasFixed, LhcoPandasTable, CathodeNpy, Npz, CaloChallenge, CaloClouds };

/// Looks at the file's magic bytes and layout; throws FileError/FormatError if it is none of the above.
FileFormat detectFormat(const std::string& path);
std::string formatName(FileFormat format);

/// Reads any supported file.
Dataset readDataset(const std::string& path, const ReadOptions& options = {});

/// Writes our own HDF5 schema (docs/file-format.md), chunked and compressed.
void writeDataset(const Dataset& dataset, const std::string& path);

} // namespace hepgen::data
