#pragma once
// Two scans built from whole hunts (core/anomaly/Hunt.h):
//  * the sliding-window scan: the signal region is moved across the mass spectrum (the sidebands move
//    with it), a hunt is run in each window and the bump hunt after score cuts gives the local
//    significance of that window's excess (the CWoLa-hunting search, arXiv:1805.02664 sec. 4, scans
//    the SR across the spectrum the same way);
//  * the S/B scan: the file's own signal is re-injected at several S/B into its background with several
//    seeds, and the max SIC of each hunt is collected: mean and standard error per S/B (CATHODE,
//    arXiv:2109.00546 fig. 7, shows the same curve).
// Each point costs one hunt; callbacks deliver points as they finish so a GUI can draw them live.
#include "core/anomaly/BumpHunt.h"
#include "core/anomaly/Hunt.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// Settings of the sliding-window scan (JSON keys in brackets). Masses in the data's units (TeV).
struct WindowScanConfig {
    double from = 3.1;       ///< [from] lower edge of the first SR
    double to = 4.5;         ///< [to] no SR reaches beyond this
    double width = 0.4;      ///< [width] SR width
    double step = 0.2;       ///< [step] shift between windows
    BumpHuntConfig bumpHunt; ///< cuts and fit range of each window's bump hunt
    /// Defaults overridden by `json`; ConfigError for unknown keys or impossible values.
    static WindowScanConfig read(const nlohmann::json& json);
    /// The windows the scan visits: SRs [from + k step, from + k step + width] inside [from, to], each with
    /// the sidebands of `base` (the rest of the spectrum, or bands of the same widths). ConfigError if none fit.
    std::vector<MassWindows> windows(const MassWindows& base) const;
};

/// One window of the scan.
struct WindowScanPoint {
    MassWindows windows;
    std::size_t nSr = 0, nSb = 0;
    double sOverB = 0.0;             ///< of the SR data (NaN without labels)
    double auc = 0.0, maxSic = 0.0;  ///< NaN without labels or with one class in the SR
    std::vector<BumpHuntStep> steps; ///< bump hunt after each score cut (cuts with too few events left out)
    double seconds = 0.0;
    std::string problem; ///< why this window could not be hunted (then nothing else is set)
    /// The local significance after the cut keeping `efficiency` (NaN if that cut was not fitted).
    double significanceAt(double efficiency) const;
};

/// Runs the hunt of `base` in every window of `scan` over `data`. A window that cannot be hunted (too
/// few events, a failed fit) gets its problem recorded and the scan goes on. Cancelled on a stop request.
std::vector<WindowScanPoint> scanWindows(const hepgen::data::Table& data, const HuntConfig& base,
    const WindowScanConfig& scan, const JobControl& job = {},
    const std::function<void(const WindowScanPoint&)>& onPoint = {});

/// Settings of the S/B scan (JSON keys in brackets).
struct SOverBScanConfig {
    std::vector<double> sOverB { 0.002, 0.005, 0.01 }; ///< [s_over_b] injected S/B in the SR
    int64_t seeds = 2;                                 ///< [seeds] injections (and hunts) per S/B
    /// Defaults overridden by `json`; ConfigError for unknown keys or impossible values.
    static SOverBScanConfig read(const nlohmann::json& json);
};

/// One S/B of the scan: the max SIC (and AUC) of each seed, with mean and standard error.
struct SOverBScanPoint {
    double sOverB = 0.0;
    std::vector<std::uint64_t> seeds;
    std::vector<double> maxSic, auc;            ///< per seed (NaN where max SIC is undefined)
    double meanMaxSic = 0.0, errorMaxSic = 0.0; ///< over the finite values; error = std / sqrt(n)
    double seconds = 0.0;
};

/// Re-injects the signal of a labelled `data` (its label-1 events are the pool, its background stays)
/// at each S/B with seeds base.seed, base.seed + 1, ..., runs the hunt of `base` (with that seed) and
/// collects max SIC. ConfigError for unlabelled data or a pool too small for an S/B (before any hunt
/// runs); Cancelled on a stop request.
std::vector<SOverBScanPoint> scanSOverB(const hepgen::data::Table& data, const HuntConfig& base,
    const SOverBScanConfig& scan, const JobControl& job = {},
    const std::function<void(const SOverBScanPoint&)>& onPoint = {});

/// JSON of the scans, as `hepgen hunt --json` prints them.
nlohmann::json toJson(const std::vector<WindowScanPoint>& points);
nlohmann::json toJson(const std::vector<SOverBScanPoint>& points);

} // namespace hepgen::anomaly
