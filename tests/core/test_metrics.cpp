// The metrics defined once in core/metrics: ROC curves and AUC (hand-computed cases with ties and weights,
// a brute-force Mann-Whitney count, two Gaussians against the analytic Phi(delta / sqrt 2)), SIC with the
// at-least-20-background-events rule, SIC and rejection at fixed signal efficiency, Wasserstein-1,
// separation power and histogram JSD.
#include "core/metrics/Distances.h"
#include "core/metrics/Roc.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace hepgen::metrics;

namespace {
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// P(s > b) + 1/2 P(s = b) over all weighted signal-background pairs: the AUC's definition, counted directly.
double mannWhitney(const std::vector<double>& s, const std::vector<int>& y, const std::vector<double>& w)
{
    double num = 0, den = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (std::size_t j = 0; j < s.size(); ++j)
            if (y[i] == 1 && y[j] == 0) {
                const double ww = w[i] * w[j];
                den += ww;
                num += ww * (s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0);
            }
    return num / den;
}
} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aucHandComputed_data()
    {
        QTest::addColumn<std::vector<double>>("scores");
        QTest::addColumn<std::vector<int>>("labels");
        QTest::addColumn<std::vector<double>>("weights");
        QTest::addColumn<double>("auc");
        // 4 pairs (s, b): (0.9, 0.8) (0.9, 0.6) (0.7, 0.6) won, (0.7, 0.8) lost.
        QTest::newRow("interleaved") << std::vector<double> { 0.9, 0.8, 0.7, 0.6 } << std::vector<int> { 1, 0, 1, 0 }
                                     << std::vector<double> {} << 0.75;
        QTest::newRow("all tied") << std::vector<double> { 0.5, 0.5, 0.5, 0.5 } << std::vector<int> { 1, 0, 1, 0 }
                                  << std::vector<double> {} << 0.5;
        // (0.9 beats both) 2 + (0.5 ties 0.5) 1/2 + (0.5 beats 0.1) 1 = 3.5 of 4.
        QTest::newRow("one tie") << std::vector<double> { 0.9, 0.5, 0.5, 0.1 } << std::vector<int> { 1, 1, 0, 0 }
                                 << std::vector<double> {} << 0.875;
        // Signal weights 1, 3; background 1, 1: won pair weights 1*1 + 1*1 + 3*1 = 5 of 4*2.
        QTest::newRow("weighted") << std::vector<double> { 0.9, 0.8, 0.7, 0.6 } << std::vector<int> { 1, 0, 1, 0 }
                                  << std::vector<double> { 1, 1, 3, 1 } << 0.625;
        QTest::newRow("inverted") << std::vector<double> { 0.1, 0.2, 0.8, 0.9 } << std::vector<int> { 1, 1, 0, 0 }
                                  << std::vector<double> {} << 0.0;
        QTest::newRow("perfect") << std::vector<double> { 3, 2, 1 } << std::vector<int> { 1, 1, 0 }
                                 << std::vector<double> {} << 1.0;
    }
    void aucHandComputed()
    {
        QFETCH(std::vector<double>, scores);
        QFETCH(std::vector<int>, labels);
        QFETCH(std::vector<double>, weights);
        QFETCH(double, auc);
        QCOMPARE(rocAuc(scores, labels, weights), auc);
    }

    void curvePointsWithTies()
    {
        const auto roc = rocCurve({ 0.9, 0.5, 0.5, 0.1 }, { 1, 1, 0, 0 });
        QCOMPARE(roc.size(), std::size_t(4));
        QCOMPARE(roc.thresholds[0], std::numeric_limits<double>::infinity());
        QCOMPARE(roc.thresholds, (std::vector<double> { std::numeric_limits<double>::infinity(), 0.9, 0.5, 0.1 }));
        QCOMPARE(roc.signalEfficiency, (std::vector<double> { 0, 0.5, 1, 1 }));
        QCOMPARE(roc.backgroundEfficiency, (std::vector<double> { 0, 0, 0.5, 1 }));
        QCOMPARE(roc.backgroundPassing, (std::vector<std::size_t> { 0, 0, 1, 2 }));
    }

    void aucEqualsMannWhitneyWithTiesAndWeights()
    {
        // Scores rounded to a coarse grid (many ties) and random weights: the trapezoid over the exact curve
        // must equal the pair count.
        std::mt19937_64 rng(7);
        std::normal_distribution<double> g;
        std::uniform_real_distribution<double> u(0.1, 2.0);
        std::vector<double> s, w;
        std::vector<int> y;
        for (int i = 0; i < 600; ++i) {
            const int label = i % 3 == 0 ? 1 : 0;
            s.push_back(std::round(2 * (g(rng) + 0.8 * label)) / 2);
            y.push_back(label);
            w.push_back(u(rng));
        }
        QVERIFY(std::abs(rocAuc(s, y, w) - mannWhitney(s, y, w)) < 1e-12);
        const std::vector<double> ones(s.size(), 1.0);
        QVERIFY(std::abs(rocAuc(s, y) - mannWhitney(s, y, ones)) < 1e-12);
    }

    void aucOfTwoGaussians_data()
    {
        QTest::addColumn<double>("delta");
        QTest::newRow("0") << 0.0;
        QTest::newRow("0.5") << 0.5;
        QTest::newRow("1") << 1.0;
        QTest::newRow("2.5") << 2.5;
    }
    void aucOfTwoGaussians()
    {
        // Score x, signal N(delta, 1), background N(0, 1): AUC = P(x_s > x_b) = Phi(delta / sqrt 2).
        // With 20000 events each the AUC's standard deviation is below 0.003; tolerance 0.01.
        QFETCH(double, delta);
        std::mt19937_64 rng(11);
        std::normal_distribution<double> g;
        std::vector<double> s;
        std::vector<int> y;
        for (int i = 0; i < 40000; ++i) {
            y.push_back(i % 2);
            s.push_back(g(rng) + delta * (i % 2));
        }
        const double auc = rocAuc(s, y);
        QVERIFY2(std::abs(auc - phi(delta / std::sqrt(2.0))) < 0.01,
            qPrintable(QString("AUC %1 vs analytic %2").arg(auc).arg(phi(delta / std::sqrt(2.0)))));
    }

    void maxSicNeedsTwentyBackgroundEvents()
    {
        // 1000 background scores uniform on [0, 1) plus one at 1.6; 50 signal events at 1.5 and 50 spread over
        // [0, 1). The naive maximum sits at the cut 1.5 that keeps 1 background event (SIC = 0.5 / sqrt(1/1001)
        // ~ 16); the rule moves it to a cut keeping >= 20 background events.
        std::vector<double> s;
        std::vector<int> y;
        for (int i = 0; i < 1000; ++i) {
            s.push_back((i + 0.5) / 1000.0);
            y.push_back(0);
        }
        s.push_back(1.6);
        y.push_back(0);
        for (int i = 0; i < 50; ++i) {
            s.push_back(1.5);
            y.push_back(1);
            s.push_back((i + 0.25) / 50.0);
            y.push_back(1);
        }
        const auto roc = rocCurve(s, y);
        const auto naive = maxSic(roc, 1);
        QVERIFY(naive.has_value());
        QCOMPARE(naive->threshold, 1.5);
        QCOMPARE(naive->backgroundPassing, std::size_t(1));
        QVERIFY(std::abs(naive->sic - 0.5 / std::sqrt(1.0 / 1001.0)) < 1e-9);

        const auto ruled = maxSic(roc);
        QVERIFY(ruled.has_value());
        QVERIFY(ruled->backgroundPassing >= 20);
        // Brute force over every cut s >= t keeping at least 20 background events.
        double best = 0;
        for (double t : s) {
            double ns = 0, nb = 0;
            for (std::size_t i = 0; i < s.size(); ++i)
                if (s[i] >= t)
                    (y[i] == 1 ? ns : nb) += 1;
            if (nb >= 20)
                best = std::max(best, (ns / 100.0) / std::sqrt(nb / 1001.0));
        }
        QVERIFY(std::abs(ruled->sic - best) < 1e-12);
        QVERIFY(ruled->sic < naive->sic / 2);
        for (const auto& p : sicCurve(roc))
            QVERIFY(p.backgroundPassing >= 20);
        // Fewer than 20 background events in all: no SIC maximum at all.
        QVERIFY(!maxSic(rocCurve({ 1, 2, 3 }, { 0, 1, 0 })).has_value());
    }

    void sicAndRejectionAtFixedEfficiency()
    {
        // Curve points (eps_S, eps_B): (0, 0) (0.5, 0) (1, 0.5) (1, 1).
        const auto roc = rocCurve({ 0.9, 0.5, 0.5, 0.1 }, { 1, 1, 0, 0 });
        QCOMPARE(backgroundEfficiencyAt(roc, 0.75), 0.25);
        QCOMPARE(rejectionAt(roc, 0.75), 4.0);
        QCOMPARE(sicAt(roc, 0.75), 1.5);
        QCOMPARE(rejectionAt(roc, 0.5), std::numeric_limits<double>::infinity());
        // eps_S = 1 is reached first at eps_B = 0.5 (the vertical stretch up to 1 is never better).
        QCOMPARE(backgroundEfficiencyAt(roc, 1.0), 0.5);
        QCOMPARE(backgroundEfficiencyAt(roc, 0.0), 0.0);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, sicAt(roc, 0.0));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rejectionAt(roc, 1.5));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, backgroundEfficiencyAt(roc, -0.1));
    }

    void rocRejectsBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rocCurve({ 1, 2 }, { 1 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rocCurve({ 1, 2 }, { 1, 2 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rocCurve({ 1, 2 }, { 1, 0 }, { 1, -1 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rocCurve({ 1, NAN }, { 1, 0 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rocCurve({ 1, 2 }, { 1, 1 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, rocCurve({ 1, 2 }, { 1, 0 }, { 0, 1 }));
    }

    void wassersteinOfAShiftIsTheShift()
    {
        std::mt19937_64 rng(3);
        std::gamma_distribution<double> g(2.0, 1.0);
        std::vector<double> a, b;
        for (int i = 0; i < 5000; ++i) {
            a.push_back(g(rng));
            b.push_back(a.back() + 0.7);
        }
        QVERIFY(std::abs(wasserstein1(a, b) - 0.7) < 1e-9);
        QVERIFY(std::abs(wasserstein1(b, a) - 0.7) < 1e-9);
        QCOMPARE(wasserstein1(a, a), 0.0);
    }

    void wassersteinHandComputed_data()
    {
        QTest::addColumn<std::vector<double>>("a");
        QTest::addColumn<std::vector<double>>("b");
        QTest::addColumn<std::vector<double>>("wa");
        QTest::addColumn<std::vector<double>>("wb");
        QTest::addColumn<double>("w1");
        // Equal sizes: mean |a_(i) - b_(i)| of the sorted samples = (0 + 1) / 2.
        QTest::newRow("sorted pairs") << std::vector<double> { 1, 0 } << std::vector<double> { 0, 2 }
                                      << std::vector<double> {} << std::vector<double> {} << 0.5;
        // F_a = 1 from 0 on, F_b = 1/2 on [0, 1): area 1/2.
        QTest::newRow("different sizes") << std::vector<double> { 0 } << std::vector<double> { 0, 1 }
                                         << std::vector<double> {} << std::vector<double> {} << 0.5;
        // F_a = 3/4, F_b = 1/2 on [0, 1): area 1/4.
        QTest::newRow("weighted") << std::vector<double> { 0, 1 } << std::vector<double> { 0, 1 }
                                  << std::vector<double> { 3, 1 } << std::vector<double> { 1, 1 } << 0.25;
        // Point masses at 0 and 5, 8: |F_a - F_b| = 1 on [0, 5), 1/2 on [5, 8).
        QTest::newRow("point masses") << std::vector<double> { 0, 0 } << std::vector<double> { 5, 8 }
                                      << std::vector<double> {} << std::vector<double> {} << 6.5;
    }
    void wassersteinHandComputed()
    {
        QFETCH(std::vector<double>, a);
        QFETCH(std::vector<double>, b);
        QFETCH(std::vector<double>, wa);
        QFETCH(std::vector<double>, wb);
        QFETCH(double, w1);
        QVERIFY(std::abs(wasserstein1(a, b, wa, wb) - w1) < 1e-12);
        QVERIFY(std::abs(wasserstein1(b, a, wb, wa) - w1) < 1e-12);
    }

    void wassersteinWeightsActLikeCopies()
    {
        std::mt19937_64 rng(5);
        std::normal_distribution<double> g;
        std::vector<double> b;
        for (int i = 0; i < 101; ++i)
            b.push_back(g(rng));
        QVERIFY(std::abs(wasserstein1({ 0, 1 }, b, { 3, 1 }) - wasserstein1({ 0, 0, 0, 1 }, b)) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, wasserstein1({}, b));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, wasserstein1({ 0, 1 }, b, { 1 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, wasserstein1({ 0, 1 }, b, { 1, -1 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, wasserstein1({ 0, NAN }, b));
    }

    void separationPowerAndJsd_data()
    {
        QTest::addColumn<std::vector<double>>("h1");
        QTest::addColumn<std::vector<double>>("h2");
        QTest::addColumn<double>("separation");
        QTest::addColumn<double>("jsd");
        QTest::newRow("identical shapes")
            << std::vector<double> { 1, 2, 3, 0 } << std::vector<double> { 10, 20, 30, 0 } << 0.0 << 0.0;
        QTest::newRow("disjoint") << std::vector<double> { 5, 5, 0, 0 } << std::vector<double> { 0, 0, 1, 0 } << 1.0
                                  << 1.0;
        // p = (1/2, 1/2), q = (1/4, 3/4): 1/2 [(1/4)^2 / (3/4) + (1/4)^2 / (5/4)] = 1/15.
        // JSD: m = (3/8, 5/8); 1/2 [1/2 log2(4/3) + 1/2 log2(4/5) + 1/4 log2(2/3) + 3/4 log2(6/5)].
        QTest::newRow("hand") << std::vector<double> { 1, 1 } << std::vector<double> { 1, 3 } << 1.0 / 15.0
                              << 0.5
                * (0.5 * std::log2(4.0 / 3.0) + 0.5 * std::log2(0.8) + 0.25 * std::log2(2.0 / 3.0)
                    + 0.75 * std::log2(1.2));
    }
    void separationPowerAndJsd()
    {
        QFETCH(std::vector<double>, h1);
        QFETCH(std::vector<double>, h2);
        QFETCH(double, separation);
        QFETCH(double, jsd);
        QVERIFY(std::abs(separationPower(h1, h2) - separation) < 1e-12);
        QVERIFY(std::abs(separationPower(h2, h1) - separation) < 1e-12);
        QVERIFY(std::abs(histogramJsd(h1, h2) - jsd) < 1e-12);
    }

    void histogramsOnCommonBinning()
    {
        const auto [ha, hb] = commonHistograms({ 0, 0.1, 0.2 }, { 5, 5.5, 6 }, 10);
        QCOMPARE(ha.size(), std::size_t(10));
        QCOMPARE(std::accumulate(ha.begin(), ha.end(), 0.0), 3.0);
        QCOMPARE(hb.back(), 2.0); // bins of 0.6 over [0, 6]: 5.5 and the largest value 6 fall in the last one
        QCOMPARE(separationPower(ha, hb), 1.0);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, separationPower({ 1, 2 }, { 1, 2, 3 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, separationPower({ 0, 0 }, { 1, 2 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, histogramJsd({ -1, 2 }, { 1, 2 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, commonHistograms({ 1 }, { 2 }, 0));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, commonHistograms({}, { 2 }, 3));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
