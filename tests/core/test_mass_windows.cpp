// Mass windows: region assignment at the edges, counts and S/B on a hand-made table, each
// validation problem with its user-readable message, and seeded signal injection (exact counts,
// exact S/B in the SR, reproducible, pool too small).
#include "core/anomaly/MassWindows.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::anomaly;
using hepgen::data::Table;

namespace {

// Masses 2.05, 2.15, ..., 4.95 (30 events, none on an edge), label 1 for every third event.
Table ladder()
{
    Table t;
    t.columns = { "mjj", "x" };
    for (int i = 0; i < 30; ++i) {
        t.values.insert(t.values.end(), { 2.05f + 0.1f * float(i), float(i) });
        t.labels.push_back(i % 3 == 0 ? 1 : 0);
    }
    return t;
}

Table constantTable(float mjj, std::size_t n, std::int8_t label)
{
    Table t;
    t.columns = { "mjj", "x" };
    for (std::size_t i = 0; i < n; ++i) {
        t.values.insert(t.values.end(), { mjj + 0.001f * float(i % 100), float(i) });
        t.labels.push_back(label);
    }
    return t;
}

} // namespace

class TestMassWindows : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void regions_data()
    {
        QTest::addColumn<double>("mass");
        QTest::addColumn<int>("defaultRegion");
        QTest::addColumn<int>("bandRegion");
        // Bands of 0.2 TeV around SR [3.3, 3.7): SB = [3.1, 3.3) ∪ [3.7, 3.9).
        QTest::newRow("far below") << 2.0 << int(Region::Sideband) << int(Region::Outside);
        QTest::newRow("below the bands") << 3.05 << int(Region::Sideband) << int(Region::Outside);
        QTest::newRow("in the low band") << 3.15 << int(Region::Sideband) << int(Region::Sideband);
        QTest::newRow("SR low edge") << 3.3 << int(Region::Signal) << int(Region::Signal);
        QTest::newRow("inside SR") << 3.5 << int(Region::Signal) << int(Region::Signal);
        QTest::newRow("SR high edge") << 3.7 << int(Region::Sideband) << int(Region::Sideband);
        QTest::newRow("in the high band") << 3.85 << int(Region::Sideband) << int(Region::Sideband);
        QTest::newRow("above the bands") << 3.95 << int(Region::Sideband) << int(Region::Outside);
    }
    void regions()
    {
        QFETCH(double, mass);
        QFETCH(int, defaultRegion);
        QFETCH(int, bandRegion);
        QCOMPARE(int(MassWindows {}.regionOf(mass)), defaultRegion);
        QCOMPARE(int(MassWindows::withBands(3.3, 3.7, 0.2).regionOf(mass)), bandRegion);
    }

    void countsAndSOverB()
    {
        const Table t = ladder();
        // SR [3.3, 3.7) holds i = 13..16, counted here by hand.
        std::size_t sr = 0, srSig = 0;
        for (std::size_t i = 0; i < t.rows(); ++i)
            if (t.at(i, 0) >= 3.3 && t.at(i, 0) < 3.7) {
                ++sr;
                srSig += t.labels[i] == 1;
            }
        const WindowCounts c = countWindows(MassWindows {}, t);
        QVERIFY(c.labelled);
        QCOMPARE(c.sr, sr);
        QCOMPARE(c.sb, t.rows() - sr);
        QCOMPARE(c.outside, std::size_t(0));
        QCOMPARE(c.srSignal, srSig);
        QCOMPARE(c.sOverB(), double(srSig) / double(sr - srSig));
        const WindowCounts b = countWindows(MassWindows::withBands(3.3, 3.7, 0.35), t);
        QCOMPARE(b.sr, sr);
        QVERIFY(b.outside > 0);
        QCOMPARE(b.sr + b.sb + b.outside, t.rows());
        Table unlabelled = t;
        unlabelled.labels.clear();
        QVERIFY(std::isnan(countWindows(MassWindows {}, unlabelled).sOverB()));
    }

    void validation_data()
    {
        QTest::addColumn<double>("srLow");
        QTest::addColumn<double>("srHigh");
        QTest::addColumn<double>("sbLow");
        QTest::addColumn<double>("sbHigh");
        QTest::addColumn<int>("minSr");
        QTest::addColumn<int>("minSb");
        QTest::addColumn<QString>("expected"); // empty: valid
        const double inf = std::numeric_limits<double>::infinity();
        QTest::newRow("default is valid") << 3.3 << 3.7 << -inf << inf << 1 << 1 << "";
        QTest::newRow("bands are valid") << 3.3 << 3.7 << 3.0 << 4.0 << 1 << 1 << "";
        QTest::newRow("inverted") << 3.7 << 3.3 << -inf << inf << 0 << 0 << "must be below its high edge";
        QTest::newRow("empty") << 3.3 << 3.3 << -inf << inf << 0 << 0 << "must be below its high edge";
        QTest::newRow("nan") << std::nan("") << 3.7 << -inf << inf << 0 << 0 << "must be finite";
        QTest::newRow("sb inside sr") << 3.3 << 3.7 << 3.4 << 4.0 << 0 << 0 << "overlap the signal region";
        QTest::newRow("sb high inside sr") << 3.3 << 3.7 << 3.0 << 3.6 << 0 << 0 << "overlap the signal region";
        QTest::newRow("above the data") << 6.0 << 6.5 << -inf << inf << 0 << 0 << "lies outside the data's mjj range";
        QTest::newRow("below the data") << 1.0 << 1.5 << -inf << inf << 0 << 0 << "lies outside the data's mjj range";
        QTest::newRow("too few in SR") << 3.3 << 3.7 << -inf << inf << 100 << 0
                                       << "The signal region holds 4 events; this method needs at least 100.";
        QTest::newRow("too few in SB") << 3.3 << 3.7 << 3.2 << 3.8 << 0 << 50
                                       << "The sidebands hold 2 events; this method needs at least 50.";
    }
    void validation()
    {
        QFETCH(double, srLow);
        QFETCH(double, srHigh);
        QFETCH(double, sbLow);
        QFETCH(double, sbHigh);
        QFETCH(int, minSr);
        QFETCH(int, minSb);
        QFETCH(QString, expected);
        const Table t = ladder();
        const MassWindows w { srLow, srHigh, sbLow, sbHigh };
        const WindowNeeds needs { std::size_t(minSr), std::size_t(minSb), false };
        const auto problems = validateWindows(w, t, needs);
        if (expected.isEmpty()) {
            QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());
            requireValidWindows(w, t, needs);
            return;
        }
        QCOMPARE(problems.size(), std::size_t(1));
        QVERIFY2(QString::fromStdString(problems.front()).contains(expected), problems.front().c_str());
        const QString thrown = hepgen::test::errorOf<hepgen::ConfigError>([&] { requireValidWindows(w, t, needs); });
        QVERIFY(thrown.contains(expected));
    }

    void labelsNeeded()
    {
        Table t = ladder();
        t.labels.clear();
        const auto problems = validateWindows(MassWindows {}, t, { 0, 0, true });
        QCOMPARE(problems.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(problems[0]).contains("truth labels"));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, countWindows(MassWindows {}, t, "m_jj"));
    }

    void injectByCount()
    {
        const Table bg = constantTable(3.0f, 1000, 0), pool = constantTable(3.5f, 200, 1);
        const Table a = injectSignal(bg, pool, { 50, 0.0, 7 });
        QCOMPARE(a.rows(), std::size_t(1050));
        const WindowCounts c = countWindows(MassWindows {}, a);
        QCOMPARE(c.srSignal, std::size_t(50));
        QCOMPARE(c.sbBackground, std::size_t(1000));
        // Reproducible with the seed, different with another.
        const Table b = injectSignal(bg, pool, { 50, 0.0, 7 });
        QVERIFY(a.values == b.values && a.labels == b.labels);
        const Table d = injectSignal(bg, pool, { 50, 0.0, 8 });
        QVERIFY(a.values != d.values);
        // Shuffled: the signal is not all at the end.
        std::size_t lastHalf = 0;
        for (std::size_t i = a.rows() / 2; i < a.rows(); ++i)
            lastHalf += a.labels[i] == 1;
        QVERIFY(lastHalf > 10 && lastHalf < 40);
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            injectSignal(bg, pool, { 201, 0.0, 1 });
        }).contains("the signal pool holds 200"));
    }

    void injectBySOverB()
    {
        // 400 background events in the SR, 600 below it; signal pool half in the SR.
        Table bg = constantTable(3.5f, 400, 0);
        const Table low = constantTable(2.9f, 600, 0);
        bg.values.insert(bg.values.end(), low.values.begin(), low.values.end());
        bg.labels.insert(bg.labels.end(), low.labels.begin(), low.labels.end());
        Table pool = constantTable(3.5f, 100, 1);
        const Table out = constantTable(2.5f, 100, 1);
        pool.values.insert(pool.values.end(), out.values.begin(), out.values.end());
        pool.labels.insert(pool.labels.end(), out.labels.begin(), out.labels.end());
        const Table t = injectSignal(bg, pool, { 0, 0.05, 3 });
        const WindowCounts c = countWindows(MassWindows {}, t);
        QCOMPARE(c.srBackground, std::size_t(400));
        QCOMPARE(c.srSignal, std::size_t(20));
        QCOMPARE(c.sOverB(), 0.05);
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            injectSignal(bg, pool, { 0, 0.5, 3 });
        }).contains("holds only 100 there"));
        const auto [b, s] = splitByLabel(t);
        QCOMPARE(b.rows(), std::size_t(1000));
        QCOMPARE(s.rows(), t.rows() - 1000);
    }
};

QTEST_GUILESS_MAIN(TestMassWindows)
#include "test_mass_windows.moc"
