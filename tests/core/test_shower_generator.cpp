// The ShowerGenerator end to end on the built-in simulator's showers, with a tiny budget (a few seconds): training
// writes a run directory that reloads and reproduces samples bit for bit; trajectories start at the prior sample and
// end at the returned shower; conditioning (mean visible energy grows with the incident energy as the simulator's);
// the generated hits sit on layers and cells; distillation adds a 1-step sampler; CaloClouds-like showers with the
// depth along y; and every kind of bad input gives a clear error.
#include "core/showers/ShowerFeatures.h"
#include "core/showers/ShowerGenerator.h"
#include "core/showers/ShowerLayout.h"
#include "core/showers/ShowerSimulator.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <ATen/Parallel.h>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

using namespace hepgen::showers;
using hepgen::JobControl;
using hepgen::data::Showers;
using json = nlohmann::json;

namespace {

Showers simulated(std::size_t n, uint64_t seed, double lo = 10.0, double hi = 100.0)
{
    ShowerSimOptions o;
    o.showers = n;
    o.seed = seed;
    o.energyMin = lo;
    o.energyMax = hi;
    return simulateShowers(o);
}

/// A budget of seconds: small networks, few epochs.
json tinyConfig()
{
    return { { "flow",
                 { { "model", { { "layers", 4 }, { "hidden", { 64, 64 } } } }, { "trainer", { { "epochs", 15 } } } } },
        { "points",
            { { "model", { { "hidden", { 64, 64 } } } }, { "trainer", { { "epochs", 3 }, { "batch_size", 16 } } } } },
        { "distillation", { { "trainer", { { "epochs", 1 }, { "batch_size", 16 } } } } }, { "seed", 3 } };
}

double meanVisible(const Showers& s)
{
    double e = 0;
    for (std::size_t k = 3; k < s.points.size(); k += 4)
        e += s.points[k];
    return e / static_cast<double>(s.size());
}

bool sameShowers(const Showers& a, const Showers& b)
{
    return a.points == b.points && a.offsets == b.offsets && a.incidentEnergy == b.incidentEnergy;
}

} // namespace

