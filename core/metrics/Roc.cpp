#include "core/metrics/Roc.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace hepgen::metrics {

RocCurve rocCurve(const std::vector<double>& scores, const std::vector<int>& labels, const std::vector<double>& weights)
{
    const std::size_t n = scores.size();
    if (labels.size() != n || (!weights.empty() && weights.size() != n))
        throw ConfigError(fmt::format(
            "ROC curve: {} scores, {} labels and {} weights do not match.", n, labels.size(), weights.size()));
    double totalS = 0.0, totalB = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (labels[i] != 0 && labels[i] != 1)
            throw ConfigError(fmt::format("ROC curve: label {} of event {} is neither 0 nor 1.", labels[i], i));
        if (!std::isfinite(scores[i]))
            throw ConfigError(fmt::format("ROC curve: the score of event {} is not finite.", i));
        const double w = weights.empty() ? 1.0 : weights[i];
        if (!std::isfinite(w) || w < 0)
            throw ConfigError(fmt::format("ROC curve: the weight of event {} is negative or not finite.", i));
        (labels[i] == 1 ? totalS : totalB) += w;
    }
    if (!(totalS > 0) || !(totalB > 0))
        throw ConfigError("ROC curve: both signal (label 1) and background (label 0) events with positive "
                          "weight are needed.");

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t { 0 });
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

    RocCurve roc;
    roc.thresholds.push_back(std::numeric_limits<double>::infinity());
    roc.signalEfficiency.push_back(0.0);
    roc.backgroundEfficiency.push_back(0.0);
    roc.backgroundPassing.push_back(0);
    double passS = 0.0, passB = 0.0, area = 0.0;
    std::size_t countB = 0;
    for (std::size_t k = 0; k < n;) {
        // All events of equal score pass or fail together: one point per distinct score.
        const double s = scores[order[k]];
        for (; k < n && scores[order[k]] == s; ++k) {
            const std::size_t i = order[k];
            const double w = weights.empty() ? 1.0 : weights[i];
            if (labels[i] == 1) {
                passS += w;
            } else {
                passB += w;
                ++countB;
            }
        }
        // The last cut passes everything: exactly 1, whatever the summation order's rounding.
        const double effS = k == n ? 1.0 : std::min(passS / totalS, 1.0);
        const double effB = k == n ? 1.0 : std::min(passB / totalB, 1.0);
        // Trapezoid over the exact curve: a tie group between signal and background adds the triangle
        // that counts each tied pair 1/2 (Mann-Whitney U with ties).
        area += (effB - roc.backgroundEfficiency.back()) * (effS + roc.signalEfficiency.back()) / 2.0;
        roc.thresholds.push_back(s);
        roc.signalEfficiency.push_back(effS);
        roc.backgroundEfficiency.push_back(effB);
        roc.backgroundPassing.push_back(countB);
    }
    roc.auc = area;
    return roc;
}

double rocAuc(const std::vector<double>& scores, const std::vector<int>& labels, const std::vector<double>& weights)
{
    return rocCurve(scores, labels, weights).auc;
}

std::vector<SicPoint> sicCurve(const RocCurve& roc, std::size_t minBackgroundEvents)
{
    std::vector<SicPoint> curve;
    for (std::size_t i = 0; i < roc.size(); ++i) {
        const double effB = roc.backgroundEfficiency[i];
        if (roc.backgroundPassing[i] < std::max<std::size_t>(minBackgroundEvents, 1) || !(effB > 0))
            continue;
        curve.push_back({ roc.signalEfficiency[i] / std::sqrt(effB), roc.signalEfficiency[i], effB, roc.thresholds[i],
            roc.backgroundPassing[i] });
    }
    return curve;
}

std::optional<SicPoint> maxSic(const RocCurve& roc, std::size_t minBackgroundEvents)
{
    const auto curve = sicCurve(roc, minBackgroundEvents);
    if (curve.empty())
        return std::nullopt;
    return *std::max_element(
        curve.begin(), curve.end(), [](const SicPoint& a, const SicPoint& b) { return a.sic < b.sic; });
}

double backgroundEfficiencyAt(const RocCurve& roc, double effS)
{
    if (!(effS >= 0.0 && effS <= 1.0))
        throw ConfigError(fmt::format("The signal efficiency must be in [0, 1] (got {}).", effS));
    const auto& s = roc.signalEfficiency;
    const auto& b = roc.backgroundEfficiency;
    // First point reaching eps_S: along a vertical stretch of the curve it has the smallest eps_B.
    const auto it = std::lower_bound(s.begin(), s.end(), effS);
    if (it == s.end())
        return 1.0;
    const auto i = static_cast<std::size_t>(it - s.begin());
    if (s[i] == effS || i == 0)
        return b[i];
    const double f = (effS - s[i - 1]) / (s[i] - s[i - 1]);
    return b[i - 1] + f * (b[i] - b[i - 1]);
}

namespace {
double checkedBackgroundEfficiency(const RocCurve& roc, double effS)
{
    if (!(effS > 0.0 && effS <= 1.0))
        throw ConfigError(fmt::format("The signal efficiency must be in (0, 1] (got {}).", effS));
    return backgroundEfficiencyAt(roc, effS);
}
} // namespace

double sicAt(const RocCurve& roc, double effS)
{
    const double effB = checkedBackgroundEfficiency(roc, effS);
    return effB > 0 ? effS / std::sqrt(effB) : std::numeric_limits<double>::infinity();
}

double rejectionAt(const RocCurve& roc, double effS)
{
    const double effB = checkedBackgroundEfficiency(roc, effS);
    return effB > 0 ? 1.0 / effB : std::numeric_limits<double>::infinity();
}

} // namespace hepgen::metrics
