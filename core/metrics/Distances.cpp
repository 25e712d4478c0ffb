#include "core/metrics/Distances.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace hepgen::metrics {

namespace {

/// A sample sorted by value with its weights normalised to unit sum.
std::vector<std::pair<double, double>> sortedNormalised(
    const std::vector<double>& x, const std::vector<double>& w, const char* name)
{
    if (x.empty())
        throw ConfigError(fmt::format("Wasserstein distance: sample {} is empty.", name));
    if (!w.empty() && w.size() != x.size())
        throw ConfigError(
            fmt::format("Wasserstein distance: sample {} has {} values but {} weights.", name, x.size(), w.size()));
    std::vector<std::pair<double, double>> s(x.size());
    double total = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double wi = w.empty() ? 1.0 : w[i];
        if (!std::isfinite(x[i]) || !std::isfinite(wi) || wi < 0)
            throw ConfigError(fmt::format(
                "Wasserstein distance: value or weight {} of sample {} is not finite or negative.", i, name));
        s[i] = { x[i], wi };
        total += wi;
    }
    if (!(total > 0))
        throw ConfigError(fmt::format("Wasserstein distance: sample {} has zero total weight.", name));
    for (auto& p : s)
        p.second /= total;
    std::sort(s.begin(), s.end());
    return s;
}

/// Normalised histogram after checking it against its partner.
std::vector<double> normalised(const std::vector<double>& h, std::size_t bins, const char* what)
{
    if (h.size() != bins)
        throw ConfigError(
            fmt::format("{}: the histograms have different binnings ({} and {} bins).", what, bins, h.size()));
    double total = 0.0;
    for (double c : h) {
        if (!std::isfinite(c) || c < 0)
            throw ConfigError(fmt::format("{}: histogram counts must be finite and non-negative.", what));
        total += c;
    }
    if (!(total > 0))
        throw ConfigError(fmt::format("{}: a histogram is empty.", what));
    std::vector<double> p(h);
    for (double& c : p)
        c /= total;
    return p;
}

} // namespace

double wasserstein1(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& weightsA,
    const std::vector<double>& weightsB)
{
    const auto sa = sortedNormalised(a, weightsA, "a");
    const auto sb = sortedNormalised(b, weightsB, "b");
    // Sweep the merged sorted values; between consecutive values the CDF difference is constant.
    std::size_t i = 0, j = 0;
    double fa = 0.0, fb = 0.0, w1 = 0.0;
    double x = std::min(sa.front().first, sb.front().first);
    while (i < sa.size() || j < sb.size()) {
        const double next = j == sb.size() || (i < sa.size() && sa[i].first <= sb[j].first) ? sa[i].first : sb[j].first;
        w1 += std::abs(fa - fb) * (next - x);
        x = next;
        for (; i < sa.size() && sa[i].first == x; ++i)
            fa += sa[i].second;
        for (; j < sb.size() && sb[j].first == x; ++j)
            fb += sb[j].second;
    }
    return w1;
}

double separationPower(const std::vector<double>& counts1, const std::vector<double>& counts2)
{
    const auto p = normalised(counts1, counts1.size(), "Separation power");
    const auto q = normalised(counts2, counts1.size(), "Separation power");
    double sum = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p[i] + q[i] > 0)
            sum += (p[i] - q[i]) * (p[i] - q[i]) / (p[i] + q[i]);
    return 0.5 * sum;
}

double histogramJsd(const std::vector<double>& counts1, const std::vector<double>& counts2)
{
    const auto p = normalised(counts1, counts1.size(), "Jensen-Shannon divergence");
    const auto q = normalised(counts2, counts1.size(), "Jensen-Shannon divergence");
    double jsd = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double m = 0.5 * (p[i] + q[i]);
        if (p[i] > 0)
            jsd += 0.5 * p[i] * std::log2(p[i] / m);
        if (q[i] > 0)
            jsd += 0.5 * q[i] * std::log2(q[i] / m);
    }
    return std::clamp(jsd, 0.0, 1.0);
}

std::pair<std::vector<double>, std::vector<double>> commonHistograms(
    const std::vector<double>& a, const std::vector<double>& b, std::size_t bins)
{
    if (bins == 0)
        throw ConfigError("Histograms need at least one bin.");
    if (a.empty() || b.empty())
        throw ConfigError("Histograms of an empty sample cannot be compared.");
    double low = a.front(), high = a.front();
    for (const auto* s : { &a, &b })
        for (double v : *s) {
            if (!std::isfinite(v))
                throw ConfigError("Histograms: a value is not finite.");
            low = std::min(low, v);
            high = std::max(high, v);
        }
    if (!(high > low))
        high = low + 1.0; // every value equal: one populated bin
    const double width = (high - low) / static_cast<double>(bins);
    auto fill = [&](const std::vector<double>& s) {
        std::vector<double> h(bins, 0.0);
        for (double v : s)
            ++h[std::min(bins - 1, static_cast<std::size_t>((v - low) / width))];
        return h;
    };
    return { fill(a), fill(b) };
}

} // namespace hepgen::metrics
