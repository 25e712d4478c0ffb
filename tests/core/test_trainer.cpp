// The Trainer over the GenerativeModel interface, with a diagonal Gaussian as the model so every
// expectation is analytic: it converges to the maximum-likelihood estimate; EMA, schedules, early
// stopping and the NaN guard behave as documented; a checkpoint resumes bit-exactly.
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/training/Trainer.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hepgen::models;
using namespace hepgen::training;

namespace {

// log N(x | mu, diag sigma^2) with learnable mu and log sigma; loss = weighted mean NLL.
class GaussianModule : public torch::nn::Cloneable<GaussianModule> {
public:
    explicit GaussianModule(int64_t d)
        : d(d)
    {
        reset();
    }
    void reset() override
    {
        mu = register_parameter("mu", torch::zeros({ d }));
        logSigma = register_parameter("log_sigma", torch::zeros({ d }));
    }
    int64_t d;
    torch::Tensor mu, logSigma;
};

class GaussianModel : public GenerativeModel {
public:
    GaussianModel(int64_t d, double lr, int64_t nanAfter = -1)
        : m_net(std::make_shared<GaussianModule>(d))
        , m_lr(lr)
        , m_nanAfter(nanAfter)
    {
        OptimizerConfig c;
        c.learningRate = lr;
        m_opt = makeOptimizer(m_net->parameters(), c);
    }
    std::string family() const override { return "test-gaussian"; }
    nlohmann::json config() const override { return { { "lr", m_lr } }; }
    ModelShape shape() const override { return { m_net->d, 0 }; }
    torch::Tensor nll(const Batch& b)
    {
        const auto z = (b.x - m_net->mu) / torch::exp(m_net->logSigma);
        const auto per = (0.5 * z * z + m_net->logSigma + 0.5 * std::log(2 * M_PI)).sum(1);
        return b.weight.defined() ? (per * b.weight).sum() / b.weight.sum() : per.mean();
    }
    LossReport trainStep(const Batch& b, double clip) override
    {
        m_opt->zero_grad();
        auto loss = nll(b);
        if (m_nanAfter >= 0 && m_steps++ >= m_nanAfter)
            loss = loss * std::nan("");
        loss.backward();
        if (clip > 0)
            torch::nn::utils::clip_grad_norm_(m_net->parameters(), clip);
        m_opt->step();
        return { loss.item<double>(), { { "mean_sigma", torch::exp(m_net->logSigma).mean().item<double>() } } };
    }
    LossReport evaluate(const Batch& b) override { return { nll(b).item<double>(), {} }; }
    SampleOutput sample(int64_t n, const torch::Tensor&, const SampleOptions&) override
    {
        torch::NoGradGuard g;
        return { m_net->mu + torch::exp(m_net->logSigma) * torch::randn({ n, m_net->d }), {}, {} };
    }
    std::vector<torch::Tensor> parameters() override { return m_net->parameters(); }
    std::vector<torch::optim::Optimizer*> optimizers() override { return { m_opt.get() }; }
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override { return { m_net }; }
    std::unique_ptr<GenerativeModel> clone() const override { return std::make_unique<GaussianModel>(m_net->d, m_lr); }
    void to(const torch::Device& d) override { m_net->to(d); }

