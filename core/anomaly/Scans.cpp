#include "core/anomaly/Scans.h"

#include "core/models/Config.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace hepgen::anomaly {

using hepgen::models::ConfigReader;
using hepgen::models::require;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

nlohmann::json numberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

} // namespace

WindowScanConfig WindowScanConfig::read(const nlohmann::json& json)
{
    WindowScanConfig c;
    ConfigReader r(json, "window scan");
    r.read("from", c.from);
    r.read("to", c.to);
    r.read("width", c.width);
    r.read("step", c.step);
    r.read("bin_width", c.bumpHunt.binWidth);
    r.read("fit_low", c.bumpHunt.fitLow);
    r.read("fit_high", c.bumpHunt.fitHigh);
    r.read("efficiencies", c.bumpHunt.efficiencies);
    r.rejectUnknownKeys();
    const std::string what = "window scan";
    require(std::isfinite(c.from) && std::isfinite(c.to) && c.from < c.to, what, "from/to", "from < to",
        fmt::format("{} / {}", c.from, c.to));
    require(c.width > 0 && c.width <= c.to - c.from, what, "width", "positive and at most to - from", c.width);
    require(c.step > 0, what, "step", "positive", c.step);
    require(c.bumpHunt.binWidth > 0, what, "bin_width", "positive", c.bumpHunt.binWidth);
    require(!c.bumpHunt.efficiencies.empty(), what, "efficiencies", "at least one score-cut efficiency",
        c.bumpHunt.efficiencies);
    for (double e : c.bumpHunt.efficiencies)
        require(e > 0 && e <= 1, what, "efficiencies", "each in (0, 1]", e);
    return c;
}

std::vector<MassWindows> WindowScanConfig::windows(const MassWindows& base) const
{
    const bool rest = base.sidebandIsEverythingElse();
    const double below = base.srLow - base.sbLow, above = base.sbHigh - base.srHigh;
    std::vector<MassWindows> out;
    // Half a per-mille of slack so that a last window ending exactly at `to` is not lost to rounding.
    for (int k = 0;; ++k) {
        const double lo = from + k * step, hi = lo + width;
        if (hi > to + 5e-4 * width)
            break;
        MassWindows w;
        w.srLow = lo;
        w.srHigh = hi;
        if (!rest) {
            w.sbLow = std::isfinite(below) ? lo - below : base.sbLow;
            w.sbHigh = std::isfinite(above) ? hi + above : base.sbHigh;
        }
        out.push_back(w);
        if (k > 1000)
            break;
    }
    if (out.empty())
        throw ConfigError(fmt::format("No signal region of width {} fits between {} and {}.", width, from, to));
    return out;
}

double WindowScanPoint::significanceAt(double efficiency) const
{
    for (const auto& s : steps)
        if (std::abs(s.efficiency - efficiency) < 1e-12)
            return s.fit.significance;
    return std::nan("");
}

std::vector<WindowScanPoint> scanWindows(const hepgen::data::Table& data, const HuntConfig& base,
    const WindowScanConfig& scan, const JobControl& job, const std::function<void(const WindowScanPoint&)>& onPoint)
{
    const auto windows = scan.windows(base.windows);
    std::vector<WindowScanPoint> points;
    for (std::size_t k = 0; k < windows.size(); ++k) {
        job.throwIfStopped();
        const auto part = job.subRange(double(k) / double(windows.size()), double(k + 1) / double(windows.size()));
        part.report(0.0, fmt::format("window {} of {}: {}", k + 1, windows.size(), windows[k].describe()));
        const auto start = Clock::now();
        WindowScanPoint p;
        p.windows = windows[k];
        HuntConfig c = base;
        c.windows = windows[k];
        try {
            const HuntResult r = runHunt(data, c, part);
            p.nSr = r.nSr;
            p.nSb = r.nSb;
            p.sOverB = r.sOverB;
            p.auc = r.auc;
            p.maxSic = r.maxSic;
            p.steps = bumpHunt(r.events, c.windows, scan.bumpHunt);
            if (p.steps.empty())
                p.problem = "too few events for the dijet fit after every cut";
        } catch (const Cancelled&) {
            throw;
        } catch (const ConfigError& e) {
            // Too few events in this window, a fit range that does not reach around it, ...: say so, go on.
            p.problem = e.what();
        }
        p.seconds = secondsSince(start);
        points.push_back(p);
        if (onPoint)
            onPoint(p);
    }
    job.report(1.0, "window scan done");
    return points;
}

