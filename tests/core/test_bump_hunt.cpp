// The bump hunt: the dijet function and its bin integral against closed forms, the one-sided
// Poisson significance by hand, the sideband fit recovering known parameters on a sampled spectrum
// (within 3 of its own errors, sensible deviance), no excess without signal, a clear excess with an
// injected bump, and the sculpting check: a random score leaves the spectrum alone, a
// mass-correlated score carves a bump that the check reports. The fit's uncertainty on the SR expectation
// matches the spread of the expectation over replica spectra, and the local Z with it follows Cowan's formula.
#include "core/anomaly/BumpHunt.h"
#include "core/util/Error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace hepgen::anomaly;

namespace {

const DijetFunction kTruth { 1.0, 5.0, 3.0, 0.2 };

/// n masses from kTruth on [lo, hi] by inverting a tabulated CDF (0.5 GeV cells).
std::vector<float> sampleSpectrum(std::size_t n, std::uint64_t seed, double lo = 2.5, double hi = 8.0)
{
    const int cells = static_cast<int>((hi - lo) / 0.0005);
    std::vector<double> cdf(cells + 1, 0.0);
    for (int i = 1; i <= cells; ++i)
        cdf[i] = cdf[i - 1] + kTruth.integral(lo + (i - 1) * 0.0005, lo + i * 0.0005);
    for (double& c : cdf)
        c /= cdf.back();
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<float> out(n);
    for (auto& m : out) {
        const double v = u(rng);
        const auto it = std::upper_bound(cdf.begin(), cdf.end(), v);
        const auto i = std::clamp<long>(static_cast<long>(it - cdf.begin()) - 1, 0, cells - 1);
        const double frac = (v - cdf[i]) / std::max(1e-300, cdf[i + 1] - cdf[i]);
        m = static_cast<float>(lo + 0.0005 * (double(i) + frac));
    }
    return out;
}

BumpHuntConfig fitConfig()
{
    BumpHuntConfig c;
    c.fitLow = 2.6;
    c.fitHigh = 7.0;
    return c;
}

} // namespace

