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
constexpr double kTiltMin = 0.1; // step 6 scales a near cell's energy by at least this, at most 2 - this

long long cellKey(long long ia, long long ib) { return (ia + (1LL << 30)) * (1LL << 31) + (ib + (1LL << 30)); }

/// Steps 5 and 6 for one layer, whose hits are `out`'s from hit `first` on; `core` holds the core cell's indices,
/// `centre` the flow's centre in cells from the core cell's centre, `near` the flow's near share.
void calibrateNearCells(std::vector<float>& out, std::size_t first, const ShowerLayout& layout,
    const std::array<long long, 2>& core, const std::array<double, 2>& centre, double near, double minHitEnergy)
{
    struct Hit {
        float* energy;
        double da, db; // cell offsets from the core cell
        int group;     // 0: the core cell, 1: the 8 cells around it, 2: further out
    };
    std::vector<Hit> hits;
    for (std::size_t k = first; k < out.size() / 4; ++k) {
        const float* p = &out[4 * k];
        const auto da
            = static_cast<double>(std::llround((p[layout.axisA()] - layout.originA) / layout.cellSize) - core[0]);
        const auto db
            = static_cast<double>(std::llround((p[layout.axisB()] - layout.originB) / layout.cellSize) - core[1]);
        const int group = da == 0 && db == 0 ? 0 : (std::abs(da) <= 1 && std::abs(db) <= 1 ? 1 : 2);
        hits.push_back({ &out[4 * k + 3], da, db, group });
    }
    const auto scale = [&](int group, double factor) {
        for (const Hit& h : hits)
            if (h.group == group)
                *h.energy = static_cast<float>(std::max(*h.energy * factor, minHitEnergy));
    };
    // 5. The near share.
    double sum[3] = { 0.0, 0.0, 0.0 };
    for (const Hit& h : hits)
        sum[h.group] += *h.energy;
    if (!(sum[1] > 0.0))
        return;
    if (sum[2] > 0.0) {
        scale(1, near * (sum[1] + sum[2]) / sum[1]);
        scale(2, (1.0 - near) * (sum[1] + sum[2]) / sum[2]);
    }
    // 6. The block's centre: the near cells' energies tilted linearly in their offsets, E (1 + beta . (d - d_mean)),
    //    which keeps their sum, with beta solving the 2 x 2 system that puts the block's centre on the flow's. The
    //    core cell sits at offset 0 (its energy, sum[0], untouched by step 5), so the block's moments are the near
    //    cells' alone.
    double en = 0.0, ma = 0.0, mb = 0.0;
    for (const Hit& h : hits)
        if (h.group == 1) {
            en += *h.energy;
            ma += *h.energy * h.da;
            mb += *h.energy * h.db;
        }
    if (!(en > 0.0)) // a near share of 0 without a threshold: nothing to tilt
        return;
    const double meanA = ma / en, meanB = mb / en;
    double saa = 0.0, sab = 0.0, sbb = 0.0;
    for (const Hit& h : hits)
        if (h.group == 1) {
            saa += *h.energy * (h.da - meanA) * h.da;
            sab += *h.energy * (h.da - meanA) * h.db;
            sbb += *h.energy * (h.db - meanB) * h.db;
        }
    const double det = saa * sbb - sab * sab;
    if (!(std::abs(det) > 1e-9 * en * en)) // the near cells on one line or one cell: no tilt
        return;
    const double wa = centre[0] * (sum[0] + en) - ma, wb = centre[1] * (sum[0] + en) - mb;
    const double ba = (wa * sbb - wb * sab) / det, bb = (wb * saa - wa * sab) / det;
    double tilted = 0.0;
    for (const Hit& h : hits)
        if (h.group == 1) {
            *h.energy *= static_cast<float>(
                std::clamp(1.0 + ba * (h.da - meanA) + bb * (h.db - meanB), kTiltMin, 2.0 - kTiltMin));
            tilted += *h.energy;
        }
    scale(1, en / tilted); // the clamp may have moved the sum
}

} // namespace

