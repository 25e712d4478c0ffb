#pragma once
// The value types of the bump hunt (core/anomaly/BumpHunt.h): the dijet function, the settings, a
// sideband fit interpolated into the signal region, and one score cut. Plain values with no torch, so
// the widgets that draw them can include this header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// The 4-parameter dijet function of the LHC resonance searches (e.g. CMS arXiv:1911.03947 eq. 1):
/// f(m) = p0 (1 - x)^p1 / x^(p2 + p3 ln x), x = m / sqrtS; events per TeV.
struct DijetFunction {
    double p0 = 1.0, p1 = 5.0, p2 = 3.0, p3 = 0.0;
    double sqrtS = 13.0; ///< TeV
    double operator()(double mass) const;
    /// The integral over [lo, hi] (Simpson's rule on 8 panels: f is smooth on a bin).
    double integral(double lo, double hi) const;
};

/// Settings of the bump hunt (JSON keys in brackets).
struct BumpHuntConfig {
    double binWidth = 0.05; ///< [bin_width] TeV; the SR is split into bins of about this width
    double fitLow = 3.0;    ///< [fit_low] TeV: lowest mass fitted (above the trigger turn-on of the dijet toy)
    double fitHigh = 0.0;   ///< [fit_high] TeV: highest mass fitted (0: the largest mass in the data)
    std::vector<double> efficiencies { 1.0, 0.1, 0.01, 0.001 }; ///< [efficiencies] score cuts to hunt after
};

/// A sideband fit and its interpolation into the SR.
struct SpectrumFit {
    DijetFunction function;                       ///< fitted (p0 profiled analytically)
    std::vector<double> edges;                    ///< bin edges (bins + 1)
    std::vector<double> observed, expected;       ///< events per bin; expected from the fit
    std::vector<double> pulls;                    ///< (observed - expected) / sqrt(expected)
    std::vector<std::uint8_t> signalRegion;       ///< 1 for SR bins (not fitted)
    double p1Error = 0, p2Error = 0, p3Error = 0; ///< from the Hessian of the profiled NLL
    bool converged = false;
    std::string message;     ///< why not converged, or empty
    double chi2PerNdf = 0.0; ///< Poisson deviance / (SB bins - 4), a goodness-of-fit check
    double observedSr = 0.0, expectedSr = 0.0;
    double expectedSrError = 0.0; ///< the fit's uncertainty on expectedSr (parameter covariance and normalisation)
    /// Local Z of the SR excess, one-sided (0 for a deficit), with the fit's uncertainty on the expectation
    /// (the statistical one alone when the Hessian could not be inverted).
    double significance = 0.0;
    double significanceStatOnly = 0.0; ///< the same with the expectation taken as exact (Poisson only)
};

/// One score cut of the bump hunt.
struct BumpHuntStep {
    double efficiency = 1.0; ///< fraction of the SB ∪ SR events kept (highest scores)
    double threshold = 0.0;  ///< score >= threshold passes
    std::size_t passing = 0;
    SpectrumFit fit;
};

} // namespace hepgen::anomaly
