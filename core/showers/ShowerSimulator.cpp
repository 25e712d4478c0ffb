#include "core/showers/ShowerSimulator.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <random>
#include <string>
#include <tuple>

namespace hepgen::showers {

namespace {

constexpr double kPi = 3.14159265358979323846;

// ILD-like ECAL (DESIGN.md; ILD Detailed Baseline Design, 2013). Tungsten only counts for the depth
// in X0 and for the Molière radius: the 0.5 mm Si (X0 = 93.7 mm) and the PCB slab add < 0.01 X0 each.
constexpr int kLayers = 30;
constexpr int kThinLayers = 20;
constexpr double kThinW = 2.1;       // mm of W in layers 0..19
constexpr double kThickW = 4.2;      // mm of W in layers 20..29
constexpr double kSiThickness = 0.5; // mm, sensor right behind its absorber
constexpr double kSlab = 1.8;        // mm: 0.5 Si + 1.3 PCB, glue, Kapton, air (readout slab)
constexpr double kX0 = 3.504;        // mm, tungsten
constexpr double kMoliere = 9.327;   // mm, tungsten
constexpr double kZ = 74.0;
constexpr double kCriticalMeV = 8.0; // E_c of tungsten (DESIGN.md)
constexpr double kCell = 5.1;        // mm

// Each absorber is cut into slices of 1.05 mm = 0.30 X0 (2 per thin, 4 per thick layer): the
// energy of a slice comes from the integrated profile and its spots see the radial profile at the
// slice's τ, as GFLASH does per step (Geant4 GFlashShowerModel).
constexpr double kSliceMm = 1.05;

// Cell bookkeeping: a dense (2H+1)² grid per layer around the axis (±206 mm, 22 R_M), a map beyond;
// spots further than ±1.02 m (the width of an ILD ECAL stave) leave the calorimeter.
constexpr int kHalf = 40;
constexpr int kWidth = 2 * kHalf + 1;
constexpr int kMaxIndex = 200;

// Per-spot Landau-like spread of the Si signal: a cell with n spots gets Gamma(κn)/(κn) times its
// deposit, a relative spread of 1/√(κn) (50 % for one spot, like a MIP in 0.5 mm Si).
constexpr double kSpotShape = 4.0;

using Rng = std::mt19937_64;

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// Regularised lower incomplete gamma P(a, x): series for x < a + 1, Lentz's continued fraction
/// for Q = 1 − P otherwise (Numerical Recipes, 3rd ed., §6.2).
double gammaP(double a, double x)
{
    if (x <= 0.0)
        return 0.0;
    const double logPrefactor = -x + a * std::log(x) - std::lgamma(a);
    if (x < a + 1.0) {
        double ap = a, del = 1.0 / a, sum = del;
        for (int n = 0; n < 1000; ++n) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (std::abs(del) < std::abs(sum) * 1e-14)
                break;
        }
        return std::min(1.0, sum * std::exp(logPrefactor));
    }
    constexpr double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 1000; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::abs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (std::abs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::abs(del - 1.0) < 1e-14)
            break;
    }
    return std::max(0.0, 1.0 - std::exp(logPrefactor) * h);
}

struct Slice {
    double t0, t1, tMid; // X0
    int layer;
};

std::vector<double> absorberThickness()
{
    std::vector<double> w(kLayers);
    for (int k = 0; k < kLayers; ++k)
        w[static_cast<std::size_t>(k)] = k < kThinLayers ? kThinW : kThickW;
    return w;
}

std::vector<Slice> makeSlices()
{
    std::vector<Slice> slices;
    double depthMm = 0.0;
    const auto w = absorberThickness();
    for (int k = 0; k < kLayers; ++k) {
        const int n = static_cast<int>(std::lround(w[static_cast<std::size_t>(k)] / kSliceMm));
        for (int s = 0; s < n; ++s) {
            const double a = depthMm + s * kSliceMm, b = a + kSliceMm;
            slices.push_back({ a / kX0, b / kX0, 0.5 * (a + b) / kX0, k });
        }
        depthMm += w[static_cast<std::size_t>(k)];
    }
    return slices;
}

