#include "core/showers/Observables.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace hepgen::showers {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Nearest-layer lookup over layerZ in any order: sorted depths with their layer index.
class LayerFinder {
public:
    explicit LayerFinder(const std::vector<double>& layerZ)
    {
        m_sorted.reserve(layerZ.size());
        for (std::size_t k = 0; k < layerZ.size(); ++k)
            m_sorted.emplace_back(layerZ[k], k);
        std::sort(m_sorted.begin(), m_sorted.end());
    }
    /// Index of the layer nearest to z (ties go to the shallower layer, as nearestLayer()'s linear scan).
    std::size_t operator()(double z) const
    {
        auto it = std::lower_bound(
            m_sorted.begin(), m_sorted.end(), z, [](const auto& a, double v) { return a.first < v; });
        if (it == m_sorted.end())
            return m_sorted.back().second;
        if (it != m_sorted.begin() && z - std::prev(it)->first <= it->first - z)
            --it;
        return it->second;
    }

private:
    std::vector<std::pair<double, std::size_t>> m_sorted;
};

void checkOffsets(const hepgen::data::Showers& s)
{
    const std::size_t n = s.size();
    if (s.offsets.size() != n + 1 || s.offsets.front() != 0
        || static_cast<std::size_t>(s.offsets.back()) * 4 != s.points.size())
        throw ConfigError(fmt::format("The showers are inconsistent: {} incident energies, {} offsets and {} point "
                                      "values (expected N + 1 offsets from 0 to points / 4).",
            n, s.offsets.size(), s.points.size()));
    for (std::size_t i = 0; i < n; ++i)
        if (s.offsets[i + 1] < s.offsets[i])
            throw ConfigError(fmt::format("The showers are inconsistent: offsets decrease at shower {}.", i));
}

} // namespace

std::size_t nearestLayer(const std::vector<double>& layerZ, double z)
{
    if (layerZ.empty())
        throw ConfigError("The calorimeter geometry has no layers.");
    std::size_t best = 0;
    for (std::size_t k = 1; k < layerZ.size(); ++k)
        if (std::abs(layerZ[k] - z) < std::abs(layerZ[best] - z))
            best = k;
    return best;
}

double radialBinWidth(const hepgen::data::CalorimeterGeometry& geometry)
{
    if (geometry.cellSize > 0)
        return geometry.cellSize;
    if (geometry.moliereRadius > 0)
        return 0.5 * geometry.moliereRadius;
    return 2.0;
}

ShowerObservables computeObservables(const hepgen::data::Showers& showers)
{
    return computeObservables(showers, showers.geometry);
}

ShowerObservables computeObservables(
    const hepgen::data::Showers& showers, const hepgen::data::CalorimeterGeometry& geometry)
{
    checkOffsets(showers);
    const std::size_t n = showers.size(), nl = geometry.layerZ.size();
    ShowerObservables o;
    o.layers = nl;
    o.radialBinWidth = radialBinWidth(geometry);
    o.incidentEnergy.resize(n);
    o.visibleEnergy.resize(n);
    o.eVisOverEInc.resize(n);
    o.hits.resize(n);
    o.showerCentreX.resize(n);
    o.showerCentreY.resize(n);
    o.centreZ.resize(n);
    o.energyPerLayer.assign(n * nl, 0.0);
    o.hitsPerLayer.assign(n * nl, 0.0);
    o.centreX.assign(n * nl, kNaN);
    o.centreY.assign(n * nl, kNaN);
    o.widthX.assign(n * nl, kNaN);
    o.widthY.assign(n * nl, kNaN);
    o.radialProfile.assign(n * kRadialBins, 0.0);
    o.hitEnergies.reserve(showers.points.size() / 4);
    const LayerFinder layerOf(geometry.layerZ);
    std::vector<std::size_t> layerOfHit;

    for (std::size_t i = 0; i < n; ++i) {
        const float* begin = showers.points.data() + static_cast<std::size_t>(showers.offsets[i]) * 4;
        const std::size_t m = showers.hits(i);
        // First pass: sums and energy-weighted means, per shower and per layer.
        double e = 0, ex = 0, ey = 0, ez = 0;
        std::size_t count = 0;
        layerOfHit.assign(m, 0);
        double* eLayer = nl ? &o.energyPerLayer[i * nl] : nullptr;
        double* nLayer = nl ? &o.hitsPerLayer[i * nl] : nullptr;
        std::vector<double> exLayer(nl, 0.0), eyLayer(nl, 0.0);
        for (std::size_t h = 0; h < m; ++h) {
            const float* p = begin + 4 * h;
            const double w = p[3];
            if (!(w > 0))
                continue; // padding or an unphysical hit: not a hit
            ++count;
            e += w;
            ex += w * p[0];
            ey += w * p[1];
            ez += w * p[2];
            o.hitEnergies.push_back(w);
            if (nl) {
                const std::size_t k = layerOfHit[h] = layerOf(p[2]);
                eLayer[k] += w;
                nLayer[k] += 1;
                exLayer[k] += w * p[0];
                eyLayer[k] += w * p[1];
            }
        }
        o.incidentEnergy[i] = showers.incidentEnergy[i];
        o.visibleEnergy[i] = e;
        o.eVisOverEInc[i] = showers.incidentEnergy[i] > 0 ? e / (1000.0 * showers.incidentEnergy[i]) : kNaN;
        o.hits[i] = static_cast<double>(count);
        const double cx = e > 0 ? ex / e : kNaN, cy = e > 0 ? ey / e : kNaN;
        o.showerCentreX[i] = cx;
        o.showerCentreY[i] = cy;
        o.centreZ[i] = e > 0 ? ez / e : kNaN;
        for (std::size_t k = 0; k < nl; ++k)
            if (eLayer[k] > 0) {
                o.centreX[i * nl + k] = exLayer[k] / eLayer[k];
                o.centreY[i * nl + k] = eyLayer[k] / eLayer[k];
            }
        // Second pass: spreads about the means (two passes: no cancellation in <x^2> - <x>^2) and the
        // radial profile about the shower axis.
        std::vector<double> vxLayer(nl, 0.0), vyLayer(nl, 0.0);
        double* radial = &o.radialProfile[i * kRadialBins];
        for (std::size_t h = 0; h < m; ++h) {
            const float* p = begin + 4 * h;
            const double w = p[3];
            if (!(w > 0))
                continue;
            if (nl) {
                const std::size_t k = layerOfHit[h];
                const double dx = p[0] - o.centreX[i * nl + k], dy = p[1] - o.centreY[i * nl + k];
                vxLayer[k] += w * dx * dx;
                vyLayer[k] += w * dy * dy;
            }
            const double r = std::hypot(p[0] - cx, p[1] - cy);
            const double bin = std::floor(r / o.radialBinWidth);
            radial[bin < kRadialBins - 1 ? static_cast<std::size_t>(bin) : kRadialBins - 1] += w;
        }
        for (std::size_t k = 0; k < nl; ++k)
            if (eLayer[k] > 0) {
                o.widthX[i * nl + k] = std::sqrt(vxLayer[k] / eLayer[k]);
                o.widthY[i * nl + k] = std::sqrt(vyLayer[k] / eLayer[k]);
            }
    }
    return o;
}

} // namespace hepgen::showers
