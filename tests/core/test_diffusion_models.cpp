// The diffusion and flow-matching families (ddpm, edm, cfm, cfm-ot) through the GenerativeModel
// interface: configuration round trips and errors, training lowers the loss, seeded samples and
// recorded trajectories, conditioning on a context, clones, weights, and a statistical acceptance
// test per family: a fitted 2D Gaussian's sample mean and covariance.
#include "core/models/EdmModel.h"
#include "core/models/GenerativeModel.h"
#include "core/models/ModelFactory.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::models;
using json = nlohmann::json;

namespace {

const char* const kFamilies[] = { "ddpm", "edm", "cfm", "cfm-ot" };

// A small network: fast tests; the families' defaults are measured outside the tests.
json tiny(json extra = json::object())
{
    json c { { "hidden", { 32, 32 } }, { "time_embedding", 16 } };
    c.update(extra);
    return c;
}

// x ~ N(mu, L L^T) with mu = (0.5, -0.3) and covariance [[1, 0.6], [0.6, 0.8]] (standardised scale).
const double kMu[2] = { 0.5, -0.3 };
const double kCov[2][2] = { { 1.0, 0.6 }, { 0.6, 0.8 } };

torch::Tensor gaussian2d(int64_t n)
{
    const double l11 = std::sqrt(kCov[0][0]), l21 = kCov[1][0] / l11, l22 = std::sqrt(kCov[1][1] - l21 * l21);
    const auto z = torch::randn({ n, 2 });
    const auto x0 = z.select(1, 0) * l11 + kMu[0];
    const auto x1 = z.select(1, 0) * l21 + z.select(1, 1) * l22 + kMu[1];
    return torch::stack({ x0, x1 }, 1);
}

// `steps` optimiser steps on fresh batches; with `anneal` the learning rate follows the Trainer's default cosine
// schedule down to 0, which removes the last steps' noise from the weights.
void train(
    GenerativeModel& m, int64_t steps, int64_t batch, const std::function<Batch(int64_t)>& data, bool anneal = false)
{
    auto& group = m.optimizers().front()->param_groups().front();
    const double lr = group.options().get_lr();
    for (int64_t i = 0; i < steps; ++i) {
        if (anneal)
            group.options().set_lr(
                lr * 0.5 * (1 + std::cos(M_PI * static_cast<double>(i) / static_cast<double>(steps))));
        m.trainStep(data(batch), 1.0);
    }
}

bool sameParameters(GenerativeModel& a, GenerativeModel& b)
{
    const auto pa = a.parameters(), pb = b.parameters();
    if (pa.size() != pb.size())
        return false;
    for (std::size_t i = 0; i < pa.size(); ++i)
        if (!torch::equal(pa[i], pb[i]))
            return false;
    return true;
}

void addFamilies()
{
    QTest::addColumn<QString>("familyName");
    for (const char* f : kFamilies)
        QTest::newRow(f) << QString(f);
}

} // namespace

class TestDiffusionModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void familiesAreListedInOrder()
    {
        const auto names = modelFamilies();
        std::vector<std::string> ours;
        for (const auto& n : names)
            if (n == "ddpm" || n == "edm" || n == "cfm" || n == "cfm-ot")
                ours.push_back(n);
        QCOMPARE(ours, (std::vector<std::string> { "ddpm", "edm", "cfm", "cfm-ot" }));
    }

    void configRoundTrip_data() { addFamilies(); }
    void configRoundTrip()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        for (int64_t context : { 0, 3 }) {
            const ModelShape shape { 2, context };
            auto m = makeModel(family, shape);
            QCOMPARE(m->family(), family);
            const json c = m->config();
            QVERIFY(c.contains("hidden") && c.contains("lr") && c.contains("sampler") && c.contains("sample_steps"));
            auto rebuilt = makeModel(family, shape, c);
            QCOMPARE(rebuilt->config(), c);
            const auto pa = m->parameters(), pb = rebuilt->parameters();
            QCOMPARE(pa.size(), pb.size());
            for (std::size_t i = 0; i < pa.size(); ++i)
                QCOMPARE(pa[i].sizes(), pb[i].sizes());
            // a non-default configuration survives the round trip too
            auto custom = makeModel(family, shape, tiny({ { "lr", 3e-4 }, { "activation", "tanh" } }));
            QCOMPARE(makeModel(family, shape, custom->config())->config(), custom->config());
            QCOMPARE(custom->config().at("hidden"), json({ 32, 32 }));
        }
    }

    void invalidConfigurationsAreRejected_data() { addFamilies(); }
    void invalidConfigurationsAreRejected()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        const ModelShape shape { 2, 0 };
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "hiden", { 8 } } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "hidden", json::array() } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "time_embedding", 7 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "sampler", "leapfrog" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "sample_steps", 0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "lr", "fast" } }));
        if (family == "ddpm") {
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "schedule", "quadratic" } }));
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "eta", 2.0 } }));
            QVERIFY_THROWS_EXCEPTION(
                hepgen::ConfigError, makeModel(family, shape, { { "timesteps", 10 } })); // < 50 steps
        } else if (family == "edm") {
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "sigma_data", -1.0 } }));
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "sigma_min", 100.0 } }));
        } else if (family == "cfm") {
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "ot_context_weight", 1.0 } }));
        } else {
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, shape, { { "ot_context_weight", -1.0 } }));
        }
        // sampling: an unknown sampler names the valid ones; contexts must match the shape
        auto m = makeModel(family, shape, tiny());
        SampleOptions bad;
        bad.sampler = "leapfrog";
        try {
            m->sample(4, {}, bad);
            QFAIL("expected a ConfigError");
        } catch (const hepgen::ConfigError& e) {
            const QString msg = e.what();
            QVERIFY2(
                msg.contains("leapfrog") && (msg.contains("ddim") || msg.contains("edm-heun") || msg.contains("rk4")),
                e.what());
        }
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m->sample(4, torch::zeros({ 4, 1 }), {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m->trainStep({ torch::zeros({ 4, 3 }), {}, {} }, 1.0));
        auto conditional = makeModel(family, { 2, 1 }, tiny());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, conditional->sample(4, {}, {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, conditional->sample(4, torch::zeros({ 3, 1 }), {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, conditional->trainStep({ torch::zeros({ 4, 2 }), {}, {} }, 1.0));
    }

    void trainingLowersTheLoss_data() { addFamilies(); }
    void trainingLowersTheLoss()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        torch::manual_seed(11);
        auto m = makeModel(family, { 2, 0 }, tiny());
        // N((1, -1), 0.3^2 I): far from the unit Gaussian every family's network starts near (for EDM with
        // sigma_data = 1, data of unit variance would already be denoised optimally by c_skip alone)
        auto toy = [](int64_t n) {
            return Batch { 0.3 * torch::randn({ n, 2 }) + torch::tensor({ 1.0, -1.0 }), {}, {} };
        };
        const Batch validation = toy(1024);
        const double before = m->evaluate(validation).loss;
        QCOMPARE(m->evaluate(validation).loss, before); // evaluate() draws its noise from a fixed seed
        train(*m, 200, family == "cfm-ot" ? 64 : 128, toy);
        const double after = m->evaluate(validation).loss;
        qInfo("%s: validation loss %.4f -> %.4f after 200 steps", family.c_str(), before, after);
        QVERIFY2(std::isfinite(after) && after < 0.8 * before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
        const auto report = m->trainStep({ gaussian2d(64), {}, {} }, 1.0);
        if (family == "edm")
            QVERIFY(report.terms.count("denoising_mse"));
        if (family == "cfm-ot")
            QVERIFY(report.terms.count("ot_distance"));
    }

    void samplesAreSeededAndTrajectoriesRecorded_data()
    {
        QTest::addColumn<QString>("familyName");
        QTest::addColumn<QString>("samplerName");
        QTest::addColumn<int>("steps");
        QTest::addColumn<int>("frames");
        QTest::newRow("ddpm") << QString("ddpm") << QString() << 0 << 1001; // all T = 1000 steps
        QTest::newRow("ddpm/ddim") << QString("ddpm") << QString("ddim") << 10 << 11;
        QTest::newRow("edm") << QString("edm") << QString() << 6 << 7;
        QTest::newRow("edm default") << QString("edm") << QString() << 0 << 41;
        QTest::newRow("cfm") << QString("cfm") << QString() << 0 << 51;
        QTest::newRow("cfm/euler") << QString("cfm") << QString("euler") << 8 << 9;
        QTest::newRow("cfm-ot/rk4") << QString("cfm-ot") << QString("rk4") << 5 << 6;
    }
    void samplesAreSeededAndTrajectoriesRecorded()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        QFETCH(QString, samplerName);
        const std::string sampler = samplerName.toStdString();
        QFETCH(int, steps);
        QFETCH(int, frames);
        torch::manual_seed(12);
        auto m = makeModel(family, { 2, 0 }, tiny());
        SampleOptions o;
        o.sampler = sampler;
        o.steps = steps;
        o.seed = 7;
        const auto a = m->sample(64, {}, o);
        QCOMPARE(a.samples.sizes(), (at::IntArrayRef { 64, 2 }));
        QCOMPARE(a.samples.scalar_type(), torch::kFloat32);
        QVERIFY(torch::isfinite(a.samples).all().item<bool>());
        QVERIFY(a.trajectory.empty());
        QVERIFY(!a.spread.defined());
        o.recordTrajectory = true;
        int64_t progressCalls = 0;
        o.progress = [&](int64_t, int64_t) { ++progressCalls; };
        const auto b = m->sample(64, {}, o);
        QVERIFY(torch::equal(a.samples, b.samples)); // same seed, recording or not
        QCOMPARE(static_cast<int>(b.trajectory.size()), frames);
        QCOMPARE(static_cast<int>(progressCalls), frames - 1);
        QVERIFY(torch::equal(b.trajectory.xt.back(), b.samples));
        o.seed = 8;
        QVERIFY(!torch::equal(m->sample(64, {}, o).samples, a.samples));
        o.shouldStop = [] { return true; };
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, m->sample(8, {}, o));
    }

    void contextConditions_data() { addFamilies(); }
    void contextConditions()
    {
        // x ~ N(c, 0.1^2), c ~ U(-1, 1): the model must learn to shift its samples with c.
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        torch::manual_seed(13);
        auto m = makeModel(family, { 1, 1 }, tiny());
        train(
            *m, 300, family == "cfm-ot" ? 64 : 128,
            [](int64_t n) {
                const auto c = torch::rand({ n, 1 }) * 2 - 1;
                return Batch { c + 0.1 * torch::randn({ n, 1 }), c, {} };
            },
            /*anneal*/ true);
        SampleOptions o;
        o.seed = 3;
        o.sampler = family == "ddpm" ? "ddim" : ""; // 50 DDIM steps: fast; ddpm's own sampler is tested elsewhere
        o.steps = 20;
        double worst = 0;
        for (double c : { -0.6, 0.0, 0.6 }) {
            const auto s = m->sample(500, torch::full({ 1, 1 }, c), o).samples; // (1, C) broadcast
            QCOMPARE(s.sizes(), (at::IntArrayRef { 500, 1 }));
            worst = std::max(worst, std::abs(s.mean().item<double>() - c));
        }
        // The contexts are 0.6 (six data widths) apart; a conditioned model must place the mean within one data
        // width, 0.1 (the sampling error of the mean, 0.1 / sqrt(500) = 0.005, is negligible).
        qInfo("%s: worst |mean - c| = %.4f (tolerance 0.1)", family.c_str(), worst);
        QVERIFY2(worst < 0.1, qPrintable(QString::number(worst)));
        // an (n, C) context per sample
        const auto ctx = torch::cat({ torch::full({ 200, 1 }, -0.6), torch::full({ 200, 1 }, 0.6) });
        const auto s = m->sample(400, ctx, o).samples;
        QVERIFY(s.slice(0, 0, 200).mean().item<double>() < s.slice(0, 200).mean().item<double>() - 0.9);
    }

    void cloneIsDeepAndIndependent_data() { addFamilies(); }
    void cloneIsDeepAndIndependent()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        torch::manual_seed(14);
        auto m = makeModel(family, { 2, 1 }, tiny());
        auto data = [](int64_t n) {
            const auto c = torch::randn({ n, 1 });
            return Batch { gaussian2d(n) + c, c, {} };
        };
        train(*m, 5, 64, data); // non-trivial optimiser state
        auto c = m->clone();
        QCOMPARE(c->family(), family);
        QCOMPARE(c->config(), m->config());
        QVERIFY(sameParameters(*m, *c));
        SampleOptions o;
        o.seed = 5;
        o.steps = 4;
        o.sampler = family == "ddpm" ? "ddim" : "";
        QVERIFY(torch::equal(
            m->sample(16, torch::ones({ 1, 1 }), o).samples, c->sample(16, torch::ones({ 1, 1 }), o).samples));
        // the same step on both gives the same weights: the optimiser state was copied
        const Batch b = data(64);
        torch::manual_seed(99);
        m->trainStep(b, 1.0);
        torch::manual_seed(99);
        c->trainStep(b, 1.0);
        QVERIFY(sameParameters(*m, *c));
        // and training the clone leaves the original alone
        const auto before = m->parameters().front().clone();
        train(*c, 3, 64, data);
        QVERIFY(torch::equal(m->parameters().front(), before));
        QVERIFY(!sameParameters(*m, *c));
    }

    void movesToTheCpu_data() { addFamilies(); }
    void movesToTheCpu()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        torch::manual_seed(15);
        auto m = makeModel(family, { 2, 0 }, tiny());
        train(*m, 3, 32, [](int64_t n) { return Batch { gaussian2d(n), {}, {} }; });
        m->to(torch::kCPU);
        QCOMPARE(m->device(), torch::Device(torch::kCPU));
        QVERIFY(std::isfinite(m->trainStep({ gaussian2d(32), {}, {} }, 1.0).loss));
        QCOMPARE(m->sample(8, {}, {}).samples.device(), torch::Device(torch::kCPU));
        QCOMPARE(m->modules().size(), std::size_t(1));
        QCOMPARE(m->optimizers().size(), std::size_t(1));
    }

    void zeroWeightsDoNotCount_data() { addFamilies(); }
    void zeroWeightsDoNotCount()
    {
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        torch::manual_seed(16);
        auto m = makeModel(family, { 2, 1 }, tiny());
        const auto x = gaussian2d(128), ctx = torch::randn({ 128, 1 });
        auto w = torch::rand({ 128 }) + 0.5;
        w.slice(0, 0, 128, 3).zero_();
        // the weight-0 events replaced by anything: the same loss, and the same training step
        auto x2 = x.clone(), ctx2 = ctx.clone();
        x2.slice(0, 0, 128, 3).fill_(50.0);
        ctx2.slice(0, 0, 128, 3).fill_(-20.0);
        const double a = m->evaluate({ x, ctx, w }).loss, b = m->evaluate({ x2, ctx2, w }).loss;
        QCOMPARE(a, b);
        auto c = m->clone();
        torch::manual_seed(1);
        m->trainStep({ x, ctx, w }, 1.0);
        torch::manual_seed(1);
        c->trainStep({ x2, ctx2, w }, 1.0);
        QVERIFY(sameParameters(*m, *c));
        // unit weights are the unweighted mean; the weights' scale does not matter
        const double unweighted = m->evaluate({ x, ctx, {} }).loss;
        QVERIFY(std::abs(m->evaluate({ x, ctx, torch::ones({ 128 }) }).loss - unweighted) < 1e-6 * unweighted);
        QVERIFY(std::abs(m->evaluate({ x, ctx, 3 * w }).loss - m->evaluate({ x, ctx, w }).loss) < 1e-5 * unweighted);
        QCOMPARE(m->evaluate({ x, ctx, torch::zeros({ 128 }) }).loss, 0.0);
    }

    void fitsA2dGaussian_data() { addFamilies(); }
    void fitsA2dGaussian()
    {
        // Statistical acceptance: N(mu, Sigma) after 1000 steps (learning rate annealed as the Trainer does by
        // default); mean and covariance of 2000 samples from the family's default sampler.
        QFETCH(QString, familyName);
        const std::string family = familyName.toStdString();
        torch::manual_seed(17);
        auto m = makeModel(family, { 2, 0 }, { { "hidden", { 64, 64 } }, { "time_embedding", 16 }, { "lr", 2e-3 } });
        const int64_t batch = family == "cfm-ot" ? 64 : 256; // the exact OT pairing costs O(batch^3)
        train(
            *m, 1000, batch,
            [](int64_t n) {
                return Batch { gaussian2d(n), {}, {} };
            },
            /*anneal*/ true);
        SampleOptions o;
        o.seed = 1;
        // 18 EDM Heun steps (the paper's, for images) from sigma_max = 80 would be biased on this Gaussian even with
        // the exact denoiser (covariance (1.089, 0.648, 0.873) instead of (1, 0.6, 0.8), computed in closed form, since
        // every step is affine); 64 steps leave a bias below 0.01, so the test measures the network, not the
        // discretisation.
        if (family == "edm")
            o.steps = 64;
        const int64_t n = 2000;
        const auto s = m->sample(n, {}, o).samples.to(torch::kFloat64);
        const auto mean = s.mean(0);
        const auto centred = s - mean;
        const auto cov = centred.t().mm(centred) / static_cast<double>(n - 1);
        double meanErr = 0, covErr = 0;
        for (int i = 0; i < 2; ++i) {
            meanErr = std::max(meanErr, std::abs(mean[i].item<double>() - kMu[i]));
            for (int j = 0; j < 2; ++j)
                covErr = std::max(covErr, std::abs(cov[i][j].item<double>() - kCov[i][j]));
        }
        // Sampling errors of 2000 samples: mean sqrt(1 / 2000) = 0.022, covariance entries up to sqrt(2 / 2000) =
        // 0.032. The tolerances are 3 of those (0.067, 0.095) plus about 0.02 for the bias of a short fit with a
        // small network.
        qInfo("%s: max |mean - mu| = %.4f (tolerance 0.09), max |cov - Sigma| = %.4f (tolerance 0.12)", family.c_str(),
            meanErr, covErr);
        QVERIFY2(meanErr < 0.09, qPrintable(QString::number(meanErr)));
        QVERIFY2(covErr < 0.12, qPrintable(QString::number(covErr)));
    }

    void edmPreconditioningMatchesThePaper()
    {
        // Karras et al. 2022, Table 1 and Sec. 5: lambda(sigma) c_out(sigma)^2 = 1 (unit effective loss weight);
        // c_in^2 (sigma^2 + s_d^2) = 1 (unit-variance network input); with F = 0 the denoiser c_skip x is the
        // optimal denoiser of N(0, s_d^2) data: E[x0 | x] = s_d^2 / (s_d^2 + sigma^2) x.
        const double sd = 0.5;
        const auto sigma = torch::tensor({ 0.002, 0.1, 0.5, 1.0, 80.0 }, torch::kFloat64);
        const auto c = edmPreconditioning(sigma, sd);
        const auto s = sigma.reshape({ -1, 1 });
        const auto lambda = (s * s + sd * sd) / (s * sd).pow(2);
        QVERIFY(torch::allclose(lambda * c.cOut.pow(2), torch::ones_like(s), 1e-12, 0));
        QVERIFY(torch::allclose(c.cIn.pow(2) * (s * s + sd * sd), torch::ones_like(s), 1e-12, 0));
        QVERIFY(torch::allclose(c.cSkip, sd * sd / (sd * sd + s * s), 1e-12, 0));
        QVERIFY(torch::allclose(c.cNoise, s.log() / 4, 1e-12, 0));
        // the effective training target F = (y - c_skip (y + n)) / c_out has unit variance for y ~ N(0, s_d^2),
        // n ~ N(0, sigma^2) (Karras et al. 2022, Appendix B.6)
        const auto targetVariance = ((1 - c.cSkip).pow(2) * sd * sd + c.cSkip.pow(2) * s * s) / c.cOut.pow(2);
        QVERIFY(torch::allclose(targetVariance, torch::ones_like(s), 1e-12, 0));
    }
};

QTEST_GUILESS_MAIN(TestDiffusionModels)
#include "test_diffusion_models.moc"
