#include "core/data/Summary.h"

#include <array>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

namespace hepgen::data {

namespace {

// Running statistics over finite values only (Welford, in double precision).
class Stats {
public:
    void add(double v)
    {
        if (!std::isfinite(v)) {
            ++m_nonFinite;
            return;
        }
        ++m_n;
        const double d = v - m_mean;
        m_mean += d / static_cast<double>(m_n);
        m_m2 += d * (v - m_mean);
        m_min = std::min(m_min, v);
        m_max = std::max(m_max, v);
    }
    ColumnSummary result(const std::string& name, const std::string& unit) const
    {
        ColumnSummary c;
        c.name = name;
        c.unit = unit;
        c.nonFinite = m_nonFinite;
        if (m_n > 0) {
            c.min = m_min;
            c.max = m_max;
            c.mean = m_mean;
            c.std = m_n > 1 ? std::sqrt(m_m2 / static_cast<double>(m_n - 1)) : 0.0;
        }
        return c;
    }

private:
    std::size_t m_n = 0, m_nonFinite = 0;
    double m_mean = 0, m_m2 = 0;
    double m_min = std::numeric_limits<double>::infinity(), m_max = -std::numeric_limits<double>::infinity();
};

bool eventIsFinite(const Table& t, std::size_t i)
{
    for (std::size_t j = 0; j < t.cols(); ++j)
        if (!std::isfinite(t.at(i, j)))
            return false;
    return t.weights.empty() || std::isfinite(t.weights[i]);
}

} // namespace

std::size_t countNonFiniteEvents(const Table& table)
{
    std::size_t bad = 0;
    for (std::size_t i = 0; i < table.rows(); ++i)
        bad += eventIsFinite(table, i) ? 0 : 1;
    return bad;
}

Table dropNonFiniteEvents(const Table& table)
{
    Table out;
    out.columns = table.columns;
    out.units = table.units;
    const std::size_t f = table.cols();
    for (std::size_t i = 0; i < table.rows(); ++i) {
        if (!eventIsFinite(table, i))
            continue;
        out.values.insert(out.values.end(), table.values.begin() + static_cast<std::ptrdiff_t>(i * f),
            table.values.begin() + static_cast<std::ptrdiff_t>((i + 1) * f));
        if (!table.labels.empty())
            out.labels.push_back(table.labels[i]);
        if (!table.weights.empty())
            out.weights.push_back(table.weights[i]);
    }
    return out;
}

Table perShowerTable(const Showers& showers)
{
    Table t;
    t.columns = { "incident_energy", "hits", "e_vis", "e_vis/e_inc" };
    t.units = { "GeV", "", "MeV", "" };
    t.values.reserve(showers.size() * 4);
    for (std::size_t i = 0; i < showers.size(); ++i) {
        double eVis = 0;
        for (auto k = showers.offsets[i]; k < showers.offsets[i + 1]; ++k)
            eVis += showers.points[static_cast<std::size_t>(k) * 4 + 3];
        const double eInc = showers.incidentEnergy[i];
        t.values.push_back(static_cast<float>(eInc));
        t.values.push_back(static_cast<float>(showers.hits(i)));
        t.values.push_back(static_cast<float>(eVis));
        t.values.push_back(static_cast<float>(eInc > 0 ? eVis / (1000.0 * eInc) : std::nan("")));
    }
    return t;
}

DatasetSummary summarise(const Dataset& ds)
{
    DatasetSummary s;
    s.source = ds.source;
    s.format = ds.format;
    s.description = ds.description;
    if (ds.kind == DatasetKind::Table && ds.table) {
        const Table& t = *ds.table;
        s.kind = "table";
        s.events = t.rows();
        std::vector<Stats> stats(t.cols());
        for (std::size_t i = 0; i < t.rows(); ++i)
            for (std::size_t j = 0; j < t.cols(); ++j)
                stats[j].add(t.at(i, j));
        for (std::size_t j = 0; j < t.cols(); ++j)
            s.columns.push_back(stats[j].result(t.columns[j], t.units.empty() ? "" : t.units[j]));
        for (auto l : t.labels) {
            if (l == static_cast<std::int8_t>(Label::Background))
                ++s.background;
            else if (l == static_cast<std::int8_t>(Label::Signal))
                ++s.signal;
            else
                ++s.unlabelled;
        }
        if (t.labels.empty())
            s.unlabelled = t.rows();
        s.eventsWithNonFinite = countNonFiniteEvents(t);
    } else if (ds.showers) {
        const Showers& sh = *ds.showers;
        s.kind = "showers";
        s.events = sh.size();
        s.totalHits = sh.points.size() / 4;
        std::array<Stats, 4> xyzE;
        for (std::size_t k = 0; k < sh.points.size(); ++k)
            xyzE[k % 4].add(sh.points[k]);
        const char* names[4] = { "x", "y", "z", "E" };
        const char* units[4] = { "mm", "mm", "mm", "MeV" };
        for (int k = 0; k < 4; ++k)
            s.columns.push_back(xyzE[static_cast<std::size_t>(k)].result(std::string("hit ") + names[k], units[k]));
        Stats inc, hits;
        std::size_t badShowers = 0;
        for (std::size_t i = 0; i < sh.size(); ++i) {
            inc.add(sh.incidentEnergy[i]);
            hits.add(static_cast<double>(sh.hits(i)));
            bool ok = std::isfinite(sh.incidentEnergy[i]);
            for (auto k = sh.offsets[i] * 4; k < sh.offsets[i + 1] * 4; ++k)
                ok = ok && std::isfinite(sh.points[static_cast<std::size_t>(k)]);
            badShowers += ok ? 0 : 1;
        }
        s.columns.push_back(inc.result("incident energy", "GeV"));
        s.columns.push_back(hits.result("hits per shower", ""));
        s.eventsWithNonFinite = badShowers;
        s.unlabelled = sh.size();
    }
    return s;
}

nlohmann::json toJson(const DatasetSummary& s)
{
    nlohmann::json cols = nlohmann::json::array();
    for (const auto& c : s.columns)
        cols.push_back({ { "name", c.name }, { "unit", c.unit }, { "min", c.min }, { "max", c.max }, { "mean", c.mean },
            { "std", c.std }, { "non_finite", c.nonFinite } });
    nlohmann::json j = { { "source", s.source }, { "format", s.format }, { "kind", s.kind }, { "events", s.events },
        { "columns", cols },
        { "labels", { { "background", s.background }, { "signal", s.signal }, { "unknown", s.unlabelled } } },
        { "events_with_non_finite", s.eventsWithNonFinite } };
    if (!s.description.empty())
        j["description"] = s.description;
    if (s.kind == "showers")
        j["total_hits"] = s.totalHits;
    return j;
}

std::string toText(const DatasetSummary& s)
{
    std::string out
        = fmt::format("{}\n  format: {}\n  kind:   {}\n  events: {}\n", s.source, s.format, s.kind, s.events);
    if (s.kind == "table")
        out += fmt::format("  labels: {} background, {} signal, {} unknown\n", s.background, s.signal, s.unlabelled);
    else
        out += fmt::format("  hits:   {} in total\n", s.totalHits);
    if (s.eventsWithNonFinite > 0)
        out += fmt::format("  WARNING: {} events hold NaN or infinite values\n", s.eventsWithNonFinite);
    out += fmt::format("  {:<18} {:>12} {:>12} {:>12} {:>12}\n", "column", "min", "max", "mean", "std");
    for (const auto& c : s.columns) {
        const std::string name = c.unit.empty() ? c.name : fmt::format("{} [{}]", c.name, c.unit);
        out += fmt::format("  {:<18} {:>12.5g} {:>12.5g} {:>12.5g} {:>12.5g}\n", name, c.min, c.max, c.mean, c.std);
    }
    return out;
}

} // namespace hepgen::data
