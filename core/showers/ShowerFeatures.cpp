#include "core/showers/ShowerFeatures.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hepgen::showers {

namespace {

constexpr double kFractionFloor = 1e-4; // dequantisation of empty layers' energy fractions
constexpr double kNearDequant = 0.02;   // dequantisation of the near shares (0 and 1 in layers of a few hits)
constexpr double kLogEnergyClamp = 8.0; // standardised log-energy bound of unscalePoint
constexpr std::size_t kRings = 61;      // baseline rings, half a cell wide: out to 30 cells, the last one open
constexpr double kRingMinHits = 20;     // a ring with fewer training hits takes its nearest well-filled ring's value

/// The baseline ring of the cell at (a, b) (mm, the core cell centred on the origin).
std::size_t ringOf(double a, double b, double cell)
{
    const double r = std::round(2.0 * std::hypot(std::round(a / cell), std::round(b / cell)));
    return r < static_cast<double>(kRings - 1) ? static_cast<std::size_t>(r) : kRings - 1; // NaN: the open ring
}

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

} // namespace

int64_t ShowerSummary::coreHits() const
{
    int64_t n = 0;
    for (std::size_t l = 0; l < coreFraction.size(); ++l)
        n += coreFraction[l] > 0.0 && hitsPerLayer[l] > 0 ? 1 : 0;
    return n;
}

std::array<double, 2> coreCell(const ShowerSummary& s, const ShowerLayout& layout)
{
    return { layout.snap(s.centreA, layout.originA), layout.snap(s.centreB, layout.originB) };
}

namespace {

/// Whether lateral position (a, b) lies in the block of (2 r + 1)^2 cells centred on `cell`.
bool inCell(double a, double b, const std::array<double, 2>& cell, const ShowerLayout& layout, int r = 0)
{
    const double half = (0.5 + r) * layout.cellSize;
    return std::abs(a - cell[0]) < half && std::abs(b - cell[1]) < half;
}

} // namespace

ShowerSummary summarise(const hepgen::data::Showers& showers, std::size_t i, const ShowerLayout& layout, bool cores)
{
    if (cores && layout.cellSize <= 0.0)
        throw ConfigError("Core hits need showers on a lateral cell grid.");
    ShowerSummary s;
    const std::size_t layers = layout.size();
    s.incidentEnergy = showers.incidentEnergy[i];
    s.hitsPerLayer.assign(layers, 0);
    s.energyPerLayer.assign(layers, 0.0);
    const auto a = static_cast<std::size_t>(layout.axisA()), b = static_cast<std::size_t>(layout.axisB()),
               d = static_cast<std::size_t>(layout.depthAxis);
    const auto hit = [&](int64_t k) { return showers.points.data() + 4 * static_cast<std::size_t>(k); };
    double sumA = 0.0, sumB = 0.0;
    for (auto k = showers.offsets[i]; k < showers.offsets[i + 1]; ++k) {
        const float* p = hit(k);
        const std::size_t l = layout.layerOf(p[d]);
        s.hitsPerLayer[l] += 1;
        s.energyPerLayer[l] += p[3];
        s.visible += p[3];
        sumA += p[3] * p[a];
        sumB += p[3] * p[b];
        ++s.hits;
    }
    if (s.visible > 0) {
        s.centreA = sumA / s.visible;
        s.centreB = sumB / s.visible;
    }
    if (cores) {
        s.coreFraction.assign(layers, 0.0);
        s.nearFraction.assign(layers, 0.0);
        const auto cell = coreCell(s, layout);
        std::vector<double> halo(layers, 0.0);
        for (auto k = showers.offsets[i]; k < showers.offsets[i + 1]; ++k) {
            const float* p = hit(k);
            const std::size_t l = layout.layerOf(p[d]);
            if (inCell(p[a], p[b], cell, layout))
                s.coreFraction[l] += p[3];
            else {
                halo[l] += p[3];
                s.nearFraction[l] += inCell(p[a], p[b], cell, layout, 1) ? p[3] : 0.0;
            }
        }
        for (std::size_t l = 0; l < layers; ++l) {
            s.coreFraction[l]
                = s.energyPerLayer[l] > 0.0 ? std::min(1.0, s.coreFraction[l] / s.energyPerLayer[l]) : 0.0;
            s.nearFraction[l] = halo[l] > 0.0 ? std::min(1.0, s.nearFraction[l] / halo[l]) : 1.0;
        }
    }
    return s;
}

