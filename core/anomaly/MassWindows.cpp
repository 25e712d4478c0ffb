#include "core/anomaly/MassWindows.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <random>

namespace hepgen::anomaly {

using hepgen::data::Table;

MassWindows MassWindows::withBands(double lo, double hi, double width) { return { lo, hi, lo - width, hi + width }; }

Region MassWindows::regionOf(double m) const
{
    if (m >= srLow && m < srHigh)
        return Region::Signal;
    if ((m >= sbLow && m < srLow) || (m >= srHigh && m < sbHigh))
        return Region::Sideband;
    return Region::Outside;
}

bool MassWindows::sidebandIsEverythingElse() const { return std::isinf(sbLow) && std::isinf(sbHigh); }

std::string MassWindows::describe() const
{
    const std::string sr = fmt::format("SR {:.2f}–{:.2f} TeV", srLow, srHigh);
    if (sidebandIsEverythingElse())
        return sr + ", SB the rest of the spectrum";
    const auto edge
        = [](double v) { return std::isinf(v) ? std::string(v < 0 ? "−∞" : "∞") : fmt::format("{:.2f}", v); };
    return fmt::format("{}, SB {}–{:.2f} and {:.2f}–{} TeV", sr, edge(sbLow), srLow, srHigh, edge(sbHigh));
}

double WindowCounts::sOverB() const
{
    if (!labelled)
        return std::nan("");
    if (srBackground == 0)
        return srSignal > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return static_cast<double>(srSignal) / static_cast<double>(srBackground);
}

namespace {

bool isLabelled(const Table& t)
{
    if (t.labels.size() != t.rows() || t.rows() == 0)
        return false;
    return std::all_of(t.labels.begin(), t.labels.end(), [](std::int8_t l) { return l == 0 || l == 1; });
}

} // namespace

WindowCounts countWindows(const MassWindows& w, const Table& table, const std::string& massColumn)
{
    const std::size_t col = table.columnIndex(massColumn);
    WindowCounts c;
    c.labelled = isLabelled(table);
    for (std::size_t i = 0; i < table.rows(); ++i) {
        const Region r = w.regionOf(table.at(i, col));
        const bool signal = c.labelled && table.labels[i] == 1;
        const bool background = c.labelled && table.labels[i] == 0;
        switch (r) {
        case Region::Signal:
            ++c.sr;
            c.srSignal += signal;
            c.srBackground += background;
            break;
        case Region::Sideband:
            ++c.sb;
            c.sbSignal += signal;
            c.sbBackground += background;
            break;
        case Region::Outside: ++c.outside; break;
        }
    }
    return c;
}

std::vector<std::string> validateWindows(
    const MassWindows& w, const Table& table, const WindowNeeds& needs, const std::string& massColumn)
{
    std::vector<std::string> problems;
    if (!std::isfinite(w.srLow) || !std::isfinite(w.srHigh) || std::isnan(w.sbLow) || std::isnan(w.sbHigh)) {
        problems.push_back("The signal-region edges must be finite numbers.");
        return problems;
    }
    if (w.srLow >= w.srHigh) {
        problems.push_back(fmt::format(
            "The signal region's low edge ({:.3f} TeV) must be below its high edge ({:.3f} TeV).", w.srLow, w.srHigh));
        return problems;
    }
    if (w.sbLow > w.srLow || w.sbHigh < w.srHigh)
        problems.push_back(fmt::format("The sidebands ({:.3f}–{:.3f} TeV) overlap the signal region ({:.3f}–{:.3f} "
                                       "TeV): their outer edges must lie outside it.",
            w.sbLow, w.sbHigh, w.srLow, w.srHigh));
    const std::size_t col = table.columnIndex(massColumn);
    if (table.rows() == 0) {
        problems.push_back("The data hold no events.");
        return problems;
    }
    float lo = table.at(0, col), hi = lo;
    for (std::size_t i = 1; i < table.rows(); ++i) {
        lo = std::min(lo, table.at(i, col));
        hi = std::max(hi, table.at(i, col));
    }
    if (w.srHigh <= lo || w.srLow > hi)
        problems.push_back(fmt::format("The signal region ({:.3f}–{:.3f} TeV) lies outside the data's {} range "
                                       "({:.3f}–{:.3f} TeV).",
            w.srLow, w.srHigh, massColumn, lo, hi));
    const WindowCounts c = countWindows(w, table, massColumn);
    if (c.sr < needs.minSignalRegion)
        problems.push_back(fmt::format(
            "The signal region holds {} events; this method needs at least {}.", c.sr, needs.minSignalRegion));
    if (needs.minSideband > 0 && c.sb < needs.minSideband)
        problems.push_back(
            fmt::format("The sidebands hold {} events; this method needs at least {}.", c.sb, needs.minSideband));
    if (needs.needsLabels && !c.labelled)
        problems.push_back("This method needs truth labels (0/1) for every event, and the data have none.");
    return problems;
}

void requireValidWindows(
    const MassWindows& w, const Table& table, const WindowNeeds& needs, const std::string& massColumn)
{
    const auto problems = validateWindows(w, table, needs, massColumn);
    if (!problems.empty())
        throw ConfigError(fmt::format("{}", fmt::join(problems, " ")));
}

std::vector<std::size_t> rowsInRegion(
    const MassWindows& w, const Table& table, Region region, const std::string& massColumn)
{
    const std::size_t col = table.columnIndex(massColumn);
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < table.rows(); ++i)
        if (w.regionOf(table.at(i, col)) == region)
            rows.push_back(i);
    return rows;
}

