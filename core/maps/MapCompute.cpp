#include "core/maps/MapCompute.h"

#include "core/maps/SupportDistance.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>

namespace hepgen::maps {

using hepgen::data::Table;

namespace {

/// Rows evaluated per call of the model: large enough for efficient matrix products, small enough for prompt
/// cancellation and modest memory (a 65536 x 64 activation is 16 MB).
constexpr std::size_t kChunkRows = 65536;

std::vector<float> finiteColumn(const Table& data, const std::string& column)
{
    const std::size_t c = data.columnIndex(column);
    std::vector<float> v;
    v.reserve(data.rows());
    for (std::size_t r = 0; r < data.rows(); ++r)
        if (std::isfinite(data.at(r, c)))
            v.push_back(data.at(r, c));
    return v;
}

/// The q-quantile (0 <= q <= 1) of v by the nearest rank; v is reordered.
double quantile(std::vector<float>& v, double q)
{
    const auto k = static_cast<std::size_t>(std::llround(q * static_cast<double>(v.size() - 1)));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

bool contains(const std::vector<std::string>& v, const std::string& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

bool hasColumn(const Table* data, const std::string& c) { return data && contains(data->columns, c); }

std::string rangeProblem(
    const std::optional<std::pair<double, double>>& range, const std::string& feature, const Table* data)
{
    if (range) {
        if (!std::isfinite(range->first) || !std::isfinite(range->second))
            return fmt::format("The range of '{}' is not a pair of numbers.", feature);
        if (!(range->first < range->second))
            return fmt::format("The range of '{}' is empty: its lower end must be below its upper end.", feature);
        return {};
    }
    if (!hasColumn(data, feature))
        return fmt::format("Give the range of '{}' (there are no data with that column to take it from).", feature);
    if (finiteColumn(*data, feature).empty())
        return fmt::format("The data have no finite values of '{}' to take its range from.", feature);
    return {};
}

} // namespace

std::vector<std::size_t> sampleEvents(std::size_t n, std::size_t m, std::uint64_t seed)
{
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), std::size_t { 0 });
    if (m >= n)
        return idx;
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < m; ++i) { // partial Fisher-Yates
        std::uniform_int_distribution<std::size_t> pick(i, n - 1);
        std::swap(idx[i], idx[pick(rng)]);
    }
    idx.resize(m);
    return idx;
}

std::map<std::string, double> dataMedians(const Table& data, const std::vector<std::string>& columns)
{
    std::map<std::string, double> out;
    for (const auto& c : columns) {
        auto v = finiteColumn(data, c);
        out[c] = v.empty() ? std::nan("") : quantile(v, 0.5);
    }
    return out;
}

std::pair<double, double> defaultRange(const Table& data, const std::string& column)
{
    auto v = finiteColumn(data, column);
    if (v.empty())
        throw ConfigError(fmt::format("The data have no finite values of '{}' to take its range from.", column));
    const double lo = quantile(v, 0.005), hi = quantile(v, 0.995);
    if (!(hi > lo))
        return { lo - 0.5, lo + 0.5 };
    const double pad = 0.05 * (hi - lo);
    return { lo - pad, hi + pad };
}

