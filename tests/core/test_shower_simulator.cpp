// The GFLASH-style shower simulator: the physics a user can check (shower maximum ∝ ln E, lateral
// containment, linearity, stochastic resolution), the hit format, determinism, errors, cancellation.
#include "core/showers/ShowerSimulator.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <vector>

using namespace hepgen::showers;
using hepgen::data::Showers;

namespace {

/// Per-shower observables of one sample at a fixed incident energy.
struct Sample {
    double energy = 0;
    std::vector<double> visible;     ///< Σ hit energies, MeV
    std::vector<double> depth;       ///< energy-weighted mean absorber depth, X0
    std::vector<double> containment; ///< fraction of visible energy within 2 R_M of the shower's centre
};

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }

double stddev(const std::vector<double>& v)
{
    const double m = mean(v);
    double s = 0;
    for (double x : v)
        s += (x - m) * (x - m);
    return std::sqrt(s / (v.size() - 1));
}

Sample measure(const Showers& s, double energy)
{
    const auto depthX0 = ildLikeEcalAbsorberDepthX0();
    std::map<float, double> depthOfZ;
    for (std::size_t k = 0; k < s.geometry.layerZ.size(); ++k)
        depthOfZ[static_cast<float>(s.geometry.layerZ[k])] = depthX0[k];
    Sample out;
    out.energy = energy;
    for (std::size_t i = 0; i < s.size(); ++i) {
        double e = 0, et = 0, ex = 0, ey = 0;
        for (auto h = s.offsets[i]; h < s.offsets[i + 1]; ++h) {
            const float* p = &s.points[static_cast<std::size_t>(h) * 4];
            e += p[3];
            et += p[3] * depthOfZ.at(p[2]);
            ex += p[3] * p[0];
            ey += p[3] * p[1];
        }
        double inside = 0;
        for (auto h = s.offsets[i]; h < s.offsets[i + 1]; ++h) {
            const float* p = &s.points[static_cast<std::size_t>(h) * 4];
            if (std::hypot(p[0] - ex / e, p[1] - ey / e) < 2.0 * s.geometry.moliereRadius)
                inside += p[3];
        }
        out.visible.push_back(e);
        out.depth.push_back(et / e);
        out.containment.push_back(inside / e);
    }
    return out;
}

Showers simulateAt(double energy, std::size_t n, std::uint64_t seed)
{
    ShowerSimOptions o;
    o.showers = n;
    o.energyMin = o.energyMax = energy;
    o.seed = seed;
    return simulateShowers(o);
}

} // namespace

class TestShowerSimulator : public QObject {
    Q_OBJECT
private:
    std::vector<Sample> m_samples; // 10, 20, 50, 100 GeV, 500 showers each

private Q_SLOTS:
    void initTestCase()
    {
        std::uint64_t seed = 11;
        for (double e : { 10.0, 20.0, 50.0, 100.0 })
            m_samples.push_back(measure(simulateAt(e, 500, seed++), e));
    }

    void geometryIsIldLike()
    {
        const auto g = ildLikeEcal();
        QCOMPARE(g.layerZ.size(), std::size_t(30));
        QCOMPARE(g.cellSize, 5.1);
        QCOMPARE(g.radiationLength, 3.504);
        QCOMPARE(g.moliereRadius, 9.327);
        // 2.1 mm W + 1.8 mm slab per thin layer, 4.2 + 1.8 per thick one; Si centre 0.25 mm behind W.
        QVERIFY(std::abs(g.layerZ[0] - 2.35) < 1e-9);
        QVERIFY(std::abs(g.layerZ[19] - 76.45) < 1e-9);
        QVERIFY(std::abs(g.layerZ[20] - 82.45) < 1e-9);
        QVERIFY(std::abs(g.layerZ[29] - 136.45) < 1e-9);
        const auto t = ildLikeEcalAbsorberDepthX0();
        QVERIFY(std::abs(t[0] - 1.05 / 3.504) < 1e-9);
        QVERIFY(std::abs(t[29] - (42.0 + 9 * 4.2 + 2.1) / 3.504) < 1e-9); // 23.37 X0
    }

