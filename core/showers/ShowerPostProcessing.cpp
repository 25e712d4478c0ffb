#include "core/showers/ShowerPostProcessing.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace hepgen::showers {

namespace {

constexpr int kSearchRadius = 2; // cells around an occupied one where a colliding hit looks for a free cell

long long cellKey(long long ia, long long ib) { return (ia + (1LL << 30)) * (1LL << 31) + (ib + (1LL << 30)); }

} // namespace

std::vector<float> postProcess(
    std::vector<RawPoint> points, const ShowerSummary& target, const ShowerLayout& layout, double minHitEnergy)
{
    const std::size_t layers = layout.size();
    if (static_cast<int64_t>(points.size()) != target.hits)
        throw ConfigError(
            fmt::format("Post-processing got {} points for a shower of {} hits.", points.size(), target.hits));

    // 0. The threshold, reflected (at most one e-fold: a smoothed edge leaks just below it; anything further down is
    //    a model error, not an edge, and must not come back as a large energy).
    for (auto& p : points)
        if (p[3] < minHitEnergy)
            p[3] = minHitEnergy * minHitEnergy / std::max(p[3], minHitEnergy / M_E);

    // 1. Layers by rank of the layer coordinate.
    std::stable_sort(points.begin(), points.end(), [](const RawPoint& x, const RawPoint& y) { return x[2] < y[2]; });
    std::vector<std::size_t> layerOf(points.size());
    std::vector<std::size_t> begin(layers + 1, 0);
    {
        std::size_t k = 0;
        for (std::size_t l = 0; l < layers; ++l) {
            begin[l] = k;
            for (int64_t j = 0; j < target.hitsPerLayer[l] && k < points.size(); ++j)
                layerOf[k++] = l;
        }
        begin[layers] = k;
    }

    // 2. Energy per layer.
    for (std::size_t l = 0; l < layers; ++l) {
        double sum = 0.0;
        for (std::size_t k = begin[l]; k < begin[l + 1]; ++k)
            sum += points[k][3];
        if (sum > 0.0 && target.energyPerLayer[l] > 0.0)
            for (std::size_t k = begin[l]; k < begin[l + 1]; ++k)
                points[k][3] = std::max(points[k][3] * target.energyPerLayer[l] / sum, minHitEnergy);
    }

    // 3. Lateral centre of energy.
    double e = 0.0, ca = 0.0, cb = 0.0;
    for (const auto& p : points) {
        e += p[3];
        ca += p[3] * p[0];
        cb += p[3] * p[1];
    }
    if (e > 0.0) {
        const double da = target.centreA - ca / e, db = target.centreB - cb / e;
        for (auto& p : points) {
            p[0] += da;
            p[1] += db;
        }
    }

    // 4. Cells.
    std::vector<float> out;
    out.reserve(4 * points.size());
    const auto emit = [&](double a, double b, std::size_t l, double energy) {
        const auto h = toShowerAxes(a, b, layout.layers[l], energy, layout);
        out.insert(out.end(), h.begin(), h.end());
    };
    if (layout.cellSize <= 0.0) {
        for (std::size_t k = 0; k < points.size(); ++k)
            emit(points[k][0], points[k][1], layerOf[k], points[k][3]);
        return out;
    }
    const double cell = layout.cellSize;
    for (std::size_t l = 0; l < layers; ++l) {
        std::vector<std::size_t> order(begin[l + 1] - begin[l]);
        std::iota(order.begin(), order.end(), begin[l]);
        std::stable_sort(
            order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return points[x][3] > points[y][3]; });
        std::unordered_map<long long, std::size_t> occupied; // cell -> index of its hit in `out` (in floats / 4)
        for (const std::size_t k : order) {
            const double fa = (points[k][0] - layout.originA) / cell, fb = (points[k][1] - layout.originB) / cell;
            const auto ia = static_cast<long long>(std::llround(fa)), ib = static_cast<long long>(std::llround(fb));
            long long bestA = ia, bestB = ib;
            if (occupied.count(cellKey(ia, ib)) > 0) {
                double best = std::numeric_limits<double>::infinity();
                for (long long da = -kSearchRadius; da <= kSearchRadius; ++da)
                    for (long long db = -kSearchRadius; db <= kSearchRadius; ++db) {
                        const long long ca2 = ia + da, cb2 = ib + db;
                        if (occupied.count(cellKey(ca2, cb2)) > 0)
                            continue;
                        const double d
                            = std::pow(static_cast<double>(ca2) - fa, 2) + std::pow(static_cast<double>(cb2) - fb, 2);
                        if (d < best) {
                            best = d;
                            bestA = ca2;
                            bestB = cb2;
                        }
                    }
                if (!std::isfinite(best)) { // no free cell nearby: merge into the hit of its own cell
                    out[4 * occupied.at(cellKey(ia, ib)) + 3] += static_cast<float>(points[k][3]);
                    continue;
                }
            }
            occupied[cellKey(bestA, bestB)] = out.size() / 4;
            emit(layout.originA + static_cast<double>(bestA) * cell, layout.originB + static_cast<double>(bestB) * cell,
                l, points[k][3]);
        }
    }
    return out;
}

} // namespace hepgen::showers
