#include "core/data/Histogram.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace hepgen::data {

double Histogram1D::total() const { return std::accumulate(counts.begin(), counts.end(), 0.0); }

Histogram1D histogram(const std::vector<float>& values, std::size_t bins, double low, double high)
{
    if (bins == 0 || !(low < high))
        throw ConfigError("A histogram needs at least one bin and low < high.");
    Histogram1D h;
    h.low = low;
    h.high = high;
    h.counts.assign(bins, 0.0);
    const double scale = static_cast<double>(bins) / (high - low);
    for (float v : values) {
        if (!std::isfinite(v)) {
            ++h.skippedNonFinite;
            continue;
        }
        if (v < low) {
            h.underflow += 1;
        } else if (v > high) {
            h.overflow += 1;
        } else {
            const auto i = std::min(bins - 1, static_cast<std::size_t>((v - low) * scale));
            h.counts[i] += 1;
        }
    }
    return h;
}

std::pair<double, double> finiteRange(const std::vector<float>& values)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (float v : values) {
        if (std::isfinite(v)) {
            lo = std::min(lo, static_cast<double>(v));
            hi = std::max(hi, static_cast<double>(v));
        }
    }
    if (!(lo <= hi))
        return { 0.0, 1.0 };
    if (lo == hi) {
        const double pad = std::max(1e-6, std::abs(lo) * 1e-3);
        return { lo - pad, hi + pad };
    }
    return { lo, hi };
}

std::vector<Histogram1D> histogramsByLabel(const Table& table, std::size_t column, std::size_t bins)
{
    const std::vector<float> all = table.column(column);
    const auto [lo, hi] = finiteRange(all);
    std::vector<std::vector<float>> split(3);
    for (std::size_t i = 0; i < all.size(); ++i) {
        const int label = table.labels.empty() ? -1 : table.labels[i];
        split[label == 0 ? 0 : label == 1 ? 1 : 2].push_back(all[i]);
    }
    std::vector<Histogram1D> out;
    for (const auto& part : split)
        out.push_back(histogram(part, bins, lo, hi));
    return out;
}

std::vector<double> correlationMatrix(const Table& table)
{
    const std::size_t f = table.cols(), n = table.rows();
    std::vector<double> mean(f, 0.0), cov(f * f, 0.0);
    std::size_t used = 0;
    auto finiteRow = [&](std::size_t i) {
        for (std::size_t j = 0; j < f; ++j)
            if (!std::isfinite(table.at(i, j)))
                return false;
        return true;
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (!finiteRow(i))
            continue;
        ++used;
        for (std::size_t j = 0; j < f; ++j)
            mean[j] += table.at(i, j);
    }
    for (auto& m : mean)
        m /= std::max<std::size_t>(1, used);
    for (std::size_t i = 0; i < n; ++i) {
        if (!finiteRow(i))
            continue;
        for (std::size_t a = 0; a < f; ++a) {
            const double da = table.at(i, a) - mean[a];
            for (std::size_t b = a; b < f; ++b)
                cov[a * f + b] += da * (table.at(i, b) - mean[b]);
        }
    }
    std::vector<double> corr(f * f, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t a = 0; a < f; ++a)
        for (std::size_t b = a; b < f; ++b) {
            const double denom = std::sqrt(cov[a * f + a] * cov[b * f + b]);
            const double r = denom > 0 ? cov[a * f + b] / denom : std::numeric_limits<double>::quiet_NaN();
            corr[a * f + b] = corr[b * f + a] = (a == b && denom > 0) ? 1.0 : r;
        }
    return corr;
}

bool prefersLogScale(const Histogram1D& h)
{
    // Log when a large part of the filled range sits below 1 % of the peak (falling spectra such
    // as m_jj); a few sparse edge bins of an otherwise flat distribution do not count.
    const double peak = h.counts.empty() ? 0.0 : *std::max_element(h.counts.begin(), h.counts.end());
    std::size_t filled = 0, low = 0;
    for (double c : h.counts) {
        if (c <= 0)
            continue;
        ++filled;
        low += c < 0.01 * peak ? 1 : 0;
    }
    return filled >= 5 && static_cast<double>(low) > 0.3 * static_cast<double>(filled);
}

} // namespace hepgen::data
