// The adversarial families (gan, wgan-gp) behind the GenerativeModel interface: configs round-trip
// and reject unknown keys and bad values, training moves the samples onto a 2D Gaussian, samples
// are seed-reproducible, clones are independent, contexts condition the samples, per-event weights
// enter as a weighted mean, and the gradient penalty equals lambda (||w|| - 1)^2 for a linear critic.
#include "core/models/GanModels.h"
#include "core/models/GenerativeModel.h"
#include "core/util/Error.h"

#include "TensorTestSupport.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::models;

namespace {

// A 2D Gaussian far from the untrained generator's output (which sits near 0).
torch::Tensor gaussianToy(int64_t n, uint64_t seed)
{
    auto gen = at::detail::createCPUGenerator(seed);
    return torch::randn({ n, 2 }, gen, torch::kFloat32) * torch::tensor({ 0.5f, 0.3f })
        + torch::tensor({ 2.0f, -1.0f });
}

nlohmann::json tinyConfig()
{
    return { { "latent_dim", 4 }, { "generator_hidden", { 32, 32 } }, { "critic_hidden", { 32, 32 } }, { "lr", 4e-3 },
        { "critic_lr", 0.0 } }; // 0: the critic uses lr too
}

void addFamilies()
{
    QTest::addColumn<QString>("family");
    QTest::newRow("gan") << QString("gan");
    QTest::newRow("wgan-gp") << QString("wgan-gp");
}

std::string fetchFamily()
{
    QFETCH(QString, family);
    return family.toStdString();
}

// Trains with the learning rate decaying linearly to 0 (as the Trainer's default cosine schedule
// does): adversarial training oscillates around the solution at a constant rate.
void fit(GenerativeModel& model, const torch::Tensor& x, const torch::Tensor& c, int64_t steps, int64_t batch = 128)
{
    std::vector<double> base;
    for (auto* opt : model.optimizers())
        base.push_back(opt->param_groups().front().options().get_lr());
    for (int64_t s = 0; s < steps; ++s) {
        for (std::size_t k = 0; k < base.size(); ++k)
            model.optimizers()[k]->param_groups().front().options().set_lr(
                base[k] * (1.0 - static_cast<double>(s) / static_cast<double>(steps)));
        const auto idx = torch::randint(x.size(0), { batch }, torch::kLong);
        const Batch b { x.index_select(0, idx), c.defined() ? c.index_select(0, idx) : torch::Tensor(), {} };
        const auto r = model.trainStep(b, 0.0);
        if (!std::isfinite(r.loss))
            throw std::runtime_error("non-finite loss");
    }
}

using hepgen::test::copies;
using hepgen::test::sameTensors;

} // namespace

class TestGanModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void configRoundTrip_data() { addFamilies(); }
    void configRoundTrip()
    {
        const std::string family = fetchFamily();
        auto a = makeModel(family, { 2, 1 }, tinyConfig());
        const auto json = a->config();
        for (const char* key : { "latent_dim", "generator_hidden", "critic_hidden", "activation", "critic_steps",
                 "critic_lr", "optimizer", "lr", "weight_decay", "beta1", "beta2" })
            QVERIFY2(json.contains(key), key);
        QCOMPARE(json.contains("gp_lambda"), family == "wgan-gp");
        auto b = makeModel(family, { 2, 1 }, json);
        QCOMPARE(QString::fromStdString(b->config().dump()), QString::fromStdString(json.dump()));
        QCOMPARE(a->parameters().size(), b->parameters().size());
        for (std::size_t i = 0; i < a->parameters().size(); ++i)
            QVERIFY(a->parameters()[i].sizes() == b->parameters()[i].sizes());
        QCOMPARE(a->optimizers().size(), std::size_t(2));
        QCOMPARE(a->modules().size(), std::size_t(2));
        // Defaults: Adam (0.5, 0.9), 5 critic steps for WGAN-GP (Gulrajani et al. 2017).
        const auto d = makeModel(family, { 2, 0 })->config();
        QCOMPARE(d.at("beta1").get<double>(), 0.5);
        QCOMPARE(d.at("beta2").get<double>(), 0.9);
        QCOMPARE(d.at("critic_steps").get<int64_t>(), family == "wgan-gp" ? int64_t(5) : int64_t(1));
        QCOMPARE(d.at("activation").get<std::string>(), std::string("leaky_relu"));
        QCOMPARE(d.at("critic_lr").get<double>(), family == "wgan-gp" ? 2e-3 : 0.0); // TTUR for wgan-gp
    }

    void unknownKeyRejected_data() { addFamilies(); }
    void unknownKeyRejected()
    {
        const std::string family = fetchFamily();
        try {
            makeModel(family, { 2, 0 }, { { "latent", 3 } });
            QFAIL("expected a ConfigError");
        } catch (const hepgen::ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("latent"), e.what());
        }
        if (family == "gan") // the penalty belongs to wgan-gp only
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "gp_lambda", 10.0 } }));
    }

    void badValueRejected_data() { addFamilies(); }
    void badValueRejected()
    {
        const std::string family = fetchFamily();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "latent_dim", 0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "critic_steps", 0 } }));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "generator_hidden", nlohmann::json::array() } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "activation", "gelu" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "critic_lr", -1e-3 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "beta1", 1.5 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "latent_dim", "eight" } }));
        if (family == "wgan-gp")
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(family, { 2, 0 }, { { "gp_lambda", -1.0 } }));
    }

    void trainingMovesTheSamplesOntoTheData_data() { addFamilies(); }
    void trainingMovesTheSamplesOntoTheData()
    {
        // Proxy for quality: the distance between the sample mean and the data mean (2, -1), which
        // starts near 2.2, and the per-coordinate standard deviations (0.5, 0.3).
        const std::string family = fetchFamily();
        torch::manual_seed(1);
        auto model = makeModel(family, { 2, 0 }, tinyConfig());
        const auto x = gaussianToy(4096, 2);
        SampleOptions o;
        o.seed = 3;
        const auto dataMean = x.mean(0);
        const double before = (model->sample(2000, {}, o).samples.mean(0) - dataMean).norm().item<double>();
        const auto first = model->trainStep({ x.slice(0, 0, 128), {}, {} }, 0.0);
        QVERIFY(std::isfinite(first.loss));
        for (const char* term : family == "gan"
                ? std::vector<const char*> { "discriminator", "generator", "accuracy" }
                : std::vector<const char*> { "critic", "generator", "gradient_penalty", "wasserstein" })
            QVERIFY2(first.terms.count(term), term);
        fit(*model, x, {}, 600);
        const auto s = model->sample(2000, {}, o).samples;
        const double after = (s.mean(0) - dataMean).norm().item<double>();
        const auto sd = s.std(0);
        qInfo("%s: |mean - data mean| %.3f -> %.3f; sd (%.3f, %.3f) vs (0.5, 0.3)", family.c_str(), before, after,
            sd[0].item<double>(), sd[1].item<double>());
        QVERIFY2(before > 1.5, qPrintable(QString::number(before)));
        QVERIFY2(after < 0.25, qPrintable(QString::number(after)));
        QVERIFY(sd[0].item<double>() > 0.2 && sd[0].item<double>() < 0.9);
        QVERIFY(sd[1].item<double>() > 0.1 && sd[1].item<double>() < 0.6);
        const auto r = model->evaluate({ x.slice(0, 0, 512), {}, {} });
        QVERIFY(std::isfinite(r.loss));
        if (family == "wgan-gp") // the critic's Wasserstein estimate is small once the generator fits
            QVERIFY2(std::abs(r.terms.at("wasserstein")) < 0.5, qPrintable(QString::number(r.terms.at("wasserstein"))));
        else // the discriminator cannot tell the two apart much better than chance
            QVERIFY2(r.terms.at("accuracy") < 0.75, qPrintable(QString::number(r.terms.at("accuracy"))));
    }

    void samplesHaveTheShapeAndFollowTheSeed_data() { addFamilies(); }
    void samplesHaveTheShapeAndFollowTheSeed()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(4);
        auto model = makeModel(family, { 2, 0 }, tinyConfig());
        SampleOptions o;
        o.seed = 7;
        const auto a = model->sample(100, {}, o).samples;
        torch::manual_seed(99);
        const auto b = model->sample(100, {}, o).samples;
        o.seed = 8;
        const auto c = model->sample(100, {}, o).samples;
        QVERIFY(a.sizes() == torch::IntArrayRef({ 100, 2 }));
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, c));
        QVERIFY(!a.requires_grad());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(10, torch::zeros({ 10, 1 }), {}));
        QVERIFY(!model->hasLogDensity());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->logDensity(torch::zeros({ 3, 2 }), {}));
        SampleOptions stop;
        stop.shouldStop = [] { return true; };
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, model->sample(10, {}, stop));
    }

    void cloneIsIndependent_data() { addFamilies(); }
    void cloneIsIndependent()
    {
        const std::string family = fetchFamily();
        torch::manual_seed(5);
        auto model = makeModel(family, { 2, 0 }, tinyConfig());
        const auto x = gaussianToy(512, 5);
        fit(*model, x, {}, 3);
        auto copy = model->clone();
        QVERIFY(sameTensors(model->parameters(), copy->parameters()));
        const Batch b { x.slice(0, 0, 128), {}, {} };
        const auto before = copies(model->parameters());
        torch::manual_seed(10);
        copy->trainStep(b, 1.0);
        QVERIFY(sameTensors(model->parameters(), before));
        // Same seed, same batch: the original's step equals the clone's (weights, both Adam states and
        // learning rates were copied).
        torch::manual_seed(10);
        model->trainStep(b, 1.0);
        QVERIFY(sameTensors(model->parameters(), copy->parameters()));
        QVERIFY(!sameTensors(model->parameters(), before));
    }

    void contextConditionsTheSamples_data() { addFamilies(); }
    void contextConditionsTheSamples()
    {
        // x ~ N(c, 0.1^2), c ~ U(-1, 1).
        const std::string family = fetchFamily();
        torch::manual_seed(6);
        auto model = makeModel(family, { 1, 1 }, tinyConfig());
        const auto c = torch::rand({ 4096, 1 }) * 2 - 1;
        const auto x = c + 0.1 * torch::randn({ 4096, 1 });
        fit(*model, x, c, 600);
        for (double target : { -0.5, 0.5 }) {
            SampleOptions o;
            o.seed = 1;
            const auto s = model->sample(2000, torch::full({ 1, 1 }, target), o).samples;
            const double mean = s.mean().item<double>(), sd = s.std().item<double>();
            qInfo("%s: c = %.1f: mean %.3f, sd %.3f", family.c_str(), target, mean, sd);
            QVERIFY2(std::abs(mean - target) < 0.15, qPrintable(QString::number(mean)));
            QVERIFY2(sd < 0.35, qPrintable(QString::number(sd))); // the context-free marginal has 0.58
        }
        QCOMPARE(model->sample(3, torch::zeros({ 3, 1 }), {}).samples.size(0), int64_t(3));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(3, {}, {}));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->trainStep({ x.slice(0, 0, 8), {}, {} }, 0.0));
    }

    void weightsGiveTheWeightedMean_data() { addFamilies(); }
    void weightsGiveTheWeightedMean()
    {
        // The real-data terms are weighted means: with one-hot weights evaluate() isolates event i,
        // and with weights w the loss and every term are sum w_i t_i / sum w_i (the generated-event
        // parts are the same in every call, given the same global seed).
        const std::string family = fetchFamily();
        torch::manual_seed(8);
        auto model = makeModel(family, { 2, 0 }, tinyConfig());
        const auto x = gaussianToy(6, 8);
        const auto w = torch::tensor({ 0.5, 2.0, 0.0, 1.0, 3.0, 0.25 }, torch::kFloat32);
        std::map<std::string, double> num;
        for (int64_t i = 0; i < 6; ++i) {
            torch::manual_seed(11);
            const auto r = model->evaluate({ x, {}, torch::zeros({ 6 }).index_fill_(0, torch::tensor({ i }), 1.0) });
            num["loss"] += w[i].item<double>() * r.loss;
            for (const auto& [k, v] : r.terms)
                num[k] += w[i].item<double>() * v;
        }
        torch::manual_seed(11);
        const auto r = model->evaluate({ x, {}, w });
        const double sw = w.sum().item<double>();
        QVERIFY(std::abs(r.loss - num["loss"] / sw) < 1e-4 * (1 + std::abs(r.loss)));
        for (const auto& [k, v] : r.terms) // terms of generated events only are constants: they pass too
            QVERIFY2(std::abs(v - num[k] / sw) < 1e-4 * (1 + std::abs(v)),
                qPrintable(QString("%1: %2 vs %3").arg(k.c_str()).arg(v).arg(num[k] / sw)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->evaluate({ x, {}, torch::ones({ 5 }) }));
        QVERIFY(std::isfinite(model->trainStep({ x, {}, w }, 1.0).loss));
    }

    void gradientPenaltyOfALinearCritic()
    {
        // A linear critic D(x) = w.x + b has grad D = w everywhere, so the penalty is
        // lambda (||w|| - 1)^2 whatever the interpolates (Gulrajani et al. 2017, eq. 3), and its
        // gradient with respect to w is 2 lambda (||w|| - 1) w / ||w||.
        torch::manual_seed(9);
        const auto real = torch::randn({ 64, 3 }, torch::kDouble), fake = torch::randn({ 64, 3 }, torch::kDouble);
        for (const auto& wv : { std::vector<double> { 2.0, -1.0, 2.0 }, std::vector<double> { 0.6, 0.8, 0.0 },
                 std::vector<double> { 0.1, 0.2, -0.2 } }) {
            const auto w = torch::tensor(wv, torch::kDouble).requires_grad_(true);
            const auto critic = [&](const torch::Tensor& x) { return x.matmul(w) + 0.7; };
            const auto gp = gradientPenalty(critic, real, fake, 10.0);
            const double norm = w.norm().item<double>();
            QVERIFY2(std::abs(gp.item<double>() - 10.0 * (norm - 1) * (norm - 1)) < 1e-9,
                qPrintable(QString("%1 vs %2").arg(gp.item<double>()).arg(10.0 * (norm - 1) * (norm - 1))));
            gp.backward();
            const auto expected = 2 * 10.0 * (norm - 1) * w.detach() / norm;
            QVERIFY(torch::allclose(w.grad(), expected, 1e-9, 1e-9));
        }
        // It works under a NoGradGuard too (evaluate() runs inside one), and weights do not change a
        // constant penalty.
        torch::NoGradGuard g;
        const auto w = torch::tensor({ 3.0, 0.0, 4.0 }, torch::kDouble);
        const auto critic = [&](const torch::Tensor& x) { return x.matmul(w); };
        QVERIFY(std::abs(gradientPenalty(critic, real, fake, 2.0, torch::rand({ 64 }, torch::kDouble)).item<double>()
                    - 2.0 * 16.0)
            < 1e-9);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, gradientPenalty(critic, real, fake.slice(0, 0, 10), 1.0));
    }
};

QTEST_GUILESS_MAIN(TestGanModels)
#include "test_gan_models.moc"