    std::shared_ptr<GaussianModule> m_net;
    std::unique_ptr<torch::optim::Optimizer> m_opt;
    double m_lr;
    int64_t m_nanAfter, m_steps = 0;
};

TrainingData gaussianData(int64_t n, uint64_t seed)
{
    torch::manual_seed(seed);
    const auto x = torch::randn({ n, 2 }) * torch::tensor({ 0.5, 2.0 }) + torch::tensor({ 1.0, -3.0 });
    return { x, {}, {} };
}

TrainerConfig quick(int64_t epochs)
{
    TrainerConfig c;
    c.epochs = epochs;
    c.batchSize = 128;
    c.schedule = "constant";
    return c;
}

bool sameParameters(GenerativeModel& a, GenerativeModel& b)
{
    const auto pa = a.parameters(), pb = b.parameters();
    for (std::size_t i = 0; i < pa.size(); ++i)
        if (!torch::equal(pa[i], pb[i]))
            return false;
    return true;
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void convergesToTheMaximumLikelihoodEstimate()
    {
        const auto data = gaussianData(4000, 1);
        GaussianModel model(2, 0.05);
        TrainerConfig c = quick(80);
        c.schedule = "cosine"; // the rate decays to 0, so Adam's step noise dies out at the optimum
        Trainer trainer(model, c);
        const auto [train, val] = splitTrainValidation(data, 0.1, 3);
        QCOMPARE(train.size() + val.size(), int64_t(4000));
        QCOMPARE(val.size(), int64_t(400));
        QCOMPARE(trainer.fit(train, val), StopReason::Finished);
        // MLE of the training split: its mean and (biased) standard deviation.
        const auto mean = train.x.mean(0), std = train.x.std(0, false);
        QVERIFY2(torch::allclose(model.m_net->mu, mean, 0, 0.01),
            qPrintable(QString::number((model.m_net->mu - mean).abs().max().item<double>())));
        QVERIFY(torch::allclose(torch::exp(model.m_net->logSigma), std, 0, 0.01));
        QCOMPARE(trainer.history().size(), std::size_t(80));
        QVERIFY(trainer.history().back().trainLoss < trainer.history().front().trainLoss);
        QVERIFY(std::isfinite(trainer.history().back().validationLoss));
        QVERIFY(trainer.history().back().terms.count("mean_sigma"));
    }

    void cosineScheduleAndWarmup()
    {
        const auto data = gaussianData(256, 2); // 2 steps per epoch at batch 128
        GaussianModel model(2, 0.1);
        TrainerConfig c = quick(4);
        c.schedule = "cosine";
        c.warmupSteps = 2;
        c.validationFraction = 0;
        Trainer trainer(model, c);
        trainer.fit(data, {});
        // 8 steps in total; the rate at epoch end is set for the last step (index 7): 0.1 * (1 + cos(pi 7/8)) / 2.
        QVERIFY(std::abs(trainer.history().back().learningRate - 0.1 * 0.5 * (1 + std::cos(M_PI * 7 / 8))) < 1e-12);
        // after the first epoch: step index 1 is inside the warm-up: 0.1 * cos-factor(1/8) * (2/2)
        QVERIFY(std::abs(trainer.history().front().learningRate - 0.1 * 0.5 * (1 + std::cos(M_PI / 8))) < 1e-12);
    }

    void emaLagsAndSwapsBack()
    {
        const auto data = gaussianData(2000, 3);
        GaussianModel model(2, 0.05);
        TrainerConfig c = quick(5);
        c.emaDecay = 0.99;
        Trainer trainer(model, c);
        trainer.fit(data, {});
        const auto trained = model.m_net->mu.clone();
        torch::Tensor inside;
        trainer.withEmaWeights([&] { inside = model.m_net->mu.clone(); });
        QVERIFY(!torch::equal(inside, trained));         // EMA weights differ (they lag behind)
        QVERIFY(torch::equal(model.m_net->mu, trained)); // and the training weights are back
        QVERIFY((inside - trained).abs().max().item<double>() < 0.5);
    }

    void nanGuardKeepsTheLastGoodWeights()
    {
        const auto data = gaussianData(1024, 4); // 8 steps per epoch
        GaussianModel model(2, 0.05, /*nanAfter*/ 12);
        Trainer trainer(model, quick(5));
        try {
            trainer.fit(data, {});
            QFAIL("expected a NumericError");
        } catch (const hepgen::NumericError& e) {
            QVERIFY2(QString(e.what()).contains("epoch 2, step 13"), e.what());
            QVERIFY2(QString(e.what()).contains("end of epoch 1 were kept"), e.what());
        }
        QVERIFY(torch::isfinite(model.m_net->mu).all().item<bool>());
        QCOMPARE(trainer.epoch(), int64_t(1));
    }

    void checkpointResumesBitExactly()
    {
        const auto data = gaussianData(1000, 5);
        const auto [train, val] = splitTrainValidation(data, 0.2, 9);
        TrainerConfig c = quick(6);
        c.emaDecay = 0.9;
        c.schedule = "cosine";

        GaussianModel straight(2, 0.05);
        Trainer a(straight, c);
        a.fit(train, val);

        QTemporaryDir dir;
        GaussianModel first(2, 0.05);
        Trainer b(first, c);
        b.fit(train, val, {}, {}, /*untilStep*/ 0 + 3 * 7); // 7 steps per epoch: stop after 3 epochs
        QCOMPARE(b.epoch(), int64_t(3));
        b.saveCheckpoint(dir.path().toStdString());

        GaussianModel second(2, 0.05);
        Trainer resumed(second, c);
        resumed.loadCheckpoint(dir.path().toStdString());
        QCOMPARE(resumed.epoch(), int64_t(3));
        QCOMPARE(resumed.history().size(), std::size_t(3));
        resumed.fit(train, val);
        QVERIFY(sameParameters(straight, second));
        QCOMPARE(resumed.history().back().validationLoss, a.history().back().validationLoss);

        const RunConfig run = readRunConfig(dir.path().toStdString());
        QCOMPARE(run.family, std::string("test-gaussian"));
        QCOMPARE(run.trainer.epochs, int64_t(6));
    }

    void pauseMidEpochThenContinueEqualsUninterrupted()
    {
        const auto data = gaussianData(1000, 6);
        GaussianModel straight(2, 0.05), paused(2, 0.05);
        Trainer a(straight, quick(3)), b(paused, quick(3));
        a.fit(data, {});
        QCOMPARE(b.fit(data, {}, {}, {}, 5), StopReason::StepLimit); // mid-epoch (8 steps per epoch)
        QCOMPARE(b.step(), int64_t(5));
        QCOMPARE(b.fit(data, {}, {}, {}, 6), StopReason::StepLimit); // the GUI's "Step"
        QCOMPARE(b.fit(data, {}), StopReason::Finished);
        QVERIFY(sameParameters(straight, paused));
    }

    void earlyStoppingRestoresTheBestEpoch()
    {
        const auto data = gaussianData(600, 7);
        const auto [train, val] = splitTrainValidation(data, 0.5, 1);
        // Without and with an EMA: validation then scores the EMA weights, and those of the best epoch must come
        // back (as the model and as its EMA, which is what a run keeps).
        for (const double ema : { 0.0, 0.9 }) {
            GaussianModel model(2, 0.5); // a large rate: the validation loss soon stops improving
            TrainerConfig c = quick(200);
            c.patience = 3;
            c.emaDecay = ema;
            Trainer trainer(model, c);
            QCOMPARE(trainer.fit(train, val), StopReason::EarlyStopped);
            QVERIFY(trainer.epoch() < 200);
            double best = 1e9;
            int64_t bestEpoch = 0;
            for (const auto& m : trainer.history())
                if (m.validationLoss < best) {
                    best = m.validationLoss;
                    bestEpoch = m.epoch;
                }
            QCOMPARE(trainer.epoch(), bestEpoch + c.patience); // stopped `patience` epochs after the best one
            QVERIFY2(std::abs(trainer.validate(val) - best) < 1e-9, qPrintable(QString::number(ema)));
        }
    }

    void cancellationKeepsState()
    {
        const auto data = gaussianData(1000, 8);
        GaussianModel model(2, 0.05);
        Trainer trainer(model, quick(10));
        int polls = 0;
        const hepgen::JobControl stop({}, [&] { return ++polls > 4; });
        QCOMPARE(trainer.fit(data, {}, stop), StopReason::Cancelled);
        QCOMPARE(trainer.step(), int64_t(4));
    }

    void badSettingsAreConfigErrors()
    {
        TrainerConfig c;
        ConfigReader r(nlohmann::json { { "epochs", 0 } }, "trainer config");
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, c.read(r));
        ConfigReader typo(nlohmann::json { { "epochz", 3 } }, "trainer config");
        TrainerConfig fresh;
        fresh.read(typo);
        try {
            typo.rejectUnknownKeys();
            QFAIL("expected a ConfigError");
        } catch (const hepgen::ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("unknown setting(s) epochz"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, readRunConfig("/no/such/run"));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
