// The scans (core/anomaly/Scans.h) on small dijet toys with the fast BDT: the sliding window visits the
// windows it says, with the sidebands following the SR; the window that holds the injected resonance
// stands out in the bump hunt after a score cut while a window far from it does not; the S/B scan's max SIC
// grows with the injected S/B; bad settings and a too-small signal pool are ConfigErrors before any hunt.
#include "core/anomaly/Scans.h"
#include "core/data/DijetGenerator.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::anomaly;

namespace {

hepgen::data::Table dijet(std::size_t background, double sOverB, std::uint64_t seed)
{
    hepgen::data::DijetOptions o;
    o.background = background;
    o.signal = 0;
    o.sOverB = sOverB;
    o.seed = seed;
    return hepgen::data::generateDijet(o);
}

HuntConfig fastCwola()
{
    HuntConfig c;
    c.method = "cwola";
    c.classifier = "bdt";
    c.folds = 3;
    c.seed = 2;
    c.classifiers.bdt.rounds = 60;
    return c;
}

} // namespace

class TestHuntScans : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void windowsOfTheScan()
    {
        const WindowScanConfig scan; // 3.1 .. 4.5, width 0.4, step 0.2
        const auto rest = scan.windows(MassWindows {});
        QCOMPARE(rest.size(), std::size_t(6));
        QCOMPARE(rest.front().srLow, 3.1);
        QVERIFY(std::abs(rest.back().srHigh - 4.5) < 1e-9);
        QVERIFY(rest[2].sidebandIsEverythingElse());
        // Adjacent bands keep their widths as the SR moves.
        const auto bands = scan.windows(MassWindows::withBands(3.3, 3.7, 0.3));
        QVERIFY(std::abs(bands[1].sbLow - (bands[1].srLow - 0.3)) < 1e-9);
        QVERIFY(std::abs(bands[1].sbHigh - (bands[1].srHigh + 0.3)) < 1e-9);
        // Nothing fits, or bad values: ConfigErrors.
        WindowScanConfig narrow;
        narrow.to = 3.3;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, narrow.windows(MassWindows {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, WindowScanConfig::read({ { "step", 0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, WindowScanConfig::read({ { "from", 4 }, { "to", 3 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, WindowScanConfig::read({ { "width", 0.4 }, { "stepp", 1 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, SOverBScanConfig::read({ { "s_over_b", { 0.01, -1 } } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, SOverBScanConfig::read({ { "seeds", 0 } }));
    }

    void slidingWindowFindsTheResonance()
    {
        // A strong signal at 3.5 TeV (S/B 0.15 in 3.3-3.7): the window centred on it stands out after a 10 % cut
        // on the CWoLa score; a window well above it (SR 4.1-4.5, few signal events) does not.
        const auto table = dijet(30000, 0.15, 8);
        WindowScanConfig scan = WindowScanConfig::read({ { "from", 3.1 }, { "to", 4.5 }, { "step", 0.2 } });
        std::vector<WindowScanPoint> live;
        const auto points
            = scanWindows(table, fastCwola(), scan, {}, [&](const WindowScanPoint& p) { live.push_back(p); });
        QCOMPARE(points.size(), std::size_t(6));
        QCOMPARE(live.size(), points.size()); // every point was delivered as it finished
        for (const auto& p : points)
            qInfo("SR %.1f-%.1f: %zu SR events, Z(10 %%) %.2f, Z(1 %%) %.2f %s", p.windows.srLow, p.windows.srHigh,
                p.nSr, p.significanceAt(0.1), p.significanceAt(0.01), p.problem.c_str());
        const double onPeak = points[1].significanceAt(0.1); // SR 3.3-3.7
        const double far = points[5].significanceAt(0.1);    // SR 4.1-4.5
        QVERIFY2(onPeak > 3.0, qPrintable(QString::number(onPeak)));
        QVERIFY2(!(far > 2.0), qPrintable(QString::number(far))); // below 2, or no fit at all
        QVERIFY(std::abs(points[1].sOverB - 0.15) < 0.01);
    }

    void sOverBScanGrows()
    {
        // The file's signal (S/B 0.5 in the SR) is the pool; re-injected at 2 % and 30 % with two seeds each,
        // the IAD's max SIC is clearly higher at 30 %.
        const auto table = dijet(20000, 0.5, 9);
        SOverBScanConfig scan;
        scan.sOverB = { 0.02, 0.3 };
        scan.seeds = 2;
        HuntConfig c = fastCwola();
        c.method = "iad";
        std::vector<SOverBScanPoint> live;
        const auto points = scanSOverB(table, c, scan, {}, [&](const SOverBScanPoint& p) { live.push_back(p); });
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(live.size(), std::size_t(2));
        for (const auto& p : points) {
            qInfo("S/B %.3f: max SIC %.2f +- %.2f (seeds: %.2f, %.2f)", p.sOverB, p.meanMaxSic, p.errorMaxSic,
                p.maxSic[0], p.maxSic[1]);
            QCOMPARE(p.seeds.size(), std::size_t(2));
            QCOMPARE(p.seeds[0], std::uint64_t(2));
            QVERIFY(p.errorMaxSic >= 0);
        }
        QVERIFY2(points[1].meanMaxSic > points[0].meanMaxSic + 1.0,
            qPrintable(QString("%1 vs %2").arg(points[1].meanMaxSic).arg(points[0].meanMaxSic)));
        // The JSON says the same.
        const auto j = toJson(points);
        QCOMPARE(j.size(), std::size_t(2));
        QCOMPARE(j[1]["max_sic"].size(), std::size_t(2));

        // A pool too small for the S/B asked for, or unlabelled data: ConfigError before any hunt runs.
        scan.sOverB = { 5.0 };
        int hunts = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, scanSOverB(table, c, scan, {}, [&](const auto&) { ++hunts; }));
        QCOMPARE(hunts, 0);
        auto unlabelled = table;
        std::fill(unlabelled.labels.begin(), unlabelled.labels.end(), std::int8_t(-1));
        scan.sOverB = { 0.1 };
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, scanSOverB(unlabelled, c, scan));
    }

    void scansCancel()
    {
        const auto table = dijet(10000, 0.2, 3);
        const hepgen::JobControl stop({}, [] { return true; });
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, scanWindows(table, fastCwola(), WindowScanConfig {}, stop));
        SOverBScanConfig scan;
        scan.sOverB = { 0.05 };
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, scanSOverB(table, fastCwola(), scan, stop));
    }
};

QTEST_GUILESS_MAIN(TestHuntScans)
#include "test_hunt_scans.moc"