hepgen::data::Showers haloAroundCore(const hepgen::data::Showers& showers, const ShowerLayout& layout)
{
    hepgen::data::Showers out;
    out.geometry = showers.geometry;
    out.incidentEnergy = showers.incidentEnergy;
    out.offsets.push_back(0);
    const auto a = static_cast<std::size_t>(layout.axisA()), b = static_cast<std::size_t>(layout.axisB());
    for (std::size_t i = 0; i < showers.size(); ++i) {
        const auto cell = coreCell(summarise(showers, i, layout), layout);
        for (auto k = showers.offsets[i]; k < showers.offsets[i + 1]; ++k) {
            const float* p = showers.points.data() + 4 * static_cast<std::size_t>(k);
            if (inCell(p[a], p[b], cell, layout))
                continue;
            out.points.insert(out.points.end(), p, p + 4);
            out.points[out.points.size() - 4 + a] -= static_cast<float>(cell[0]);
            out.points[out.points.size() - 4 + b] -= static_cast<float>(cell[1]);
        }
        out.offsets.push_back(static_cast<int64_t>(out.points.size() / 4));
    }
    return out;
}

std::vector<double> flowFeatures(const ShowerSummary& s, std::mt19937_64& rng)
{
    const std::size_t layers = s.hitsPerLayer.size();
    const bool cores = !s.coreFraction.empty();
    std::vector<double> f(flowFeatureCount(layers, cores, !s.nearFraction.empty()));
    const double n = static_cast<double>(s.hits);
    f[0] = std::log(n + uniform(rng));
    f[1] = std::log(s.visible / (1000.0 * s.incidentEnergy));
    for (std::size_t l = 0; l < layers; ++l) {
        f[2 + l] = std::log((static_cast<double>(s.hitsPerLayer[l]) + uniform(rng)) / n);
        f[2 + layers + l] = std::log(s.energyPerLayer[l] / s.visible + kFractionFloor * uniform(rng));
    }
    f[2 + 2 * layers] = s.centreA;
    f[3 + 2 * layers] = s.centreB;
    if (cores)
        for (std::size_t l = 0; l < layers; ++l) {
            // The share is free where it means nothing: a lone core's is 1 whatever the value, an empty layer has no
            // core whatever the value. Both take a lone core's values, so that the few-hit layers at either end of
            // the shower, mostly empty or a lone core, put one mode there and the flow need not tie it to n_l.
            const bool free = s.hitsPerLayer[l] == 0 || (s.hitsPerLayer[l] == 1 && s.coreFraction[l] > 0.0);
            f[4 + 2 * layers + l]
                = std::log(free ? 1.0 - 0.5 * uniform(rng) : s.coreFraction[l] + kFractionFloor * uniform(rng));
        }
    if (!s.nearFraction.empty())
        for (std::size_t l = 0; l < layers; ++l) {
            const double h
                = std::clamp(s.nearFraction[l] * (1.0 - kNearDequant) + kNearDequant * uniform(rng), 1e-7, 1.0 - 1e-7);
            f[4 + 3 * layers + l] = std::log(h / (1.0 - h));
        }
    return f;
}

