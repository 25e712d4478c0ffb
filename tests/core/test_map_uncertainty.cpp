// Uncertainty maps on the labelled two-moons toy: the spread over the members of a deep ensemble (of classifiers and
// of flows) and over the posterior draws of a Bayesian model (bayes-cfm, and the classifier surrogate) is at least
// three times larger off the training support than on it; the surrogate reproduces its classifier within 0.05 where
// the data are dense. "On the support" and "off it" are told apart by the out-of-distribution indicator (the k-NN
// distance to the data relative to the typical one): on = at most 1, off = at least 5 (far outside the moons).
#include "TestSupport.h"

#include "core/maps/ClassifierMapModel.h"
#include "core/maps/MapCompute.h"
#include "core/maps/MapModels.h"
#include "core/maps/SupportDistance.h"
#include "core/maps/Surrogate.h"
#include "core/training/Run.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace hepgen::maps;
using hepgen::data::Table;

namespace {

/// Two moons (Toy2D's geometry: radius 1, noise 0.1, scaled by 2 and centred), upper moon labelled 1.
Table labelledMoons(std::size_t n, std::uint64_t seed)
{
    Table t;
    t.columns = { "x", "y" };
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> angle(0.0, M_PI);
    std::normal_distribution<double> noise(0.0, 0.1);
    for (std::size_t i = 0; i < n; ++i) {
        const double a = angle(rng);
        const bool upper = i % 2 == 0;
        const double x = upper ? std::cos(a) : 1.0 - std::cos(a);
        const double y = upper ? std::sin(a) : 0.5 - std::sin(a);
        t.values.push_back(static_cast<float>(2.0 * (x - 0.5 + noise(rng))));
        t.values.push_back(static_cast<float>(2.0 * (y - 0.25 + noise(rng))));
        t.labels.push_back(upper ? 1 : 0);
    }
    return t;
}

/// Mean uncertainty of `map` over grid points on the support (distance indicator <= 1) and off it (>= 5).
struct SupportSplit {
    double on = 0, off = 0;
    int nOn = 0, nOff = 0;
    double ratio() const { return off / on; }
};

SupportSplit split(const MapResult& map, const MapResult& distance)
{
    SupportSplit s;
    for (std::size_t k = 0; k < map.uncertainty.size(); ++k) {
        const double d = distance.value[k], u = map.uncertainty[k];
        if (!std::isfinite(u))
            continue;
        if (d <= 1.0) {
            s.on += u;
            ++s.nOn;
        } else if (d >= 5.0) {
            s.off += u;
            ++s.nOff;
        }
    }
    s.on /= std::max(1, s.nOn);
    s.off /= std::max(1, s.nOff);
    return s;
}

MapRequest grid(MapKind kind, int bins)
{
    MapRequest r;
    r.kind = kind;
    r.x = "x";
    r.y = "y";
    r.xBins = r.yBins = bins;
    r.xRange = std::make_pair(-7.0, 7.0);
    r.yRange = std::make_pair(-7.0, 7.0);
    return r;
}

} // namespace

