#pragma once
// Tabular events: N events x F named features, with optional per-event labels and weights.
// Plain value type (no torch) so that widgets and app headers may use it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::data {

/// Per-event truth label in files and tables: background, signal, or unknown (data).
enum class Label : std::int8_t { Unknown = -1, Background = 0, Signal = 1 };

/// N x F float features stored row-major; `labels` and `weights` are empty or of size N.
struct Table {
    std::vector<std::string> columns; ///< F feature names
    std::vector<std::string> units;   ///< empty or F unit strings ("TeV", "" for dimensionless)
    std::vector<float> values;        ///< N*F, row-major: values[i*F + j]
    std::vector<std::int8_t> labels;  ///< empty or N, see Label
    std::vector<float> weights;       ///< empty or N

    std::size_t rows() const { return columns.empty() ? 0 : values.size() / columns.size(); }
    std::size_t cols() const { return columns.size(); }
    float at(std::size_t row, std::size_t col) const { return values[row * columns.size() + col]; }
    /// Index of a column; throws hepgen::ConfigError naming the column and listing the ones there are.
    std::size_t columnIndex(const std::string& name) const;
    /// One column as a vector of N values.
    std::vector<float> column(std::size_t col) const;
};

/// The given rows (in that order), with their labels and weights.
Table selectRows(const Table& table, const std::vector<std::size_t>& rows);
/// The named columns (in that order); ConfigError for a name that does not exist.
Table selectColumns(const Table& table, const std::vector<std::string>& names);

/// A seeded random split into train / validation / test; the same seed gives the same split.
struct TableSplit {
    Table train, validation, test;
};
/// Throws ConfigError unless 0 <= fractions and validation + test < 1.
TableSplit splitTable(const Table& table, double validationFraction, double testFraction, std::uint64_t seed);

} // namespace hepgen::data