ShowerSummary targetsFrom(
    const double* f, std::size_t layers, double incidentEnergy, int64_t maxHits, bool cores, bool near)
{
    const auto finite = [](double v) { return std::isfinite(v) ? v : -1e30; };
    ShowerSummary s;
    s.incidentEnergy = incidentEnergy;
    const double logN = std::min(finite(f[0]), std::log(static_cast<double>(maxHits) + 1.0));
    s.hits = std::clamp<int64_t>(static_cast<int64_t>(std::floor(std::exp(logN))), 1, maxHits);
    s.visible = std::exp(std::min(finite(f[1]), 5.0)) * 1000.0 * incidentEnergy;

    // Counts per layer: floor of the dequantised counts, then +-1 where the fractional parts say so until they add up
    // to N (largest remainders of non-empty layers gain first, smallest lose first; a layer never goes below zero).
    // An empty layer's remainder is the dequantisation noise u, uniform: were it to compete, half of the empty
    // layers would gain a hit whenever the counts fall short.
    const double n = static_cast<double>(s.hits);
    std::vector<double> frac(layers);
    s.hitsPerLayer.assign(layers, 0);
    int64_t sum = 0;
    for (std::size_t l = 0; l < layers; ++l) {
        const double c = std::min(std::exp(std::min(finite(f[2 + l]), 1.0)) * n, n);
        s.hitsPerLayer[l] = static_cast<int64_t>(std::floor(c));
        frac[l] = c - std::floor(c);
        sum += s.hitsPerLayer[l];
    }
    std::vector<std::size_t> order(layers);
    std::iota(order.begin(), order.end(), 0);
    if (sum < s.hits) {
        if (sum > 0) // only non-empty layers gain (with no hit anywhere, every layer may)
            order.erase(
                std::remove_if(order.begin(), order.end(), [&](std::size_t l) { return s.hitsPerLayer[l] == 0; }),
                order.end());
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return frac[x] > frac[y]; });
        for (std::size_t k = 0; sum < s.hits; k = (k + 1) % order.size(), ++sum)
            s.hitsPerLayer[order[k]] += 1;
    } else if (sum > s.hits) {
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return frac[x] < frac[y]; });
        for (std::size_t k = 0; sum > s.hits; k = (k + 1) % layers)
            if (s.hitsPerLayer[order[k]] > 0) {
                s.hitsPerLayer[order[k]] -= 1;
                --sum;
            }
    }

    // Energies: the flow's fractions in layers with hits, renormalised to E_vis.
    s.energyPerLayer.assign(layers, 0.0);
    double total = 0.0;
    for (std::size_t l = 0; l < layers; ++l)
        if (s.hitsPerLayer[l] > 0) {
            s.energyPerLayer[l] = std::exp(std::min(finite(f[2 + layers + l]), 1.0));
            total += s.energyPerLayer[l];
        }
    for (std::size_t l = 0; l < layers; ++l) {
        if (total > 0)
            s.energyPerLayer[l] *= s.visible / total;
        else if (s.hitsPerLayer[l] > 0) // every fraction underflowed: share equally per hit
            s.energyPerLayer[l] = s.visible * static_cast<double>(s.hitsPerLayer[l]) / n;
    }
    s.centreA = std::isfinite(f[2 + 2 * layers]) ? f[2 + 2 * layers] : 0.0;
    s.centreB = std::isfinite(f[3 + 2 * layers]) ? f[3 + 2 * layers] : 0.0;
    if (cores) {
        s.coreFraction.assign(layers, 0.0);
        for (std::size_t l = 0; l < layers; ++l) {
            const double share = std::exp(std::min(finite(f[4 + 2 * layers + l]), 0.0));
            if (s.hitsPerLayer[l] > 0 && share >= kFractionFloor)
                s.coreFraction[l] = s.hitsPerLayer[l] == 1 ? 1.0 : share;
        }
        // At least one hit for the point model: the last core of an all-core shower becomes a halo hit.
        for (std::size_t l = layers; l-- > 0 && s.coreHits() >= s.hits;)
            s.coreFraction[l] = 0.0;
    }
    if (cores && near) {
        s.nearFraction.assign(layers, 1.0);
        for (std::size_t l = 0; l < layers; ++l) {
            const double v = f[4 + 3 * layers + l];
            const double h = std::isfinite(v) ? 1.0 / (1.0 + std::exp(-v)) : (v > 0 ? 1.0 : 0.0);
            s.nearFraction[l] = std::clamp((h - 0.5 * kNearDequant) / (1.0 - kNearDequant), 0.0, 1.0);
        }
    }
    return s;
}

double PointScaling::baseline(double a, double b, double k) const
{
    if (energyBaseline.empty())
        return 0.0;
    const double last = static_cast<double>(energyBaseline.size() - 1);
    const double layer = std::round(k) > 0.0 ? std::min(std::round(k), last) : 0.0; // NaN: the first layer
    return energyBaseline[static_cast<std::size_t>(layer)][ringOf(a, b, cellSize)];
}

nlohmann::json PointScaling::toJson() const
{
    nlohmann::json j { { "lateral_scale", lateralScale }, { "lateral_limit", lateralLimit }, { "shift", shift },
        { "scale", scale } };
    if (!energyBaseline.empty()) {
        j["cell_size"] = cellSize;
        j["energy_baseline"] = energyBaseline;
    }
    return j;
}