class TestMapUncertainty : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    Table m_data = labelledMoons(4000, 1);
    std::shared_ptr<ClassifierEnsembleModel> m_classifier;

    MapResult distanceMap(MapModel& model, int bins)
    {
        return computeMap(model, grid(MapKind::OutOfDistribution, bins), &m_data);
    }

    std::string train(const std::string& name, const std::string& family, const nlohmann::json& config)
    {
        hepgen::training::RunRequest request;
        request.family = family;
        request.config = config;
        request.outputDir = m_dir.filePath(QString::fromStdString(name)).toStdString();
        Table unlabelled = m_data;
        unlabelled.labels.clear();
        hepgen::training::trainRun(request, unlabelled);
        return request.outputDir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        hepgen::metrics::ClassifierConfig c;
        c.hidden = { 32, 32 };
        c.epochs = 30;
        c.patience = 0;
        c.seed = 11;
        m_classifier = trainClassifierEnsemble(m_data, { "x", "y" }, 5, c, "moons MLP x5");
    }

    void classifierEnsembleSpread()
    {
        const MapResult map = computeMap(*m_classifier, grid(MapKind::Score, 60), nullptr);
        QCOMPARE(map.members, int64_t(5));
        const auto s = split(map, distanceMap(*m_classifier, 60));
        qInfo("MLP ensemble x5, score spread: on support %.4f (%d points), off %.4f (%d points), ratio %.1f", s.on,
            s.nOn, s.off, s.nOff, s.ratio());
        QVERIFY(s.nOn > 40 && s.nOff > 500);
        QVERIFY2(s.ratio() >= 3.0, qPrintable(QString::number(s.ratio())));
    }

    void flowEnsembleSpread()
    {
        auto flows = loadRunModel(train("flows", "maf-affine",
            { { "model", { { "ensemble", 4 }, { "layers", 3 }, { "hidden", { 32, 32 } } } },
                { "trainer", { { "epochs", 6 }, { "seed", 2 } } } }));
        QCOMPARE(flows->members(MapKind::LogDensity), int64_t(4));
        const MapResult map = computeMap(*flows, grid(MapKind::LogDensity, 40), nullptr);
        const auto s = split(map, distanceMap(*flows, 40));
        qInfo("maf-affine ensemble x4, log p spread: on support %.4f, off %.4f, ratio %.1f", s.on, s.off, s.ratio());
        QVERIFY2(s.ratio() >= 3.0, qPrintable(QString::number(s.ratio())));
    }

    void bayesianFlowMatchingSpread()
    {
        auto bayes = loadRunModel(train("bayes", "bayes-cfm",
            { { "model", { { "hidden", { 64, 64 } }, { "draws", 6 }, { "sample_steps", 12 } } },
                { "trainer", { { "epochs", 8 }, { "seed", 3 } } } }));
        QCOMPARE(bayes->members(MapKind::LogDensity), int64_t(6));
        // An ODE per posterior draw with the exact divergence: a coarse grid.
        const MapResult map = computeMap(*bayes, grid(MapKind::LogDensity, 14), nullptr);
        const auto s = split(map, distanceMap(*bayes, 14));
        qInfo("bayes-cfm, log p spread over 6 draws: on support %.4f (%d), off %.4f (%d), ratio %.1f", s.on, s.nOn,
            s.off, s.nOff, s.ratio());
        QVERIFY(s.nOn > 3 && s.nOff > 20);
        QVERIFY2(s.ratio() >= 3.0, qPrintable(QString::number(s.ratio())));
    }

    void surrogateReproducesItsClassifier()
    {
        SurrogateConfig config;
        const int epochs = qEnvironmentVariableIntValue("MAPTEST_SUR_EPOCHS");
        config.trainer["epochs"] = epochs > 0 ? epochs : 120;
        config.model["initial_sigma"] = 0.005;
        if (qEnvironmentVariableIsSet("MAPTEST_SUR_SIGMA"))
            config.model["initial_sigma"] = qgetenv("MAPTEST_SUR_SIGMA").toDouble();
        if (qEnvironmentVariableIsSet("MAPTEST_SUR_LR"))
            config.model["lr"] = qgetenv("MAPTEST_SUR_LR").toDouble();
        if (qEnvironmentVariableIsSet("MAPTEST_SUR_BATCH"))
            config.trainer["batch_size"] = qgetenv("MAPTEST_SUR_BATCH").toInt();
        config.seed = qEnvironmentVariableIsSet("MAPTEST_SEED") ? qgetenv("MAPTEST_SEED").toULongLong() : 4;
        const std::string dir = m_dir.filePath("surrogate").toStdString();
        auto surrogate = trainSurrogate(*m_classifier, m_data, config, dir, {});
        QVERIFY(isSurrogateDirectory(dir));
        QCOMPARE(surrogate->trainingEvents(), int64_t(4000));
        QCOMPARE(surrogate->features(), (std::vector<std::string> { "x", "y" }));
        auto reopened = loadMapModel(dir);
        QCOMPARE(reopened->name(), surrogate->name());

        // On the data themselves (dense by construction): fresh events of the same toy.
        const Table test = labelledMoons(1000, 99);
        std::vector<float> rows(test.values.begin(), test.values.end());
        const auto want = m_classifier->evaluate(MapKind::Score, rows, {});
        const auto got = reopened->evaluate(MapKind::Score, rows, {});
        QCOMPARE(got.k, int64_t(10));
        std::vector<double> diff;
        for (std::size_t i = 0; i < want.value.size(); ++i)
            diff.push_back(std::abs(got.value[i] - want.value[i]));
        std::sort(diff.begin(), diff.end());
        double mean = 0;
        for (double d : diff)
            mean += d;
        mean /= static_cast<double>(diff.size());
        const double q90 = diff[diff.size() * 9 / 10];
        qInfo("surrogate vs classifier on 1000 fresh events: mean |diff| %.4f, 90%% quantile %.4f, max %.4f", mean, q90,
            diff.back());
        for (std::size_t i = 0; i < 12; ++i)
            qInfo("  event (%.2f, %.2f): classifier %.4f surrogate %.4f (spread %.4f)", rows[2 * i], rows[2 * i + 1],
                want.value[i], got.value[i], got.k > 1 ? std::abs(got.members[i] - got.members[got.value.size() + i]) : 0.0);
        QVERIFY2(q90 <= 0.05, qPrintable(QString::number(q90)));

        // Its own distribution: scores drawn through the full ODE agree with the one-step mean where data are dense.
        const std::vector<float> centre { 0.0f, 0.5f, 1.0f, -0.5f };
        const auto drawn = surrogate->sampleScores(centre, {}, 200, 5);
        const auto mean1 = surrogate->evaluate(MapKind::Score, centre, {});
        for (int e = 0; e < 2; ++e) {
            double m = 0;
            for (int k = 0; k < 200; ++k)
                m += drawn[static_cast<std::size_t>(e * 200 + k)];
            m /= 200;
            qInfo("event %d: sampled mean score %.4f, one-step mean %.4f", e, m, mean1.value[e]);
            QVERIFY(std::abs(m - mean1.value[static_cast<std::size_t>(e)]) < 0.05);
        }

        // Its posterior spread grows off the data.
        const MapResult map = computeMap(*reopened, grid(MapKind::Score, 40), nullptr);
        const auto s = split(map, distanceMap(*reopened, 40));
        qInfo("surrogate, score spread over 10 draws: on support %.4f, off %.4f, ratio %.1f", s.on, s.off, s.ratio());
        QVERIFY2(s.ratio() >= 3.0, qPrintable(QString::number(s.ratio())));
    }

    void surrogateInputsAreChecked()
    {
        Table wrong;
        wrong.columns = { "x", "z" };
        wrong.values = std::vector<float>(100, 0.0f);
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            trainSurrogate(*m_classifier, wrong, {}, m_dir.filePath("bad").toStdString());
        }).contains("no column 'y'"));
        SupportDistance notAClassifier(m_data, { "x", "y" });
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            trainSurrogate(notAClassifier, m_data, {}, m_dir.filePath("bad2").toStdString());
        }).contains("no classifier score"));
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([] {
            SurrogateConfig::read({ { "epochs", 3 } });
        }).contains("epochs"));
    }
};

QTEST_MAIN(TestMapUncertainty)
#include "test_map_uncertainty.moc"