std::string requestProblem(const MapModel& model, const MapRequest& request, const Table* data)
{
    const auto inputs = model.inputs();
    if (model.features().empty())
        return fmt::format("The model '{}' reads no features to map.", model.name());
    if (request.x.empty() || request.y.empty())
        return "Choose a feature for each axis.";
    if (request.x == request.y)
        return fmt::format("Both axes show '{}': choose two different features.", request.x);
    for (const auto& axis : { request.x, request.y })
        if (!contains(inputs, axis))
            return fmt::format(
                "The model '{}' does not read '{}'; it reads: {}.", model.name(), axis, fmt::join(inputs, ", "));
    if (request.kind == MapKind::OutOfDistribution) {
        if (!data || data->rows() == 0)
            return "The distance to the data needs data: load the data the model was trained on.";
        for (const auto& f : model.features())
            if (!hasColumn(data, f))
                return fmt::format("The data have no column '{}' to measure the distance to.", f);
    } else if (!model.offers(request.kind)) {
        std::vector<std::string> offered;
        for (MapKind k : model.kinds())
            offered.push_back(kindName(k));
        return fmt::format("The model '{}' has no {} map; it offers: {}.", model.name(), kindName(request.kind),
            offered.empty() ? std::string("none") : fmt::format("{}", fmt::join(offered, ", ")));
    }
    for (int bins : { request.xBins, request.yBins })
        if (bins < kMinBins || bins > kMaxBins)
            return fmt::format("A map has {} to {} bins per axis (got {}).", kMinBins, kMaxBins, bins);
    if (auto p = rangeProblem(request.xRange, request.x, data); !p.empty())
        return p;
    if (auto p = rangeProblem(request.yRange, request.y, data); !p.empty())
        return p;
    for (const auto& [name, value] : request.slices) {
        if (!contains(inputs, name))
            return fmt::format("The model '{}' does not read '{}' (given a slice value); it reads: {}.", model.name(),
                name, fmt::join(inputs, ", "));
        if (!std::isfinite(value))
            return fmt::format("The slice value of '{}' is not a finite number.", name);
    }
    if (request.partialDependence) {
        if (request.pdEvents < 1)
            return fmt::format("Partial dependence averages over at least one event (got {}).", request.pdEvents);
        if (!data || data->rows() == 0)
            return "Partial dependence averages over data: load the data the model was trained on.";
    }
    const auto& conds = model.conditions();
    for (const auto& c : inputs) {
        if (c == request.x || c == request.y || request.slices.count(c))
            continue;
        const bool averaged = request.partialDependence && !contains(conds, c);
        if (!hasColumn(data, c))
            return averaged
                ? fmt::format("Partial dependence needs the column '{}' in the data.", c)
                : fmt::format("Give a slice value for '{}' (there are no data with that column to take its median "
                              "from).",
                    c);
        if (finiteColumn(*data, c).empty())
            return fmt::format("The data have no finite values of '{}'.", c);
    }
    return {};
}