PointScaling PointScaling::fromJson(const nlohmann::json& j)
{
    PointScaling p;
    try {
        p.lateralScale = j.at("lateral_scale").get<double>();
        p.lateralLimit = j.at("lateral_limit").get<double>();
        p.shift = j.at("shift").get<std::array<double, 4>>();
        p.scale = j.at("scale").get<std::array<double, 4>>();
        if (j.contains("energy_baseline")) { // runs from before session 15 have none
            p.cellSize = j.at("cell_size").get<double>();
            p.energyBaseline = j.at("energy_baseline").get<std::vector<std::vector<double>>>();
        }
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("The stored point scaling is malformed: ") + e.what());
    }
    for (const double s : p.scale)
        if (!(s > 0) || !std::isfinite(s))
            throw ConfigError("The stored point scaling has a non-positive scale.");
    if (!(p.lateralScale > 0) || !(p.lateralLimit > 0))
        throw ConfigError("The stored point scaling has a non-positive lateral scale or limit.");
    if (!p.energyBaseline.empty()) {
        bool ok = p.cellSize > 0 && std::isfinite(p.cellSize);
        for (const auto& rings : p.energyBaseline)
            ok = ok && rings.size() == kRings
                && std::all_of(rings.begin(), rings.end(), [](double v) { return std::isfinite(v); });
        if (!ok)
            throw ConfigError(
                fmt::format("The stored point scaling's energy baseline is malformed (it needs a positive "
                            "cell size and {} finite values per layer).",
                    kRings));
    }
    return p;
}

namespace {

/// Unstandardised point vectors: dequantised positions, asinh-compressed laterally with `s.lateralScale`, log E less
/// the baseline of `s` (its shift and scale are not used).
std::vector<double> rawPointFeatures(
    const hepgen::data::Showers& showers, const ShowerLayout& layout, const PointScaling& s, std::mt19937_64& rng)
{
    const double lateralScale = s.lateralScale;
    const std::size_t m = showers.points.size() / 4;
    std::vector<double> out(4 * m);
    const auto a = static_cast<std::size_t>(layout.axisA()), b = static_cast<std::size_t>(layout.axisB()),
               d = static_cast<std::size_t>(layout.depthAxis);
    const double cell = layout.cellSize;
    for (std::size_t i = 0; i < m; ++i) {
        const float* p = showers.points.data() + 4 * i;
        // Dequantisation (Theis et al. 2016; as CaloFlow's noise on voxel energies): a cell's hit is spread
        // uniformly over the cell, a layer's over half a layer pitch each side, so the model learns a density.
        const double da = cell > 0 ? (uniform(rng) - 0.5) * cell : 0.0;
        const double db = cell > 0 ? (uniform(rng) - 0.5) * cell : 0.0;
        out[4 * i + 0] = std::asinh((p[a] + da) / lateralScale);
        out[4 * i + 1] = std::asinh((p[b] + db) / lateralScale);
        const auto layer = static_cast<double>(layout.layerOf(p[d]));
        out[4 * i + 2] = layer + uniform(rng) - 0.5;
        out[4 * i + 3] = std::log(static_cast<double>(p[3])) - s.baseline(p[a], p[b], layer);
    }
    return out;
}

/// The mean log E per layer and ring of `showers`' hits (the core cell centred on the origin); a ring with fewer than
/// kRingMinHits hits takes the value of the nearest well-filled ring of its layer (the inner one on a tie), a layer
/// without any the mean over all hits.
std::vector<std::vector<double>> fitBaseline(const hepgen::data::Showers& showers, const ShowerLayout& layout)
{
    const std::size_t layers = layout.size(), m = showers.points.size() / 4;
    std::vector<std::vector<double>> sum(layers, std::vector<double>(kRings, 0.0)), count = sum;
    double all = 0.0;
    const auto a = static_cast<std::size_t>(layout.axisA()), b = static_cast<std::size_t>(layout.axisB()),
               d = static_cast<std::size_t>(layout.depthAxis);
    for (std::size_t i = 0; i < m; ++i) {
        const float* p = showers.points.data() + 4 * i;
        const std::size_t l = layout.layerOf(p[d]), r = ringOf(p[a], p[b], layout.cellSize);
        const double logE = std::log(static_cast<double>(p[3]));
        sum[l][r] += logE;
        count[l][r] += 1.0;
        all += logE;
    }
    std::vector<std::vector<double>> out(layers, std::vector<double>(kRings, all / static_cast<double>(m)));
    for (std::size_t l = 0; l < layers; ++l)
        for (std::size_t r = 0; r < kRings; ++r)
            for (std::size_t step = 0; step < kRings; ++step) {
                if (r >= step && count[l][r - step] >= kRingMinHits) {
                    out[l][r] = sum[l][r - step] / count[l][r - step];
                    break;
                }
                if (r + step < kRings && count[l][r + step] >= kRingMinHits) {
                    out[l][r] = sum[l][r + step] / count[l][r + step];
                    break;
                }
            }
    return out;
}

} // namespace