class TestShowerGenerator : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Showers m_training;
    std::unique_ptr<ShowerGenerator> m_generator;
    std::string m_run;

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(1);
        m_training = simulated(300, 1);
        m_run = m_dir.filePath("run").toStdString();
        std::vector<ShowerEpoch> epochs;
        double last = 0;
        m_generator = ShowerGenerator::train(m_training, ShowerGeneratorConfig::read(tinyConfig()), m_run,
            JobControl([&](double f, const std::string&) { last = f; }, {}),
            [&](const ShowerEpoch& e) { epochs.push_back(e); });
        QCOMPARE(epochs.size(), std::size_t(15 + 3));
        QCOMPARE(epochs.front().stage, std::string("flow"));
        QCOMPARE(epochs.back().stage, std::string("points"));
        QCOMPARE(epochs.back().epochs, int64_t(3));
        QVERIFY(std::isfinite(epochs.back().trainLoss) && std::isfinite(epochs.back().validationLoss));
        QCOMPARE(last, 1.0);
    }

    void runDirectoryAndSettings()
    {
        namespace fs = std::filesystem;
        for (const char* f : { "config.json", "metrics.json", "flow/checkpoint.pt", "points/checkpoint.pt" })
            QVERIFY2(fs::exists(fs::path(m_run) / f), f);
        const auto c = m_generator->config();
        QCOMPARE(c.at("points").at("model").at("network"), json("pointwise"));
        QCOMPARE(c.at("points").at("model").at("training"), json("edm"));
        QCOMPARE(c.at("layout").at("depth_axis"), json("z"));
        QCOMPARE(c.at("core_hits"), json(true)); // auto: on the simulator's cell grid
        const auto [lo, hi] = m_generator->energyRange();
        QVERIFY(lo >= 10 && lo < 11 && hi <= 100 && hi > 99);
        QCOMPARE(m_generator->samplers(), (std::vector<std::string> { "edm-heun" }));
        QCOMPARE(m_generator->geometry().layerZ, m_training.geometry.layerZ);
        QCOMPARE(m_generator->directory(), m_run);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ShowerGeneratorConfig::read({ { "flows", json::object() } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError,
            ShowerGeneratorConfig::read({ { "points", { { "model", { { "network", "gnn" } } } } } }));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, ShowerGeneratorConfig::read({ { "layout", { { "depth_axis", "t" } } } }));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, ShowerGeneratorConfig::read({ { "layout", { { "core_hits", "maybe" } } } }));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, ShowerGeneratorConfig::read({ { "flow", { { "trainer", { { "epochs", 0 } } } } } }));
    }

    void generatedShowersLiveOnLayersAndCells()
    {
        ShowerSampleRequest r;
        r.incidentEnergy = { 15, 40, 90, 60 };
        r.seed = 5;
        const auto out = m_generator->sample(r);
        QCOMPARE(out.showers.size(), std::size_t(4));
        QCOMPARE(out.showers.geometry.layerZ, m_training.geometry.layerZ);
        QVERIFY(out.seconds > 0);
        const auto layout = inferLayout(m_training);
        for (std::size_t i = 0; i < 4; ++i) {
            QCOMPARE(out.showers.incidentEnergy[i], static_cast<float>(r.incidentEnergy[i]));
            QVERIFY(out.showers.hits(i) >= 1);
            std::set<std::tuple<long, long, float>> cells;
            for (auto k = out.showers.offsets[i]; k < out.showers.offsets[i + 1]; ++k) {
                const float* p = &out.showers.points[4 * static_cast<std::size_t>(k)];
                QCOMPARE(p[2], static_cast<float>(layout.layers[layout.layerOf(p[2])]));
                QVERIFY(std::abs(p[0] / 5.1 - std::round(p[0] / 5.1)) < 1e-4);
                QVERIFY(p[3] > 0 && std::isfinite(p[3]));
                cells.insert({ std::lround(p[0] / 5.1), std::lround(p[1] / 5.1), p[2] });
            }
            QCOMPARE(cells.size(), out.showers.hits(i)); // one hit per cell
        }
    }

    void reloadReproducesSamples()
    {
        ShowerSampleRequest r;
        r.incidentEnergy = { 20, 50, 80 };
        r.seed = 9;
        const auto a = m_generator->sample(r);
        const auto loaded = ShowerGenerator::load(m_run);
        const auto b = loaded->sample(r);
        QVERIFY(sameShowers(a.showers, b.showers));
        r.seed = 10;
        QVERIFY(!sameShowers(a.showers, loaded->sample(r).showers));
        // A shower depends on its own energy and index only, not on the rest of the request.
        r.seed = 9;
        r.incidentEnergy = { 20, 50 };
        const auto c = loaded->sample(r);
        QCOMPARE(c.showers.offsets[2], a.showers.offsets[2]);
    }

    void trajectories()
    {
        ShowerSampleRequest r;
        r.incidentEnergy = { 30, 70, 45 };
        r.seed = 2;
        r.trajectoryOf = { 2, 0 };
        const auto out = m_generator->sample(r);
        QCOMPARE(out.trajectories.size(), std::size_t(2));
        // The point scaling of the run (documented in config.json) maps frames back to the standardised space.
        std::ifstream in(m_run + "/config.json");
        const auto scaling = PointScaling::fromJson(json::parse(in).at("point_scaling"));
        const auto layout = inferLayout(m_training);
        for (std::size_t k = 0; k < 2; ++k) {
            const auto& t = out.trajectories[k];
            const std::size_t i = r.trajectoryOf[k];
            QCOMPARE(t.sampler, std::string("edm-heun"));
            QCOMPARE(t.timeName, std::string("sigma"));
            QCOMPARE(t.frames(), std::size_t(18 + 1 + 1)); // 18 Heun levels + sigma = 0 + the post-processed frame
            QVERIFY(t.postProcessed);
            QCOMPARE(t.incidentEnergy, r.incidentEnergy[i]);
            QCOMPARE(t.times.front(), 80.0);
            QCOMPARE(t.times[t.frames() - 2], 0.0);
            QVERIFY(std::isinf(t.log10Snr.back()));
            QVERIFY(std::abs(t.log10Snr.front() - 2 * std::log10(1.0 / 80.0)) < 1e-9);
            // Last frame: the returned shower, float for float.
            const std::vector<float> shower(out.showers.points.begin() + 4 * out.showers.offsets[i],
                out.showers.points.begin() + 4 * out.showers.offsets[i + 1]);
            QVERIFY(t.xt.back() == shower);
            QVERIFY(t.x0Pred.back() == shower);
            // The sampler's end state is the halo: the shower less its core hits (at most one per layer), and merged
            // cell collisions only remove hits.
            QVERIFY(t.points(t.frames() - 2) < out.showers.hits(i));
            QVERIFY(t.points(t.frames() - 2) + layout.size() >= out.showers.hits(i));
            // First frame: the prior, sigma_max times a standard normal in the standardised space (lateral and layer
            // components; the energy's is clamped for display).
            const auto& f0 = t.xt.front();
            const std::size_t n = f0.size() / 4;
            for (std::size_t c = 0; c < 3; ++c) {
                double m = 0, q = 0;
                for (std::size_t p = 0; p < n; ++p) {
                    const auto z
                        = scalePoint({ f0[4 * p], f0[4 * p + 1], layout.layerCoordinate(f0[4 * p + 2]), 1.0 }, scaling);
                    m += z[c] / 80.0;
                    q += z[c] * z[c] / 6400.0;
                }
                m /= static_cast<double>(n);
                const double sd = std::sqrt(q / static_cast<double>(n) - m * m);
                const double tolerance = 4.0 / std::sqrt(static_cast<double>(n));
                QVERIFY2(std::abs(m) < tolerance && std::abs(sd - 1) < tolerance,
                    qPrintable(QString("component %1: mean %2, sd %3 (in units of sigma_max)").arg(c).arg(m).arg(sd)));
            }
            for (const auto& frame : t.xt)
                for (const float v : frame)
                    QVERIFY(std::isfinite(v));
        }
    }

    void conditioningFollowsTheSimulator()
    {
        // Mean visible energy at 20 and 80 GeV against the simulator's at the same energies: the ratio (linearity)
        // and each mean within 10 % after the tiny training (the shower flow learns E_vis / E_inc directly).
        ShowerSampleRequest r;
        r.seed = 4;
        r.incidentEnergy.assign(60, 20.0);
        const double gen20 = meanVisible(m_generator->sample(r).showers);
        r.incidentEnergy.assign(60, 80.0);
        const double gen80 = meanVisible(m_generator->sample(r).showers);
        const double sim20 = meanVisible(simulated(200, 7, 20, 20)), sim80 = meanVisible(simulated(200, 8, 80, 80));
        QVERIFY2(std::abs(gen20 / sim20 - 1) < 0.1, qPrintable(QString("%1 vs %2 MeV").arg(gen20).arg(sim20)));
        QVERIFY2(std::abs(gen80 / sim80 - 1) < 0.1, qPrintable(QString("%1 vs %2 MeV").arg(gen80).arg(sim80)));
        QVERIFY(std::abs((gen80 / gen20) / (sim80 / sim20) - 1) < 0.1);
    }

    void badRequests()
    {
        ShowerSampleRequest r;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r)); // no energies
        r.incidentEnergy = { std::nan("") };
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r));
        r.incidentEnergy = { -5 };
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r));
        r.incidentEnergy = { 50, 250 };
        const QString message = hepgen::test::errorOf([&] { m_generator->sample(r); });
        QVERIFY2(message.contains("outside the trained range"), qPrintable(message));
        r.allowExtrapolation = true;
        const auto out = m_generator->sample(r);
        QCOMPARE(out.warnings.size(), std::size_t(1));
        QCOMPARE(out.showers.size(), std::size_t(2));
        r.incidentEnergy = { 50 };
        r.sampler = "ddpm";
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r));
        r.sampler = "consistency"; // not distilled
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r));
        r.sampler = "";
        r.trajectoryOf = { 1 };
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r));
        r.trajectoryOf = {};
        r.steps = -2;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m_generator->sample(r));
        r.steps = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, m_generator->sample(r, JobControl({}, [] { return true; })));
    }

    void badTrainingData()
    {
        QTemporaryDir dir;
        const auto cfg = ShowerGeneratorConfig::read(tinyConfig());
        const std::string out = dir.filePath("x").toStdString();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ShowerGenerator::train(Showers {}, cfg, out));
        auto s = simulated(20, 2);
        s.incidentEnergy[3] = std::nanf("");
        QVERIFY(hepgen::test::errorOf([&] { ShowerGenerator::train(s, cfg, out); }).contains("Shower 3"));
        s = simulated(20, 2);
        s.points[7] = std::nanf(""); // a hit energy
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ShowerGenerator::train(s, cfg, out));
        s = simulated(20, 2);
        s.offsets.pop_back();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ShowerGenerator::train(s, cfg, out));
        s = simulated(5, 2);
        QVERIFY(hepgen::test::errorOf([&] { ShowerGenerator::train(s, cfg, out); }).contains("at least 10"));
        s = simulated(20, 2);
        QVERIFY_THROWS_EXCEPTION(
            hepgen::Cancelled, ShowerGenerator::train(s, cfg, out, JobControl({}, [] { return true; })));
    }

    void badRunDirectories()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, ShowerGenerator::load(dir.filePath("none").toStdString()));
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, ShowerGenerator::load(dir.path().toStdString()));
        std::ofstream(dir.filePath("config.json").toStdString()) << "{\"family\": \"flow-rqs\"}";
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, ShowerGenerator::load(dir.path().toStdString()));
        std::ofstream(dir.filePath("config.json").toStdString()) << "{ not json";
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, ShowerGenerator::load(dir.path().toStdString()));
        std::ofstream(dir.filePath("config.json").toStdString())
            << json { { "kind", "hepgen-shower-generator" }, { "version", 1 } }.dump();
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, ShowerGenerator::load(dir.path().toStdString()));
        // A run read as one without core hits (as runs from before them are) whose flow has the core block: its
        // stages do not fit.
        namespace fs = std::filesystem;
        const fs::path copy = fs::path(dir.path().toStdString()) / "copy";
        fs::copy(m_run, copy, fs::copy_options::recursive);
        json config;
        std::ifstream(copy / "config.json") >> config;
        for (const char* key : { "near_shares", "core_hits" }) { // as from before session 15, before session 14
            config.erase(key);
            std::ofstream(copy / "config.json") << config.dump();
            const QString message = hepgen::test::errorOf([&] { ShowerGenerator::load(copy.string()); });
            QVERIFY2(message.contains("do not fit its layout"), qPrintable(message));
        }
    }

    void distillationAddsAOneStepSampler()
    {
        QTemporaryDir dir;
        const std::string run = dir.filePath("run").toStdString();
        std::filesystem::copy(m_run, run, std::filesystem::copy_options::recursive);
        auto g = ShowerGenerator::load(run);
        std::vector<ShowerEpoch> epochs;
        g->distill(m_training, json::object(), {}, [&](const ShowerEpoch& e) { epochs.push_back(e); });
        QCOMPARE(epochs.size(), std::size_t(1));
        QCOMPARE(epochs.front().stage, std::string("student"));
        QCOMPARE(g->samplers(), (std::vector<std::string> { "edm-heun", "consistency" }));
        ShowerSampleRequest r;
        r.incidentEnergy = { 25, 75 };
        r.sampler = "consistency";
        r.trajectoryOf = { 1 };
        const auto out = g->sample(r);
        const auto& t = out.trajectories.front();
        QCOMPARE(t.times, (std::vector<double> { 80.0, 0.0, 0.0 })); // noise, the jump's shower, post-processed
        QCOMPARE(t.timeName, std::string("sigma"));
        const auto reloaded = ShowerGenerator::load(run);
        QVERIFY(reloaded->config().at("distilled").get<bool>());
        QVERIFY(sameShowers(reloaded->sample(r).showers, out.showers));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, g->distill(m_training, { { "trainer", { { "epoch", 1 } } } }));
    }

    void depthAlongY()
    {
        // CaloClouds-like showers: no geometry, depth along y. The generator finds the layers on y and generates
        // showers whose y values are those layers, with continuous x and z.
        Showers s = simulated(60, 12);
        s.geometry = {};
        for (std::size_t k = 0; k < s.points.size(); k += 4)
            std::swap(s.points[k + 1], s.points[k + 2]);
        QTemporaryDir dir;
        json cfg = tinyConfig();
        cfg["flow"]["trainer"]["epochs"] = 2;
        cfg["points"]["trainer"]["epochs"] = 1;
        auto g = ShowerGenerator::train(s, ShowerGeneratorConfig::read(cfg), dir.filePath("y").toStdString());
        QCOMPARE(g->config().at("layout").at("depth_axis"), json("y"));
        QCOMPARE(g->config().at("core_hits"), json(false)); // continuous lateral positions: no core cell
        cfg["layout"]["core_hits"] = "yes";
        const QString message = hepgen::test::errorOf(
            [&] { ShowerGenerator::train(s, ShowerGeneratorConfig::read(cfg), dir.filePath("y2").toStdString()); });
        QVERIFY2(message.contains("cell grid"), qPrintable(message));
        ShowerSampleRequest r;
        r.incidentEnergy = { 50 };
        const auto out = g->sample(r);
        const auto layout = inferLayout(s);
        for (std::size_t k = 0; k < out.showers.points.size(); k += 4)
            QCOMPARE(out.showers.points[k + 1],
                static_cast<float>(layout.layers[layout.layerOf(out.showers.points[k + 1])]));
    }
};

QTEST_GUILESS_MAIN(TestShowerGenerator)
#include "test_shower_generator.moc"
