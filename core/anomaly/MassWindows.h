#pragma once
// Signal region (SR) and sidebands (SB) on the dijet mass, as a resonant anomaly hunt places them
// (CWoLa hunting, arXiv:1805.02664; CATHODE, arXiv:2109.00546): the SR is one window [srLow, srHigh),
// the SB is what lies around it inside [sbLow, sbHigh) — "the rest of the spectrum" by default, or
// adjacent bands of a chosen width. Also counts, S/B for labelled data, user-readable validation,
// and signal (re)injection from a pool of signal events. Plain value types (no torch, no Qt), so the
// GUI's window editor uses exactly this code.
#include "core/data/Table.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// Where an event's mass falls.
enum class Region { Outside, Sideband, Signal };

/// SR = [srLow, srHigh); SB = [sbLow, srLow) ∪ [srHigh, sbHigh). Masses in the data's units (TeV).
/// Default: SR 3.3–3.7 TeV, SB the rest of the spectrum.
struct MassWindows {
    double srLow = 3.3, srHigh = 3.7;
    double sbLow = -std::numeric_limits<double>::infinity();
    double sbHigh = std::numeric_limits<double>::infinity();

    /// SR [lo, hi) with sidebands of `width` on each side.
    static MassWindows withBands(double lo, double hi, double width);
    Region regionOf(double mass) const;
    bool sidebandIsEverythingElse() const;
    /// "SR 3.30–3.70 TeV, SB 2.90–3.30 and 3.70–4.10 TeV" (or "SB the rest").
    std::string describe() const;
};

/// Events and truth counts per region; signal/background counts only for labelled data.
struct WindowCounts {
    std::size_t sr = 0, sb = 0, outside = 0;
    bool labelled = false; ///< every event has label 0 or 1
    std::size_t srSignal = 0, srBackground = 0, sbSignal = 0, sbBackground = 0;
    double sOverB() const; ///< S/B in the SR (NaN unless labelled; inf when no background)
};

/// Counts the events of `table` per region using column `massColumn` (ConfigError if absent).
WindowCounts countWindows(
    const MassWindows& windows, const hepgen::data::Table& table, const std::string& massColumn = "mjj");

/// What a method needs from the windows, for validation.
struct WindowNeeds {
    std::size_t minSignalRegion = 0; ///< events in the SR
    std::size_t minSideband = 0;     ///< events in the SB (0: the method does not use the SB)
    bool needsLabels = false;        ///< truth labels of every event (supervised, IAD)
};

/// Every problem with the windows for this table and method, each a sentence a user understands
/// (empty: all fine). Checks: non-finite or inverted edges, SB edges inside the SR (overlap), an SR
/// outside the data's mass range, too few events in the SR / SB, missing labels.
std::vector<std::string> validateWindows(const MassWindows& windows, const hepgen::data::Table& table,
    const WindowNeeds& needs = {}, const std::string& massColumn = "mjj");
/// Throws hepgen::ConfigError with the problems joined when validateWindows() finds any.
void requireValidWindows(const MassWindows& windows, const hepgen::data::Table& table, const WindowNeeds& needs = {},
    const std::string& massColumn = "mjj");

/// Row indices of `table` in a region, in table order.
std::vector<std::size_t> rowsInRegion(
    const MassWindows& windows, const hepgen::data::Table& table, Region region, const std::string& massColumn = "mjj");

/// How much signal to (re)inject: a number of events, or (when sOverB > 0) as many as give that S/B
/// in the SR. Signal is drawn without replacement from the pool with `seed`.
struct Injection {
    std::size_t signal = 0;
    double sOverB = 0.0;
    std::uint64_t seed = 1;
};

/// Background plus injected signal, shuffled with the injection's seed. Background rows keep label
/// 0 and pool rows get label 1. Throws ConfigError when the pool is too small (saying how many it
/// holds), when the columns differ, or for a negative S/B.
hepgen::data::Table injectSignal(const hepgen::data::Table& background, const hepgen::data::Table& signalPool,
    const Injection& injection, const MassWindows& windows = {}, const std::string& massColumn = "mjj");

/// The rows of a labelled table with label 0 (first) and label 1 (second); ConfigError if unlabelled.
std::pair<hepgen::data::Table, hepgen::data::Table> splitByLabel(const hepgen::data::Table& table);

} // namespace hepgen::anomaly