PointScaling fitPointScaling(
    const hepgen::data::Showers& showers, const ShowerLayout& layout, std::mt19937_64& rng, bool energyBaseline)
{
    const std::size_t m = showers.points.size() / 4;
    if (m == 0)
        throw ConfigError("There are no hits to fit the point scaling on.");
    PointScaling s;
    if (energyBaseline) {
        if (layout.cellSize <= 0.0)
            throw ConfigError("The log-energy baseline needs showers on a lateral cell grid.");
        s.cellSize = layout.cellSize;
        s.energyBaseline = fitBaseline(showers, layout);
    }
    std::vector<double> lateral;
    lateral.reserve(2 * m);
    double largest = 0.0;
    for (std::size_t i = 0; i < m; ++i)
        for (const int axis : { layout.axisA(), layout.axisB() }) {
            const double v = std::abs(showers.points[4 * i + static_cast<std::size_t>(axis)]);
            lateral.push_back(v);
            largest = std::max(largest, v);
        }
    std::nth_element(lateral.begin(), lateral.begin() + static_cast<std::ptrdiff_t>(lateral.size() / 2), lateral.end());
    const double median = lateral[lateral.size() / 2];
    s.lateralScale = median > 1e-6 ? median : (layout.cellSize > 0 ? layout.cellSize : 1.0);
    s.lateralLimit = std::asinh((largest + layout.cellSize) / s.lateralScale) + 1.0;
    const auto f = rawPointFeatures(showers, layout, s, rng);
    for (std::size_t c = 0; c < 4; ++c) {
        double mean = 0.0, sq = 0.0;
        for (std::size_t i = 0; i < m; ++i)
            mean += f[4 * i + c];
        mean /= static_cast<double>(m);
        for (std::size_t i = 0; i < m; ++i)
            sq += (f[4 * i + c] - mean) * (f[4 * i + c] - mean);
        const double sd = std::sqrt(sq / static_cast<double>(m));
        s.shift[c] = mean;
        s.scale[c] = sd > 1e-12 ? sd : 1.0;
    }
    return s;
}

std::vector<float> pointFeatures(
    const hepgen::data::Showers& showers, const ShowerLayout& layout, const PointScaling& scaling, std::mt19937_64& rng)
{
    const auto f = rawPointFeatures(showers, layout, scaling, rng);
    std::vector<float> out(f.size());
    for (std::size_t i = 0; i < f.size(); ++i)
        out[i] = static_cast<float>((f[i] - scaling.shift[i % 4]) / scaling.scale[i % 4]);
    return out;
}

std::array<double, 4> unscalePoint(const float* z, const PointScaling& s)
{
    std::array<double, 4> out {};
    for (std::size_t c = 0; c < 3; ++c)
        out[c] = static_cast<double>(z[c]) * s.scale[c] + s.shift[c];
    for (std::size_t c = 0; c < 2; ++c) {
        // sinh up to the limit, then its tangent: exact on the data, finite for any noise.
        const double u = out[c], lim = s.lateralLimit;
        out[c] = s.lateralScale
            * (std::abs(u) <= lim ? std::sinh(u)
                                  : std::copysign(std::sinh(lim) + std::cosh(lim) * (std::abs(u) - lim), u));
    }
    const double logE = std::clamp(static_cast<double>(z[3]), -kLogEnergyClamp, kLogEnergyClamp);
    out[3] = std::exp(logE * s.scale[3] + s.shift[3] + s.baseline(out[0], out[1], out[2]));
    return out;
}

std::array<double, 4> scalePoint(const std::array<double, 4>& x, const PointScaling& s)
{
    std::array<double, 4> out {};
    for (std::size_t c = 0; c < 2; ++c) {
        const double v = x[c] / s.lateralScale, lim = s.lateralLimit;
        const double u = std::abs(v) <= std::sinh(lim)
            ? std::asinh(v)
            : std::copysign(lim + (std::abs(v) - std::sinh(lim)) / std::cosh(lim), v);
        out[c] = (u - s.shift[c]) / s.scale[c];
    }
    out[2] = (x[2] - s.shift[2]) / s.scale[2];
    out[3] = (std::log(x[3]) - s.baseline(x[0], x[1], x[2]) - s.shift[3]) / s.scale[3];
    return out;
}

std::array<float, 4> toShowerAxes(double a, double b, double depth, double energy, const ShowerLayout& layout)
{
    std::array<float, 4> p {};
    p[static_cast<std::size_t>(layout.axisA())] = static_cast<float>(a);
    p[static_cast<std::size_t>(layout.axisB())] = static_cast<float>(b);
    p[static_cast<std::size_t>(layout.depthAxis)] = static_cast<float>(depth);
    p[3] = static_cast<float>(energy);
    return p;
}

} // namespace hepgen::showers