    void showerMaximumGrowsAsLnE()
    {
        // GFLASH: exp⟨ln T⟩ = ln y − 0.812, so dT/d ln E = 1 X0 exactly; the mean depth T α/(α − 1)
        // keeps a slope of 0.99 X0 per e-fold from 10 to 100 GeV (α grows slowly with ln y).
        // Truncated at the 24 X0 of tungsten (leakage 0.4 % at 10 GeV, 1.2 % at 100 GeV) and binned
        // at the layers' absorber middles, the expected means are 8.28, 8.95, 9.80, 10.45 X0, slope
        // 0.944 (numerical integration of the GFLASH profile over 20000 sampled (T, α), independent
        // of this code). Per-shower spread ≈ 0.85 X0, so with 500 showers a mean is known to 0.04 X0
        // and the slope to 0.022: tolerances 0.15 X0 per mean and [0.85, 1.05] for the slope (≥ 4 σ).
        const double expected[4] = { 8.276, 8.948, 9.803, 10.453 };
        for (std::size_t i = 0; i < m_samples.size(); ++i)
            QVERIFY2(std::abs(mean(m_samples[i].depth) - expected[i]) < 0.15,
                qPrintable(QString("%1 GeV: %2 X0").arg(m_samples[i].energy).arg(mean(m_samples[i].depth))));
        std::vector<double> x, y;
        for (const auto& s : m_samples) {
            x.push_back(std::log(s.energy));
            y.push_back(mean(s.depth));
        }
        const double mx = mean(x), my = mean(y);
        double sxy = 0, sxx = 0, syy = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        const double slope = sxy / sxx, r2 = sxy * sxy / (sxx * syy);
        qInfo("mean depth [X0] at 10/20/50/100 GeV: %.3f %.3f %.3f %.3f; slope %.3f X0 per e-fold, R^2 %.5f", y[0],
            y[1], y[2], y[3], slope, r2);
        QVERIFY2(r2 > 0.98, qPrintable(QString::number(r2)));
        QVERIFY2(slope > 0.85 && slope < 1.05, qPrintable(QString::number(slope)));
    }

    void ninetyPercentWithinTwoMoliereRadii()
    {
        for (const auto& s : m_samples) {
            const double c = mean(s.containment);
            qInfo("%.0f GeV: mean fraction of visible energy within 2 R_M: %.4f (min %.4f)", s.energy, c,
                *std::min_element(s.containment.begin(), s.containment.end()));
            QVERIFY2(c >= 0.90, qPrintable(QString::number(c)));
        }
    }

    void visibleEnergyIsLinear()
    {
        std::vector<double> ratio;
        for (const auto& s : m_samples)
            ratio.push_back(mean(s.visible) / (s.energy * 1000.0));
        const double lo = *std::min_element(ratio.begin(), ratio.end());
        const double hi = *std::max_element(ratio.begin(), ratio.end());
        qInfo("E_vis/E_inc at 10/20/50/100 GeV: %.5f %.5f %.5f %.5f (spread %.2f %%)", ratio[0], ratio[1], ratio[2],
            ratio[3], 100.0 * (hi / lo - 1.0));
        QVERIFY2(hi / lo - 1.0 < 0.03, qPrintable(QString::number(hi / lo)));
        // The default sampling fraction (2.5 %) times a containment close to 1.
        QVERIFY(lo > 0.025 * 0.93 && hi < 0.025 * 1.01);
    }

    void resolutionIsStochastic()
    {
        // Fit (σ/E)² = a²/E + c² by least squares in 1/E; with c² < 0 the constant is dropped.
        std::vector<double> x, y;
        for (const auto& s : m_samples) {
            const double rel = stddev(s.visible) / mean(s.visible);
            x.push_back(1.0 / s.energy);
            y.push_back(rel * rel);
            qInfo("%.0f GeV: sigma/E = %.4f  (x sqrt(E) = %.4f)", s.energy, rel, rel * std::sqrt(s.energy));
        }
        const double mx = mean(x), my = mean(y);
        double sxy = 0, sxx = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double a2 = sxy / sxx, c2 = my - a2 * mx;
        if (c2 < 0) {
            c2 = 0;
            a2 = std::inner_product(x.begin(), x.end(), y.begin(), 0.0)
                / std::inner_product(x.begin(), x.end(), x.begin(), 0.0);
        }
        const double a = std::sqrt(a2), c = std::sqrt(c2);
        qInfo("resolution fit: a = %.4f / sqrt(GeV), c = %.4f", a, c);
        QVERIFY2(a > 0.10 && a < 0.25, qPrintable(QString::number(a)));
        QVERIFY2(c < 0.03, qPrintable(QString::number(c)));
    }

    void hitsSitOnCellCentresAndLayers()
    {
        ShowerSimOptions o;
        o.showers = 50;
        o.seed = 3;
        const Showers s = simulateShowers(o);
        QCOMPARE(s.size(), std::size_t(50));
        QCOMPARE(s.offsets.size(), std::size_t(51));
        QCOMPARE(s.offsets.front(), std::int64_t(0));
        QCOMPARE(static_cast<std::size_t>(s.offsets.back()) * 4, s.points.size());
        QCOMPARE(s.geometry.name, std::string("ILD-like Si-W ECAL"));
        std::vector<float> zs;
        for (double z : s.geometry.layerZ)
            zs.push_back(static_cast<float>(z));
        for (std::size_t h = 0; h < s.points.size() / 4; ++h) {
            const float* p = &s.points[h * 4];
            for (int c = 0; c < 2; ++c) {
                const double cells = p[c] / 5.1;
                QVERIFY2(std::abs(cells - std::round(cells)) < 1e-4, qPrintable(QString::number(p[c])));
            }
            QVERIFY(std::find(zs.begin(), zs.end(), p[2]) != zs.end());
            QVERIFY(p[3] >= kDefaultThresholdMeV * (1 - 1e-6));
        }
        for (std::size_t i = 0; i < s.size(); ++i) {
            QVERIFY(s.incidentEnergy[i] >= 10.0f && s.incidentEnergy[i] <= 100.0f);
            QVERIFY(s.hits(i) > 50);
        }
    }

