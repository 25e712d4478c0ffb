#pragma once
// Binned views of table columns for plots and metrics: 1D histograms (optionally per label) and the
// Pearson correlation matrix. Non-finite values are skipped (and counted).
#include "core/data/Table.h"

#include <cstddef>
#include <vector>

namespace hepgen::data {

/// Uniform bins over [low, high); entries outside go to underflow/overflow.
struct Histogram1D {
    double low = 0, high = 1;
    std::vector<double> counts; ///< weighted counts per bin
    double underflow = 0, overflow = 0;
    std::size_t skippedNonFinite = 0;

    std::size_t bins() const { return counts.size(); }
    double binWidth() const { return counts.empty() ? 0.0 : (high - low) / static_cast<double>(counts.size()); }
    double binCentre(std::size_t i) const { return low + (static_cast<double>(i) + 0.5) * binWidth(); }
    double total() const;
};

/// Histogram of `values` in `bins` uniform bins over [low, high]; the last bin includes `high`.
/// Throws ConfigError for bins == 0 or low >= high.
Histogram1D histogram(const std::vector<float>& values, std::size_t bins, double low, double high);

/// Smallest and largest finite value, or {0, 1} when there is none; widened to a non-empty interval.
std::pair<double, double> finiteRange(const std::vector<float>& values);

/// Histograms of one column split by label: index 0 background, 1 signal, 2 unlabelled/unknown.
/// Bins cover the column's finite range over all events.
std::vector<Histogram1D> histogramsByLabel(const Table& table, std::size_t column, std::size_t bins);

/// F x F Pearson correlation matrix over events whose features are all finite (row-major).
/// Entries of constant columns are NaN (correlation undefined), the diagonal of others 1.
std::vector<double> correlationMatrix(const Table& table);

/// True when a log axis shows a histogram better: over 30 % of the filled bins are below 1 % of the peak.
bool prefersLogScale(const Histogram1D& h);

} // namespace hepgen::data
