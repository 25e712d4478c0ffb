// Histograms and correlations behind the Data panel: counts, edges, over/underflow, NaN skipping,
// the label split, Pearson correlations of known cases, and the log-scale choice.
#include "core/data/Histogram.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace hepgen::data;

class TestHistogram : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countsEdgesAndOverflow()
    {
        const std::vector<float> v { 0.0f, 0.24f, 0.25f, 0.5f, 0.99f, 1.0f, -0.1f, 1.5f, NAN, INFINITY };
        const Histogram1D h = histogram(v, 4, 0.0, 1.0);
        QCOMPARE(h.counts, (std::vector<double> { 2, 1, 1, 2 })); // 1.0 falls in the last bin
        QCOMPARE(h.underflow, 1.0);
        QCOMPARE(h.overflow, 1.0);
        QCOMPARE(h.skippedNonFinite, std::size_t(2));
        QCOMPARE(h.binCentre(0), 0.125);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, histogram(v, 0, 0, 1));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, histogram(v, 3, 1, 1));
    }

    void splitByLabelKeepsEveryEvent()
    {
        Table t;
        t.columns = { "a" };
        for (int i = 0; i < 100; ++i) {
            t.values.push_back(static_cast<float>(i));
            t.labels.push_back(static_cast<std::int8_t>(i % 10 == 0 ? 1 : i % 10 == 1 ? -1 : 0));
        }
        const auto h = histogramsByLabel(t, 0, 10);
        QCOMPARE(h.size(), std::size_t(3));
        QCOMPARE(h[0].total(), 80.0);
        QCOMPARE(h[1].total(), 10.0);
        QCOMPARE(h[2].total(), 10.0);
        QCOMPARE(h[0].low, 0.0);
        QCOMPARE(h[0].high, 99.0);
    }

    void correlationOfKnownCases()
    {
        // x ~ N(0,1), y = rho x + sqrt(1-rho^2) z: corr(x, y) = rho; c constant: undefined.
        std::mt19937_64 rng(1);
        std::normal_distribution<double> g;
        Table t;
        t.columns = { "x", "y", "c", "minus_x" };
        const double rho = -0.44;
        for (int i = 0; i < 200000; ++i) {
            const double x = g(rng), z = g(rng);
            t.values.insert(t.values.end(),
                { static_cast<float>(x), static_cast<float>(rho * x + std::sqrt(1 - rho * rho) * z), 3.0f,
                    static_cast<float>(-x) });
        }
        t.values[7] = NAN; // one event with a NaN is excluded, not poisoning the matrix
        const auto c = correlationMatrix(t);
        QVERIFY(std::abs(c[0 * 4 + 1] - rho) < 0.01); // sd of r ~ (1-rho^2)/sqrt(n) = 0.002
        QCOMPARE(c[1 * 4 + 0], c[0 * 4 + 1]);
        QCOMPARE(c[0], 1.0);
        QVERIFY(std::isnan(c[2 * 4 + 2]));
        QVERIFY(std::isnan(c[0 * 4 + 2]));
        QVERIFY(std::abs(c[0 * 4 + 3] + 1.0) < 1e-6);
    }

    void logScaleForFallingSpectraOnly()
    {
        std::vector<float> falling, flat;
        std::mt19937_64 rng(2);
        std::exponential_distribution<double> e(1.0);
        std::uniform_real_distribution<double> u(0, 1);
        for (int i = 0; i < 100000; ++i) {
            falling.push_back(static_cast<float>(e(rng)));
            flat.push_back(static_cast<float>(u(rng)));
        }
        flat.push_back(1.5f); // one far outlier makes a sparse edge bin
        QVERIFY(prefersLogScale(histogram(falling, 60, 0, 12)));
        QVERIFY(!prefersLogScale(histogram(flat, 60, 0, 1.5)));
    }
};

QTEST_GUILESS_MAIN(TestHistogram)
#include "test_histogram.moc"
