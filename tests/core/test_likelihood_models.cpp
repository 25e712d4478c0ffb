// The likelihood families (flow-affine, flow-rqs, maf-affine, maf-rqs) and the VAE behind the
// GenerativeModel interface: configs round-trip and reject unknown keys and bad values, training
// lowers the loss on a 2D Gaussian, samples are seed-reproducible, clones are independent (and
// continue training exactly like the original), contexts condition the samples, per-event weights
// enter as a weighted mean; flows: logDensity == -loss per event and matches a known density after
// a short fit; VAE: the KL term is the closed form and beta = 0 switches it off.
#include "core/models/FlowModel.h"
#include "core/models/GenerativeModel.h"
#include "core/models/VaeModel.h"
#include "core/util/Error.h"

#include "TensorTestSupport.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::models;

namespace {

// x = mean + L z, z ~ N(0, I): a correlated 2D Gaussian with a known density.
const double kMean[2] = { 1.0, -0.5 };
const double kL[2][2] = { { 0.6, 0.0 }, { 0.3, 0.8 } };

torch::Tensor gaussianToy(int64_t n, uint64_t seed)
{
    auto gen = at::detail::createCPUGenerator(seed);
    const auto z = torch::randn({ n, 2 }, gen, torch::kFloat32);
    const auto L = torch::tensor({ kL[0][0], kL[0][1], kL[1][0], kL[1][1] }).reshape({ 2, 2 }).to(torch::kFloat32);
    return z.matmul(L.t()) + torch::tensor({ kMean[0], kMean[1] }).to(torch::kFloat32);
}

// Exact log N(x; mean, L L^T) for rows of x (double).
torch::Tensor gaussianLogPdf(const torch::Tensor& x)
{
    const auto xd = x.to(torch::kDouble) - torch::tensor({ kMean[0], kMean[1] }, torch::kDouble);
    // Solve L u = x - mean (lower triangular).
    const auto u0 = xd.select(1, 0) / kL[0][0];
    const auto u1 = (xd.select(1, 1) - kL[1][0] * u0) / kL[1][1];
    const double logDetL = std::log(kL[0][0] * kL[1][1]);
    return -0.5 * (u0 * u0 + u1 * u1) - logDetL - std::log(2 * M_PI);
}

// Tiny networks and a high rate: each test trains a few hundred steps in well under a second.
nlohmann::json tinyConfig(const std::string& family)
{
    if (family == "vae")
        return { { "latent_dim", 2 }, { "hidden", { 32, 32 } }, { "lr", 5e-3 } };
    nlohmann::json c { { "layers", 4 }, { "hidden", { 32, 32 } }, { "lr", 5e-3 } };
    if (family == "flow-rqs" || family == "maf-rqs")
        c["bins"] = 6;
    return c;
}

void addFamilies(bool flowsOnly = false)
{
    QTest::addColumn<QString>("family");
    for (const char* f : { "flow-affine", "flow-rqs", "maf-affine", "maf-rqs", "vae" })
        if (!flowsOnly || std::string(f) != "vae")
            QTest::newRow(f) << QString(f);
}

std::string fetchFamily()
{
    QFETCH(QString, family);
    return family.toStdString();
}

// Adam steps on random batches; with `decay` the learning rate falls linearly to 0 (as under the
// Trainer's cosine schedule), which removes most of the step noise at the end.
double fit(GenerativeModel& model, const torch::Tensor& x, const torch::Tensor& c, int64_t steps, int64_t batch = 256,
    bool decay = false)
{
    double last = 0;
    const double base = model.optimizers().front()->param_groups().front().options().get_lr();
    for (int64_t s = 0; s < steps; ++s) {
        if (decay)
            model.optimizers().front()->param_groups().front().options().set_lr(
                base * (1.0 - static_cast<double>(s) / static_cast<double>(steps)));
        const auto idx = torch::randint(x.size(0), { batch }, torch::kLong);
        const Batch b { x.index_select(0, idx), c.defined() ? c.index_select(0, idx) : torch::Tensor(), {} };
        last = model.trainStep(b, 5.0).loss;
        if (!std::isfinite(last))
            throw std::runtime_error("non-finite loss");
    }
    return last;
}

using hepgen::test::copies;
using hepgen::test::sameTensors;

} // namespace

class TestLikelihoodModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void configRoundTrip_data() { addFamilies(); }
    void configRoundTrip()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(1);
        auto a = makeModel(family, { 2, 1 }, tinyConfig(family));
        const auto json = a->config();
        for (const char* key : { "optimizer", "lr", "weight_decay", "beta1", "beta2", "hidden" })
            QVERIFY2(json.contains(key), key);
        auto b = makeModel(family, { 2, 1 }, json);
        QCOMPARE(QString::fromStdString(b->config().dump()), QString::fromStdString(json.dump()));
        QCOMPARE(a->parameters().size(), b->parameters().size());
        for (std::size_t i = 0; i < a->parameters().size(); ++i)
            QVERIFY(a->parameters()[i].sizes() == b->parameters()[i].sizes());
        QCOMPARE(QString::fromStdString(b->family()), QString::fromStdString(family));
        QCOMPARE(b->shape().features, int64_t(2));
        QCOMPARE(b->shape().context, int64_t(1));
        // The defaults alone are a complete config too.
        auto d = makeModel(family, { 2, 0 });
        QCOMPARE(QString::fromStdString(makeModel(family, { 2, 0 }, d->config())->config().dump()),
            QString::fromStdString(d->config().dump()));
    }

    void unknownKeyRejected_data() { addFamilies(); }
    void unknownKeyRejected()
    {
        const std::string family = fetchFamily();
        try {
            makeModel(family, { 2, 0 }, { { "hiden", { 8 } } });
            QFAIL("expected a ConfigError");
        } catch (const hepgen::ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("hiden"), e.what());
        }
        // Keys of another kind are unknown too (splines have no affine_scale, affine flows no bins).
        const char* foreign
            = family == "vae" ? "layers" : (family.find("rqs") != std::string::npos ? "affine_scale" : "bins");
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { foreign, 1 } }));
    }

    void badValueRejected_data() { addFamilies(); }
    void badValueRejected()
    {
        const std::string family = fetchFamily();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "lr", -1.0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "hidden", { 16, 0 } } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "hidden", "wide" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "optimizer", "sgd" } }));
        if (family == "vae") {
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "beta", -0.5 } }));
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "sigma", 0.0 } }));
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "latent_dim", 0 } }));
        } else {
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "layers", 0 } }));
            QVERIFY_THROWS_EXCEPTION(
                hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "permutation", "shuffle" } }));
        }
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel("flow-nonsense", { 2, 0 }));
    }

    void trainingLowersTheLoss_data() { addFamilies(); }
    void trainingLowersTheLoss()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(2);
        auto model = makeModel(family, { 2, 0 }, tinyConfig(family));
        const auto x = gaussianToy(4096, 3);
        const Batch all { x, {}, {} };
        const double before = model->evaluate(all).loss;
        fit(*model, x, {}, 150);
        const auto after = model->evaluate(all);
        QVERIFY(std::isfinite(before) && std::isfinite(after.loss));
        // The entropy of the toy is log(2 pi e) + log det L = 2.533; a flow must get close to it and
        // the VAE's bound below its starting value by a margin.
        const double entropy = std::log(2 * M_PI * M_E) + std::log(kL[0][0] * kL[1][1]);
        qInfo("%s: loss %.3f -> %.3f (entropy %.3f)", family.c_str(), before, after.loss, entropy);
        QVERIFY2(after.loss < before - 0.5, qPrintable(QString("%1 -> %2").arg(before).arg(after.loss)));
        if (family != "vae")
            QVERIFY2(after.loss < entropy + 0.1, qPrintable(QString::number(after.loss)));
        else
            QVERIFY(after.terms.count("reconstruction") && after.terms.count("kl"));
    }

    void samplesHaveTheShapeAndFollowTheSeed_data() { addFamilies(); }
    void samplesHaveTheShapeAndFollowTheSeed()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(4);
        auto model = makeModel(family, { 2, 0 }, tinyConfig(family));
        SampleOptions o;
        o.seed = 7;
        const auto a = model->sample(100, {}, o).samples;
        torch::manual_seed(99); // the seeded draw does not depend on the global generator
        const auto b = model->sample(100, {}, o).samples;
        o.seed = 8;
        const auto c = model->sample(100, {}, o).samples;
        QVERIFY(a.sizes() == torch::IntArrayRef({ 100, 2 }));
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, c));
        QVERIFY(!a.requires_grad());
        QCOMPARE(model->sample(0, {}, {}).samples.size(0), int64_t(0));
        // An unconditional model refuses a context.
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(10, torch::zeros({ 10, 1 }), {}));
        // Cancellation before the pass.
        SampleOptions stop;
        stop.shouldStop = [] { return true; };
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, model->sample(10, {}, stop));
    }

    void flowTrajectoryEndsAtTheSample_data() { addFamilies(true); }
    void flowTrajectoryEndsAtTheSample()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(5);
        auto model = makeModel(family, { 2, 0 }, tinyConfig(family));
        fit(*model, gaussianToy(1024, 5), {}, 20);
        SampleOptions o;
        o.seed = 3;
        const auto plain = model->sample(50, {}, o).samples;
        o.recordTrajectory = true;
        const auto out = model->sample(50, {}, o);
        QVERIFY(out.trajectory.size() >= 5);
        QCOMPARE(out.trajectory.times.front(), 1.0);
        QCOMPARE(out.trajectory.times.back(), 0.0);
        QVERIFY(torch::allclose(out.samples, plain, 1e-5, 1e-5));
        QVERIFY(torch::equal(out.trajectory.xt.back(), out.samples));
        QCOMPARE(out.trajectory.x0Pred.size(), out.trajectory.xt.size());
    }

    void cloneIsIndependent_data() { addFamilies(); }
    void cloneIsIndependent()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(6);
        auto model = makeModel(family, { 2, 0 }, tinyConfig(family));
        const auto x = gaussianToy(512, 6);
        fit(*model, x, {}, 5); // non-trivial optimiser state
        auto copy = model->clone();
        QVERIFY(sameTensors(model->parameters(), copy->parameters()));
        QCOMPARE(QString::fromStdString(copy->config().dump()), QString::fromStdString(model->config().dump()));
        // The clone continues exactly as the original would (weights and Adam moments were copied)...
        const Batch b { x.slice(0, 0, 256), {}, {} };
        const auto before = copies(model->parameters());
        torch::manual_seed(10);
        copy->trainStep(b, 5.0);
        QVERIFY(sameTensors(model->parameters(), before)); // ...without touching the original
        auto twin = model->clone();
        torch::manual_seed(10);
        model->trainStep(b, 5.0);
        QVERIFY(sameTensors(model->parameters(), copy->parameters()));
        QVERIFY(!sameTensors(model->parameters(), before));
        // Training the original further leaves the second clone alone.
        QVERIFY(sameTensors(twin->parameters(), before));
    }

    void contextConditionsTheSamples_data() { addFamilies(); }
    void contextConditionsTheSamples()
    {
        // x ~ N(c, 0.1^2), c ~ U(-1, 1).
        const std::string family = fetchFamily();
        torch::manual_seed(7);
        nlohmann::json cfg = tinyConfig(family);
        if (family == "vae")
            cfg["latent_dim"] = 1;
        auto model = makeModel(family, { 1, 1 }, cfg);
        const auto c = torch::rand({ 4096, 1 }) * 2 - 1;
        const auto x = c + 0.1 * torch::randn({ 4096, 1 });
        fit(*model, x, c, 250);
        for (double target : { -0.5, 0.5 }) {
            SampleOptions o;
            o.seed = 1;
            const auto s = model->sample(2000, torch::full({ 1, 1 }, target), o).samples; // (1, C) broadcast
            QCOMPARE(s.size(0), int64_t(2000));
            const double mean = s.mean().item<double>(), sd = s.std().item<double>();
            qInfo("%s: c = %.1f: mean %.3f, sd %.3f", family.c_str(), target, mean, sd);
            QVERIFY2(std::abs(mean - target) < 0.1, qPrintable(QString::number(mean)));
            QVERIFY2(sd < 0.3, qPrintable(QString::number(sd))); // the data's 0.1 vs 0.58 for the context-free marginal
        }
        // A per-sample context (n, C) works too; a missing or ill-shaped one is an error.
        QCOMPARE(model->sample(3, torch::zeros({ 3, 1 }), {}).samples.size(0), int64_t(3));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(3, {}, {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(3, torch::zeros({ 2, 1 }), {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->trainStep({ x.slice(0, 0, 8), {}, {} }, 0.0));
    }

    void weightsGiveTheWeightedMean_data() { addFamilies(); }
    void weightsGiveTheWeightedMean()
    {
        // With one-hot weights evaluate() returns one event's loss l_i; with weights w it must return
        // sum w_i l_i / sum w_i. The same global seed before each call gives the VAE the same draws.
        const std::string family = fetchFamily();
        torch::manual_seed(8);
        auto model = makeModel(family, { 2, 0 }, tinyConfig(family));
        const auto x = gaussianToy(6, 8);
        const auto w = torch::tensor({ 0.5, 2.0, 0.0, 1.0, 3.0, 0.25 }, torch::kFloat32);
        double num = 0;
        for (int64_t i = 0; i < 6; ++i) {
            torch::manual_seed(11);
            const auto oneHot = torch::zeros({ 6 }).index_fill_(0, torch::tensor({ i }), 1.0);
            num += w[i].item<double>() * model->evaluate({ x, {}, oneHot }).loss;
        }
        torch::manual_seed(11);
        const double weighted = model->evaluate({ x, {}, w }).loss;
        QVERIFY2(std::abs(weighted - num / w.sum().item<double>()) < 1e-4 * (1 + std::abs(weighted)),
            qPrintable(QString("%1 vs %2").arg(weighted).arg(num / w.sum().item<double>())));
        // Unit weights are the plain mean; weights of the wrong shape are an error.
        torch::manual_seed(11);
        const double unit = model->evaluate({ x, {}, torch::ones({ 6 }) }).loss;
        torch::manual_seed(11);
        QVERIFY(std::abs(unit - model->evaluate({ x, {}, {} }).loss) < 1e-5 * (1 + std::abs(unit)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->evaluate({ x, {}, torch::ones({ 5 }) }));
        QVERIFY(std::isfinite(model->trainStep({ x, {}, w }, 1.0).loss));
    }

    void flowLogDensityIsMinusTheLoss_data() { addFamilies(true); }
    void flowLogDensityIsMinusTheLoss()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(9);
        auto model = makeModel(family, { 2, 0 }, tinyConfig(family));
        fit(*model, gaussianToy(1024, 9), {}, 10);
        QVERIFY(model->hasLogDensity());
        const auto x = gaussianToy(5, 10);
        const auto logp = model->logDensity(x, {});
        QVERIFY(logp.sizes() == torch::IntArrayRef({ 5 }));
        for (int64_t i = 0; i < 5; ++i) {
            const double loss = model->evaluate({ x.slice(0, i, i + 1), {}, {} }).loss;
            QVERIFY2(std::abs(loss + logp[i].item<double>()) < 1e-5 * (1 + std::abs(loss)),
                qPrintable(QString("%1 vs %2").arg(loss).arg(logp[i].item<double>())));
        }
        QVERIFY(std::abs(model->evaluate({ x, {}, {} }).loss + logp.mean().item<double>()) < 1e-5);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->logDensity(torch::zeros({ 3, 3 }), {}));
    }

    void flowLogDensityMatchesTheTruth_data() { addFamilies(true); }
    void flowLogDensityMatchesTheTruth()
    {
        // After a short fit to 8192 events the flow's log-density must match the true Gaussian's in
        // the bulk (Mahalanobis radius < 1.5, 68% of the mass). The maximum-likelihood Gaussian of
        // n events alone is off by O(sqrt(5/n)) ~ 0.03 in log p there; the remaining budget is for the
        // finite fit (300 steps of a tiny network, rate decaying to 0): mean |error| < 0.06, max < 0.25.
        const std::string family = fetchFamily();
        torch::manual_seed(12);
        nlohmann::json cfg = tinyConfig(family);
        cfg["layers"] = 2; // two layers can represent any 2D Gaussian (a triangular affine map)
        auto model = makeModel(family, { 2, 0 }, cfg);
        fit(*model, gaussianToy(8192, 12), {}, 300, 512, true);
        const auto probe = gaussianToy(2000, 13);
        const auto truth = gaussianLogPdf(probe);
        const double entropyShift = std::log(kL[0][0] * kL[1][1]) + std::log(2 * M_PI);
        const auto bulk = (-(truth + entropyShift) * 2).sqrt() < 1.5; // Mahalanobis radius
        torch::Tensor logp;
        {
            torch::NoGradGuard g;
            logp = model->logDensity(probe, {}).to(torch::kDouble);
        }
        const auto err = (logp - truth).abs().masked_select(bulk);
        const double meanErr = err.mean().item<double>(), maxErr = err.max().item<double>();
        qInfo("%s: bulk |log p error| mean %.4f max %.4f over %lld points", family.c_str(), meanErr, maxErr,
            static_cast<long long>(err.numel()));
        QVERIFY2(meanErr < 0.06, qPrintable(QString::number(meanErr)));
        QVERIFY2(maxErr < 0.25, qPrintable(QString::number(maxErr)));
    }

    void vaeHasNoDensity()
    {
        auto vae = makeModel("vae", { 2, 0 }, tinyConfig("vae"));
        QVERIFY(!vae->hasLogDensity());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, vae->logDensity(torch::zeros({ 3, 2 }), {}));
    }

    void vaeKlIsTheClosedForm()
    {
        // KL(N(mu, s^2) || N(0, 1)) = -log s + (s^2 + mu^2) / 2 - 1/2 per dimension.
        const auto mu = torch::tensor({ { 0.5, -1.0 }, { 0.0, 2.0 } }, torch::kDouble);
        const auto logVar = torch::tensor({ { std::log(0.25), 0.0 }, { std::log(4.0), -1.0 } }, torch::kDouble);
        const auto kl = gaussianKl(mu, logVar);
        auto perDim = [](double m, double s2) { return -0.5 * std::log(s2) + 0.5 * (s2 + m * m) - 0.5; };
        QCOMPARE(kl[0].item<double>(), perDim(0.5, 0.25) + perDim(-1.0, 1.0));
        QVERIFY(std::abs(kl[1].item<double>() - (perDim(0.0, 4.0) + perDim(2.0, std::exp(-1.0)))) < 1e-12);
        QCOMPARE(gaussianKl(torch::zeros({ 1, 3 }), torch::zeros({ 1, 3 }))[0].item<double>(), 0.0);

        // The model's "kl" term is that closed form at the encoder's (mu, log sigma^2).
        torch::manual_seed(13);
        VaeModel model({ 2, 0 }, tinyConfig("vae"));
        const auto x = gaussianToy(64, 13);
        const auto enc = model.networks()->encode(x, {});
        const double expected = gaussianKl(enc.mu, enc.logVar).mean().item<double>();
        QVERIFY(std::abs(model.evaluate({ x, {}, {} }).terms.at("kl") - expected) < 1e-5 * (1 + expected));
    }

    void vaeBetaWeightsTheKl()
    {
        const auto x = gaussianToy(64, 14);
        for (double beta : { 0.0, 2.5 }) {
            torch::manual_seed(14);
            nlohmann::json cfg = tinyConfig("vae");
            cfg["beta"] = beta;
            VaeModel model({ 2, 0 }, cfg);
            torch::manual_seed(15);
            const auto r = model.evaluate({ x, {}, {} });
            QVERIFY(r.terms.at("kl") > 0);
            QVERIFY(std::abs(r.loss - (r.terms.at("reconstruction") + beta * r.terms.at("kl"))) < 1e-5 * (1 + r.loss));
        }
        // With beta = 0 nothing pulls q(z | x) towards the prior: training drives the encoder's
        // log-variances down (a plain auto-encoder), where the KL would keep them near 0.
        torch::manual_seed(16);
        VaeModel ae({ 2, 0 }, { { "latent_dim", 2 }, { "hidden", { 32, 32 } }, { "lr", 5e-3 }, { "beta", 0.0 } });
        fit(ae, gaussianToy(2048, 16), {}, 200);
        torch::NoGradGuard g;
        const double meanLogVar = ae.networks()->encode(gaussianToy(256, 17), {}).logVar.mean().item<double>();
        QVERIFY2(meanLogVar < -1.0, qPrintable(QString::number(meanLogVar)));
    }

    void vaeSampleNoiseOption()
    {
        torch::manual_seed(18);
        auto plain = makeModel("vae", { 2, 0 }, tinyConfig("vae"));
        nlohmann::json cfg = plain->config();
        cfg["sample_noise"] = true;
        auto noisy = makeModel("vae", { 2, 0 }, cfg);
        // Same weights, same seed: the noisy samples are the decoder means plus sigma-sized noise.
        for (std::size_t i = 0; i < plain->parameters().size(); ++i) {
            torch::NoGradGuard g;
            noisy->parameters()[i].copy_(plain->parameters()[i]);
        }
        SampleOptions o;
        o.seed = 21;
        const auto a = plain->sample(4000, {}, o).samples, b = noisy->sample(4000, {}, o).samples;
        const double sd = (b - a).std().item<double>();
        QVERIFY2(std::abs(sd - 0.1) < 0.01, qPrintable(QString::number(sd))); // sigma starts at 0.1
    }
};

QTEST_GUILESS_MAIN(TestLikelihoodModels)
#include "test_likelihood_models.moc"
