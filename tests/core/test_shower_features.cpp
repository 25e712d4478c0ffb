// The shower generator's preprocessing and post-processing, exactly: the layout found in our own geometry, in
// CaloClouds-like files with the depth along y, and refused where nothing is layered; the shower flow's feature
// vector inverts to the shower's hit and energy counts; point vectors and their inverse; and the CaloClouds II
// calibrations (hits per layer, energy per layer, centre of energy, one hit per cell).
#include "core/showers/ShowerFeatures.h"
#include "core/showers/ShowerLayout.h"
#include "core/showers/ShowerPostProcessing.h"
#include "core/showers/ShowerSimulator.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <set>
#include <tuple>

using namespace hepgen::showers;
using hepgen::data::Showers;

namespace {

Showers simulated(std::size_t n, uint64_t seed)
{
    ShowerSimOptions o;
    o.showers = n;
    o.seed = seed;
    return simulateShowers(o);
}

/// The same showers with y and z swapped and no geometry: a CaloClouds-like file (depth along y).
Showers depthAlongY(const Showers& s)
{
    Showers out = s;
    out.geometry = {};
    out.geometry.name = "CaloClouds point clouds (axes as stored)";
    for (std::size_t k = 0; k < out.points.size(); k += 4)
        std::swap(out.points[k + 1], out.points[k + 2]);
    return out;
}

} // namespace

