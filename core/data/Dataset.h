#pragma once
// A loaded data set: a table or showers, with where it came from. Plain value type (no torch).
#include "core/data/Showers.h"
#include "core/data/Table.h"

#include <optional>
#include <string>

namespace hepgen::data {

enum class DatasetKind { Table, Showers };

/// What readers return and writers take. Exactly one of `table` / `showers` is set.
struct Dataset {
    DatasetKind kind = DatasetKind::Table;
    std::string source;      ///< file path, or "demo:<name>" for built-in data
    std::string format;      ///< human-readable format name ("HEPGen schema v1", "LHCO pandas (table)", ...)
    std::string description; ///< free text, e.g. generator settings
    std::optional<Table> table;
    std::optional<Showers> showers;
};

} // namespace hepgen::data
