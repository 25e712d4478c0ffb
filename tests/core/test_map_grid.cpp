// Maps of known functions: values land on the right axes (no transposition, no off-by-one: bin centres), slices
// and partial dependence hold or average the other inputs exactly, the members' spread is their sample standard
// deviation, contours lie on the level set, the out-of-distribution indicator separates the support from far away,
// map files round-trip, and every bad request is refused with one sentence.
#include "TestSupport.h"

#include "core/maps/Contours.h"
#include "core/maps/MapCompute.h"
#include "core/maps/MapFile.h"
#include "core/maps/SupportDistance.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>

using namespace hepgen::maps;
using hepgen::data::Table;

namespace {

/// f(a, b, c | m) = 3a + b^2 - 10c + 100m with three members f + (k - 1) s, s = 1 + |a|: mean f, sample std s.
/// Features are read in the order a, b, c; the condition is m.
class KnownFunction : public MapModel {
public:
    std::string name() const override { return "known function"; }
    const std::vector<std::string>& features() const override { return m_features; }
    std::vector<std::string> units() const override { return { "GeV", "", "cm" }; }
    const std::vector<std::string>& conditions() const override { return m_conditions; }
    std::vector<MapKind> kinds() const override { return { MapKind::Score }; }
    std::string membersName() const override { return "members"; }
    int64_t members(MapKind) const override { return 3; }
    MapEvaluation evaluate(MapKind, const std::vector<float>& rows, const std::vector<float>& conds,
        const hepgen::JobControl& job) override
    {
        ++calls;
        job.throwIfStopped();
        const std::size_t n = checkedEvents(*this, rows, conds);
        MapEvaluation e;
        e.k = 3;
        e.value.resize(n);
        e.members.resize(3 * n);
        for (std::size_t i = 0; i < n; ++i) {
            const double a = rows[3 * i], b = rows[3 * i + 1], c = rows[3 * i + 2], m = conds[i];
            const double f = nanAbove && a > *nanAbove ? std::nan("") : 3 * a + b * b - 10 * c + 100 * m;
            e.value[i] = f;
            for (int k = 0; k < 3; ++k)
                e.members[k * n + i] = f + (k - 1) * (1 + std::abs(a));
        }
        return e;
    }
    static double f(double a, double b, double c, double m) { return 3 * a + b * b - 10 * c + 100 * m; }
    int calls = 0;
    std::optional<double> nanAbove;

private:
    std::vector<std::string> m_features { "a", "b", "c" }, m_conditions { "m" };
};

Table gaussianTable(std::size_t n, std::uint64_t seed)
{
    Table t;
    t.columns = { "a", "b", "c", "m" };
    t.units = { "GeV", "", "cm", "TeV" };
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g;
    for (std::size_t i = 0; i < n; ++i)
        for (float shift : { 1.0f, -2.0f, 0.5f, 3.0f })
            t.values.push_back(shift + g(rng));
    return t;
}

} // namespace

