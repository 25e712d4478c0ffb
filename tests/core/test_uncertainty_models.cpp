// Uncertainty in the model core: deep ensembles of any family (config and checkpoint round trips, independent members,
// mixture samples, zero spread for equal members), variational Bayesian layers (KL and its gradient against the closed
// form, weight modes), the flow-matching log-density against an analytic case, and the acceptance test of the model
// lab: the predictive spread (std over members / posterior draws of the log-density) is at least 3x larger off the
// training support than on it, for ensembles of flow-rqs and cfm and for bayes-cfm.
#include "core/data/Toy2D.h"
#include "core/models/BayesianLayers.h"
#include "core/models/EnsembleModel.h"
#include "core/models/FlowMatchingModel.h"
#include "core/models/GenerativeModel.h"
#include "core/models/ModelSupport.h"
#include "core/samplers/FlowMatching.h"
#include "core/training/Trainer.h"
#include "core/util/Error.h"

#include "TensorTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hepgen::models;
using namespace hepgen::training;
using json = nlohmann::json;

namespace {

json tinyConfig(const std::string& family)
{
    if (family == "flow-rqs")
        return { { "layers", 4 }, { "hidden", { 32, 32 } }, { "bins", 6 }, { "lr", 5e-3 } };
    return { { "hidden", { 32, 32 } }, { "sample_steps", 8 } };
}

SampleOptions seeded(uint64_t seed, bool record = false)
{
    SampleOptions o;
    o.seed = seed;
    o.recordTrajectory = record;
    return o;
}

// Two moons (x, y within about [-2, 2]) as a float tensor.
torch::Tensor moons(std::size_t n, uint64_t seed)
{
    const auto t = hepgen::data::generateToy2D(hepgen::data::Toy2DShape::Moons, n, seed);
    return torch::from_blob(const_cast<float*>(t.values.data()), { static_cast<int64_t>(n), 2 }, torch::kFloat32)
        .clone();
}

// Points on the circle of radius r: far outside the moons, which stay within radius ~2.5.
torch::Tensor ring(int64_t n, double r)
{
    const auto phi = torch::arange(n, torch::kFloat32) * (2 * M_PI / static_cast<double>(n));
    return torch::stack({ r * torch::cos(phi), r * torch::sin(phi) }, 1);
}

void fitModel(GenerativeModel& m, const torch::Tensor& x, int64_t epochs, int64_t batch)
{
    TrainerConfig tc;
    tc.epochs = epochs;
    tc.batchSize = batch;
    tc.validationFraction = 0;
    Trainer trainer(m, tc);
    trainer.fit({ x, {}, {} }, {});
}

// The predictive spread: the standard deviation over draws of log p_k(x); median over points.
double medianSpread(GenerativeModel& m, const torch::Tensor& x)
{
    torch::NoGradGuard noGrad;
    return m.logDensityDraws(x, {}).std(0).median().item<double>();
}

} // namespace

class TestUncertaintyModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void ensembleConfigRoundTrip_data()
    {
        QTest::addColumn<QString>("family");
        for (const char* f : { "flow-rqs", "cfm", "gan", "bayes-cfm" })
            QTest::newRow(f) << QString(f);
    }
    void ensembleConfigRoundTrip()
    {
        const std::string family = QString(QTest::currentDataTag()).toStdString();
        json c = family == "gan" ? json::object() : tinyConfig(family);
        c["ensemble"] = 3;
        auto m = makeModel(family, { 2, 0 }, c);
        auto* e = dynamic_cast<EnsembleModel*>(m.get());
        QVERIFY(e);
        QCOMPARE(e->size(), std::size_t(3));
        QCOMPARE(m->family(), family);
        QCOMPARE(m->uncertaintyDraws(), int64_t(3));
        QCOMPARE(m->config().at("ensemble"), json(3));
        QCOMPARE(m->config().at("ensemble_bootstrap"), json(true));
        QCOMPARE(makeModel(family, { 2, 0 }, m->config())->config(), m->config());
        // members' parameters, optimisers and modules are concatenated
        QCOMPARE(m->parameters().size(), 3 * e->member(0).parameters().size());
        QCOMPARE(m->optimizers().size(), 3 * e->member(0).optimizers().size());
        QCOMPARE(m->modules().size(), 3 * e->member(0).modules().size());
        // "ensemble": 1 is the plain family; bad values are errors naming the key
        c["ensemble"] = 1;
        QVERIFY(!dynamic_cast<EnsembleModel*>(makeModel(family, { 2, 0 }, c).get()));
        c["ensemble"] = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, c));
        c["ensemble"] = "five";
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, c));
    }

    void ensembleMembersDifferAndSampleAMixture()
    {
        torch::manual_seed(3);
        json c = tinyConfig("cfm");
        c["ensemble"] = 3;
        auto m = makeModel("cfm", { 2, 0 }, c);
        auto& e = dynamic_cast<EnsembleModel&>(*m);
        QVERIFY(!hepgen::test::sameTensors(e.member(0).parameters(), e.member(1).parameters()));
        const auto data = moons(512, 1);
        const auto before = hepgen::test::copies(m->parameters());
        m->trainStep({ data, {}, {} }, 1.0);
        const auto after = m->parameters();
        for (std::size_t i = 0; i < after.size(); ++i)
            QVERIFY2(!torch::equal(before[i], after[i]), "every member takes a step");

        m->train(false);
        const auto out = m->sample(200, {}, seeded(7, true));
        QCOMPARE(out.samples.sizes().vec(), (std::vector<int64_t> { 200, 2 }));
        QCOMPARE(out.spread.sizes().vec(), (std::vector<int64_t> { 200, 2 }));
        QVERIFY((out.spread > 0).all().item<bool>());
        // every event is the same-seed sample of one member, and every member contributes
        std::vector<torch::Tensor> members;
        for (std::size_t k = 0; k < e.size(); ++k)
            members.push_back(e.member(k).sample(200, {}, seeded(7)).samples);
        std::vector<int> used(e.size(), 0);
        for (int64_t i = 0; i < 200; ++i) {
            int match = -1;
            for (std::size_t k = 0; k < members.size(); ++k)
                if (torch::equal(members[k][i], out.samples[i]))
                    match = static_cast<int>(k);
            QVERIFY2(match >= 0, "a mixture sample is one member's sample");
            ++used[static_cast<std::size_t>(match)];
        }
        for (int u : used)
            QVERIFY(u > 30);
        // spread: the std over members of their same-noise samples
        QVERIFY(torch::allclose(out.spread, torch::stack(members).std(0)));
        // the trajectory follows each event's member and ends at the sample
        QCOMPARE(out.trajectory.size(), std::size_t(9));
        QVERIFY(torch::equal(out.trajectory.xt.back(), out.samples));
        QVERIFY(torch::equal(
            out.trajectory.xt.front(), e.member(0).sample(200, {}, seeded(7, true)).trajectory.xt.front()));
    }

    void equalMembersHaveZeroSpread_data()
    {
        QTest::addColumn<QString>("family");
        QTest::newRow("flow-rqs") << QString("flow-rqs");
        QTest::newRow("cfm") << QString("cfm");
    }
    void equalMembersHaveZeroSpread()
    {
        const std::string family = QString(QTest::currentDataTag()).toStdString();
        json c = tinyConfig(family);
        c["ensemble"] = 2;
        auto m = makeModel(family, { 2, 0 }, c);
        auto& e = dynamic_cast<EnsembleModel&>(*m);
        const auto from = e.member(0).modules(), to = e.member(1).modules();
        for (std::size_t i = 0; i < from.size(); ++i)
            support::copyModuleState(*from[i], *to[i]);
        m->train(false);
        const auto out = m->sample(50, {}, seeded(2));
        QCOMPARE(out.spread.abs().max().item<double>(), 0.0);
        const auto x = moons(64, 4);
        const auto draws = m->logDensityDraws(x, {});
        QCOMPARE(draws.sizes().vec(), (std::vector<int64_t> { 2, 64 }));
        QVERIFY(torch::equal(draws[0], draws[1]));
        QVERIFY(torch::allclose(m->logDensity(x, {}), e.member(0).logDensity(x, {}), 1e-5, 1e-5));
    }

    void ensembleCheckpointRoundTrip()
    {
        torch::manual_seed(5);
        json c = tinyConfig("flow-rqs");
        c["ensemble"] = 3;
        auto m = makeModel("flow-rqs", { 2, 0 }, c);
        TrainerConfig tc;
        tc.epochs = 2;
        tc.batchSize = 128;
        tc.emaDecay = 0.9;
        tc.schedule = "constant"; // the raw steps below run outside the Trainer's schedule
        Trainer trainer(*m, tc);
        const auto data = moons(512, 2);
        trainer.fit({ data, {}, {} }, {});
        QTemporaryDir dir;
        trainer.saveCheckpoint(dir.path().toStdString());
        const RunConfig rc = readRunConfig(dir.path().toStdString());
        QCOMPARE(rc.family, std::string("flow-rqs"));
        QCOMPARE(rc.model.at("ensemble"), json(3));
        auto restored = makeModel(rc.family, rc.shape, rc.model);
        Trainer other(*restored, rc.trainer);
        other.loadCheckpoint(dir.path().toStdString());
        QVERIFY(hepgen::test::sameTensors(m->parameters(), restored->parameters()));
        // optimiser state too: one more identical step keeps them identical
        torch::manual_seed(9);
        m->trainStep({ data.slice(0, 0, 128), {}, {} }, 1.0);
        torch::manual_seed(9);
        restored->trainStep({ data.slice(0, 0, 128), {}, {} }, 1.0);
        QVERIFY(hepgen::test::sameTensors(m->parameters(), restored->parameters()));
        m->train(false);
        restored->train(false);
        trainer.withEmaWeights([&] {
            other.withEmaWeights([&] {
                QVERIFY(
                    torch::equal(m->sample(20, {}, seeded(3)).samples, restored->sample(20, {}, seeded(3)).samples));
            });
        });
    }

    void bayesLinearKlIsTheClosedForm()
    {
        torch::manual_seed(2);
        BayesLinear layer(BayesLinearOptions(3, 2).priorStd(0.7).initialSigma(0.05));
        {
            torch::NoGradGuard g;
            layer->weightRho.normal_(-2.0, 0.5);
            layer->biasRho.normal_(-1.0, 0.5);
        }
        // Closed form, in double: sum ln(p / s) + (s^2 + mu^2) / (2 p^2) - 1/2 with s = ln(1 + e^rho).
        const double p = 0.7;
        double expected = 0;
        std::vector<std::pair<torch::Tensor, torch::Tensor>> groups { { layer->weightMu, layer->weightRho },
            { layer->biasMu, layer->biasRho } };
        for (const auto& [mu, rho] : groups) {
            const auto m = mu.detach().to(torch::kDouble).flatten(), r = rho.detach().to(torch::kDouble).flatten();
            for (int64_t i = 0; i < m.numel(); ++i) {
                const double s = std::log1p(std::exp(r[i].item<double>())), u = m[i].item<double>();
                expected += std::log(p / s) + (s * s + u * u) / (2 * p * p) - 0.5;
            }
        }
        const auto kl = layer->kl();
        QVERIFY(std::abs(kl.item<double>() - expected) < 1e-4 * std::abs(expected));
        // Gradient: dKL/dmu = mu / p^2, dKL/drho = (-1/s + s/p^2) * sigmoid(rho).
        kl.backward();
        const auto s = torch::nn::functional::softplus(layer->weightRho.detach());
        QVERIFY(torch::allclose(layer->weightMu.grad(), layer->weightMu.detach() / (p * p), 1e-4, 1e-6));
        QVERIFY(torch::allclose(
            layer->weightRho.grad(), (-1 / s + s / (p * p)) * torch::sigmoid(layer->weightRho.detach()), 1e-4, 1e-6));
        // KL vanishes exactly at the prior
        BayesLinear atPrior(BayesLinearOptions(4, 4).priorStd(0.5).initialSigma(0.5));
        {
            torch::NoGradGuard g;
            atPrior->weightMu.zero_();
            atPrior->biasMu.zero_();
        }
        QVERIFY(std::abs(atPrior->kl().item<double>()) < 1e-5);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, BayesLinear(BayesLinearOptions(2, 2).priorStd(0)));
    }

    void bayesLinearWeightModes()
    {
        torch::manual_seed(4);
        BayesLinear layer(BayesLinearOptions(3, 5).initialSigma(0.3));
        const auto x = torch::randn({ 7, 3 });
        layer->setMode(WeightMode::Mean);
        QVERIFY(torch::allclose(layer->forward(x), torch::nn::functional::linear(x, layer->weightMu, layer->biasMu)));
        layer->setMode(WeightMode::Sample);
        QVERIFY(!torch::allclose(layer->forward(x), layer->forward(x))); // a fresh draw per call
        auto g1 = at::detail::createCPUGenerator(11), g2 = at::detail::createCPUGenerator(11);
        layer->drawWeights(g1);
        const auto a = layer->forward(x);
        QVERIFY(torch::equal(a, layer->forward(x))); // a fixed draw stays fixed
        layer->drawWeights(g2);
        QVERIFY(torch::equal(a, layer->forward(x))); // and is reproducible by its generator
        // Empirical weight distribution of the samples: mean mu, std sigma
        layer->setMode(WeightMode::Sample);
        const auto e = torch::zeros({ 1, 3 }).index_put_({ 0, 0 }, 1.0); // picks column 0 of W (plus b)
        std::vector<torch::Tensor> outs;
        for (int i = 0; i < 4000; ++i)
            outs.push_back(layer->forward(e));
        const auto y = torch::cat(outs).detach(); // e W^T + b = w_0 + b: mean mu_w0 + mu_b, var s_w0^2 + s_b^2
        const auto mean = layer->weightMu.detach().select(1, 0) + layer->biasMu.detach();
        const auto var = layer->weightSigma().detach().select(1, 0).pow(2) + layer->biasSigma().detach().pow(2);
        QVERIFY(torch::allclose(y.mean(0), mean, 0, 0.05));
        QVERIFY(torch::allclose(y.var(0), var, 0.1, 0));
    }

    void bayesianMlpHasKlAndFixedDraws()
    {
        torch::manual_seed(6);
        Mlp net(MlpOptions(2, 2).hidden({ 8, 8 }).timeEmbedding(4).residual(true).bayesian(true).initialSigma(0.1));
        Mlp plain(MlpOptions(2, 2).hidden({ 8, 8 }).timeEmbedding(4).residual(true));
        QVERIFY(net->kl().item<double>() > 0);
        QCOMPARE(plain->kl().item<double>(), 0.0);
        QCOMPARE(net->parameters().size(), 2 * plain->parameters().size()); // mu and rho per tensor
        const auto x = torch::randn({ 5, 2 }), t = torch::rand({ 5 });
        net->drawWeights();
        QVERIFY(torch::equal(net->forward(x, t), net->forward(x, t)));
        net->setWeightMode(WeightMode::Sample);
        QVERIFY(!torch::equal(net->forward(x, t), net->forward(x, t)));
    }

    void bayesCfmDrawsAndKlScaling()
    {
        torch::manual_seed(7);
        auto m = makeModel("bayes-cfm", { 2, 0 },
            { { "hidden", { 16, 16 } }, { "draws", 4 }, { "initial_sigma", 0.1 }, { "sample_steps", 6 } });
        QCOMPARE(m->uncertaintyDraws(), int64_t(4));
        const Batch batch { moons(128, 3), {}, {} };
        // the KL term is KL(q || p) / N_train per event, N_train from the Trainer's setTrainingSize()
        m->setTrainingSize(100);
        const double kl100 = m->evaluate(batch).terms.at("kl");
        m->setTrainingSize(1000);
        const double kl1000 = m->evaluate(batch).terms.at("kl");
        QVERIFY(kl100 > 0);
        QVERIFY(std::abs(kl100 / kl1000 - 10.0) < 1e-6);
        QCOMPARE(m->evaluate(batch).loss, m->evaluate(batch).loss); // validation draws fixed weights
        m->train(false);
        const auto out = m->sample(100, {}, seeded(4, true));
        QCOMPARE(out.spread.sizes().vec(), (std::vector<int64_t> { 100, 2 }));
        QVERIFY((out.spread > 0).all().item<bool>());
        QVERIFY(torch::equal(out.trajectory.xt.back(), out.samples));
        const auto x = moons(32, 5);
        const auto draws = m->logDensityDraws(x, {});
        QCOMPARE(draws.sizes().vec(), (std::vector<int64_t> { 4, 32 }));
        QVERIFY(!torch::allclose(draws[0], draws[1]));
        QVERIFY(torch::allclose(m->logDensityDraws(x, {}), draws)); // the same posterior draws every call
        QVERIFY(torch::allclose(m->logDensity(x, {}), torch::logsumexp(draws, 0) - std::log(4.0), 1e-5, 1e-5));
        QCOMPARE(m->logDensityDraws(x, {}, 2).size(0), int64_t(2));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel("bayes-cfm", { 2, 0 }, { { "draws", 1 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel("cfm", { 2, 0 }, { { "draws", 4 } }));
    }

    void flowLogDensityMatchesAGaussian_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("steps");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("rk4/20") << int(hepgen::samplers::OdeMethod::Rk4) << 20 << 1e-3;
        QTest::newRow("heun/50") << int(hepgen::samplers::OdeMethod::Heun) << 50 << 1e-2;
    }
    void flowLogDensityMatchesAGaussian()
    {
        QFETCH(int, method);
        QFETCH(int, steps);
        QFETCH(double, tolerance);
        // Data x0 ~ N(m, diag(s^2)); on the path x_t = (1 - t) x0 + t eps the exact velocity E[eps - x0 | x_t] is
        // linear: with v_t = (1-t)^2 s^2 + t^2 and r = x - (1-t) m, E[x0 | x] = m + (1-t) s^2 r / v_t and
        // E[eps | x] = t r / v_t. Its flow carries N(0, I) at t = 1 exactly to the data density at t = 0.
        const auto m = torch::tensor({ 1.0, -0.5 }, torch::kDouble), s = torch::tensor({ 0.5, 1.5 }, torch::kDouble);
        const hepgen::samplers::VelocityFn v = [&](const torch::Tensor& x, const torch::Tensor& t) {
            const auto tt = t.reshape({ -1, 1 });
            const auto vt = (1 - tt).pow(2) * s.pow(2) + tt.pow(2);
            const auto r = x - (1 - tt) * m;
            return tt * r / vt - (m + (1 - tt) * s.pow(2) * r / vt);
        };
        torch::manual_seed(1);
        const auto x = torch::randn({ 200, 2 }, torch::kDouble) * s * 1.5 + m;
        const auto logp
            = hepgen::samplers::flowLogDensity(v, x, static_cast<hepgen::samplers::OdeMethod>(method), steps);
        const auto exact = (-0.5 * ((x - m) / s).pow(2) - s.log() - 0.5 * std::log(2 * M_PI)).sum(1);
        const double err = (logp - exact).abs().max().item<double>();
        qInfo("max |log p - exact| = %.2e", err);
        QVERIFY2(err < tolerance, qPrintable(QString::number(err)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError,
            hepgen::samplers::flowLogDensity(v, torch::zeros({ 3 }), hepgen::samplers::OdeMethod::Rk4, 4));
    }

    void cfmLogDensityIsNormalisedAndFits()
    {
        // A cfm fitted to a 2D Gaussian: its density integrates to one on a grid and is close to the truth.
        torch::manual_seed(8);
        auto m = makeModel("cfm", { 2, 0 }, { { "hidden", { 64, 64 } }, { "sampler", "rk4" }, { "sample_steps", 10 } });
        QVERIFY(m->hasLogDensity());
        const auto mean = torch::tensor({ 0.5, -0.3 }), sd = torch::tensor({ 0.8, 0.5 });
        auto data = [&](int64_t n) { return torch::randn({ n, 2 }) * sd + mean; };
        fitModel(*m, data(8192), 12, 256);
        m->train(false);
        const auto axis = torch::linspace(-4, 4, 81);
        const auto grid = torch::stack(torch::meshgrid({ axis, axis }, "ij"), -1).reshape({ -1, 2 });
        const double mass = m->logDensity(grid, {}).exp().sum().item<double>() * 0.1 * 0.1;
        const auto test = data(500);
        const auto exact = (-0.5 * ((test - mean) / sd).pow(2) - sd.log() - 0.5 * std::log(2 * M_PI)).sum(1);
        const double err = (m->logDensity(test, {}) - exact).abs().mean().item<double>();
        qInfo("cfm: mass on [-4, 4]^2 %.4f, mean |log p - exact| %.3f nats", mass, err);
        QVERIFY2(std::abs(mass - 1) < 0.03, qPrintable(QString::number(mass)));
        // a short fit (192 steps): measured 0.13 nats; the integrator itself is exact to 1e-5 (test above)
        QVERIFY2(err < 0.2, qPrintable(QString::number(err)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m->logDensityDraws(test, {}));
    }

    void spreadIsLargerOffSupport_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<int>("members");
        QTest::addColumn<int>("epochs");
        QTest::newRow("flow-rqs x5") << QString("flow-rqs") << 5 << 6;
        QTest::newRow("cfm x5") << QString("cfm") << 5 << 6;
        // the posterior widths start small (initial_sigma) and grow under the KL term: a longer (but single) fit
        QTest::newRow("bayes-cfm") << QString("bayes-cfm") << 1 << 15;
    }
    void spreadIsLargerOffSupport()
    {
        QFETCH(QString, family);
        QFETCH(int, members);
        QFETCH(int, epochs);
        const std::string f = family.toStdString();
        json c = f == "flow-rqs" ? tinyConfig(f)
                                 : json { { "hidden", { 64, 64 } }, { "sampler", "rk4" }, { "sample_steps", 10 } };
        if (members > 1)
            c["ensemble"] = members;
        torch::manual_seed(12);
        auto m = makeModel(f, { 2, 0 }, c);
        QVERIFY(m->uncertaintyDraws() >= 5);
        QElapsedTimer timer;
        timer.start();
        fitModel(*m, moons(8192, 21), epochs, 256);
        const double seconds = timer.elapsed() / 1000.0;
        m->train(false);
        const double on = medianSpread(*m, moons(300, 22));
        const double off = medianSpread(*m, ring(300, 4.0));
        qInfo("%s: training %.1f s; median std of log p over draws: on support %.3f, off support %.3f, ratio %.1f",
            qPrintable(QTest::currentDataTag()), seconds, on, off, off / on);
        QVERIFY2(off >= 3 * on, qPrintable(QString("on %1, off %2").arg(on).arg(off)));
        // The sample spread too: same-noise samples of the members / weight draws agree less far from the data.
        const auto out = m->sample(2000, {}, seeded(5));
        const auto spread = out.spread.norm(2, 1);
        const auto r = out.samples.norm(2, 1);
        const auto inner = spread.index({ r < 2.0 }), outer = spread.index({ r > 3.0 });
        if (outer.numel() >= 5)
            qInfo("sample spread: %lld samples with |x| < 2: median %.3f; %lld with |x| > 3: median %.3f",
                static_cast<long long>(inner.numel()), inner.median().item<double>(),
                static_cast<long long>(outer.numel()), outer.median().item<double>());
    }
};

QTEST_GUILESS_MAIN(TestUncertaintyModels)
#include "test_uncertainty_models.moc"
