// Shower observables and the generated-vs-reference evaluation: hand-computed centres and widths, separation
// power of identical and disjoint samples, W1 of a known shift, simulator against simulator (small separation
// powers, AUC about 0.5), a distorted copy detected, and every way the input can be wrong.
#include "core/showers/Observables.h"
#include "core/showers/ShowerSimulator.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::showers;
using hepgen::data::Showers;
using hepgen::test::errorOf;

namespace {

/// Showers from a list of (E_inc, hits) with the given layers.
Showers makeShowers(const std::vector<std::pair<float, std::vector<std::array<float, 4>>>>& list,
    std::vector<double> layerZ = { 0.0, 10.0, 20.0 })
{
    Showers s;
    s.geometry.name = "test stack";
    s.geometry.layerZ = std::move(layerZ);
    s.geometry.cellSize = 1.0;
    s.offsets.push_back(0);
    for (const auto& [energy, hits] : list) {
        s.incidentEnergy.push_back(energy);
        for (const auto& h : hits)
            s.points.insert(s.points.end(), h.begin(), h.end());
        s.offsets.push_back(static_cast<std::int64_t>(s.points.size() / 4));
    }
    return s;
}

Showers simulate(std::size_t n, std::uint64_t seed, double lo = 10, double hi = 100)
{
    ShowerSimOptions o;
    o.showers = n;
    o.seed = seed;
    o.energyMin = lo;
    o.energyMax = hi;
    return simulateShowers(o);
}

} // namespace

