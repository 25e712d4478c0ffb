#pragma once
// Computing a map (Map.h) of a MapModel: the grid of the two axis inputs at the bin centres, the other inputs at
// slice values (default: the reference data's medians) or, for features, averaged over reference events (partial
// dependence), the model evaluated in chunks (progress and Cancel between chunks), and the spread over its
// members. Also the defaults a user interface offers before the first map: medians and ranges from the data.
#include "core/data/Table.h"
#include "core/maps/MapModel.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hepgen::maps {

/// The median of each named column of `data` (non-finite values skipped; NaN for a column without finite values).
/// ConfigError for a column the table lacks.
std::map<std::string, double> dataMedians(const hepgen::data::Table& data, const std::vector<std::string>& columns);

/// The range a map axis of `column` covers by default: the 0.5 % to 99.5 % quantiles of the data, widened by 5 %
/// of their distance on each side (a unit range around a constant column). ConfigError for a missing column or one
/// without finite values.
std::pair<double, double> defaultRange(const hepgen::data::Table& data, const std::string& column);

/// m of the n events 0..n-1 without replacement, in random order, reproducible for a seed (all n, in order, when
/// m >= n).
std::vector<std::size_t> sampleEvents(std::size_t n, std::size_t m, std::uint64_t seed);

/// What is wrong with `request` for `model`, as one sentence; empty when the map can be computed. `data` may be
/// null when the request gives both ranges and every slice value (and asks neither for partial dependence nor for
/// the out-of-distribution kind).
std::string requestProblem(const MapModel& model, const MapRequest& request, const hepgen::data::Table* data);

/// Computes the map. Kind OutOfDistribution maps a SupportDistance over the model's features fitted on `data`.
/// Throws ConfigError with requestProblem()'s sentence, Cancelled when `job` asks to stop, and what the model throws.
MapResult computeMap(
    MapModel& model, const MapRequest& request, const hepgen::data::Table* data, const JobControl& job = {});

} // namespace hepgen::maps