/// One shower's longitudinal parameters (Grindhammer–Peters, homogeneous media, eqs. for ⟨ln T⟩,
/// ⟨ln α⟩, σ's and ρ; spot profile T_s, α_s).
struct Longitudinal {
    double T, alpha, beta;    // energy profile, T = (α − 1)/β in X0
    double Ts, alphaS, betaS; // spot profile
};

Longitudinal sampleLongitudinal(double energyGeV, Rng& rng, std::normal_distribution<double>& normal)
{
    const double lny = std::log(energyGeV * 1000.0 / kCriticalMeV);
    const double meanLnT = std::log(lny - 0.812);
    const double sigmaLnT = 1.0 / (-1.4 + 1.26 * lny);
    const double meanLnA = std::log(0.81 + (0.458 + 2.26 / kZ) * lny);
    const double sigmaLnA = 1.0 / (-0.58 + 0.86 * lny);
    const double rho = 0.705 - 0.023 * lny;
    Longitudinal l {};
    // Truncation: the spot profile needs α_s > 1 (a maximum inside the calorimeter); at 1 GeV that
    // rejects a 3.7 σ tail, at 10 GeV and above practically nothing.
    do {
        const double z1 = normal(rng), z2 = normal(rng);
        l.T = std::exp(meanLnT + sigmaLnT * z1);
        l.alpha = std::exp(meanLnA + sigmaLnA * (rho * z1 + std::sqrt(1.0 - rho * rho) * z2));
        l.Ts = l.T * (0.698 + 0.00212 * kZ);
        l.alphaS = l.alpha * (0.639 + 0.00334 * kZ);
    } while (l.alphaS <= 1.05);
    l.beta = (l.alpha - 1.0) / l.T;
    l.betaS = (l.alphaS - 1.0) / l.Ts;
    return l;
}

/// Radial profile parameters at τ = t/T (Grindhammer–Peters, homogeneous media), in R_M.
struct Radial {
    double p, rCore, rTail;
};

Radial radialAt(double tau, double lnE)
{
    const double z1 = 0.0251 + 0.00319 * lnE, z2 = 0.1162 - 0.000381 * kZ;
    const double k1 = 0.659 - 0.00309 * kZ, k2 = 0.645, k3 = -2.59, k4 = 0.3585 + 0.0412 * lnE;
    const double p1 = 2.632 - 0.00094 * kZ, p2 = 0.401 + 0.00187 * kZ, p3 = 1.313 - 0.0686 * lnE;
    const double q = (p2 - tau) / p3;
    Radial r {};
    r.rCore = z1 + z2 * tau;
    r.rTail = k1 * (std::exp(k3 * (tau - k2)) + std::exp(k4 * (tau - k2)));
    r.p = std::clamp(p1 * std::exp(q - std::exp(q)), 0.0, 1.0);
    return r;
}

void validate(const ShowerSimOptions& o)
{
    const auto bad = [](const std::string& what) { throw ConfigError("Shower simulator: " + what); };
    if (o.showers == 0)
        bad("the number of showers must be at least 1.");
    if (!(o.energyMin >= 1.0 && o.energyMin <= 1000.0))
        bad(fmt::format(
            "energyMin = {} GeV is outside the GFLASH parametrisation's range of 1 to 1000 GeV.", o.energyMin));
    if (!(o.energyMax >= 1.0 && o.energyMax <= 1000.0))
        bad(fmt::format(
            "energyMax = {} GeV is outside the GFLASH parametrisation's range of 1 to 1000 GeV.", o.energyMax));
    if (o.energyMax < o.energyMin)
        bad(fmt::format("energyMax = {} GeV is below energyMin = {} GeV.", o.energyMax, o.energyMin));
    if (!(o.samplingFraction >= 0.0 && o.samplingFraction <= 1.0))
        bad(fmt::format("samplingFraction = {} must lie in (0, 1] (0 for the default {}).", o.samplingFraction,
            kDefaultSamplingFraction));
    if (!(o.stochasticTerm >= 0.0 && o.stochasticTerm <= 1.0))
        bad(fmt::format("stochasticTerm = {} must lie in [0, 1] (a in σ/E = a/√E).", o.stochasticTerm));
    if (!(o.cellThresholdMeV >= 0.0 && std::isfinite(o.cellThresholdMeV)))
        bad(fmt::format("cellThresholdMeV = {} must be a non-negative number of MeV (0 for the default {} MeV).",
            o.cellThresholdMeV, kDefaultThresholdMeV));
}

