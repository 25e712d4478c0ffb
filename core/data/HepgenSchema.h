#pragma once
// Our own HDF5 schema, version 1 (docs/file-format.md). Tables and showers, chunked and
// compressed; readers go chunk by chunk and can read a row range or a subset of columns, so a
// file larger than memory can still be opened and browsed.
#include "core/data/Dataset.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::data {

inline constexpr int kHepgenSchemaVersion = 1;

/// True if the file is HDF5 with a `hepgen_schema` root attribute.
bool isHepgenFile(const std::string& path);

void writeHepgenFile(const Dataset& dataset, const std::string& path);
/// Reads the file (tables: at most `maxEvents` rows from the start when > 0, the description then
/// says how many of how many). Throws FormatError naming the problem (missing dataset, wrong shape...).
Dataset readHepgenFile(const std::string& path, std::size_t maxEvents = 0);

/// Lazy access to a table in our schema: metadata on open, values only when asked.
class HepgenTableReader {
public:
    explicit HepgenTableReader(const std::string& path);
    ~HepgenTableReader();
    HepgenTableReader(HepgenTableReader&&) noexcept;
    HepgenTableReader& operator=(HepgenTableReader&&) noexcept;

    std::size_t rows() const;
    const std::vector<std::string>& columns() const;
    /// Rows [begin, end) of the given columns (all if empty), read in chunks, with labels and
    /// weights where the file has them. Throws ConfigError for an unknown column.
    Table read(std::size_t begin, std::size_t end, const std::vector<std::string>& columns = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hepgen::data