MapResult computeMap(MapModel& model, const MapRequest& request, const Table* data, const JobControl& job)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (const auto problem = requestProblem(model, request, data); !problem.empty())
        throw ConfigError(problem);

    std::unique_ptr<SupportDistance> ood;
    MapModel* target = &model;
    if (request.kind == MapKind::OutOfDistribution) {
        ood = std::make_unique<SupportDistance>(*data, model.features(), 10, 4000, request.seed);
        target = ood.get();
    }

    MapResult result;
    result.kind = request.kind;
    result.label = kindLabel(request.kind);
    result.model = model.name();
    const auto inputs = model.inputs();
    const auto units = model.units();
    auto axis = [&](const std::string& feature, const std::optional<std::pair<double, double>>& range, int bins) {
        MapAxis a;
        a.feature = feature;
        const auto at = std::find(inputs.begin(), inputs.end(), feature) - inputs.begin();
        if (static_cast<std::size_t>(at) < units.size())
            a.unit = units[static_cast<std::size_t>(at)];
        else if (data && hasColumn(data, feature) && !data->units.empty())
            a.unit = data->units[data->columnIndex(feature)];
        const auto [lo, hi] = range ? *range : defaultRange(*data, feature);
        a.lo = lo;
        a.hi = hi;
        a.bins = bins;
        return a;
    };
    result.x = axis(request.x, request.xRange, request.xBins);
    result.y = axis(request.y, request.yRange, request.yBins);

    // Where every input of the evaluated model comes from: an axis, a slice value, or (partial dependence) the
    // reference event's own value.
    enum class Source { X, Y, Slice, Event };
    struct Input {
        Source source;
        double value = 0.0;
        std::size_t column = 0; ///< in `data`, for Source::Event
    };
    const auto& conds = model.conditions();
    auto resolve = [&](const std::string& c) {
        if (c == request.x)
            return Input { Source::X };
        if (c == request.y)
            return Input { Source::Y };
        if (request.partialDependence && !contains(conds, c) && !request.slices.count(c))
            return Input { Source::Event, 0.0, data->columnIndex(c) };
        const auto s = request.slices.find(c);
        const double v = s != request.slices.end() ? s->second : dataMedians(*data, { c }).at(c);
        return Input { Source::Slice, v };
    };
    for (const auto& c : inputs) {
        const Input in = resolve(c);
        if (in.source == Source::Slice)
            result.slices[c] = in.value;
    }
    std::vector<Input> features, conditions;
    for (const auto& c : target->features())
        features.push_back(resolve(c));
    for (const auto& c : target->conditions())
        conditions.push_back(resolve(c));

    // Partial dependence: events of the data whose averaged features are all finite.
    std::vector<std::size_t> events { 0 };
    if (request.partialDependence) {
        std::vector<std::size_t> usable;
        for (std::size_t r = 0; r < data->rows(); ++r) {
            bool ok = true;
            for (const auto& in : features)
                ok = ok && (in.source != Source::Event || std::isfinite(data->at(r, in.column)));
            if (ok)
                usable.push_back(r);
        }
        if (usable.empty())
            throw ConfigError("Partial dependence: no event of the data has finite values of every feature.");
        events.clear();
        for (std::size_t k : sampleEvents(usable.size(), static_cast<std::size_t>(request.pdEvents), request.seed))
            events.push_back(usable[k]);
        result.partialDependence = true;
        result.pdEvents = static_cast<int64_t>(events.size());
    }

    const int nx = result.x.bins, ny = result.y.bins;
    const std::size_t G = static_cast<std::size_t>(nx) * ny, P = events.size();
    const std::size_t F = features.size(), C = conditions.size();
    const std::size_t chunkPoints = std::max<std::size_t>(1, kChunkRows / P);
    auto fill = [&](const Input& in, double vx, double vy, std::size_t event) -> float {
        switch (in.source) {
        case Source::X: return static_cast<float>(vx);
        case Source::Y: return static_cast<float>(vy);
        case Source::Slice: return static_cast<float>(in.value);
        case Source::Event: return data->at(event, in.column);
        }
        return 0.0f;
    };

    result.value.assign(G, 0.0);
    std::vector<double> members; // K x G
    int64_t K = -1;
    std::vector<float> rows, condRows;
    for (std::size_t start = 0; start < G; start += chunkPoints) {
        job.throwIfStopped();
        const std::size_t n = std::min(chunkPoints, G - start);
        rows.resize(n * P * F);
        condRows.resize(n * P * C);
        for (std::size_t g = 0; g < n; ++g) {
            const int i = static_cast<int>((start + g) % nx), j = static_cast<int>((start + g) / nx);
            const double vx = result.x.centre(i), vy = result.y.centre(j);
            for (std::size_t p = 0; p < P; ++p) {
                const std::size_t r = g * P + p;
                for (std::size_t f = 0; f < F; ++f)
                    rows[r * F + f] = fill(features[f], vx, vy, events[p]);
                for (std::size_t c = 0; c < C; ++c)
                    condRows[r * C + c] = fill(conditions[c], vx, vy, events[p]);
            }
        }
        const double from = static_cast<double>(start) / G, to = static_cast<double>(start + n) / G;
        MapEvaluation ev;
        {
            auto held = target->lock();
            ev = target->evaluate(request.kind, rows, condRows, job.subRange(from, to));
        }
        if (ev.value.size() != n * P || ev.members.size() != static_cast<std::size_t>(ev.k) * n * P)
            throw Error(fmt::format("{} answered the wrong number of values for a map.", target->name()));
        if (K < 0) {
            K = ev.k;
            members.assign(static_cast<std::size_t>(K) * G, 0.0);
        }
        const double inv = 1.0 / static_cast<double>(P);
        for (std::size_t g = 0; g < n; ++g) {
            double s = 0;
            for (std::size_t p = 0; p < P; ++p)
                s += ev.value[g * P + p];
            result.value[start + g] = s * inv;
            for (int64_t k = 0; k < K; ++k) {
                double sk = 0;
                const double* row = ev.members.data() + static_cast<std::size_t>(k) * n * P + g * P;
                for (std::size_t p = 0; p < P; ++p)
                    sk += row[p];
                members[static_cast<std::size_t>(k) * G + start + g] = sk * inv;
            }
        }
        job.report(to, fmt::format("Map: {} of {} points", start + n, G));
    }

    // The spread over members: the sample standard deviation (K - 1 in the denominator).
    if (K >= 2) {
        result.members = K;
        result.uncertaintyLabel = fmt::format("std over {} {}", K, target->membersName());
        result.uncertainty.assign(G, 0.0);
        for (std::size_t g = 0; g < G; ++g) {
            double mean = 0, sq = 0;
            for (int64_t k = 0; k < K; ++k)
                mean += members[static_cast<std::size_t>(k) * G + g];
            mean /= static_cast<double>(K);
            for (int64_t k = 0; k < K; ++k) {
                const double d = members[static_cast<std::size_t>(k) * G + g] - mean;
                sq += d * d;
            }
            result.uncertainty[g] = std::sqrt(sq / static_cast<double>(K - 1));
            if (!std::isfinite(result.uncertainty[g]))
                result.uncertainty[g] = std::numeric_limits<double>::quiet_NaN();
        }
    }
    for (double& v : result.value)
        if (!std::isfinite(v)) {
            v = std::numeric_limits<double>::quiet_NaN();
            ++result.nonFinite;
        }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

} // namespace hepgen::maps