/// Scratch space reused across showers: deposits and spot counts per cell.
class CellAccumulator {
public:
    CellAccumulator()
        : m_energy(static_cast<std::size_t>(kLayers * kWidth * kWidth), 0.0)
        , m_spots(m_energy.size(), 0)
    {
    }

    void add(int layer, int ix, int iy, double e)
    {
        if (std::abs(ix) <= kHalf && std::abs(iy) <= kHalf) {
            const auto idx = static_cast<std::size_t>((layer * kWidth + ix + kHalf) * kWidth + iy + kHalf);
            if (m_spots[idx]++ == 0)
                m_touched.push_back(idx);
            m_energy[idx] += e;
        } else if (std::abs(ix) <= kMaxIndex && std::abs(iy) <= kMaxIndex) {
            auto& cell = m_outer[std::make_tuple(layer, ix, iy)];
            cell.first += e;
            ++cell.second;
        }
    }

    /// Calls f(layer, ix, iy, deposit, spots) for every cell hit, then clears.
    template <class F>
    void drain(F&& f)
    {
        for (const std::size_t idx : m_touched) {
            const int i = static_cast<int>(idx);
            f(i / (kWidth * kWidth), (i / kWidth) % kWidth - kHalf, i % kWidth - kHalf, m_energy[idx], m_spots[idx]);
            m_energy[idx] = 0.0;
            m_spots[idx] = 0;
        }
        m_touched.clear();
        for (const auto& [key, cell] : m_outer)
            f(std::get<0>(key), std::get<1>(key), std::get<2>(key), cell.first, cell.second);
        m_outer.clear();
    }

private:
    std::vector<double> m_energy;
    std::vector<int> m_spots;
    std::vector<std::size_t> m_touched;
    std::map<std::tuple<int, int, int>, std::pair<double, int>> m_outer;
};

} // namespace

hepgen::data::CalorimeterGeometry ildLikeEcal()
{
    hepgen::data::CalorimeterGeometry g;
    g.name = "ILD-like Si-W ECAL";
    g.cellSize = kCell;
    g.radiationLength = kX0;
    g.moliereRadius = kMoliere;
    double front = 0.0;
    for (const double w : absorberThickness()) {
        g.layerZ.push_back(front + w + 0.5 * kSiThickness);
        front += w + kSlab;
    }
    return g;
}

std::vector<double> ildLikeEcalAbsorberDepthX0()
{
    std::vector<double> t;
    double depth = 0.0;
    for (const double w : absorberThickness()) {
        t.push_back((depth + 0.5 * w) / kX0);
        depth += w;
    }
    return t;
}