class TestMapGrid : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void axesBinCentresAndSlices()
    {
        KnownFunction model;
        MapRequest r;
        r.x = "b"; // the second feature on x, the first on y: a transposition would show
        r.y = "a";
        r.xBins = 7;
        r.yBins = 5;
        r.xRange = std::make_pair(0.0, 7.0);
        r.yRange = std::make_pair(-5.0, 0.0);
        r.slices = { { "c", 0.5 }, { "m", 2.0 } };
        const MapResult map = computeMap(model, r, nullptr);
        QCOMPARE(map.x.feature, std::string("b"));
        QCOMPARE(map.y.feature, std::string("a"));
        QCOMPARE(map.y.unit, std::string("GeV"));
        QCOMPARE(map.value.size(), std::size_t(35));
        QCOMPARE(map.x.centre(0), 0.5); // bin centres, not edges
        QCOMPARE(map.x.centre(6), 6.5);
        QCOMPARE(map.y.centre(0), -4.5);
        for (int j = 0; j < 5; ++j)
            for (int i = 0; i < 7; ++i) {
                const double a = -4.5 + j, b = 0.5 + i;
                QCOMPARE(map.value[j * 7 + i], KnownFunction::f(a, b, 0.5, 2.0));
                // Three members f - s, f, f + s: sample standard deviation s.
                QVERIFY(std::abs(map.uncertainty[j * 7 + i] - (1 + std::abs(a))) < 1e-4);
            }
        QCOMPARE(map.members, int64_t(3));
        QCOMPARE(map.slices.at("c"), 0.5);
        QCOMPARE(map.slices.at("m"), 2.0);
        QVERIFY(!map.slices.count("a") && !map.slices.count("b"));
        // The lookup the hover readout uses: the bin holding the point, its upper edge in the last bin.
        const auto v = map.lookup(3.2, -0.3);
        QVERIFY(v.has_value());
        QCOMPARE(v->first, KnownFunction::f(-0.5, 3.5, 0.5, 2.0));
        QVERIFY(map.lookup(7.0, 0.0).has_value());
        QVERIFY(!map.lookup(7.01, -1).has_value());
        QVERIFY(!map.lookup(1, 0.5).has_value());
    }

    void conditionOnAnAxis()
    {
        KnownFunction model;
        MapRequest r;
        r.x = "m";
        r.y = "c";
        r.xBins = 4;
        r.yBins = 3;
        r.xRange = std::make_pair(3.0, 4.0);
        r.yRange = std::make_pair(0.0, 3.0);
        r.slices = { { "a", 1.0 }, { "b", 2.0 } };
        const MapResult map = computeMap(model, r, nullptr);
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 4; ++i)
                QCOMPARE(map.at(i, j), KnownFunction::f(1.0, 2.0, 0.5 + j, 3.125 + 0.25 * i));
    }

    void defaultsFromTheData()
    {
        const Table data = gaussianTable(2001, 3);
        KnownFunction model;
        MapRequest r;
        r.x = "a";
        r.y = "b";
        r.xBins = r.yBins = 10;
        const MapResult map = computeMap(model, r, &data);
        const auto medians = dataMedians(data, { "c", "m" });
        QCOMPARE(map.slices.at("c"), medians.at("c"));
        QCOMPARE(map.slices.at("m"), medians.at("m"));
        QVERIFY(std::abs(medians.at("m") - 3.0) < 0.1);
        const auto [lo, hi] = defaultRange(data, "a");
        QCOMPARE(map.x.lo, lo);
        QCOMPARE(map.x.hi, hi);
        // 0.5 % and 99.5 % quantiles of N(1, 1) are 1 -/+ 2.576, padded by 5 % of their distance.
        QVERIFY(std::abs(lo - (1 - 2.576 * 1.1)) < 0.25);
        QVERIFY(std::abs(hi - (1 + 2.576 * 1.1)) < 0.25);
        QCOMPARE(map.x.unit, std::string("GeV"));
    }

    void partialDependenceAveragesTheOtherFeatures()
    {
        // f is linear in c: the partial dependence over events replaces c by the events' mean c; the condition m
        // stays at its slice value.
        const Table data = gaussianTable(40, 5);
        KnownFunction model;
        MapRequest r;
        r.x = "a";
        r.y = "b";
        r.xBins = 3;
        r.yBins = 4;
        r.xRange = std::make_pair(-1.0, 2.0);
        r.yRange = std::make_pair(0.0, 4.0);
        r.slices = { { "m", 1.0 } };
        r.partialDependence = true;
        r.pdEvents = 100; // more than there are: all 40
        const MapResult map = computeMap(model, r, &data);
        double meanC = 0;
        for (std::size_t i = 0; i < data.rows(); ++i)
            meanC += data.at(i, 2);
        meanC /= static_cast<double>(data.rows());
        QCOMPARE(map.pdEvents, int64_t(40));
        QVERIFY(map.partialDependence);
        for (int j = 0; j < 4; ++j)
            for (int i = 0; i < 3; ++i)
                QVERIFY(std::abs(map.at(i, j) - KnownFunction::f(-0.5 + i, 0.5 + j, meanC, 1.0)) < 1e-4);
        QVERIFY(!map.slices.count("c"));
        QCOMPARE(map.slices.at("m"), 1.0);
    }

    void nonFiniteValuesAreCountedAndKeptAsNaN()
    {
        KnownFunction model;
        model.nanAbove = 0.0;
        MapRequest r;
        r.x = "a";
        r.y = "b";
        r.xBins = 4;
        r.yBins = 2;
        r.xRange = std::make_pair(-2.0, 2.0);
        r.yRange = std::make_pair(0.0, 1.0);
        r.slices = { { "c", 0 }, { "m", 0 } };
        const MapResult map = computeMap(model, r, nullptr);
        QCOMPARE(map.nonFinite, int64_t(4)); // a = 0.5 and 1.5 in both rows
        QVERIFY(std::isnan(map.at(3, 1)));
        QVERIFY(std::isfinite(map.at(0, 1)));
        const auto range = map.valueRange();
        QVERIFY(std::isfinite(range.first) && range.second > range.first);
    }

    void largeGridsAreChunkedAndCancellable()
    {
        KnownFunction model;
        MapRequest r;
        r.x = "a";
        r.y = "b";
        r.xBins = r.yBins = 400; // 160 000 points: three chunks
        r.xRange = std::make_pair(0.0, 1.0);
        r.yRange = std::make_pair(0.0, 1.0);
        r.slices = { { "c", 0 }, { "m", 0 } };
        double last = 0;
        const hepgen::JobControl progress([&](double f, const std::string&) { last = f; }, [] { return false; });
        const MapResult map = computeMap(model, r, nullptr, progress);
        QCOMPARE(model.calls, 3);
        QCOMPARE(last, 1.0);
        QVERIFY(std::abs(map.at(399, 399) - KnownFunction::f(0.99875, 0.99875, 0, 0)) < 1e-5);
        const hepgen::JobControl stopped({}, [] { return true; });
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, computeMap(model, r, nullptr, stopped));
    }

    void badRequestsAreExplained_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("expected");
        QTest::newRow("same feature") << "same"
                                      << "Both axes show 'a'";
        QTest::newRow("unknown feature") << "unknown"
                                         << "does not read 'zz'; it reads: a, b, c, m";
        QTest::newRow("unknown slice") << "slice"
                                       << "does not read 'q' (given a slice value)";
        QTest::newRow("NaN slice") << "nan"
                                   << "slice value of 'c' is not a finite number";
        QTest::newRow("kind") << "kind"
                              << "has no log_density map; it offers: score";
        QTest::newRow("bins") << "bins"
                              << "2 to 2000 bins";
        QTest::newRow("empty range") << "range"
                                     << "range of 'a' is empty";
        QTest::newRow("no data for a range") << "norange"
                                             << "Give the range of 'b'";
        QTest::newRow("no data for a slice") << "noslice"
                                             << "Give a slice value for 'm'";
        QTest::newRow("pd without data") << "pd"
                                         << "Partial dependence averages over data";
        QTest::newRow("ood without data") << "ood"
                                          << "The distance to the data needs data";
        QTest::newRow("no axis") << "noaxis"
                                 << "Choose a feature for each axis";
    }
    void badRequestsAreExplained()
    {
        QFETCH(QString, what);
        QFETCH(QString, expected);
        KnownFunction model;
        MapRequest r;
        r.x = "a";
        r.y = "b";
        r.xRange = std::make_pair(0.0, 1.0);
        r.yRange = std::make_pair(0.0, 1.0);
        r.slices = { { "c", 0 }, { "m", 0 } };
        if (what == "same")
            r.y = "a";
        else if (what == "unknown")
            r.y = "zz";
        else if (what == "slice")
            r.slices["q"] = 1;
        else if (what == "nan")
            r.slices["c"] = std::nan("");
        else if (what == "kind")
            r.kind = MapKind::LogDensity;
        else if (what == "bins")
            r.xBins = 1;
        else if (what == "range")
            r.xRange = std::make_pair(1.0, 1.0);
        else if (what == "norange")
            r.yRange.reset();
        else if (what == "noslice")
            r.slices.erase("m");
        else if (what == "pd")
            r.partialDependence = true;
        else if (what == "ood")
            r.kind = MapKind::OutOfDistribution;
        else if (what == "noaxis")
            r.x.clear();
        const QString problem = QString::fromStdString(requestProblem(model, r, nullptr));
        QVERIFY2(problem.contains(expected), qPrintable(problem));
        QVERIFY(!problem.contains('\n'));
        const QString thrown = hepgen::test::errorOf<hepgen::ConfigError>([&] { computeMap(model, r, nullptr); });
        QCOMPARE(thrown, problem);
        QCOMPARE(model.calls, 0);
    }

    void supportDistanceSeparatesDataFromFarAway()
    {
        const Table data = gaussianTable(3000, 11);
        SupportDistance ood(data, { "a", "b" }, 10, 2000, 1);
        QCOMPARE(ood.referenceEvents(), int64_t(2000));
        QVERIFY(ood.typicalDistance() > 0);
        // The centre of N((1, -2), I), 1 sigma, and 6 sigma away.
        const std::vector<float> rows { 1.0f, -2.0f, 2.0f, -2.0f, 7.0f, -2.0f };
        const auto e = ood.evaluate(MapKind::OutOfDistribution, rows, {});
        QCOMPARE(e.value.size(), std::size_t(3));
        QVERIFY2(e.value[0] < 1.0, qPrintable(QString::number(e.value[0])));
        QVERIFY2(e.value[1] < 2.0, qPrintable(QString::number(e.value[1])));
        QVERIFY2(e.value[2] > 10.0, qPrintable(QString::number(e.value[2])));
        QCOMPARE(e.k, int64_t(0));

        // As a map kind of any model over its features, with the data as reference.
        KnownFunction model;
        MapRequest r;
        r.kind = MapKind::OutOfDistribution;
        r.x = "a";
        r.y = "b";
        r.xBins = r.yBins = 21;
        r.xRange = std::make_pair(-9.0, 11.0);
        r.yRange = std::make_pair(-12.0, 8.0);
        const MapResult map = computeMap(model, r, &data);
        QVERIFY(!map.hasUncertainty());
        const auto centre = map.lookup(1.0, -2.0), corner = map.lookup(-8.5, 7.5);
        QVERIFY(centre && corner);
        QVERIFY2(centre->first < 1.5 && corner->first > 5 * centre->first,
            qPrintable(QString("%1 %2").arg(centre->first).arg(corner->first)));
        QCOMPARE(model.calls, 0);
        QVERIFY(!hepgen::test::errorOf<hepgen::ConfigError>([&] { SupportDistance(data, { "nope" }); }).isEmpty());
    }

    void contoursLieOnTheLevelSet()
    {
        MapAxis x { "x", "", -3, 3, 61 }, y { "y", "", -3, 3, 41 };
        std::vector<double> v;
        for (int j = 0; j < y.bins; ++j)
            for (int i = 0; i < x.bins; ++i)
                v.push_back(x.centre(i) * x.centre(i) + y.centre(j) * y.centre(j));
        const auto segments = contourSegments(x, y, v, 4.0);
        QVERIFY(segments.size() > 40);
        double worst = 0;
        for (const auto& s : segments)
            for (double r : { std::hypot(s.x0, s.y0), std::hypot(s.x1, s.y1) })
                worst = std::max(worst, std::abs(r - 2.0));
        QVERIFY2(worst < 0.02, qPrintable(QString::number(worst))); // linear interpolation between centres
        const auto levels = contourLevels(v, 3);
        QCOMPARE(levels.size(), std::size_t(3));
        QVERIFY(levels.front() > 0 && levels.back() < 18);
        QVERIFY(contourLevels(std::vector<double>(10, 1.0), 3).empty());
        QVERIFY(!hepgen::test::errorOf<hepgen::ConfigError>([&] { contourSegments(x, y, { 1.0 }, 0.0); }).isEmpty());
    }

    void mapFilesRoundTrip()
    {
        QTemporaryDir dir;
        KnownFunction model;
        MapRequest r;
        r.x = "b";
        r.y = "a";
        r.xBins = 6;
        r.yBins = 4;
        r.xRange = std::make_pair(0.0, 3.0);
        r.yRange = std::make_pair(-1.0, 1.0);
        r.slices = { { "c", 0.25 }, { "m", 1.5 } };
        const MapResult map = computeMap(model, r, nullptr);
        const std::string h5 = dir.filePath("map.h5").toStdString();
        writeMap(map, h5, r.toJson());
        const MapResult back = readMap(h5);
        QCOMPARE(back.kind, map.kind);
        QCOMPARE(back.x.feature, std::string("b"));
        QCOMPARE(back.y.feature, std::string("a"));
        QCOMPARE(back.y.unit, std::string("GeV"));
        QCOMPARE(back.x.bins, 6);
        QCOMPARE(back.y.bins, 4);
        QCOMPARE(back.x.lo, 0.0);
        QCOMPARE(back.y.hi, 1.0);
        QVERIFY(back.value == map.value);
        QVERIFY(back.uncertainty == map.uncertainty);
        QCOMPARE(back.slices, map.slices);
        QCOMPARE(back.members, int64_t(3));

        const QString csv = dir.filePath("map.csv");
        writeMap(map, csv.toStdString(), r.toJson());
        std::ifstream in(csv.toStdString());
        std::string line;
        int comments = 0, rows = 0;
        std::string header, second;
        while (std::getline(in, line)) {
            if (line.rfind("#", 0) == 0)
                ++comments;
            else if (header.empty())
                header = line;
            else if (++rows == 2)
                second = line;
        }
        QCOMPARE(comments, 3);
        QCOMPARE(QString::fromStdString(header), QString("x_bin,y_bin,b,a,value,uncertainty"));
        QCOMPARE(rows, 24);
        // The second row is x bin 1 of y bin 0: x fastest.
        QVERIFY2(QString::fromStdString(second).startsWith("1,0,0.75,-0.75,"), second.c_str());

        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            writeMap(map, dir.filePath("m.png").toStdString());
        }).contains(".h5"));
        QVERIFY(!hepgen::test::errorOf<hepgen::FileError>([&] { readMap(csv.toStdString()); }).isEmpty());
        QVERIFY(!hepgen::test::errorOf<hepgen::FileError>([&] { readMap("/no/such/map.h5"); }).isEmpty());
    }

    void kindNames()
    {
        for (MapKind k : mapKinds())
            QCOMPARE(kindFromName(kindName(k)), k);
        QCOMPARE(kindFromName("log-density"), MapKind::LogDensity);
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([] { kindFromName("heat"); }).contains("score"));
        QVERIFY(divergingKind(MapKind::DensityRatio));
        QVERIFY(!divergingKind(MapKind::Score));
    }
};

QTEST_MAIN(TestMapGrid)
#include "test_map_grid.moc"
