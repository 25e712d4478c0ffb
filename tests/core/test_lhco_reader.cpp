// The LHC Olympics pandas reader: both pandas layouts (written by pandas itself, see
// tests/data/make_fixtures_lhco.py) give the same table, the derived features equal numpy's own
// computation, hand-made events give the exact kinematics, and every bad input names file and problem.
#include "core/data/LhcoReader.h"
#include "core/util/Error.h"

#include "TestSupport.h"
#include <H5Cpp.h>
#include <QElapsedTimer>

#include <QtTest>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

using namespace hepgen;
using namespace hepgen::data;
using hepgen::test::errorOf;
using hepgen::test::fixture;
using hepgen::test::lhcoExpectedRows;

namespace {

// One raw event in GeV: jet 1 then jet 2, each (px, py, pz, m, tau1, tau2, tau3).
Table rawEvent(const std::array<double, 7>& j1, const std::array<double, 7>& j2)
{
    Table t;
    t.columns = { "pxj1", "pyj1", "pzj1", "mj1", "tau1j1", "tau2j1", "tau3j1", "pxj2", "pyj2", "pzj2", "mj2", "tau1j2",
        "tau2j2", "tau3j2" };
    for (double v : j1)
        t.values.push_back(static_cast<float>(v));
    for (double v : j2)
        t.values.push_back(static_cast<float>(v));
    return t;
}

} // namespace

class TestLhcoReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { H5::Exception::dontPrint(); }

    void derivedFeaturesEqualNumpys()
    {
        const Table t = readLhcoPandas(fixture("lhco_fixed.h5"));
        const auto expected = lhcoExpectedRows();
        QCOMPARE(t.rows(), std::size_t(200));
        QCOMPARE(expected.size(), std::size_t(200));
        QVERIFY((t.columns
            == std::vector<std::string> { "mjj", "mj_min", "delta_mj", "tau21_min", "tau21_max", "delta_R_jj" }));
        QVERIFY((t.units == std::vector<std::string> { "TeV", "TeV", "TeV", "", "", "" }));
        QCOMPARE(t.labels.size(), std::size_t(200));
        double worst = 0;
        int signal = 0;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            for (std::size_t j = 0; j < 6; ++j) {
                const double want = expected[i][j], got = t.at(i, j);
                const double rel = std::abs(got - want) / std::max(std::abs(want), 1e-3);
                worst = std::max(worst, rel);
                QVERIFY2(rel < 1e-5,
                    qPrintable(QString("row %1 column %2: %3 vs numpy %4").arg(i).arg(j).arg(got).arg(want)));
            }
            QCOMPARE(int(t.labels[i]), int(expected[i][6]));
            signal += t.labels[i];
        }
        QVERIFY(signal > 30 && signal < 90); // 30 % signal drawn in the fixture
        qInfo("largest relative deviation from numpy: %.3g", worst);
    }

    void bothPandasLayoutsGiveTheSameTable_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("fixed, label int64 in a second block, columns shuffled") << "lhco_fixed_intlabel.h5";
        QTest::newRow("table, label int8 in values_block_1") << "lhco_table.h5";
        QTest::newRow("table with data columns mj1 and label") << "lhco_table_datacols.h5";
    }
    void bothPandasLayoutsGiveTheSameTable()
    {
        QFETCH(QString, file);
        const Table reference = readLhcoPandas(fixture("lhco_fixed.h5"));
        const Table t = readLhcoPandas(fixture(qPrintable(file)));
        QVERIFY(t.columns == reference.columns);
        QVERIFY(t.units == reference.units);
        QVERIFY(t.values == reference.values); // bit for bit: same float64 inputs, same arithmetic
        QVERIFY(t.labels == reference.labels);
        QVERIFY(isLhcoPandasFile(fixture(qPrintable(file))));
    }

    void fileWithoutLabelHasNoLabels()
    {
        const Table t = readLhcoPandas(fixture("lhco_nolabel.h5"));
        QCOMPARE(t.rows(), std::size_t(200));
        QVERIFY(t.labels.empty());
        QVERIFY(t.values == readLhcoPandas(fixture("lhco_fixed.h5")).values);
    }

    void backToBackJetsGiveTheExactMass()
    {
        // Jet 1: |p| = 1200, m = 500 → E = 1300; jet 2: |p| = 1200, m = 220 → E = 1220 (GeV).
        // Back to back: p1 + p2 = 0, so mjj = E1 + E2 = 2520 GeV; delta_phi = pi, delta_eta = 0.
        const Table t
            = deriveLhcoFeatures(rawEvent({ 1200, 0, 0, 500, 0.5, 0.25, 0.1 }, { -1200, 0, 0, 220, 0.8, 0.2, 0.1 }));
        QCOMPARE(t.rows(), std::size_t(1));
        QCOMPARE(t.at(0, 0), 2.52f);
        QCOMPARE(t.at(0, 1), 0.22f);
        QCOMPARE(t.at(0, 2), static_cast<float>(0.28));               // (500 - 220) / 1000
        QCOMPARE(t.at(0, 3), static_cast<float>(0.2 / (0.8 + 1e-5))); // lighter jet = jet 2
        QCOMPARE(t.at(0, 4), static_cast<float>(0.25 / (0.5 + 1e-5)));
        QVERIFY(std::abs(t.at(0, 5) - M_PI) < 1e-6);
        QVERIFY(t.labels.empty());

        // The same pair boosted along z with beta = 0.6 (gamma = 1.25): pz' = gamma beta E,
        // E' = gamma E → pz = 975, 915 and E = 1625, 1525; the invariant mass stays 2520 GeV
        // (3150^2 - 1890^2 = 2520^2); delta_R uses pseudorapidities, which a boost shifts unequally.
        const Table b = deriveLhcoFeatures(
            rawEvent({ 1200, 0, 975, 500, 0.5, 0.25, 0.1 }, { -1200, 0, 915, 220, 0.8, 0.2, 0.1 }));
        QCOMPARE(b.at(0, 0), 2.52f);
        const double eta1 = std::asinh(975.0 / 1200), eta2 = std::asinh(915.0 / 1200);
        QVERIFY(std::abs(b.at(0, 5) - std::hypot(eta1 - eta2, M_PI)) < 1e-6);
    }

    void deltaPhiIsWrappedIntoMinusPiPi()
    {
        // phi = +170 and -170 degrees are 20 degrees apart, not 340; eta = 1 and -0.5.
        const double pt = 1000, a = 170 * M_PI / 180;
        const Table t = deriveLhcoFeatures(
            rawEvent({ pt * std::cos(a), pt * std::sin(a), pt * std::sinh(1.0), 100, 0.5, 0.2, 0.1 },
                { pt * std::cos(-a), pt * std::sin(-a), pt * std::sinh(-0.5), 200, 0.5, 0.2, 0.1 }));
        const double expected = std::hypot(1.5, 20 * M_PI / 180);
        QVERIFY2(std::abs(t.at(0, 5) - expected) < 2e-6, qPrintable(QString::number(t.at(0, 5))));
    }

    void tau21FollowsTheLighterAndHeavierJetNotItsOwnOrder()
    {
        // Lighter jet 1 with the larger tau21 (0.9): tau21_min is 0.9/(1+1e-5), tau21_max 0.1/(1+1e-5).
        const Table a
            = deriveLhcoFeatures(rawEvent({ 1000, 0, 0, 100, 1.0, 0.9, 0.1 }, { -1000, 0, 0, 400, 1.0, 0.1, 0.05 }));
        QCOMPARE(a.at(0, 3), static_cast<float>(0.9 / (1 + 1e-5)));
        QCOMPARE(a.at(0, 4), static_cast<float>(0.1 / (1 + 1e-5)));
        QCOMPARE(a.at(0, 1), 0.1f);
        QCOMPARE(a.at(0, 2), 0.3f);
        // Swapping the jets changes nothing.
        const Table b
            = deriveLhcoFeatures(rawEvent({ -1000, 0, 0, 400, 1.0, 0.1, 0.05 }, { 1000, 0, 0, 100, 1.0, 0.9, 0.1 }));
        QVERIFY(a.values == b.values);
        // Equal masses: numpy's argmin and argmax both pick jet 1 (as CATHODE's preparation does).
        const Table tie
            = deriveLhcoFeatures(rawEvent({ 1000, 0, 0, 300, 1.0, 0.7, 0.1 }, { -1000, 0, 0, 300, 1.0, 0.2, 0.05 }));
        QCOMPARE(tie.at(0, 2), 0.0f);
        QCOMPARE(tie.at(0, 3), static_cast<float>(0.7 / (1 + 1e-5)));
        QCOMPARE(tie.at(0, 4), static_cast<float>(0.7 / (1 + 1e-5)));
    }

    void labelsComeFromTheLabelColumnOrTheTable()
    {
        Table raw = rawEvent({ 1000, 0, 0, 100, 1.0, 0.9, 0.1 }, { -1000, 0, 0, 400, 1.0, 0.1, 0.05 });
        raw.labels = { 1 };
        QVERIFY((deriveLhcoFeatures(raw).labels == std::vector<std::int8_t> { 1 }));
        raw.labels.clear();
        raw.columns.push_back("label");
        raw.values.push_back(0.5f);
        const std::string msg = errorOf<FormatError>([&] { deriveLhcoFeatures(raw, "hand-made.h5"); }).toStdString();
        QVERIFY2(msg.find("hand-made.h5") != std::string::npos && msg.find("0.5 at row 0") != std::string::npos,
            msg.c_str());
        raw.values.back() = NAN;
        QVERIFY((deriveLhcoFeatures(raw).labels == std::vector<std::int8_t> { -1 }));
    }

    void nanFeaturesAreKept()
    {
        const Table t
            = deriveLhcoFeatures(rawEvent({ NAN, 0, 0, 100, 1.0, 0.9, 0.1 }, { -1000, 0, 0, 400, 1.0, 0.1, 0.05 }));
        QVERIFY(std::isnan(t.at(0, 0)));
        QCOMPARE(t.at(0, 1), 0.1f);
    }

    void missingColumnsAreNamed()
    {
        const std::string path = fixture("lhco_missing.h5");
        const std::string msg = errorOf<FormatError>([&] { readLhcoPandas(path); }).toStdString();
        QVERIFY2(msg.find(path) != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("mj2, tau3j2") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("the file has pxj1, pyj1") != std::string::npos, msg.c_str()); // the columns found

        Table raw = rawEvent({ 1, 0, 0, 1, 1, 1, 1 }, { 1, 0, 0, 1, 1, 1, 1 });
        raw.columns[3] = "mass1";
        const std::string derived = errorOf<FormatError>([&] { deriveLhcoFeatures(raw, "mine.csv"); }).toStdString();
        QVERIFY2(derived.find("mine.csv") != std::string::npos && derived.find("mj1 are missing") != std::string::npos
                && derived.find("mass1") != std::string::npos,
            derived.c_str());
    }

    void otherPandasObjectsAreAnUnknownLayout()
    {
        const std::string path = fixture("lhco_series.h5");
        QVERIFY(!isLhcoPandasFile(path));
        const std::string msg = errorOf<FormatError>([&] { readLhcoPandas(path); }).toStdString();
        QVERIFY2(msg.find(path) != std::string::npos && msg.find("'series'") != std::string::npos
                && msg.find("neither pandas' fixed layout") != std::string::npos,
            msg.c_str());
    }

    void filesThatAreNotPandasAreRefused()
    {
        const std::string missing = fixture("no_such_file.h5");
        QVERIFY(!isLhcoPandasFile(missing));
        std::string msg = errorOf<FileError>([&] { readLhcoPandas(missing); }).toStdString();
        QVERIFY2(
            msg.find(missing) != std::string::npos && msg.find("does not exist") != std::string::npos, msg.c_str());
        const std::string npy = fixture("cathode_sr.npy");
        QVERIFY(!isLhcoPandasFile(npy));
        msg = errorOf<FileError>([&] { readLhcoPandas(npy); }).toStdString();
        QVERIFY2(msg.find(npy) != std::string::npos && msg.find("not an HDF5 file") != std::string::npos, msg.c_str());
        QVERIFY(isLhcoPandasFile(fixture("lhco_fixed.h5")));
    }

    // Timing on a full-size file, only when one is given: HEPGEN_LHCO_FILE=/path/to/features.h5.
    void readsAFullSizeFile()
    {
        const char* path = std::getenv("HEPGEN_LHCO_FILE");
        if (!path)
            QSKIP("set HEPGEN_LHCO_FILE to time a full-size file");
        QElapsedTimer timer;
        timer.start();
        const Table t = readLhcoPandas(path);
        qInfo("%zu events read and derived in %lld ms", t.rows(), static_cast<long long>(timer.elapsed()));
        QVERIFY(t.rows() > 0);
    }
};

QTEST_GUILESS_MAIN(TestLhcoReader)
#include "test_lhco_reader.moc"
