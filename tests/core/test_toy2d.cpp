// The 2D toys: each shape has the geometry it claims, and a seed fixes the sample.
#include "core/data/Toy2D.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::data;

class TestToy2D : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameSampleOtherSeedOther()
    {
        const Table a = generateToy2D(Toy2DShape::Moons, 1000, 7);
        const Table b = generateToy2D(Toy2DShape::Moons, 1000, 7);
        const Table c = generateToy2D(Toy2DShape::Moons, 1000, 8);
        QVERIFY(a.values == b.values);
        QVERIFY(a.values != c.values);
        QCOMPARE(a.rows(), std::size_t(1000));
        QVERIFY((a.columns == std::vector<std::string> { "x", "y" }));
    }

    void eightGaussiansSitOnTheirCircle()
    {
        const Table t = generateToy2D(Toy2DShape::EightGaussians, 20000, 1);
        double sumR = 0;
        int nearCentre = 0;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            const double x = t.at(i, 0), y = t.at(i, 1);
            // distance to the nearest of the 8 centres is a 2D Gaussian radius with sigma 0.2
            const double a = std::round(std::atan2(y, x) / (M_PI / 4)) * (M_PI / 4);
            const double d = std::hypot(x - 2 * std::cos(a), y - 2 * std::sin(a));
            nearCentre += d < 0.2 * 3.0 ? 1 : 0; // Rayleigh: P(d < 3 sigma) = 1 - exp(-4.5) = 0.989
            sumR += std::hypot(x, y);
        }
        QVERIFY(std::abs(nearCentre / 20000.0 - 0.989) < 0.005);
        QVERIFY(std::abs(sumR / 20000.0 - 2.0) < 0.02);
    }

    void checkerboardFillsOnlyBlackSquares()
    {
        const Table t = generateToy2D(Toy2DShape::Checkerboard, 20000, 2);
        int counts[4][4] = {};
        for (std::size_t i = 0; i < t.rows(); ++i) {
            const double x = t.at(i, 0), y = t.at(i, 1);
            QVERIFY(x >= -4 && x <= 4 && y >= -4 && y <= 4);
            const int col = std::min(3, static_cast<int>((x + 4) / 2)),
                      row = std::min(3, static_cast<int>((y + 4) / 2));
            ++counts[row][col];
        }
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) {
                if ((r + c) % 2 == 0)
                    QVERIFY(std::abs(counts[r][c] - 2500) < 5 * 50); // binomial sd ~ 46
                else
                    QCOMPARE(counts[r][c], 0);
            }
    }

    void ringsHaveFourRadii()
    {
        const Table t = generateToy2D(Toy2DShape::Rings, 20000, 3);
        const double radii[4] = { 0.5, 1.25, 2.0, 2.75 };
        int far = 0;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            const double r = std::hypot(t.at(i, 0), t.at(i, 1));
            double best = 1e9;
            for (double R : radii)
                best = std::min(best, std::abs(r - R));
            far += best > 0.35 ? 1 : 0; // > 4 sigma of the 0.08 noise
        }
        QVERIFY(far < 20);
    }

    void moonsAreCentredAndMixtureWeightsHold()
    {
        const Table m = generateToy2D(Toy2DShape::Moons, 40000, 4);
        double mx = 0, my = 0;
        for (std::size_t i = 0; i < m.rows(); ++i) {
            mx += m.at(i, 0);
            my += m.at(i, 1);
        }
        // Upper moon: mean x 0, mean y 2/pi; lower: x 1, y 0.5 - 2/pi → overall (0.5, 0.25) before centring.
        QVERIFY(std::abs(mx / 40000) < 0.03);
        QVERIFY(std::abs(my / 40000) < 0.03);
        const Table g = generateToy2D(Toy2DShape::Mixture, 40000, 5);
        // Component 1: weight 0.30, mean (-1.5, -1), sx 0.6, sy 0.3, rho 0.5. Inside its Mahalanobis
        // radius 1 lies 1 - exp(-1/2) = 39.35 % of it; the other components are far away.
        int inside = 0;
        for (std::size_t i = 0; i < g.rows(); ++i) {
            const double u = (g.at(i, 0) + 1.5) / 0.6, v = (g.at(i, 1) + 1.0) / 0.3, rho = 0.5;
            inside += (u * u - 2 * rho * u * v + v * v) / (1 - rho * rho) < 1.0 ? 1 : 0;
        }
        const double expected = 0.30 * (1 - std::exp(-0.5)); // 0.118, binomial sd 0.0016
        QVERIFY2(std::abs(inside / 40000.0 - expected) < 0.006, qPrintable(QString::number(inside / 40000.0)));
    }

    void knownDensitiesAreNormalisedAndFitTheSamples_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::newRow("8gaussians") << "8gaussians";
        QTest::newRow("mixture") << "mixture";
    }
    void knownDensitiesAreNormalisedAndFitTheSamples()
    {
        QFETCH(QString, shape);
        const auto s = parseToy2DShape(shape.toStdString());
        QVERIFY(toy2DHasDensity(s));
        // The density integrates to 1 (midpoint rule on [-6, 6]^2, step 0.02) ...
        std::vector<std::array<double, 2>> grid;
        const double h = 0.02;
        for (double x = -6 + h / 2; x < 6; x += h)
            for (double y = -6 + h / 2; y < 6; y += h)
                grid.push_back({ x, y });
        const auto logDensity = toy2DLogDensity(s, grid);
        double integral = 0;
        for (double lp : logDensity)
            integral += std::exp(lp) * h * h;
        QVERIFY2(std::abs(integral - 1) < 1e-3, qPrintable(QString::number(integral)));
        // ... and is the one the generator draws from: the fraction of samples in a box equals its integral.
        const auto t = generateToy2D(s, 200000, 5);
        std::size_t inside = 0;
        for (std::size_t i = 0; i < t.rows(); ++i)
            inside += t.at(i, 0) > 0 && t.at(i, 1) > 0.5;
        double boxIntegral = 0;
        for (std::size_t i = 0; i < grid.size(); ++i)
            if (grid[i][0] > 0 && grid[i][1] > 0.5)
                boxIntegral += std::exp(logDensity[i]) * h * h;
        const double fraction = static_cast<double>(inside) / 200000.0;
        QVERIFY2(
            std::abs(fraction - boxIntegral) < 0.005, qPrintable(QString("%1 vs %2").arg(fraction).arg(boxIntegral)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, toy2DLogDensity(Toy2DShape::Moons, grid));
        QVERIFY(!toy2DHasDensity(Toy2DShape::Rings));
    }

    void unknownShapeIsAConfigError()
    {
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, parseToy2DShape("banana"));
        QCOMPARE(parseToy2DShape("8gaussians"), Toy2DShape::EightGaussians);
    }
};

QTEST_GUILESS_MAIN(TestToy2D)
#include "test_toy2d.moc"