class TestShowerFeatures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void layoutOfOurGeometry()
    {
        const auto s = simulated(20, 1);
        const auto l = inferLayout(s);
        QCOMPARE(l.depthAxis, 2);
        QCOMPARE(l.layers, ildLikeEcal().layerZ);
        QCOMPARE(l.cellSize, 5.1);
        QVERIFY(std::abs(l.originA) < 1e-4 && std::abs(l.originB) < 1e-4); // cells centred on multiples of 5.1 mm
        for (std::size_t k = 0; k < l.size(); ++k) {
            QCOMPARE(l.layerOf(l.layers[k]), k);
            QVERIFY(std::abs(l.layerCoordinate(l.layers[k]) - static_cast<double>(k)) < 1e-12);
        }
        for (const double c : { -0.7, 0.0, 3.25, 19.5, 20.4, 29.0, 31.2 })
            QVERIFY(std::abs(l.layerCoordinate(l.depthAt(c)) - c) < 1e-9);
        QCOMPARE(l.snap(7.0, 0.0), 5.1);
        QCOMPARE(inferLayout(s, "auto", "continuous").cellSize, 0.0);
        const auto back = ShowerLayout::fromJson(l.toJson());
        QCOMPARE(back.layers, l.layers);
        QCOMPARE(back.cellSize, l.cellSize);
    }

    void layoutWithDepthAlongY()
    {
        const auto s = depthAlongY(simulated(20, 2));
        const auto l = inferLayout(s);
        QCOMPARE(l.depthAxis, 1);
        QCOMPARE(l.axisA(), 0);
        QCOMPARE(l.axisB(), 2);
        QCOMPARE(l.size(), std::size_t(30));
        QCOMPARE(l.cellSize, 0.0); // no geometry: lateral positions stay continuous
        QVERIFY(std::abs(l.layers.front() - ildLikeEcal().layerZ.front()) < 1e-3);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, inferLayout(s, "auto", "cells"));
        const auto p = toShowerAxes(1.0, 2.0, 3.0, 4.0, l);
        QCOMPARE(p[0], 1.0f);
        QCOMPARE(p[1], 3.0f);
        QCOMPARE(p[2], 2.0f);
    }

    void unlayeredShowersAreRefused()
    {
        Showers s;
        s.offsets = { 0 };
        std::mt19937_64 rng(3);
        std::normal_distribution<float> normal;
        for (int i = 0; i < 300; ++i)
            for (float v : { normal(rng), normal(rng), normal(rng), 1.0f })
                s.points.push_back(v);
        s.offsets.push_back(300);
        s.incidentEnergy = { 10.0f };
        const QString message = QString::fromStdString([&] {
            try {
                inferLayout(s);
            } catch (const hepgen::ConfigError& e) {
                return std::string(e.what());
            }
            return std::string();
        }());
        QVERIFY2(message.contains("no layered depth axis"), qPrintable(message));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, inferLayout(s, "z"));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, inferLayout(s, "w"));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, inferLayout(s, "auto", "hexagons"));
    }

    void flowFeaturesInvert()
    {
        // The flow vector of a shower maps back to exactly its hit counts (total and per layer), its visible energy,
        // its energy per layer (to rounding) and its centre: the dequantisation noise never crosses an integer.
        const auto s = simulated(40, 4);
        const auto l = inferLayout(s);
        std::mt19937_64 rng(5);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto sum = summarise(s, i, l);
            QCOMPARE(sum.hits, static_cast<int64_t>(s.hits(i)));
            const auto f = flowFeatures(sum, rng);
            QCOMPARE(f.size(), flowFeatureCount(l.size()));
            const auto back = targetsFrom(f.data(), l.size(), sum.incidentEnergy, 100000);
            QCOMPARE(back.hits, sum.hits);
            QCOMPARE(back.hitsPerLayer, sum.hitsPerLayer);
            QVERIFY(std::abs(back.visible / sum.visible - 1) < 1e-12);
            for (std::size_t k = 0; k < l.size(); ++k) // the floor noise (<= 1e-4 per layer) shifts fractions by < 6e-4
                QVERIFY(std::abs(back.energyPerLayer[k] - sum.energyPerLayer[k]) <= 6e-4 * sum.visible);
            QCOMPARE(back.centreA, sum.centreA);
        }
        // Counts that do not add up are corrected to N; non-finite entries do not crash.
        std::vector<double> f(flowFeatureCount(3), 0.0);
        f[0] = std::log(10.5);
        f[2] = std::log(0.5);
        f[3] = std::log(0.5);
        f[4] = std::log(0.5); // 15 hits for N = 10
        f[5] = f[6] = f[7] = std::log(1.0 / 3);
        auto t = targetsFrom(f.data(), 3, 50.0, 1000);
        QCOMPARE(t.hits, int64_t(10));
        QCOMPARE(t.hitsPerLayer[0] + t.hitsPerLayer[1] + t.hitsPerLayer[2], int64_t(10));
        f[0] = std::nan("");
        f[1] = std::numeric_limits<double>::infinity();
        t = targetsFrom(f.data(), 3, 50.0, 1000);
        QCOMPARE(t.hits, int64_t(1));
        QVERIFY(std::isfinite(t.visible));
        f[0] = 50.0; // a flow far out: clamped to the largest shower
        QCOMPARE(targetsFrom(f.data(), 3, 50.0, 1000).hits, int64_t(1000));
    }

    void coreHitsInvert()
    {
        // With core hits the flow vector also carries each layer's core share, and maps back to it; the halo is
        // every hit but the core-cell ones; a layer whose only hit is the core gets all of its energy.
        const auto s = simulated(40, 4);
        const auto l = inferLayout(s);
        const auto halo = haloAroundCore(s, l);
        QCOMPARE(halo.size(), s.size());
        std::mt19937_64 rng(15);
        int singles = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto sum = summarise(s, i, l, true);
            QCOMPARE(sum.coreFraction.size(), l.size());
            const auto cell = coreCell(sum, l);
            QVERIFY(std::abs(cell[0] - sum.centreA) <= 2.55 + 1e-9
                && std::abs(cell[0] / 5.1 - std::round(cell[0] / 5.1)) < 1e-9);
            QCOMPARE(static_cast<int64_t>(halo.hits(i)), sum.hits - sum.coreHits());
            double coreEnergy = 0, haloEnergy = 0;
            for (std::size_t k = 0; k < l.size(); ++k)
                coreEnergy += sum.coreFraction[k] * sum.energyPerLayer[k];
            for (auto k = halo.offsets[i]; k < halo.offsets[i + 1]; ++k) {
                const float* p = &halo.points[4 * static_cast<std::size_t>(k)];
                haloEnergy += p[3];
                // around the core cell: on the grid, never in the core cell at the origin
                QVERIFY(std::abs(p[0] / 5.1 - std::round(p[0] / 5.1)) < 1e-4);
                QVERIFY(std::lround(p[0] / 5.1) != 0 || std::lround(p[1] / 5.1) != 0);
            }
            QVERIFY(std::abs(coreEnergy + haloEnergy - sum.visible) < 1e-3 * sum.visible);
            QVERIFY(sum.coreHits() >= 20); // the core cell holds a hit in most of the 30 layers
            // the near share: the halo's energy in the 8 cells around the core cell, per layer
            std::vector<double> near(l.size(), 0.0), all(l.size(), 0.0);
            for (auto k = halo.offsets[i]; k < halo.offsets[i + 1]; ++k) {
                const float* p = &halo.points[4 * static_cast<std::size_t>(k)];
                all[l.layerOf(p[2])] += p[3];
                if (std::abs(std::lround(p[0] / 5.1)) <= 1 && std::abs(std::lround(p[1] / 5.1)) <= 1)
                    near[l.layerOf(p[2])] += p[3];
            }
            for (std::size_t k = 0; k < l.size(); ++k)
                QVERIFY(std::abs(sum.nearFraction[k] - (all[k] > 0 ? near[k] / all[k] : 1.0)) < 1e-5);

            const auto f = flowFeatures(sum, rng);
            QCOMPARE(f.size(), flowFeatureCount(l.size(), true, true));
            const auto back = targetsFrom(f.data(), l.size(), sum.incidentEnergy, 100000, true, true);
            QCOMPARE(back.hitsPerLayer, sum.hitsPerLayer);
            QCOMPARE(back.coreHits(), sum.coreHits());
            for (std::size_t k = 0; k < l.size(); ++k) {
                QCOMPARE(back.coreFraction[k] > 0, sum.coreFraction[k] > 0);
                QVERIFY(std::abs(back.coreFraction[k] - sum.coreFraction[k]) <= 1e-4);
                QVERIFY(std::abs(back.nearFraction[k] - sum.nearFraction[k]) <= 0.0103); // d / 2 / (1 - d)
                singles += sum.hitsPerLayer[k] == 1 && sum.coreFraction[k] > 0 ? 1 : 0;
            }
        }
        QVERIFY(singles > 0); // the U(0.5, 1] spread of lone cores was exercised
        // Without a cell grid there is no core cell.
        ShowerLayout continuous = l;
        continuous.cellSize = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, summarise(s, 0, continuous, true));
        // An all-core shower leaves its last core to the point model.
        std::vector<double> f(flowFeatureCount(2, true), 0.0);
        f[0] = std::log(2.5);
        f[2] = f[3] = std::log(0.75); // one hit per layer
        f[4] = f[5] = std::log(0.5);
        const auto t = targetsFrom(f.data(), 2, 50.0, 1000, true);
        QCOMPARE(t.hitsPerLayer, (std::vector<int64_t> { 1, 1 }));
        QCOMPARE(t.coreFraction, (std::vector<double> { 1.0, 0.0 }));
    }

    void nearSharesSplitTheHalo()
    {
        // A layer of 20 MeV: the core takes half; of the halo's 10 MeV the two points beside the core cell take the
        // near share 0.8, the two points two cells out the rest. Symmetric about the core, so nothing shifts.
        const auto l = inferLayout(simulated(2, 3));
        ShowerSummary t;
        t.incidentEnergy = 50;
        t.hits = 5;
        t.visible = 20;
        t.hitsPerLayer.assign(l.size(), 0);
        t.energyPerLayer.assign(l.size(), 0.0);
        t.hitsPerLayer[8] = 5;
        t.energyPerLayer[8] = 20;
        t.coreFraction.assign(l.size(), 0.0);
        t.coreFraction[8] = 0.5;
        const std::vector<RawPoint> halo { { 5.1, 0.3, 8.0, 1.0 }, { -5.1, -0.3, 8.0, 1.0 }, { 10.4, 0.0, 8.0, 3.0 },
            { -10.4, 0.0, 8.0, 3.0 } };
        const auto energyAt = [&](const std::vector<float>& hits, double a) {
            for (std::size_t k = 0; k < hits.size(); k += 4)
                if (std::abs(hits[k] - a) < 1e-3)
                    return static_cast<double>(hits[k + 3]);
            return -1.0;
        };
        const auto plain = postProcess(halo, t, l); // without near shares: in proportion to the raw energies
        QVERIFY(std::abs(energyAt(plain, 0.0) - 10.0) < 1e-4);
        QVERIFY(std::abs(energyAt(plain, 5.1) - 1.25) < 1e-4 && std::abs(energyAt(plain, 10.2) - 3.75) < 1e-4);
        t.nearFraction.assign(l.size(), 1.0);
        t.nearFraction[8] = 0.8;
        const auto split = postProcess(halo, t, l);
        QCOMPARE(split.size(), std::size_t(20));
        QVERIFY(std::abs(energyAt(split, 0.0) - 10.0) < 1e-4);
        QVERIFY(std::abs(energyAt(split, 5.1) - 4.0) < 1e-4 && std::abs(energyAt(split, -5.1) - 4.0) < 1e-4);
        QVERIFY(std::abs(energyAt(split, 10.2) - 1.0) < 1e-4 && std::abs(energyAt(split, -10.2) - 1.0) < 1e-4);
        t.nearFraction[8] = 0.0; // all of the halo's energy further out, no threshold: the near hits get none
        const auto none = postProcess(halo, t, l);
        QCOMPARE(energyAt(none, 5.1), 0.0);
        QVERIFY(std::abs(energyAt(none, 10.2) - 5.0) < 1e-4 && std::abs(energyAt(none, -10.2) - 5.0) < 1e-4);
        t.nearFraction[8] = 0.8;
        // With the halo all on one side the share cannot apply: the layer keeps its energy in proportion.
        const std::vector<RawPoint> nearOnly { { 5.1, 0.0, 8.0, 1.0 }, { -5.1, 0.0, 8.0, 1.0 }, { 0.0, 5.1, 8.0, 1.0 },
            { 0.0, -5.1, 8.0, 1.0 } };
        const auto kept = postProcess(nearOnly, t, l);
        QVERIFY(std::abs(energyAt(kept, 5.1) - 2.5) < 1e-4);
        // The block's centre: the flow's centre (1.0, -0.5) mm lies off the core cell's; the 4 cells beside the core
        // tilt their energies (in sum still 0.8 of the halo) until the 3 x 3 block's centre is there.
        ShowerSummary off = t;
        off.hits = off.hitsPerLayer[8] = 6;
        off.centreA = 1.0;
        off.centreB = -0.5;
        const std::vector<RawPoint> cross { { 5.1, 0.0, 8.0, 1.0 }, { -5.1, 0.0, 8.0, 1.0 }, { 0.0, 5.1, 8.0, 1.0 },
            { 0.0, -5.1, 8.0, 1.0 }, { 15.3, 0.0, 8.0, 1.0 } };
        const auto tilted = postProcess(cross, off, l);
        QCOMPARE(tilted.size(), std::size_t(24));
        double block = 0.0, ba = 0.0, bb = 0.0, near = 0.0;
        for (std::size_t k = 0; k < tilted.size(); k += 4)
            if (std::abs(tilted[k]) < 6.0 && std::abs(tilted[k + 1]) < 6.0) {
                block += tilted[k + 3];
                ba += tilted[k + 3] * tilted[k];
                bb += tilted[k + 3] * tilted[k + 1];
                near += std::abs(tilted[k]) + std::abs(tilted[k + 1]) > 1.0 ? tilted[k + 3] : 0.0f;
            }
        QVERIFY(std::abs(near - 8.0) < 1e-4 && std::abs(energyAt(tilted, 15.3) - 2.0) < 1e-4);
        QVERIFY2(std::abs(ba / block - 1.0) < 1e-4 && std::abs(bb / block + 0.5) < 1e-4,
            qPrintable(QString("block centre (%1, %2) mm").arg(ba / block).arg(bb / block)));
        QVERIFY(energyAt(tilted, 5.1) > 3.0 && energyAt(tilted, -5.1) < 1.0); // towards +a

        // The flow vector's near block: logit of the dequantised share, and back.
        std::vector<double> f(flowFeatureCount(1, true, true), 0.0);
        f[0] = std::log(3.5);
        f[2] = 0.0;
        f[3] = 0.0;
        f[6] = std::log(0.6);
        f[7] = 0.0; // h' = 1/2
        auto back = targetsFrom(f.data(), 1, 50.0, 1000, true, true);
        QVERIFY(std::abs(back.nearFraction[0] - 0.5) < 1e-12);
        f[7] = -1e30; // and the ends clamp
        QCOMPARE(targetsFrom(f.data(), 1, 50.0, 1000, true, true).nearFraction[0], 0.0);
        f[7] = NAN;
        QCOMPARE(targetsFrom(f.data(), 1, 50.0, 1000, true, true).nearFraction[0], 0.0);
        QVERIFY(targetsFrom(f.data(), 1, 50.0, 1000, true, false).nearFraction.empty());
    }

    void emptyLayersGainNoHits()
    {
        // Counts that fall short of N go to non-empty layers: an empty layer's fractional part is dequantisation
        // noise (here 0.95, the largest), and must not turn into a hit.
        std::vector<double> f(flowFeatureCount(3), 0.0);
        f[0] = std::log(10.5);
        f[2] = std::log(4.3 / 10);
        f[3] = std::log(0.95 / 10);
        f[4] = std::log(4.2 / 10); // floors 4 + 0 + 4 = 8 for N = 10
        const auto t = targetsFrom(f.data(), 3, 50.0, 1000);
        QCOMPARE(t.hitsPerLayer, (std::vector<int64_t> { 5, 0, 5 }));
        QCOMPARE(t.energyPerLayer[1], 0.0);
    }

    void pointFeaturesInvert()
    {
        const auto s = simulated(5, 6);
        const auto l = inferLayout(s);
        std::mt19937_64 rng(7);
        const auto scaling = fitPointScaling(s, l, rng);
        const auto f = pointFeatures(s, l, scaling, rng);
        double mean = 0, sq = 0; // standardised
        for (std::size_t k = 0; k < f.size(); k += 4) {
            mean += f[k + 3];
            sq += f[k + 3] * f[k + 3];
        }
        const double m = static_cast<double>(f.size() / 4);
        QVERIFY(std::abs(mean / m) < 0.05 && std::abs(sq / m - 1) < 0.05);
        QVERIFY(scaling.lateralScale > 2 && scaling.lateralScale < 20); // the median |x| of hits: a few mm
        for (std::size_t k = 0; k < s.points.size() / 4; ++k) {
            const auto p = unscalePoint(&f[4 * k], scaling);
            // dequantised within the hit's cell and layer; the energy back to float rounding
            QVERIFY(std::abs(p[0] - s.points[4 * k]) <= 2.55 + 1e-3);
            QVERIFY(std::abs(p[1] - s.points[4 * k + 1]) <= 2.55 + 1e-3);
            QCOMPARE(l.layerOf(l.depthAt(p[2])), l.layerOf(s.points[4 * k + 2]));
            QVERIFY(std::abs(p[3] / s.points[4 * k + 3] - 1) < 1e-4);
        }
        // Noise far out (an EDM prior at sigma = 80) stays finite, and the map stays monotone.
        const float far[4] = { 80.0f, -80.0f, 80.0f, 80.0f }, farther[4] = { 81.0f, -81.0f, 81.0f, 81.0f };
        const auto p = unscalePoint(far, scaling), q = unscalePoint(farther, scaling);
        for (std::size_t c = 0; c < 4; ++c)
            QVERIFY(std::isfinite(p[c]) && std::isfinite(q[c]));
        QVERIFY(p[3] > 0 && q[0] > p[0] && q[1] < p[1]);
        const auto back = scalePoint(p, scaling); // the inverse holds beyond the limit too
        QVERIFY(std::abs(back[0] - 80.0) < 1e-6 && std::abs(back[1] + 80.0) < 1e-6 && std::abs(back[2] - 80.0) < 1e-9);
        const std::array<double, 4> near { 3.0, -40.0, 7.5, 2.0 };
        float z[4];
        const auto zs = scalePoint(near, scaling);
        for (std::size_t c = 0; c < 4; ++c)
            z[c] = static_cast<float>(zs[c]);
        const auto again = unscalePoint(z, scaling);
        for (std::size_t c = 0; c < 4; ++c)
            QVERIFY(std::abs(again[c] - near[c]) < 1e-4 * (1 + std::abs(near[c])));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, fitPointScaling(Showers {}, l, rng));
        const auto stored = PointScaling::fromJson(scaling.toJson());
        QCOMPARE(stored.scale, scaling.scale);
        QCOMPARE(stored.lateralLimit, scaling.lateralLimit);
    }

    void energyBaselineInverts()
    {
        // The halo's log E relative to the mean of its layer and ring around the core cell: the baseline is that
        // mean, it takes most of log E's spread, and unscalePoint() undoes it exactly.
        const auto s = simulated(40, 12);
        const auto l = inferLayout(s);
        const auto halo = haloAroundCore(s, l);
        std::mt19937_64 rng(3);
        const auto plain = fitPointScaling(halo, l, rng);
        const auto scaling = fitPointScaling(halo, l, rng, true);
        QCOMPARE(plain.baseline(5.1, 0.0, 10.0), 0.0);
        QCOMPARE(scaling.energyBaseline.size(), l.size());
        double sum = 0.0, count = 0.0; // the edge neighbours of the core cell in layer 10, directly
        for (std::size_t k = 0; k < halo.points.size() / 4; ++k) {
            const float* p = &halo.points[4 * k];
            const double da = std::round(p[0] / l.cellSize), db = std::round(p[1] / l.cellSize);
            if (l.layerOf(p[2]) == 10 && da * da + db * db == 1.0) {
                sum += std::log(p[3]);
                count += 1.0;
            }
        }
        QVERIFY(count > 100);
        QVERIFY(std::abs(scaling.baseline(5.1, 0.0, 10.0) - sum / count) < 1e-9);
        QVERIFY(std::abs(scaling.baseline(-1.0, 5.0, 9.6) - sum / count) < 1e-9);     // the same cell, dequantised
        QCOMPARE(scaling.baseline(0.0, 0.0, 10.0), scaling.baseline(0.0, 5.1, 10.0)); // no halo hit in the core cell
        QVERIFY(scaling.baseline(5.1, 0.0, 10.0) > scaling.baseline(15.3, 0.0, 10.0) + 1.0); // falls off outwards
        QVERIFY(std::isfinite(scaling.baseline(NAN, 1e9, -4.0)) && std::isfinite(scaling.baseline(0, 0, 1e9)));
        // Standardised either way, so the residual's spread shows in the scale: the cell and layer explain about
        // 60 % of log E's variance in the simulator.
        QVERIFY(scaling.scale[3] < 0.8 * plain.scale[3]);
        const auto f = pointFeatures(halo, l, scaling, rng);
        for (std::size_t k = 0; k < halo.points.size() / 4; ++k) {
            const auto p = unscalePoint(&f[4 * k], scaling);
            QVERIFY(std::abs(p[3] / halo.points[4 * k + 3] - 1) < 1e-4);
            const auto z = scalePoint(p, scaling);
            QVERIFY(std::abs(z[3] - f[4 * k + 3]) < 1e-4);
        }
        const auto stored = PointScaling::fromJson(scaling.toJson());
        QCOMPARE(stored.energyBaseline, scaling.energyBaseline);
        QCOMPARE(stored.cellSize, scaling.cellSize);
        auto broken = scaling.toJson();
        broken["energy_baseline"][3].erase(0);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, PointScaling::fromJson(broken));
        auto noGrid = l;
        noGrid.cellSize = 0.0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, fitPointScaling(halo, noGrid, rng, true));
    }

    void postProcessingCalibrates()
    {
        const auto s = simulated(3, 8);
        const auto l = inferLayout(s);
        ShowerSummary target;
        target.incidentEnergy = 50;
        target.hits = 200;
        target.hitsPerLayer.assign(l.size(), 0);
        target.energyPerLayer.assign(l.size(), 0.0);
        for (std::size_t k = 0; k < 20; ++k) {
            target.hitsPerLayer[k] = 10;
            target.energyPerLayer[k] = 5.0 + static_cast<double>(k);
        }
        target.visible = 0;
        for (const double e : target.energyPerLayer)
            target.visible += e;
        target.centreA = 1.5;
        target.centreB = -2.0;
        std::mt19937_64 rng(9);
        std::normal_distribution<double> normal;
        std::vector<RawPoint> raw;
        for (int i = 0; i < 200; ++i) // a cloud with collisions: lateral spread of one cell
            raw.push_back({ 5.1 * normal(rng), 5.1 * normal(rng), 10.0 + 6.0 * normal(rng), std::exp(normal(rng)) });

        for (const bool cells : { true, false }) {
            ShowerLayout layout = l;
            if (!cells)
                layout.cellSize = 0.0;
            const auto hits = postProcess(raw, target, layout);
            QCOMPARE(hits.size(), std::size_t(4 * 200)); // a cell is free within 2 cells for every hit here
            std::vector<int64_t> n(l.size(), 0);
            std::vector<double> e(l.size(), 0.0);
            double ea = 0, eb = 0, et = 0;
            std::set<std::tuple<long, long, std::size_t>> used;
            for (std::size_t k = 0; k < hits.size(); k += 4) {
                const std::size_t layer = l.layerOf(hits[k + 2]);
                QCOMPARE(hits[k + 2], static_cast<float>(l.layers[layer])); // exactly on a layer
                n[layer] += 1;
                e[layer] += hits[k + 3];
                ea += hits[k + 3] * hits[k];
                eb += hits[k + 3] * hits[k + 1];
                et += hits[k + 3];
                if (cells) {
                    const long ia = std::lround(hits[k] / 5.1), ib = std::lround(hits[k + 1] / 5.1);
                    QVERIFY(std::abs(hits[k] - 5.1 * ia) < 1e-4);   // on a cell centre
                    QVERIFY(used.insert({ ia, ib, layer }).second); // one hit per cell
                }
            }
            QCOMPARE(n, target.hitsPerLayer);
            for (std::size_t k = 0; k < l.size(); ++k)
                QVERIFY(std::abs(e[k] - target.energyPerLayer[k]) < 1e-4 * (1 + target.energyPerLayer[k]));
            if (!cells) { // snapping moves the centre by at most half a cell
                QVERIFY(std::abs(ea / et - 1.5) < 1e-4);
                QVERIFY(std::abs(eb / et + 2.0) < 1e-4);
            } else {
                QVERIFY(std::abs(ea / et - 1.5) < 2.55);
                QVERIFY(std::abs(eb / et + 2.0) < 2.55);
            }
        }
        // With core hits: the halo fills n_l - 1 hits of a layer with a core and shares (1 - f_l) e_l; the core hit
        // takes the core cell with f_l e_l; the whole shower's centre is the flow's; one hit per cell still.
        ShowerSummary withCores = target;
        withCores.coreFraction.assign(l.size(), 0.0);
        for (std::size_t k = 0; k < 20; k += 2)
            withCores.coreFraction[k] = 0.3 + 0.02 * static_cast<double>(k);
        withCores.hitsPerLayer[0] = 1; // a lone core takes its layer's energy whatever its share
        withCores.hitsPerLayer[1] = 19;
        QCOMPARE(withCores.coreHits(), int64_t(10));
        std::vector<RawPoint> haloPoints(raw.begin(), raw.begin() + 190);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, postProcess(raw, withCores, l)); // 200 points for 190
        const auto coreHits = postProcess(haloPoints, withCores, l);
        QCOMPARE(coreHits.size(), std::size_t(4 * 200));
        const auto cell = coreCell(withCores, l);
        QCOMPARE(cell, (std::array<double, 2> { 0.0, 0.0 })); // the cell holding (1.5, -2.0)
        std::vector<int64_t> n(l.size(), 0);
        std::vector<double> e(l.size(), 0.0), inCore(l.size(), 0.0);
        std::set<std::tuple<long, long, std::size_t>> used;
        double ea = 0, eb = 0, et = 0;
        for (std::size_t k = 0; k < coreHits.size(); k += 4) {
            const std::size_t layer = l.layerOf(coreHits[k + 2]);
            n[layer] += 1;
            e[layer] += coreHits[k + 3];
            ea += coreHits[k + 3] * coreHits[k];
            eb += coreHits[k + 3] * coreHits[k + 1];
            et += coreHits[k + 3];
            const long ia = std::lround(coreHits[k] / 5.1), ib = std::lround(coreHits[k + 1] / 5.1);
            QVERIFY(used.insert({ ia, ib, layer }).second);
            if (ia == 0 && ib == 0)
                inCore[layer] += coreHits[k + 3];
        }
        QCOMPARE(n, withCores.hitsPerLayer);
        for (std::size_t k = 0; k < l.size(); ++k) {
            QVERIFY(std::abs(e[k] - target.energyPerLayer[k]) < 1e-4 * (1 + target.energyPerLayer[k]));
            const double share = k == 0 ? 1.0 : withCores.coreFraction[k];
            if (share > 0)
                QVERIFY2(std::abs(inCore[k] - share * target.energyPerLayer[k]) < 1e-4 * target.energyPerLayer[k],
                    qPrintable(QString("layer %1: %2 MeV in the core cell").arg(k).arg(inCore[k])));
        }
        QVERIFY(std::abs(ea / et - 1.5) < 2.55 && std::abs(eb / et + 2.0) < 2.55);
        ShowerLayout continuous = l;
        continuous.cellSize = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, postProcess(haloPoints, withCores, continuous));

        // A displaced hit takes the free cell nearest to it and to the core: here the cell diagonal to the core, not
        // the one further out along its own axis (nearer to the hit alone). The centre is the hits' own (no shift).
        const std::vector<RawPoint> three { { 0.0, 0.0, 5.0, 10.0 }, { 5.1, 0.0, 5.0, 2.0 }, { 5.6, 0.3, 5.0, 1.0 } };
        ShowerSummary few = target;
        few.hits = 3;
        few.hitsPerLayer.assign(l.size(), 0);
        few.hitsPerLayer[5] = 3;
        few.energyPerLayer.assign(l.size(), 0.0);
        few.energyPerLayer[5] = 13.0;
        few.centreA = (2.0 * 5.1 + 5.6) / 13.0;
        few.centreB = 0.3 / 13.0;
        const auto placed = postProcess(three, few, l);
        QCOMPARE(placed.size(), std::size_t(12));
        QVERIFY(std::abs(placed[8] - 5.1f) < 1e-4 && std::abs(placed[9] - 5.1f) < 1e-4); // cell (1, 1), not (2, 0)

        // The threshold: nothing below it after post-processing; a raw energy just below it comes back reflected.
        auto low = raw;
        low[0][3] = 1e-6;
        low[1][3] = 0.9 * 0.07;
        const auto hits = postProcess(low, target, l, 0.07);
        for (std::size_t k = 3; k < hits.size(); k += 4)
            QVERIFY(hits[k] >= 0.07f);
        raw.pop_back();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, postProcess(raw, target, l));
    }
};

QTEST_GUILESS_MAIN(TestShowerFeatures)
#include "test_shower_features.moc"
