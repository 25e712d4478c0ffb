#pragma once
// ROC curves and the figures of merit read off them: AUC, significance improvement SIC = eps_S / sqrt(eps_B)
// (its maximum only where enough background survives the cut) and background rejection 1 / eps_B at a
// fixed signal efficiency. Plain value types, so widgets and the CLI can use them directly.
#include <cstddef>
#include <optional>
#include <vector>

namespace hepgen::metrics {

/// The exact ROC curve of a score: one point per distinct score value (ties move together), from the
/// cut that passes nothing (threshold +inf, eps = 0) to the one that passes everything (eps = 1).
/// Point i keeps the events with score >= thresholds[i]; eps_S and eps_B are non-decreasing.
struct RocCurve {
    std::vector<double> thresholds;             ///< descending; thresholds[0] = +inf
    std::vector<double> signalEfficiency;       ///< eps_S: weighted fraction of signal passing
    std::vector<double> backgroundEfficiency;   ///< eps_B: weighted fraction of background passing
    std::vector<std::size_t> backgroundPassing; ///< number (unweighted) of background events passing
    double auc = 0.5; ///< area under eps_S(eps_B), trapezoid = Mann-Whitney U / (n_S n_B), ties counted 1/2

    std::size_t size() const { return thresholds.size(); }
};

/// ROC curve of `scores` (higher = more signal-like) for `labels` (1 signal, 0 background) with optional
/// non-negative per-event `weights` (empty: all 1). Throws hepgen::ConfigError for mismatched sizes, a
/// label other than 0/1, a negative or non-finite weight, a non-finite score, or a class with no weight.
RocCurve rocCurve(
    const std::vector<double>& scores, const std::vector<int>& labels, const std::vector<double>& weights = {});

/// The area under the ROC curve (same inputs and errors as rocCurve).
double rocAuc(
    const std::vector<double>& scores, const std::vector<int>& labels, const std::vector<double>& weights = {});

/// A cut on the ROC curve and its SIC.
struct SicPoint {
    double sic = 0.0;
    double signalEfficiency = 0.0;
    double backgroundEfficiency = 0.0;
    double threshold = 0.0;
    std::size_t backgroundPassing = 0;
};

/// SIC = eps_S / sqrt(eps_B) along the curve, only at the points where at least `minBackgroundEvents`
/// (unweighted) background events pass, so the curve has no spikes from nearly empty tails.
std::vector<SicPoint> sicCurve(const RocCurve& roc, std::size_t minBackgroundEvents = 20);

/// The point of largest SIC among those of sicCurve(roc, minBackgroundEvents); nothing when no cut
/// keeps that many background events.
std::optional<SicPoint> maxSic(const RocCurve& roc, std::size_t minBackgroundEvents = 20);

/// eps_B at signal efficiency `eps_S` in [0, 1], linearly interpolated between the curve's points (the
/// curve the AUC integrates); where the curve is vertical at eps_S, the smallest eps_B there.
/// Throws hepgen::ConfigError for eps_S outside [0, 1].
double backgroundEfficiencyAt(const RocCurve& roc, double signalEfficiency);

/// SIC at a fixed signal efficiency (eps_B interpolated as in backgroundEfficiencyAt); +inf where
/// eps_B is 0 there. Throws hepgen::ConfigError for eps_S outside (0, 1].
double sicAt(const RocCurve& roc, double signalEfficiency);

/// Background rejection 1 / eps_B at a fixed signal efficiency; +inf where eps_B is 0 there.
/// Throws hepgen::ConfigError for eps_S outside (0, 1].
double rejectionAt(const RocCurve& roc, double signalEfficiency);

} // namespace hepgen::metrics