    void thresholdAndSamplingFractionApply()
    {
        // Without threshold and sampling fluctuations, the visible energy is the sampling fraction
        // times the deposited energy (the per-cell smearing keeps the mean); 30 GeV showers leak
        // ≈ 0.5 % beyond 24 X0. A threshold then removes hits and their energy, never adds any.
        ShowerSimOptions o;
        o.showers = 40;
        o.energyMin = o.energyMax = 30.0;
        o.samplingFraction = 0.01;
        o.cellThresholdMeV = 1e-12;
        o.stochasticTerm = 0.0;
        const Showers all = simulateShowers(o);
        o.cellThresholdMeV = 0.2;
        const Showers cut = simulateShowers(o);
        const auto total = [](const Showers& s) {
            double sum = 0;
            for (std::size_t h = 0; h < s.points.size() / 4; ++h)
                sum += s.points[h * 4 + 3];
            return sum / s.size();
        };
        const double ratioAll = total(all) / (0.01 * 30000.0), ratioCut = total(cut) / (0.01 * 30000.0);
        qInfo("30 GeV, f = 1 %%: E_vis/(f E) = %.4f without threshold, %.4f with 0.2 MeV; hits %zu -> %zu", ratioAll,
            ratioCut, all.points.size() / 4, cut.points.size() / 4);
        QVERIFY2(ratioAll > 0.98 && ratioAll < 1.005, qPrintable(QString::number(ratioAll)));
        QVERIFY(ratioCut < ratioAll && ratioCut > 0.5);
        QVERIFY(cut.points.size() < all.points.size());
        for (std::size_t h = 0; h < cut.points.size() / 4; ++h)
            QVERIFY(cut.points[h * 4 + 3] >= 0.2f);
    }

    void sameSeedSameShowers()
    {
        ShowerSimOptions o;
        o.showers = 20;
        o.seed = 42;
        const Showers a = simulateShowers(o), b = simulateShowers(o);
        o.seed = 43;
        const Showers c = simulateShowers(o);
        QVERIFY(a.points == b.points);
        QVERIFY(a.offsets == b.offsets);
        QVERIFY(a.incidentEnergy == b.incidentEnergy);
        QVERIFY(a.points != c.points);
    }

    void badOptionsAreConfigErrors()
    {
        const std::vector<std::pair<std::function<void(ShowerSimOptions&)>, std::string>> cases {
            { [](ShowerSimOptions& o) { o.showers = 0; }, "number of showers must be at least 1" },
            { [](ShowerSimOptions& o) { o.energyMin = 0.5; }, "energyMin = 0.5 GeV is outside" },
            { [](ShowerSimOptions& o) { o.energyMin = std::nan(""); }, "energyMin = nan GeV is outside" },
            { [](ShowerSimOptions& o) { o.energyMax = 2000; }, "energyMax = 2000 GeV is outside" },
            { [](ShowerSimOptions& o) { o.energyMin = 50, o.energyMax = 20; }, "energyMax = 20 GeV is below" },
            { [](ShowerSimOptions& o) { o.samplingFraction = -0.1; }, "samplingFraction = -0.1 must lie in" },
            { [](ShowerSimOptions& o) { o.samplingFraction = 1.5; }, "samplingFraction = 1.5 must lie in" },
            { [](ShowerSimOptions& o) { o.stochasticTerm = -1; }, "stochasticTerm = -1 must lie in" },
            { [](ShowerSimOptions& o) { o.cellThresholdMeV = -0.1; }, "cellThresholdMeV = -0.1 must be" },
            { [](ShowerSimOptions& o) { o.cellThresholdMeV = INFINITY; }, "cellThresholdMeV = inf must be" },
        };
        for (const auto& [mutate, expected] : cases) {
            ShowerSimOptions o;
            o.showers = 2;
            mutate(o);
            try {
                simulateShowers(o);
                QFAIL(qPrintable(QString::fromStdString("no error for: " + expected)));
            } catch (const hepgen::ConfigError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find("Shower simulator") != std::string::npos, e.what());
                QVERIFY2(what.find(expected) != std::string::npos, e.what());
            }
        }
    }

    void reportsProgressAndCancels()
    {
        std::vector<double> fractions;
        hepgen::JobControl watch([&](double f, const std::string&) { fractions.push_back(f); }, [] { return false; });
        ShowerSimOptions o;
        o.showers = 10;
        simulateShowers(o, watch);
        QVERIFY(!fractions.empty());
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(fractions.back(), 1.0);

        int polls = 0;
        hepgen::JobControl stopSoon({}, [&] { return ++polls > 3; });
        o.showers = 1000;
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, simulateShowers(o, stopSoon));
        QCOMPARE(polls, 4); // polled once per shower, stopped at the fourth
    }
};

QTEST_GUILESS_MAIN(TestShowerSimulator)
#include "test_shower_simulator.moc"