std::pair<Table, Table> splitByLabel(const Table& table)
{
    if (!isLabelled(table))
        throw ConfigError("Splitting into background and signal needs a 0/1 truth label for every event.");
    std::vector<std::size_t> bg, sig;
    for (std::size_t i = 0; i < table.rows(); ++i)
        (table.labels[i] == 1 ? sig : bg).push_back(i);
    return { hepgen::data::selectRows(table, bg), hepgen::data::selectRows(table, sig) };
}

Table injectSignal(const Table& background, const Table& pool, const Injection& inj, const MassWindows& w,
    const std::string& massColumn)
{
    if (background.columns != pool.columns)
        throw ConfigError(fmt::format("The signal pool's columns ({}) differ from the background's ({}).",
            fmt::join(pool.columns, ", "), fmt::join(background.columns, ", ")));
    if (!(inj.sOverB >= 0) || !std::isfinite(inj.sOverB))
        throw ConfigError(fmt::format("S/B must be a finite non-negative number (got {}).", inj.sOverB));
    // Draw order: a seeded Fisher–Yates permutation of the pool (our own draws: the same on every library).
    std::mt19937_64 rng(inj.seed);
    std::vector<std::size_t> order(pool.rows());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[rng() % i]);

    std::vector<std::size_t> chosen;
    if (inj.sOverB > 0) {
        // Take pool events in draw order until the SR holds round(S/B * background in the SR) of them.
        const std::size_t col = pool.columnIndex(massColumn);
        const std::size_t bSr = rowsInRegion(w, background, Region::Signal, massColumn).size();
        const auto target = static_cast<std::size_t>(std::llround(inj.sOverB * static_cast<double>(bSr)));
        std::size_t inSr = 0;
        for (std::size_t k = 0; k < order.size() && inSr < target; ++k) {
            chosen.push_back(order[k]);
            inSr += w.regionOf(pool.at(order[k], col)) == Region::Signal;
        }
        if (inSr < target)
            throw ConfigError(fmt::format("S/B = {} needs {} signal events in the signal region, but the signal pool "
                                          "holds only {} there.",
                inj.sOverB, target, inSr));
    } else {
        if (inj.signal > pool.rows())
            throw ConfigError(
                fmt::format("Cannot inject {} signal events: the signal pool holds {}.", inj.signal, pool.rows()));
        chosen.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(inj.signal));
    }

    Table out = background;
    out.labels.assign(background.rows(), 0);
    const Table sig = hepgen::data::selectRows(pool, chosen);
    out.values.insert(out.values.end(), sig.values.begin(), sig.values.end());
    out.labels.insert(out.labels.end(), chosen.size(), 1);
    if (!out.weights.empty() || !sig.weights.empty()) {
        out.weights.resize(background.rows(), 1.0f);
        if (sig.weights.empty())
            out.weights.insert(out.weights.end(), chosen.size(), 1.0f);
        else
            out.weights.insert(out.weights.end(), sig.weights.begin(), sig.weights.end());
    }
    // Shuffle background and signal together so no method can learn from the order.
    std::vector<std::size_t> rows(out.rows());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    for (std::size_t i = rows.size(); i > 1; --i)
        std::swap(rows[i - 1], rows[rng() % i]);
    return hepgen::data::selectRows(out, rows);
}

} // namespace hepgen::anomaly