std::vector<float> postProcess(
    std::vector<RawPoint> points, const ShowerSummary& target, const ShowerLayout& layout, double minHitEnergy)
{
    const std::size_t layers = layout.size();
    const bool cores = !target.coreFraction.empty();
    if (cores && layout.cellSize <= 0.0)
        throw ConfigError("Core hits need showers on a lateral cell grid.");
    std::vector<int64_t> haloPerLayer = target.hitsPerLayer;
    std::vector<double> coreEnergy(layers, 0.0);
    for (std::size_t l = 0; cores && l < layers; ++l)
        if (target.coreFraction[l] > 0.0 && target.hitsPerLayer[l] > 0) {
            haloPerLayer[l] -= 1;
            // the halo keeps at least 0.1 % of the layer's energy (a share of 1 would leave its hits with none)
            coreEnergy[l]
                = target.energyPerLayer[l] * (haloPerLayer[l] == 0 ? 1.0 : std::min(target.coreFraction[l], 0.999));
        }
    const int64_t halo = target.hits - target.coreHits();
    if (static_cast<int64_t>(points.size()) != halo)
        throw ConfigError(fmt::format("Post-processing got {} points for a shower of {} hits ({} of them core hits).",
            points.size(), target.hits, target.hits - halo));

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
            for (int64_t j = 0; j < haloPerLayer[l] && k < points.size(); ++j)
                layerOf[k++] = l;
        }
        begin[layers] = k;
    }

    // 2. Energy per layer (the halo's share where the layer has a core).
    for (std::size_t l = 0; l < layers; ++l) {
        double sum = 0.0;
        for (std::size_t k = begin[l]; k < begin[l + 1]; ++k)
            sum += points[k][3];
        const double share = target.energyPerLayer[l] - coreEnergy[l];
        if (sum > 0.0 && share > 0.0)
            for (std::size_t k = begin[l]; k < begin[l + 1]; ++k)
                points[k][3] = std::max(points[k][3] * share / sum, minHitEnergy);
        coreEnergy[l] = coreEnergy[l] > 0.0 ? std::max(coreEnergy[l], minHitEnergy) : 0.0;
    }

    // 3. Lateral centre of energy: the halo moves, the cores stay in their cell.
    const auto core = coreCell(target, layout);
    double ea = 0.0, eb = 0.0, eHalo = 0.0;
    for (const auto& p : points) {
        eHalo += p[3];
        ea += p[3] * p[0];
        eb += p[3] * p[1];
    }
    double e = eHalo;
    for (const double c : coreEnergy) {
        e += c;
        ea += c * core[0];
        eb += c * core[1];
    }
    if (eHalo > 0.0) {
        const double limit = cores ? layout.cellSize : HUGE_VAL;
        const double da = std::clamp((target.centreA * e - ea) / eHalo, -limit, limit);
        const double db = std::clamp((target.centreB * e - eb) / eHalo, -limit, limit);
        for (auto& p : points) {
            p[0] += da;
            p[1] += db;
        }
    }

    // 4. Cells.
    std::vector<float> out;
    out.reserve(4 * static_cast<std::size_t>(target.hits));
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
    const auto coreA = std::llround((core[0] - layout.originA) / cell),
               coreB = std::llround((core[1] - layout.originB) / cell);
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t first = out.size() / 4;            // this layer's hits in `out`
        std::unordered_map<long long, std::size_t> occupied; // cell -> index of its hit in `out` (in floats / 4)
        if (coreEnergy[l] > 0.0) {
            occupied[cellKey(coreA, coreB)] = out.size() / 4;
            emit(core[0], core[1], l, coreEnergy[l]);
        }
        std::vector<std::size_t> order(begin[l + 1] - begin[l]);
        std::iota(order.begin(), order.end(), begin[l]);
        std::stable_sort(
            order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return points[x][3] > points[y][3]; });
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
                        // nearest to the hit, and to the core: the cells next to the axis of an electromagnetic
                        // shower are always above threshold, so a displaced hit fills a hole there before it
                        // starts a new cell further out (i.i.d. points leave about a third of them empty)
                        const double d = std::pow(static_cast<double>(ca2) - fa, 2)
                            + std::pow(static_cast<double>(cb2) - fb, 2) + std::pow(static_cast<double>(ca2 - coreA), 2)
                            + std::pow(static_cast<double>(cb2 - coreB), 2);
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
        if (cores && !target.nearFraction.empty())
            calibrateNearCells(out, first, layout, { coreA, coreB },
                { (target.centreA - core[0]) / cell, (target.centreB - core[1]) / cell }, target.nearFraction[l],
                minHitEnergy);
    }
    return out;
}

} // namespace hepgen::showers