class TestBumpHunt : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void functionAndIntegral()
    {
        // p1 = 0, p2 = -1, p3 = 0: f(m) = p0 m / 13, integral (b^2 - a^2) p0 / 26 (Simpson is exact here).
        const DijetFunction linear { 2.0, 0.0, -1.0, 0.0 };
        QCOMPARE(linear(6.5), 1.0);
        QVERIFY(std::abs(linear.integral(3.0, 4.0) - 2.0 * (16.0 - 9.0) / 26.0) < 1e-12);
        // The general case against a fine midpoint sum.
        double fine = 0;
        for (int i = 0; i < 100000; ++i)
            fine += kTruth(3.3 + (i + 0.5) * 0.4 / 100000) * 0.4 / 100000;
        QVERIFY(std::abs(kTruth.integral(3.3, 3.7) / fine - 1.0) < 1e-5);
        QCOMPARE(kTruth(13.5), 0.0);
    }

    void significance_data()
    {
        QTest::addColumn<double>("n");
        QTest::addColumn<double>("b");
        QTest::addColumn<double>("z");
        QTest::newRow("excess") << 130.0 << 100.0 << std::sqrt(2.0 * (130.0 * std::log(1.3) - 30.0)); // 2.866
        QTest::newRow("deficit") << 80.0 << 100.0 << 0.0;
        QTest::newRow("equal") << 100.0 << 100.0 << 0.0;
        // sqrt(2 (10300 ln 1.03 - 300)) = 2.985, close to the Gaussian (n - b) / sqrt(b) = 3.
        QTest::newRow("large n ~ gaussian") << 10300.0 << 10000.0 << 2.985;
    }
    void significance()
    {
        QFETCH(double, n);
        QFETCH(double, b);
        QFETCH(double, z);
        QVERIFY2(
            std::abs(poissonSignificance(n, b) - z) < 0.01, qPrintable(QString::number(poissonSignificance(n, b))));
    }

    void significanceWithUncertainty_data()
    {
        QTest::addColumn<double>("n");
        QTest::addColumn<double>("b");
        QTest::addColumn<double>("sigma");
        QTest::addColumn<double>("z");
        // Cowan (2012) eq. 20 evaluated by hand (Python, double precision).
        QTest::newRow("n 130, b 100 +- 10") << 130.0 << 100.0 << 10.0 << 1.98096;
        QTest::newRow("n 1000, b 900 +- 30") << 1000.0 << 900.0 << 30.0 << 2.29469;
        QTest::newRow("large b, fit error ~ Poisson") << 11227.0 << 10971.5 << 100.0 << 1.75431;
        // sigma -> 0: the Poisson-only formula (2.8661).
        QTest::newRow("tiny sigma") << 130.0 << 100.0 << 1e-4 << std::sqrt(2.0 * (130.0 * std::log(1.3) - 30.0));
        QTest::newRow("zero sigma") << 130.0 << 100.0 << 0.0 << std::sqrt(2.0 * (130.0 * std::log(1.3) - 30.0));
        QTest::newRow("deficit") << 80.0 << 100.0 << 10.0 << 0.0;
    }
    void significanceWithUncertainty()
    {
        QFETCH(double, n);
        QFETCH(double, b);
        QFETCH(double, sigma);
        QFETCH(double, z);
        const double got = poissonSignificance(n, b, sigma);
        QVERIFY2(std::abs(got - z) < 1e-4, qPrintable(QString::number(got, 'g', 8)));
        QVERIFY(got <= poissonSignificance(n, b) + 1e-12); // an uncertain background never raises Z
    }

    void expectationErrorMatchesReplicas()
    {
        // 40 spectra of 60k events from the same dijet function: the fitted SR expectation varies from
        // replica to replica by the fit's own error (both the shape and the normalisation part), and
        // observed - expected by sqrt(b + sigma_b^2). 40 replicas estimate a spread to ~11 %.
        const int replicas = 40;
        double sumB = 0, sumB2 = 0, sumD2 = 0, sumSigma2 = 0;
        for (int k = 0; k < replicas; ++k) {
            const SpectrumFit fit = fitSpectrum(sampleSpectrum(60000, 100 + k), MassWindows {}, fitConfig());
            QVERIFY2(fit.converged, fit.message.c_str());
            QVERIFY(fit.expectedSrError > 0);
            QVERIFY(fit.significance <= fit.significanceStatOnly + 1e-12);
            sumB += fit.expectedSr;
            sumB2 += fit.expectedSr * fit.expectedSr;
            sumD2 += (fit.observedSr - fit.expectedSr) * (fit.observedSr - fit.expectedSr);
            sumSigma2 += fit.expectedSrError * fit.expectedSrError;
        }
        const double meanB = sumB / replicas;
        const double spreadB = std::sqrt((sumB2 - replicas * meanB * meanB) / (replicas - 1));
        const double sigmaB = std::sqrt(sumSigma2 / replicas);
        const double spreadD = std::sqrt(sumD2 / replicas);
        qInfo("SR expectation %.1f: replica spread %.1f, fit error %.1f; observed - expected spread %.1f, "
              "expected sqrt(b + sigma^2) %.1f",
            meanB, spreadB, sigmaB, spreadD, std::sqrt(meanB + sigmaB * sigmaB));
        QVERIFY2(spreadB > 0.7 * sigmaB && spreadB < 1.4 * sigmaB, qPrintable(QString::number(spreadB / sigmaB)));
        const double total = std::sqrt(meanB + sigmaB * sigmaB);
        QVERIFY2(spreadD > 0.75 * total && spreadD < 1.3 * total, qPrintable(QString::number(spreadD / total)));
    }

    void recoversKnownParameters()
    {
        const auto masses = sampleSpectrum(300000, 11);
        const SpectrumFit fit = fitSpectrum(masses, MassWindows {}, fitConfig());
        QVERIFY2(fit.converged, fit.message.c_str());
        qInfo("fit p1 %.3f ± %.3f, p2 %.3f ± %.3f, p3 %.4f ± %.4f; deviance/ndf %.2f; SR %g observed, %.1f expected",
            fit.function.p1, fit.p1Error, fit.function.p2, fit.p2Error, fit.function.p3, fit.p3Error, fit.chi2PerNdf,
            fit.observedSr, fit.expectedSr);
        QVERIFY(fit.p1Error > 0 && fit.p2Error > 0 && fit.p3Error > 0);
        QVERIFY(std::abs(fit.function.p1 - kTruth.p1) < 3 * fit.p1Error);
        QVERIFY(std::abs(fit.function.p2 - kTruth.p2) < 3 * fit.p2Error);
        QVERIFY(std::abs(fit.function.p3 - kTruth.p3) < 3 * fit.p3Error);
        QVERIFY(fit.chi2PerNdf > 0.5 && fit.chi2PerNdf < 1.6);
        // No signal: no excess (the one-sided local significance stays below 2 sigma).
        QVERIFY2(fit.significance < 2.0, qPrintable(QString::number(fit.significance)));
        QVERIFY(std::abs(fit.observedSr - fit.expectedSr) < 3 * std::sqrt(fit.expectedSr));
        // The fit's normalisation: expected equals observed summed over the fitted bins.
        double obs = 0, exp = 0;
        for (std::size_t i = 0; i < fit.observed.size(); ++i)
            if (!fit.signalRegion[i]) {
                obs += fit.observed[i];
                exp += fit.expected[i];
            }
        QVERIFY(std::abs(obs / exp - 1.0) < 1e-6);
    }

    void findsAnInjectedBump()
    {
        auto masses = sampleSpectrum(300000, 12);
        std::mt19937_64 rng(5);
        std::normal_distribution<double> bump(3.5, 0.08);
        for (int i = 0; i < 1500; ++i)
            masses.push_back(static_cast<float>(bump(rng)));
        const SpectrumFit fit = fitSpectrum(masses, MassWindows {}, fitConfig());
        QVERIFY(fit.converged);
        qInfo("bump: SR %g observed, %.1f expected, Z = %.2f", fit.observedSr, fit.expectedSr, fit.significance);
        QVERIFY(fit.significance > 5.0);
        const double excess = fit.observedSr - fit.expectedSr;
        QVERIFY(std::abs(excess - 1500 * 0.9876) < 4 * std::sqrt(fit.expectedSr)); // 98.8 % of the bump in the SR
    }

    void sculptingCheck()
    {
        const auto masses = sampleSpectrum(300000, 13);
        ScoredEvents e;
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (float m : masses) {
            e.mass.push_back(m);
            e.label.push_back(0);
            e.signalRegion.push_back(MassWindows {}.regionOf(m) == Region::Signal);
            e.score.push_back(static_cast<float>(u(rng)));
        }
        BumpHuntConfig c = fitConfig();
        c.efficiencies = { 1.0, 0.1 };
        const auto random = bumpHunt(e, MassWindows {}, c, true);
        QCOMPARE(random.size(), std::size_t(2));
        QCOMPARE(random[1].passing, std::size_t(30000));
        for (const auto& s : random) {
            QVERIFY(s.fit.converged);
            QVERIFY2(s.fit.significance < 2.0, qPrintable(QString::number(s.fit.significance)));
        }
        // A score that learned the mass (higher near 3.5 TeV) sculpts a bump out of pure background.
        for (std::size_t i = 0; i < e.size(); ++i)
            e.score[i] = static_cast<float>(u(rng) + 0.5 * std::exp(-0.5 * std::pow((e.mass[i] - 3.5) / 0.1, 2)));
        const auto sculpted = bumpHunt(e, MassWindows {}, c, true);
        QCOMPARE(sculpted.size(), std::size_t(2));
        qInfo("sculpting score: Z = %.1f after a 10 %% cut", sculpted[1].fit.significance);
        QVERIFY(sculpted[1].fit.significance > 5.0);
        // Unlabelled events cannot be checked.
        e.label[0] = -1;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, bumpHunt(e, MassWindows {}, c, true));
    }

    void badSettings()
    {
        const auto masses = sampleSpectrum(2000, 1);
        BumpHuntConfig c = fitConfig();
        c.binWidth = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, fitSpectrum(masses, MassWindows {}, c));
        c = fitConfig();
        c.fitLow = 3.4; // inside the SR
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, fitSpectrum(masses, MassWindows {}, c));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, fitSpectrum({ 3.0f, 3.1f }, MassWindows {}, fitConfig()));
    }
};

QTEST_GUILESS_MAIN(TestBumpHunt)
#include "test_bump_hunt.moc"