hepgen::data::Showers simulateShowers(const ShowerSimOptions& o, const JobControl& job)
{
    validate(o);
    const double fSampling = o.samplingFraction > 0.0 ? o.samplingFraction : kDefaultSamplingFraction;
    const double threshold = o.cellThresholdMeV > 0.0 ? o.cellThresholdMeV : kDefaultThresholdMeV;

    hepgen::data::Showers out;
    out.geometry = ildLikeEcal();
    out.offsets.reserve(o.showers + 1);
    out.offsets.push_back(0);
    out.incidentEnergy.reserve(o.showers);

    const std::vector<Slice> slices = makeSlices();
    std::vector<double> cdfE(slices.size() + 1), cdfS(slices.size() + 1);
    CellAccumulator cells;
    Rng rng(o.seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const std::size_t reportEvery = std::max<std::size_t>(1, o.showers / 100);
    job.report(0.0, "Simulating showers");

    for (std::size_t n = 0; n < o.showers; ++n) {
        job.throwIfStopped();
        const double energy = o.energyMin + (o.energyMax - o.energyMin) * uniform01(rng); // GeV
        const double lnE = std::log(energy);
        // Impact point uniform within the central cell: the hit pattern is not locked to the grid.
        const double x0 = (uniform01(rng) - 0.5) * kCell, y0 = (uniform01(rng) - 0.5) * kCell;
        const Longitudinal l = sampleLongitudinal(energy, rng, normal);
        const double nSpots = 93.0 * std::log(kZ) * std::pow(energy, 0.876);

        cdfE[0] = cdfS[0] = 0.0;
        for (std::size_t s = 0; s < slices.size(); ++s) {
            cdfE[s + 1] = gammaP(l.alpha, l.beta * slices[s].t1);
            cdfS[s + 1] = gammaP(l.alphaS, l.betaS * slices[s].t1);
        }
        for (std::size_t s = 0; s < slices.size(); ++s) {
            // Energy follows the energy profile, the number of spots the spot profile; each spot of
            // the slice carries the slice's energy over its spot count (GFLASH, Geant4 GFlash).
            const double eSlice = energy * 1000.0 * (cdfE[s + 1] - cdfE[s]); // MeV, beyond 24 X0 leaks
            if (eSlice <= 1e-9)
                continue;
            const double expected = nSpots * (cdfS[s + 1] - cdfS[s]);
            auto count = static_cast<long>(expected);
            count += uniform01(rng) < expected - static_cast<double>(count) ? 1 : 0; // stochastic rounding
            count = std::max(1L, count);
            const double eSpot = eSlice / static_cast<double>(count);
            const Radial rad = radialAt(slices[s].tMid / l.T, lnE);
            for (long k = 0; k < count; ++k) {
                // Core or tail, then invert that term's CDF r²/(r² + R²): r = R √(u/(1 − u)).
                const double radius = uniform01(rng) < rad.p ? rad.rCore : rad.rTail;
                const double u = uniform01(rng);
                const double r = kMoliere * radius * std::sqrt(u / (1.0 - u));
                const double phi = 2.0 * kPi * uniform01(rng);
                const double fx = (x0 + r * std::cos(phi)) / kCell + 0.5;
                const double fy = (y0 + r * std::sin(phi)) / kCell + 0.5;
                if (std::abs(fx) > kMaxIndex + 1 || std::abs(fy) > kMaxIndex + 1)
                    continue; // left the calorimeter sideways
                cells.add(slices[s].layer, static_cast<int>(std::floor(fx)), static_cast<int>(std::floor(fy)), eSpot);
            }
        }

        // Sampling fluctuations of the whole shower, σ/E = a/√E (one Gaussian factor, kept > 0.05).
        double scale = 1.0;
        if (o.stochasticTerm > 0.0) {
            const double sigma = o.stochasticTerm / std::sqrt(energy);
            do
                scale = 1.0 + sigma * normal(rng);
            while (scale <= 0.05);
        }
        scale *= fSampling;
        cells.drain([&](int layer, int ix, int iy, double deposit, int spots) {
            const double shape = kSpotShape * spots;
            const double visible = scale * deposit * std::gamma_distribution<double>(shape, 1.0 / shape)(rng);
            if (visible < threshold)
                return;
            out.points.push_back(static_cast<float>(ix * kCell));
            out.points.push_back(static_cast<float>(iy * kCell));
            out.points.push_back(static_cast<float>(out.geometry.layerZ[static_cast<std::size_t>(layer)]));
            out.points.push_back(static_cast<float>(visible));
        });
        out.offsets.push_back(static_cast<std::int64_t>(out.points.size() / 4));
        out.incidentEnergy.push_back(static_cast<float>(energy));
        if ((n + 1) % reportEvery == 0 || n + 1 == o.showers)
            job.report(static_cast<double>(n + 1) / static_cast<double>(o.showers),
                fmt::format("Simulated {} of {} showers", n + 1, o.showers));
    }
    return out;
}

} // namespace hepgen::showers
