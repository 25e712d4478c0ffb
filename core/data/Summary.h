#pragma once
// What `hepgen info` and the Data panel show about a data set: counts, per-column ranges and
// statistics, label counts, non-finite values; for showers hits per shower and energy ranges.
#include "core/data/Dataset.h"

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace hepgen::data {

struct ColumnSummary {
    std::string name, unit;
    double min = 0, max = 0, mean = 0, std = 0;
    std::size_t nonFinite = 0; ///< NaN or ±Inf entries (excluded from the statistics)
};

struct DatasetSummary {
    std::string source, format, kind, description;
    std::size_t events = 0;             ///< rows of a table, or number of showers
    std::vector<ColumnSummary> columns; ///< tables; for showers: x, y, z, E over all hits, incident energy, hits
    std::size_t background = 0, signal = 0, unlabelled = 0;
    std::size_t eventsWithNonFinite = 0;
    std::size_t totalHits = 0; ///< showers only
};

DatasetSummary summarise(const Dataset& dataset);
nlohmann::json toJson(const DatasetSummary& summary);
/// A few aligned lines for a terminal.
std::string toText(const DatasetSummary& summary);

/// Per-shower quantities as a table (incident_energy [GeV], hits, e_vis [MeV], e_vis/e_inc), so
/// shower files get the same histograms and correlations as tables.
Table perShowerTable(const Showers& showers);

/// Number of events with at least one NaN or infinite feature (or weight).
std::size_t countNonFiniteEvents(const Table& table);
/// The table without those events (labels and weights kept aligned).
Table dropNonFiniteEvents(const Table& table);

} // namespace hepgen::data