SOverBScanConfig SOverBScanConfig::read(const nlohmann::json& json)
{
    SOverBScanConfig c;
    ConfigReader r(json, "S/B scan");
    r.read("s_over_b", c.sOverB);
    r.read("seeds", c.seeds);
    r.rejectUnknownKeys();
    require(!c.sOverB.empty(), "S/B scan", "s_over_b", "at least one S/B", c.sOverB);
    for (double s : c.sOverB)
        require(std::isfinite(s) && s > 0, "S/B scan", "s_over_b", "each positive", s);
    require(c.seeds >= 1 && c.seeds <= 100, "S/B scan", "seeds", "in [1, 100]", c.seeds);
    return c;
}

std::vector<SOverBScanPoint> scanSOverB(const hepgen::data::Table& data, const HuntConfig& base,
    const SOverBScanConfig& scan, const JobControl& job, const std::function<void(const SOverBScanPoint&)>& onPoint)
{
    const auto [background, pool] = splitByLabel(data);
    if (pool.rows() == 0)
        throw ConfigError("The S/B scan re-injects the file's signal events, but the file holds none.");
    // Check every S/B against the pool before spending time on hunts.
    const std::size_t bSr = rowsInRegion(base.windows, background, Region::Signal, base.massColumn).size();
    const std::size_t poolSr = rowsInRegion(base.windows, pool, Region::Signal, base.massColumn).size();
    for (double s : scan.sOverB) {
        const auto need = static_cast<std::size_t>(std::llround(s * double(bSr)));
        if (need > poolSr)
            throw ConfigError(fmt::format("S/B = {} needs {} signal events in the signal region, but the file's "
                                          "signal holds only {} there (generate more signal, e.g. hepgen generate "
                                          "dijet --signal N).",
                s, need, poolSr));
    }
    std::vector<SOverBScanPoint> points;
    const double total = double(scan.sOverB.size() * std::size_t(scan.seeds));
    std::size_t done = 0;
    for (double s : scan.sOverB) {
        const auto start = Clock::now();
        SOverBScanPoint p;
        p.sOverB = s;
        for (int64_t k = 0; k < scan.seeds; ++k) {
            job.throwIfStopped();
            const auto part = job.subRange(double(done) / total, double(done + 1) / total);
            const std::uint64_t seed = base.seed + std::uint64_t(k);
            part.report(0.0, fmt::format("S/B {:.4g}, seed {}", s, seed));
            const auto injected = injectSignal(background, pool, { 0, s, seed }, base.windows, base.massColumn);
            HuntConfig c = base;
            c.seed = seed;
            const HuntResult r = runHunt(injected, c, part);
            p.seeds.push_back(seed);
            p.maxSic.push_back(r.maxSic);
            p.auc.push_back(r.auc);
            ++done;
        }
        double sum = 0, sum2 = 0;
        std::size_t n = 0;
        for (double v : p.maxSic)
            if (std::isfinite(v)) {
                sum += v;
                sum2 += v * v;
                ++n;
            }
        p.meanMaxSic = n > 0 ? sum / double(n) : std::nan("");
        p.errorMaxSic
            = n > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / double(n)) / double(n - 1)) / double(n)) : 0.0;
        p.seconds = secondsSince(start);
        points.push_back(p);
        if (onPoint)
            onPoint(p);
    }
    job.report(1.0, "S/B scan done");
    return points;
}

nlohmann::json toJson(const std::vector<WindowScanPoint>& points)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : points) {
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& s : p.steps)
            steps.push_back({ { "efficiency", s.efficiency }, { "passing", s.passing },
                { "observed_sr", s.fit.observedSr }, { "expected_sr", s.fit.expectedSr },
                { "expected_sr_error", s.fit.expectedSrError }, { "significance", s.fit.significance },
                { "significance_stat_only", s.fit.significanceStatOnly }, { "converged", s.fit.converged } });
        nlohmann::json j { { "sr", { p.windows.srLow, p.windows.srHigh } }, { "n_sr", p.nSr }, { "n_sb", p.nSb },
            { "s_over_b", numberOrNull(p.sOverB) }, { "auc", numberOrNull(p.auc) },
            { "max_sic", numberOrNull(p.maxSic) }, { "bump_hunt", steps }, { "seconds", p.seconds } };
        if (!p.problem.empty())
            j["problem"] = p.problem;
        out.push_back(j);
    }
    return out;
}

nlohmann::json toJson(const std::vector<SOverBScanPoint>& points)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : points) {
        nlohmann::json sics = nlohmann::json::array(), aucs = nlohmann::json::array();
        for (std::size_t i = 0; i < p.maxSic.size(); ++i) {
            sics.push_back(numberOrNull(p.maxSic[i]));
            aucs.push_back(numberOrNull(p.auc[i]));
        }
        out.push_back({ { "s_over_b", p.sOverB }, { "seeds", p.seeds }, { "max_sic", sics }, { "auc", aucs },
            { "max_sic_mean", numberOrNull(p.meanMaxSic) }, { "max_sic_error", p.errorMaxSic },
            { "seconds", p.seconds } });
    }
    return out;
}

} // namespace hepgen::anomaly
