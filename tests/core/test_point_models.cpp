// The point-cloud networks and models of the shower generator: permutation equivariance of both networks, padding
// and other clouds never change a cloud's output, shapes and configuration errors, finite and decreasing losses for
// every training kind (ddpm, edm, cfm, consistency distillation), samplers and their trajectories (the first frame
// is the scaled prior sample, the last the returned sample), clones that sample identically, and a learning check:
// a cloud model learns a conditional Gaussian of the points (mean set by the context).
#include "core/models/ModelSupport.h"
#include "core/models/points/PointCloudModel.h"
#include "core/models/points/PointNetworks.h"
#include "core/training/Trainer.h"
#include "core/util/Error.h"

#include "TensorTestSupport.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::models;
using namespace hepgen::models::points;
using json = nlohmann::json;

namespace {

json small(const std::string& network, const std::string& training)
{
    return { { "network", network }, { "training", training }, { "hidden", { 32, 32 } }, { "epic_width", 32 },
        { "epic_global", 16 }, { "epic_layers", 2 }, { "timesteps", 100 } };
}

/// Padded clouds (B, P, 3) with `counts` real points, padding filled with `pad`; context (B, 2): one value, count.
Batch clouds(const std::vector<int64_t>& counts, int64_t p, double pad, uint64_t seed)
{
    auto g = at::detail::createCPUGenerator(seed);
    const auto b = static_cast<int64_t>(counts.size());
    auto x = torch::full({ b, p, 3 }, pad);
    auto ctx = torch::zeros({ b, 2 });
    for (int64_t i = 0; i < b; ++i) {
        x[i].slice(0, 0, counts[i]).copy_(torch::randn({ counts[i], 3 }, g));
        ctx[i][0] = torch::randn({ 1 }, g)[0];
        ctx[i][1] = static_cast<double>(counts[i]);
    }
    return { x, ctx, {} };
}

} // namespace

class TestPointModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void networksAreEquivariantAndLocal_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("pointwise") << QString("pointwise");
        QTest::newRow("epic") << QString("epic");
    }
    void networksAreEquivariantAndLocal()
    {
        QFETCH(QString, kind);
        torch::manual_seed(1);
        auto net
            = makePointNet(PointNetOptions(3, 5).kind(kind.toStdString()).hidden({ 16, 16 }).width(16).globalWidth(8));
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({ 12, 3 });
        const auto cond = torch::randn({ 2, 5 });
        const auto index = torch::tensor({ 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 }, torch::kLong);
        const auto y = net->forward(x, cond, index);
        QCOMPARE(y.sizes(), x.sizes());
        // Permuting the points (within and across clouds, carrying their index) permutes the outputs.
        const auto perm = torch::randperm(12, torch::kLong);
        QVERIFY(torch::allclose(net->forward(x.index_select(0, perm), cond, index.index_select(0, perm)),
            y.index_select(0, perm), 1e-5, 1e-6));
        // Cloud 0 alone gives what it gave in the batch; changing cloud 1 leaves cloud 0 alone.
        QVERIFY(torch::allclose(
            net->forward(x.slice(0, 0, 5), cond.slice(0, 0, 1), index.slice(0, 0, 5)), y.slice(0, 0, 5), 1e-5, 1e-6));
        auto x2 = x.clone();
        x2.slice(0, 5) += 3.0;
        const auto y2 = net->forward(x2, cond, index);
        QVERIFY(torch::allclose(y2.slice(0, 0, 5), y.slice(0, 0, 5), 1e-5, 1e-6));
        // Moving the other points of cloud 1 changes point 5's output in the epic network (information flows
        // between the points of a cloud) and not in the pointwise one.
        auto x3 = x2.clone();
        x3.slice(0, 6) *= 10.0;
        const double change = (net->forward(x3, cond, index)[5] - y2[5]).abs().max().item<double>();
        if (kind == "epic")
            QVERIFY2(change > 1e-4, qPrintable(QString::number(change)));
        else
            QCOMPARE(change, 0.0);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, net->forward(torch::randn({ 4, 2 }), cond, index.slice(0, 0, 4)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, net->forward(x, torch::randn({ 2, 4 }), index));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, net->forward(x, cond, index.to(torch::kInt)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makePointNet(PointNetOptions(3, 5).kind("transformer!")));
    }

    void paddingNeverChangesRealPoints_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("pointwise") << QString("pointwise");
        QTest::newRow("epic") << QString("epic");
    }
    void paddingNeverChangesRealPoints()
    {
        QFETCH(QString, kind);
        torch::manual_seed(2);
        PointCloudModel m({ 3, 2 }, small(kind.toStdString(), "edm"));
        torch::NoGradGuard noGrad;
        const auto a = clouds({ 3, 7, 1 }, 7, 0.0, 5), b = clouds({ 3, 7, 1 }, 7, 1e6, 5);
        const auto wide = clouds({ 3, 7, 1 }, 20, -3.0, 5);
        const auto t = torch::tensor({ 0.1, 0.5, -0.3 });
        const auto ya = m.networkOutput(a.x, t, a.context), yb = m.networkOutput(b.x, t, b.context);
        QVERIFY(torch::equal(ya, yb));
        QVERIFY(torch::allclose(m.networkOutput(wide.x, t, wide.context).slice(1, 0, 7), ya, 1e-6, 1e-7));
        QCOMPARE(ya[0].slice(0, 3).abs().sum().item<double>(), 0.0); // padding rows are zero
        // The losses ignore padding too.
        QCOMPARE(m.evaluate(a).loss, m.evaluate(b).loss);
    }

    void validationSubsamplesLikeTraining()
    {
        // With train_points the validation loss is taken on a fixed random subset of each cloud: the same value on
        // every call, and an estimate of the whole clouds' loss (same weights, train_points 0).
        json config = small("pointwise", "edm");
        config["train_points"] = 4;
        torch::manual_seed(4);
        PointCloudModel sub({ 3, 2 }, config);
        config["train_points"] = 0;
        torch::manual_seed(4);
        PointCloudModel all({ 3, 2 }, config);
        const auto data = clouds(std::vector<int64_t>(2000, 12), 12, 0.0, 6);
        const double a = sub.evaluate(data).loss, b = all.evaluate(data).loss;
        QCOMPARE(sub.evaluate(data).loss, a);
        QVERIFY2(std::abs(a / b - 1) < 0.05, qPrintable(QString("subset %1, whole clouds %2").arg(a).arg(b)));
    }

    void configAndShapeErrors()
    {
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, PointCloudModel({ 3, 2 }, { { "network", "mlp" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, PointCloudModel({ 3, 2 }, { { "training", "gan" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, PointCloudModel({ 3, 2 }, { { "hiden", { 8 } } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, PointCloudModel({ 3, 2 }, { { "time_embedding", 7 } }));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, PointCloudModel({ 3, 2 }, { { "training", "edm" }, { "sampler", "ddim" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, PointCloudModel({ 3, 0 }, json::object()));
        PointCloudModel m({ 3, 2 }, small("pointwise", "ddpm"));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, m.trainStep({ torch::randn({ 4, 3 }), torch::ones({ 4, 2 }), {} }, 1));
        auto bad = clouds({ 2, 3 }, 3, 0, 1);
        bad.context[1][1] = 5.0; // more points than the padded size
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m.trainStep(bad, 1));
        bad.context[1][1] = 0.0; // an empty cloud
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m.trainStep(bad, 1));
        SampleOptions edm;
        edm.sampler = "edm-heun";
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m.sample(2, torch::tensor({ { 0.0f, 3.0f } }), edm));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m.sample(2, torch::tensor({ { 0.0f, 0.0f } }), {}));
        PointCloudModel student({ 3, 2 }, small("pointwise", "consistency"));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, student.trainStep(clouds({ 2, 3 }, 3, 0, 1), 1)); // no teacher
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError,
            student.setTeacher(std::make_shared<PointCloudModel>(ModelShape { 3, 2 }, small("pointwise", "ddpm"))));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError,
            student.setTeacher(std::make_shared<PointCloudModel>(ModelShape { 3, 2 }, small("epic", "edm"))));
    }

    void everyTrainingKindLearnsAndSamples_data()
    {
        QTest::addColumn<QString>("network");
        QTest::addColumn<QString>("training");
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("frames");
        QTest::newRow("pointwise/ddpm") << "pointwise"
                                        << "ddpm"
                                        << "ddpm" << 101;
        QTest::newRow("pointwise/ddim") << "pointwise"
                                        << "ddpm"
                                        << "ddim" << 51;
        QTest::newRow("pointwise/edm") << "pointwise"
                                       << "edm"
                                       << "edm-heun" << 19;
        QTest::newRow("epic/cfm-heun") << "epic"
                                       << "cfm"
                                       << "heun" << 17;
        QTest::newRow("epic/cfm-rk4") << "epic"
                                      << "cfm"
                                      << "rk4" << 17;
        QTest::newRow("epic/edm") << "epic"
                                  << "edm"
                                  << "edm-heun" << 19;
    }
    void everyTrainingKindLearnsAndSamples()
    {
        // Points x ~ N(2 c, 0.1^2) per coordinate given the cloud's context c: 500 steps must bring the
        // sampled cloud means to 2 c within 0.25 and the loss down.
        QFETCH(QString, network);
        QFETCH(QString, training);
        QFETCH(QString, sampler);
        QFETCH(int, frames);
        torch::manual_seed(3);
        json config = small(network.toStdString(), training.toStdString());
        config["lr"] = 3e-3;
        PointCloudModel m({ 3, 2 }, config);
        auto g = at::detail::createCPUGenerator(11);
        const auto draw = [&](int64_t b) {
            auto batch = clouds(std::vector<int64_t>(static_cast<std::size_t>(b), 6), 8, 0.0, 0);
            const auto c = torch::rand({ b }, g) * 2 - 1;
            batch.context.select(1, 0).copy_(c);
            const auto counts = torch::randint(2, 9, { b }, g);
            batch.context.select(1, 1).copy_(counts.to(torch::kFloat32));
            batch.x = 2 * c.reshape({ b, 1, 1 }) + 0.1 * torch::randn({ b, 8, 3 }, g);
            return batch;
        };
        const double first = m.evaluate(draw(64)).loss;
        for (int s = 0; s < 500; ++s)
            QVERIFY(std::isfinite(m.trainStep(draw(32), 1.0).loss));
        const double last = m.evaluate(draw(64)).loss;
        QVERIFY2(last < first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));

        SampleOptions o;
        o.sampler = sampler.toStdString();
        o.seed = 4;
        o.recordTrajectory = true;
        const auto counts = torch::tensor({ 5, 4, 9 }, torch::kLong);
        const auto ctx = torch::tensor({ { -0.5f }, { 0.2f }, { 0.8f } });
        const auto z = torch::randn({ 18, 3 }, g);
        const auto out = m.samplePacked(z, counts, ctx, o);
        QCOMPARE(out.sample.sizes(), z.sizes());
        QCOMPARE(static_cast<int>(out.trajectory.size()), frames);
        // First frame: the prior sample exactly (sigma_max * z for edm); last: the returned sample exactly.
        const double scale = training == "edm" ? 80.0 : 1.0;
        QVERIFY(torch::allclose(out.trajectory.xt.front(), z * scale, 1e-6, 1e-6));
        QVERIFY(torch::equal(out.trajectory.xt.back(), out.sample));
        const auto means = torch::stack(
            { out.sample.slice(0, 0, 5).mean(), out.sample.slice(0, 5, 9).mean(), out.sample.slice(0, 9).mean() });
        const auto wanted = torch::tensor({ -1.0f, 0.4f, 1.6f });
        QVERIFY2((means - wanted).abs().max().item<double>() < 0.25,
            qPrintable(QString("cloud means %1 %2 %3")
                           .arg(means[0].item<double>())
                           .arg(means[1].item<double>())
                           .arg(means[2].item<double>())));
        // log10 SNR grows along the trajectory and is +inf at the data end.
        QVERIFY(std::isinf(m.log10Snr(o.sampler, out.trajectory.times.back())));
        QVERIFY(m.log10Snr(o.sampler, out.trajectory.times[1]) > m.log10Snr(o.sampler, out.trajectory.times[0]));

        // A clone samples identically; the padded sample() agrees with its packed form.
        auto copy = m.clone();
        SampleOptions plain;
        plain.sampler = o.sampler;
        plain.seed = 9;
        const auto ctx3 = torch::tensor({ { -0.5f, 5.0f }, { 0.2f, 1.0f } });
        const auto s1 = m.sample(2, ctx3, plain).samples, s2 = copy->sample(2, ctx3, plain).samples;
        QVERIFY(torch::equal(s1, s2));
        QCOMPARE(s1.sizes(), (std::vector<int64_t> { 2, 5, 3 }));
        QCOMPARE(s1[1].slice(0, 1).abs().sum().item<double>(), 0.0);
    }

    void consistencyStudentFromATeacher()
    {
        torch::manual_seed(5);
        auto teacher = std::make_shared<PointCloudModel>(ModelShape { 3, 2 }, small("epic", "edm"));
        json sc = small("epic", "consistency");
        sc["target_ema"] = 0.9;
        PointCloudModel student({ 3, 2 }, sc);
        student.setTeacher(teacher);
        QVERIFY(hepgen::test::sameTensors(student.parameters(), teacher->parameters()));
        const auto target0 = hepgen::test::copies(student.modules()[1]->parameters());
        QVERIFY(std::isfinite(student.trainStep(clouds({ 4, 2, 6 }, 6, 0, 3), 1.0).loss));
        const auto online = student.parameters(), target = student.modules()[1]->parameters();
        for (std::size_t i = 0; i < online.size(); ++i)
            QVERIFY(torch::allclose(target[i], 0.9 * target0[i] + 0.1 * online[i], 1e-6, 1e-7));
        // One step: a single jump from sigma_max * z.
        SampleOptions o;
        o.seed = 2;
        o.recordTrajectory = true;
        const auto z = torch::randn({ 7, 3 });
        const auto out = student.samplePacked(z, torch::tensor({ 3, 4 }, torch::kLong), torch::zeros({ 2, 1 }), o);
        QCOMPARE(out.trajectory.times, (std::vector<double> { 80.0, 0.0 }));
        QVERIFY(torch::equal(out.trajectory.xt.back(), out.sample));
        QVERIFY(torch::allclose(out.trajectory.xt.front(), 80.0 * z));
        QCOMPARE(student.timeName(""), std::string("sigma"));
    }

    void trainerDrivesAPointModel()
    {
        // The ordinary Trainer trains, validates and checkpoints a point model (3-D batches); a reload samples alike.
        torch::manual_seed(6);
        PointCloudModel m({ 3, 2 }, small("pointwise", "cfm"));
        hepgen::training::TrainerConfig tc;
        tc.epochs = 2;
        tc.batchSize = 8;
        tc.emaDecay = 0.9;
        hepgen::training::Trainer trainer(m, tc);
        const auto data = clouds({ 3, 5, 2, 8, 1, 4, 6, 7, 2, 3, 5, 5, 8, 1, 2, 3 }, 8, 0.0, 7);
        const hepgen::training::TrainingData all { data.x, data.context, {} };
        auto [train, validation] = hepgen::training::splitTrainValidation(all, 0.25, 1);
        QVERIFY(trainer.fit(train, validation) == hepgen::training::StopReason::Finished);
        QCOMPARE(trainer.history().size(), std::size_t(2));
        QVERIFY(std::isfinite(trainer.history().back().validationLoss));
        QTemporaryDir dir;
        trainer.saveCheckpoint(dir.path().toStdString());
        PointCloudModel again({ 3, 2 }, m.config());
        hepgen::training::Trainer reloaded(again, tc);
        reloaded.loadCheckpoint(dir.path().toStdString());
        QVERIFY(hepgen::test::sameTensors(again.parameters(), m.parameters()));
    }
};

QTEST_GUILESS_MAIN(TestPointModels)
#include "test_point_models.moc"