class TestShowerObservables : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handComputedShower()
    {
        // Layer 0: hits at x = -1 (1 MeV) and x = 3 (3 MeV); layer 1: one hit at (5, 5) of 2 MeV (z = 9.6 is
        // nearest to layer 1 at 10 mm); layer 2 empty; one padding hit (E = 0) that must be ignored.
        const Showers s = makeShowers({ { 0.006f,
            { { { -1, 0, 0, 1 } }, { { 3, 2, 0.4f, 3 } }, { { 5, 5, 9.6f, 2 } }, { { 100, 100, 20, 0 } } } } });
        const ShowerObservables o = computeObservables(s);
        QCOMPARE(o.size(), std::size_t(1));
        QCOMPARE(o.layers, std::size_t(3));
        QCOMPARE(o.hits[0], 3.0);
        QCOMPARE(o.visibleEnergy[0], 6.0);
        QVERIFY(std::abs(o.eVisOverEInc[0] - 1.0) < 1e-6); // 6 MeV of 6 MeV
        QCOMPARE(o.energyPerLayer, (std::vector<double> { 4, 2, 0 }));
        QCOMPARE(o.hitsPerLayer, (std::vector<double> { 2, 1, 0 }));
        // Centre x = (-1 * 1 + 3 * 3) / 4 = 2, width = sqrt((1 * 9 + 3 * 1) / 4) = sqrt(3).
        QVERIFY(std::abs(o.centreX[0] - 2.0) < 1e-12);
        QVERIFY(std::abs(o.widthX[0] - std::sqrt(3.0)) < 1e-12);
        // Centre y = (0 + 3 * 2) / 4 = 1.5, width = sqrt((1 * 2.25 + 3 * 0.25) / 4) = sqrt(0.75).
        QVERIFY(std::abs(o.centreY[0] - 1.5) < 1e-12);
        QVERIFY(std::abs(o.widthY[0] - std::sqrt(0.75)) < 1e-12);
        QCOMPARE(o.centreX[1], 5.0);
        QCOMPARE(o.widthX[1], 0.0);
        QVERIFY(std::isnan(o.centreX[2]) && std::isnan(o.widthY[2]));
        // Shower centre (x, y) = (18 / 6, 16 / 6); depth (0.4 * 3 + 9.6 * 2) / 6 = 3.4 mm.
        QVERIFY(std::abs(o.showerCentreX[0] - 3.0) < 1e-6);
        QVERIFY(std::abs(o.showerCentreY[0] - 16.0 / 6.0) < 1e-6);
        QVERIFY(std::abs(o.centreZ[0] - 3.4) < 1e-6);
        // Radial profile about (3, 8/3) in 1 mm bins: r = 4.81 (1 MeV), 0.33 (3 MeV), 3.07 (2 MeV).
        QCOMPARE(o.radialBinWidth, 1.0);
        QCOMPARE(o.radialProfile.size(), kRadialBins);
        QCOMPARE(o.radialProfile[0], 3.0);
        QCOMPARE(o.radialProfile[3], 2.0);
        QCOMPARE(o.radialProfile[4], 1.0);
        QCOMPARE(o.hitEnergies, (std::vector<double> { 1, 3, 2 }));
    }

    void nearestLayerInAnyOrder()
    {
        // Layers listed out of order: z = 14 is nearest to 10, z = 16 to 20, z = -3 to 0, z = 99 to 20.
        const Showers s = makeShowers(
            { { 1.f, { { { 0, 0, 14, 1 } }, { { 0, 0, 16, 2 } }, { { 0, 0, -3, 4 } }, { { 0, 0, 99, 8 } } } } },
            { 20.0, 0.0, 10.0 });
        const ShowerObservables o = computeObservables(s);
        QCOMPARE(o.energyPerLayer, (std::vector<double> { 10, 4, 1 }));
    }

    void emptyShowerAndNoGeometry()
    {
        Showers s = makeShowers({ { 10.f, {} }, { 10.f, { { { 1, 2, 3, 4 } } } } }, {});
        s.geometry.cellSize = 0; // no cell size, no R_M: the 2 mm default radial bins
        const ShowerObservables o = computeObservables(s);
        QCOMPARE(o.layers, std::size_t(0));
        QVERIFY(o.energyPerLayer.empty());
        QCOMPARE(o.visibleEnergy[0], 0.0);
        QCOMPARE(o.hits[0], 0.0);
        QVERIFY(std::isnan(o.centreZ[0]));
        QCOMPARE(o.centreZ[1], 3.0);
        QCOMPARE(o.radialBinWidth, 2.0);
    }

    void inconsistentShowersAreRejected()
    {
        Showers s = makeShowers({ { 10.f, { { { 1, 2, 3, 4 } } } } });
        s.offsets.back() = 5;
        QVERIFY(errorOf<hepgen::ConfigError>([&] { computeObservables(s); }).contains("inconsistent"));
    }

    void identicalSamplesHaveZeroDistances()
    {
        const Showers s = simulate(200, 3);
        EvaluationOptions o;
        o.classifier = false;
        const ShowerEvaluation e = evaluateShowers(s, s, o);
        QCOMPARE(e.nReference, std::size_t(200));
        QVERIFY(e.observables.size() > 100); // shower level, profiles and 30 layers x 6
        for (const auto& c : e.observables) {
            QVERIFY2(c.separationPower == 0.0, c.name.c_str());
            QVERIFY2(c.w1 == 0.0, c.name.c_str());
            QCOMPARE(c.edges.size(), c.reference.size() + 1);
            QCOMPARE(c.reference, c.generated);
        }
        QVERIFY(std::isnan(e.classifierAuc));
        const auto j = e.toJson();
        QVERIFY(j["classifier"]["auc"].is_null());
        QCOMPARE(j["observables"].size(), e.observables.size());
        QCOMPARE(j["n_generated"].get<int>(), 200);
    }

    void disjointSamplesHaveSeparationPowerOne()
    {
        // E_vis/E_inc 0.5 against 2: no bin holds both, so the separation power is exactly 1 and W1 = 1.5.
        std::vector<std::pair<float, std::vector<std::array<float, 4>>>> low, high;
        for (int i = 0; i < 20; ++i) {
            low.push_back({ 1.f, { { { 0, 0, 0, 500.f } } } });
            high.push_back({ 1.f, { { { 0, 0, 0, 2000.f } } } });
        }
        EvaluationOptions o;
        o.classifier = false;
        const auto e = evaluateShowers(makeShowers(low), makeShowers(high), o);
        const auto* ratio = e.find("E_vis/E_inc");
        QVERIFY(ratio);
        QCOMPARE(ratio->separationPower, 1.0);
        QVERIFY(std::abs(ratio->w1 - 1.5) < 1e-6);
        // The same number of hits in both: identical.
        QCOMPARE(e.find("number of hits")->separationPower, 0.0);
    }

    void shiftGivesW1OfTheShift()
    {
        // Every hit moved by +2 mm in x: W1 of the centre of gravity in x is exactly 2 mm, and in y it is 0.
        const Showers a = simulate(300, 5);
        Showers b = a;
        for (std::size_t h = 0; h < b.points.size(); h += 4)
            b.points[h] += 2.0f;
        EvaluationOptions o;
        o.classifier = false;
        const auto e = evaluateShowers(a, b, o);
        QVERIFY(std::abs(e.find("centre of gravity x")->w1 - 2.0) < 1e-4);
        QCOMPARE(e.find("centre of gravity y")->w1, 0.0);
        QVERIFY(std::abs(e.find("x centre layer 10")->w1 - 2.0) < 1e-4);
        QCOMPARE(e.find("x width layer 10")->separationPower, 0.0); // widths do not move
        QCOMPARE(e.find("radial profile")->separationPower, 0.0);   // about the shower's own axis
    }

    void simulatorAgainstItselfIsIndistinguishable()
    {
        // Two independent simulator samples: separation powers at the level of statistical noise (about bins / (2N)
        // = 0.013 for 40 bins and 1500 showers each) and a classifier AUC within 4 sigma of 0.5.
        const auto e = evaluateShowers(simulate(1500, 11), simulate(1500, 12));
        QVERIFY2(e.find("E_vis/E_inc")->separationPower < 0.03,
            qPrintable(QString::number(e.find("E_vis/E_inc")->separationPower)));
        QVERIFY2(e.find("number of hits")->separationPower < 0.03,
            qPrintable(QString::number(e.find("number of hits")->separationPower)));
        QVERIFY(e.find("longitudinal profile")->separationPower < 0.005);
        QVERIFY(e.find("hit energy")->separationPower < 0.01);
        double worst = 0;
        for (const auto& c : e.observables)
            worst = std::max(worst, c.separationPower);
        QVERIFY2(worst < 0.1, qPrintable(QString::number(worst)));
        QVERIFY(e.classifierFeatures == 6 + 5 * 30);
        QVERIFY2(std::abs(e.classifierAuc - 0.5) < 4 * e.classifierAucNullSigma + 0.01,
            qPrintable(QString("AUC %1 +- %2").arg(e.classifierAuc).arg(e.classifierAucNullSigma)));
        QVERIFY(e.classifierJsd >= 0 && e.classifierJsd < 0.05);
    }

    void distortedCopyIsDetected()
    {
        // Hit energies x 1.1: E_vis/E_inc moves by 10 %, several times its resolution (16 %/sqrt(E) + 1 %).
        const Showers reference = simulate(1500, 21);
        Showers distorted = simulate(1500, 22);
        for (std::size_t h = 3; h < distorted.points.size(); h += 4)
            distorted.points[h] *= 1.1f;
        const auto e = evaluateShowers(reference, distorted);
        QVERIFY2(e.find("E_vis/E_inc")->separationPower > 0.3,
            qPrintable(QString::number(e.find("E_vis/E_inc")->separationPower)));
        QVERIFY(std::abs(e.find("E_vis/E_inc")->w1 - 0.1 * 0.98 * kDefaultSamplingFraction) < 0.0004);
        QVERIFY2(e.classifierAuc > 0.8, qPrintable(QString::number(e.classifierAuc)));
        QCOMPARE(e.find("number of hits")->separationPower < 0.05, true); // the hit count is not distorted
    }

    void energyRangeSelectsShowers()
    {
        const Showers s = simulate(300, 31);
        std::size_t inRange = 0;
        for (float e : s.incidentEnergy)
            inRange += e >= 40 && e <= 60;
        EvaluationOptions o;
        o.classifier = false;
        o.energyMin = 40;
        o.energyMax = 60;
        const auto e = evaluateShowers(s, s, o);
        QCOMPARE(e.nReference, inRange);
        QCOMPARE(e.nGenerated, inRange);
        QCOMPARE(e.toJson()["energy_range"][1].get<double>(), 60.0);
    }

    void badInputIsExplained()
    {
        const Showers s = simulate(50, 41);
        EvaluationOptions o;
        o.classifier = false;
        o.energyMin = 500;
        o.energyMax = 600;
        QString message = errorOf<hepgen::ConfigError>([&] { evaluateShowers(s, s, o); });
        QVERIFY2(message.contains("No reference showers") && message.contains("[500, 600] GeV"), qPrintable(message));
        o.energyMin = 60;
        o.energyMax = 40;
        QVERIFY(errorOf<hepgen::ConfigError>([&] { evaluateShowers(s, s, o); }).contains("not a valid range"));
        o.energyMin = 0;
        o.energyMax = std::nan("");
        QVERIFY(errorOf<hepgen::ConfigError>([&] { evaluateShowers(s, s, o); }).contains("not a valid range"));

        Showers other = s;
        other.geometry.layerZ.pop_back();
        o.energyMax = 1e9;
        message = errorOf<hepgen::ConfigError>([&] { evaluateShowers(s, other, o); });
        QVERIFY2(message.contains("different calorimeter geometries"), qPrintable(message));

        Showers empty = s;
        empty.points.clear();
        empty.offsets.assign(empty.size() + 1, 0);
        // Showers without hits compare (nothing is finite but the counts): no crash, notes say what was skipped.
        const auto e = evaluateShowers(s, empty, o);
        QVERIFY(!e.notes.empty());
        QVERIFY(e.find("number of hits"));
        QVERIFY(!e.find("E layer 3") || e.find("E layer 3")->separationPower > 0.5);
    }

    void missingGeometryTakesTheOther()
    {
        const Showers s = simulate(100, 51);
        Showers bare = s;
        bare.geometry = {};
        EvaluationOptions o;
        o.classifier = false;
        const auto e = evaluateShowers(s, bare, o);
        QVERIFY(e.find("E layer 0"));
        QCOMPARE(e.find("E layer 0")->separationPower, 0.0);
        QVERIFY(e.notes.front().find("reference showers' layers") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestShowerObservables)
#include "test_shower_observables.moc"
