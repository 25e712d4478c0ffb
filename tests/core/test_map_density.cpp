// Density maps of model-lab runs against the truth: a flow fitted to a known correlated 2D Gaussian (in units of
// its own, so the preprocessing's Jacobian matters) has a log-density map equal to the true log-pdf within 0.1 over
// the central 95 % region; the ANODE ratio map of two runs is the difference of their log-density maps; a run
// without a density is refused with a sentence.
#include "TestSupport.h"

#include "core/maps/MapCompute.h"
#include "core/maps/MapModels.h"
#include "core/training/Run.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace hepgen::maps;
using hepgen::data::Table;

namespace {

/// N(mu, Sigma) with sigma = (2, 0.5) and correlation 0.6 in columns u [GeV], v.
struct Gaussian2D {
    double mu[2] = { 1.0, -2.0 };
    double sigma[2] = { 2.0, 0.5 };
    double rho = 0.6;

    Table sample(std::size_t n, std::uint64_t seed, double shiftU = 0.0) const
    {
        Table t;
        t.columns = { "u", "v" };
        t.units = { "GeV", "" };
        std::mt19937_64 rng(seed);
        std::normal_distribution<double> g;
        for (std::size_t i = 0; i < n; ++i) {
            const double a = g(rng), b = g(rng);
            t.values.push_back(static_cast<float>(mu[0] + shiftU + sigma[0] * a));
            t.values.push_back(static_cast<float>(mu[1] + sigma[1] * (rho * a + std::sqrt(1 - rho * rho) * b)));
        }
        return t;
    }
    /// Squared Mahalanobis distance and log-pdf.
    double mahalanobis2(double u, double v) const
    {
        const double a = (u - mu[0]) / sigma[0], b = (v - mu[1]) / sigma[1];
        return (a * a - 2 * rho * a * b + b * b) / (1 - rho * rho);
    }
    double logPdf(double u, double v) const
    {
        return -0.5 * mahalanobis2(u, v) - std::log(2 * M_PI * sigma[0] * sigma[1] * std::sqrt(1 - rho * rho));
    }
};

std::string train(const Table& data, const std::string& dir, const std::string& family, const nlohmann::json& config)
{
    hepgen::training::RunRequest request;
    request.family = family;
    request.config = config;
    request.outputDir = dir;
    request.dataDescription = "test";
    hepgen::training::trainRun(request, data);
    return dir;
}

} // namespace

class TestMapDensity : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    Gaussian2D m_truth;
    std::string m_run;

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        // A one-layer affine MAF represents a correlated Gaussian exactly; the fit's error is then statistical (40 000
        // events). (Three layers with the same 25 epochs: largest error 0.12, mean 0.022 - more parameters to fit.)
        m_run = train(m_truth.sample(40000, 1), m_dir.filePath("gauss").toStdString(), "maf-affine",
            { { "model", { { "layers", 1 }, { "hidden", { 64, 64 } }, { "lr", 3e-3 } } },
                { "trainer", { { "epochs", 25 }, { "batch_size", 512 }, { "seed", 3 } } } });
    }

    void logDensityMapMatchesTheTruth()
    {
        auto model = loadRunModel(m_run);
        QCOMPARE(model->features(), (std::vector<std::string> { "u", "v" }));
        QVERIFY(model->offers(MapKind::LogDensity));
        QCOMPARE(model->members(MapKind::LogDensity), int64_t(0));
        MapRequest r;
        r.kind = MapKind::LogDensity;
        r.x = "u";
        r.y = "v";
        r.xBins = 64; // not square: a transposed map would not even fit
        r.yBins = 48;
        r.xRange = std::make_pair(1.0 - 6.0, 1.0 + 6.0);
        r.yRange = std::make_pair(-2.0 - 1.5, -2.0 + 1.5);
        const MapResult map = computeMap(*model, r, nullptr);
        QCOMPARE(map.x.unit, std::string("GeV"));
        // chi2 with 2 degrees of freedom: P(d^2 <= 5.991) = 0.95.
        double worst = 0, sum = 0;
        int inside = 0;
        for (int j = 0; j < map.y.bins; ++j)
            for (int i = 0; i < map.x.bins; ++i) {
                const double u = map.x.centre(i), v = map.y.centre(j);
                if (m_truth.mahalanobis2(u, v) > 5.991)
                    continue;
                ++inside;
                const double e = std::abs(map.at(i, j) - m_truth.logPdf(u, v));
                sum += e;
                if (e > worst)
                    qInfo("  new worst %.4f at d2 = %.2f (u %.2f, v %.2f)", e, m_truth.mahalanobis2(u, v), u, v);
                worst = std::max(worst, e);
            }
        qInfo("central 95 %% region: %d grid points, largest |log p_map - log p_true| = %.4f (mean %.4f)", inside,
            worst, sum / inside);
        QVERIFY(inside > 500);
        QVERIFY2(worst < 0.1, qPrintable(QString::number(worst)));
        // Outside the region the map still follows the tails (no clipping, no NaN).
        QCOMPARE(map.nonFinite, int64_t(0));
    }

    void densityRatioIsTheDifferenceOfTheDensities()
    {
        const std::string shifted
            = train(m_truth.sample(4000, 2, 0.5), m_dir.filePath("shifted").toStdString(), "maf-affine",
                { { "model", { { "layers", 2 }, { "hidden", { 16 } } } }, { "trainer", { { "epochs", 1 } } } });
        auto data = loadRunModel(m_run), background = loadRunModel(shifted);
        auto ratio = densityRatioModel(data, background);
        QCOMPARE(ratio->kinds(), std::vector<MapKind> { MapKind::DensityRatio });
        MapRequest r;
        r.x = "v"; // swapped axes, for good measure
        r.y = "u";
        r.xBins = 9;
        r.yBins = 7;
        r.xRange = std::make_pair(-3.0, -1.0);
        r.yRange = std::make_pair(-2.0, 4.0);
        r.kind = MapKind::DensityRatio;
        const MapResult rmap = computeMap(*ratio, r, nullptr);
        r.kind = MapKind::LogDensity;
        const MapResult a = computeMap(*data, r, nullptr), b = computeMap(*background, r, nullptr);
        for (std::size_t k = 0; k < rmap.value.size(); ++k)
            QVERIFY(std::abs(rmap.value[k] - (a.value[k] - b.value[k])) < 1e-6);
        QVERIFY(!rmap.hasUncertainty()); // neither model has members

        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            densityRatioModel(data, data);
        }).contains("two different"));
    }

    void modelsWithoutADensityAreRefused()
    {
        Table moons = m_truth.sample(300, 5);
        const std::string gan
            = train(moons, m_dir.filePath("gan").toStdString(), "gan", { { "trainer", { { "epochs", 1 } } } });
        const QString err = hepgen::test::errorOf<hepgen::ConfigError>([&] { loadMapModel(gan); });
        QVERIFY2(err.contains("has no density"), qPrintable(err));
        QVERIFY(!hepgen::test::errorOf<hepgen::FileError>([&] {
            loadMapModel(m_dir.filePath("none").toStdString());
        }).isEmpty());
        QVERIFY(hepgen::test::errorOf<hepgen::FileError>([&] {
            loadMapModel(m_dir.path().toStdString());
        }).contains("neither a run directory"));
    }
};

QTEST_MAIN(TestMapDensity)
#include "test_map_density.moc"
