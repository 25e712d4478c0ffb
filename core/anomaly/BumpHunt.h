#pragma once
// The bump hunt of a resonant anomaly search: the dijet function fitted to the sidebands of the
// mass spectrum only, interpolated into the signal region, pulls, and the local significance of
// the SR excess; done after cuts on the anomaly score at several efficiencies (CWoLa hunting,
// arXiv:1805.02664, sec. 4). The same on background alone is the background-sculpting check: a
// score that learned the mass would carve a bump out of pure background. Plain value types.
#include "core/anomaly/Hunt.h"
#include "core/anomaly/MassWindows.h"
#include "core/anomaly/SpectrumFit.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// Fits `masses` (events in any region; only SB bins inside [fitLow, fitHigh] are fitted) by a binned
/// Poisson likelihood. ConfigError for bad settings or fewer than 5 fitted bins with events.
SpectrumFit fitSpectrum(const std::vector<float>& masses, const MassWindows& windows, const BumpHuntConfig& config);

/// The fit after each score cut of config.efficiencies on the scored events (SB ∪ SR).
/// `backgroundOnly`: use only label-0 events (the sculpting check; ConfigError if unlabelled).
/// Cuts that leave too few events for a fit are skipped.
std::vector<BumpHuntStep> bumpHunt(
    const ScoredEvents& events, const MassWindows& windows, const BumpHuntConfig& config, bool backgroundOnly = false);

/// Local significance of n observed over b expected events, one-sided Poisson likelihood ratio:
/// Z = sqrt(2 (n ln(n/b) - n + b)) for n > b, else 0 (Cowan et al., arXiv:1007.1727, eq. 97 for s = n - b).
double poissonSignificance(double observed, double expected);
/// The same when the expectation is uncertain by `sigma` (Gaussian): Cowan's Asimov formula, "Discovery
/// sensitivity for a counting experiment with background uncertainty" (2012), eq. 20, with s = n - b:
/// Z = sqrt(2 [n ln(n (b + sigma^2) / (b^2 + n sigma^2)) - (b^2 / sigma^2) ln(1 + sigma^2 (n - b) / (b (b +
/// sigma^2)))]); 0 for n <= b; sigma -> 0 gives the formula above.
double poissonSignificance(double observed, double expected, double sigma);

} // namespace hepgen::anomaly
