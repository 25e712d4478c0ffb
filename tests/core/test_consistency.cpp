// The consistency family (Song et al. 2023): the boundary condition f(x, sigma_min) = x, the Karras grid, 1- and
// 2-step sampling with a recorded single jump, the student starting from the teacher's weights, the target network as
// an EMA of the student, teacher mismatches as errors, and the acceptance test of the model lab: a 1-step student
// distilled from an EDM teacher is within +0.1 classifier-two-sample AUC of its teacher on a 2D toy.
#include "core/data/Toy2D.h"
#include "core/metrics/TwoSampleTest.h"
#include "core/models/ConsistencyModel.h"
#include "core/models/EdmModel.h"
#include "core/models/GenerativeModel.h"
#include "core/models/ModelSupport.h"
#include "core/training/Distillation.h"
#include "core/training/Run.h"
#include "core/util/Error.h"

#include "TensorTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hepgen::models;
using namespace hepgen::training;
using json = nlohmann::json;

namespace {

json tiny() { return { { "hidden", { 32, 32 } }, { "time_embedding", 16 } }; }

// The distillation test's budget: a 3 x 128 teacher (the default 3 x 256 reaches AUC 0.59 but takes twice as long),
// 60 epochs of 8000 moons with EMA; the student 40 epochs with its defaults.
const json kTeacherModel = { { "hidden", { 128, 128, 128 } } };
const json kTeacherTrainer = { { "epochs", 60 }, { "ema_decay", 0.995 }, { "seed", 3 } };
const json kStudentTrainer = { { "epochs", 40 }, { "seed", 4 } };

torch::Tensor tableTensor(const hepgen::data::Table& t)
{
    return torch::from_blob(const_cast<float*>(t.values.data()),
        { static_cast<int64_t>(t.rows()), static_cast<int64_t>(t.cols()) }, torch::kFloat32)
        .clone();
}

SampleOptions seeded(uint64_t seed, int64_t steps = 0, bool record = false)
{
    SampleOptions o;
    o.seed = seed;
    o.steps = steps;
    o.recordTrajectory = record;
    return o;
}

} // namespace

class TestConsistency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void boundaryConditionAndGrid()
    {
        torch::manual_seed(1);
        ConsistencyModel m({ 2, 0 }, tiny());
        const auto x = torch::randn({ 50, 2 }) * 3;
        torch::NoGradGuard noGrad;
        const double eps = m.config().at("sigma_min").get<double>();
        QVERIFY(torch::allclose(m.consistency(x, torch::full({ 50 }, eps), {}), x, 0, 1e-6));
        QVERIFY(!torch::allclose(m.consistency(x, torch::full({ 50 }, 1.0), {}), x, 0, 1e-3));
        const auto g = m.grid();
        QCOMPARE(g.size(0), int64_t(18));
        QVERIFY(std::abs(g[0].item<double>() - eps) < 1e-12);
        QVERIFY(std::abs(g[17].item<double>() - 80.0) < 1e-9);
        QVERIFY((g.slice(0, 1) > g.slice(0, 0, 17)).all().item<bool>());
    }

    void oneAndTwoStepSampling()
    {
        torch::manual_seed(2);
        ConsistencyModel m({ 2, 0 }, tiny());
        const auto one = m.sample(40, {}, seeded(3, 1, true));
        QCOMPARE(one.trajectory.size(), std::size_t(2)); // a single jump: noise -> sample
        QCOMPARE(one.trajectory.times, (std::vector<double> { 80.0, 0.0 }));
        QVERIFY(torch::equal(one.trajectory.x0Pred.front(), one.samples));
        QVERIFY(torch::equal(one.trajectory.xt.back(), one.samples));
        QVERIFY(std::abs(one.trajectory.xt.front().std().item<double>() - 80.0) < 10.0); // x_T ~ N(0, 80^2)
        QVERIFY(torch::equal(m.sample(40, {}, seeded(3, 1)).samples, one.samples));
        const auto two = m.sample(40, {}, seeded(3, 2, true));
        QCOMPARE(two.trajectory.times, (std::vector<double> { 80.0, 1.0, 0.0 }));
        QVERIFY(torch::equal(two.trajectory.xt.back(), two.samples));
        const auto three = m.sample(40, {}, seeded(3, 3, true));
        QCOMPARE(three.trajectory.size(), std::size_t(4));
        QCOMPARE(three.trajectory.times[1], 1.0);
        QVERIFY(three.trajectory.times[2] < 1.0 && three.trajectory.times[2] > 0.002);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m.sample(4, {}, seeded(1, -1)));
        SampleOptions stop = seeded(1), go = seeded(1);
        stop.shouldStop = [] { return true; };
        go.shouldStop = [] { return false; };
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, m.sample(4, {}, stop));
        QCOMPARE(m.sample(4, {}, go).samples.size(0), int64_t(4));
        SampleOptions heun;
        heun.sampler = "heun";
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, m.sample(4, {}, heun));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ConsistencyModel({ 2, 0 }, { { "sample_steps", 0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ConsistencyModel({ 2, 0 }, { { "sigma_mid", 100.0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ConsistencyModel({ 2, 0 }, { { "loss", "lpips" } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ConsistencyModel({ 2, 0 }, { { "target_ema", 1.0 } }));
    }

    void studentStartsFromTheTeacher()
    {
        torch::manual_seed(3);
        auto teacher = std::make_shared<EdmModel>(ModelShape { 2, 1 }, tiny());
        ConsistencyModel student({ 2, 1 }, tiny());
        student.setTeacher(teacher);
        QVERIFY(student.hasTeacher());
        QVERIFY(hepgen::test::sameTensors(student.parameters(), teacher->parameters()));
        // f and D differ only by the sigma_min shift of c_skip and c_out: tiny at sigma >> sigma_min
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({ 30, 2 }) * 5, c = torch::randn({ 30, 1 });
        const auto sigma = torch::full({ 30 }, 5.0);
        QVERIFY(torch::allclose(student.consistency(x, sigma, c), teacher->denoise(x, sigma, c), 1e-3, 1e-3));
    }

    void teacherMismatchesAreErrors()
    {
        ConsistencyModel student({ 2, 0 }, tiny());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, student.setTeacher(makeModel("cfm", { 2, 0 }, tiny())));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError,
            student.setTeacher(makeModel("edm", { 2, 0 }, { { "hidden", { 16, 16 } }, { "time_embedding", 16 } })));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, student.setTeacher(makeModel("edm", { 3, 0 }, tiny())));
        json recorded = tiny();
        recorded["teacher"] = "/runs/edm";
        ConsistencyModel orphan({ 2, 0 }, recorded);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, orphan.trainStep({ torch::randn({ 8, 2 }), {}, {} }, 1.0));
        orphan.train(false);
        QCOMPARE(orphan.sample(3, {}, seeded(1)).samples.size(0), int64_t(3)); // sampling needs no teacher
    }

    void targetIsAnEmaOfTheStudent_data()
    {
        QTest::addColumn<bool>("withTeacher");
        QTest::addColumn<QString>("loss");
        QTest::newRow("distillation/l2") << true << QString("l2");
        QTest::newRow("distillation/pseudo-huber") << true << QString("pseudo-huber");
        QTest::newRow("consistency training") << false << QString("l2");
    }
    void targetIsAnEmaOfTheStudent()
    {
        QFETCH(bool, withTeacher);
        QFETCH(QString, loss);
        torch::manual_seed(4);
        json c = tiny();
        c["target_ema"] = 0.9;
        c["loss"] = loss.toStdString();
        ConsistencyModel m({ 2, 0 }, c);
        if (withTeacher)
            m.setTeacher(std::make_shared<EdmModel>(ModelShape { 2, 0 }, tiny()));
        const auto target0 = hepgen::test::copies(m.modules()[1]->parameters());
        const auto report = m.trainStep({ torch::randn({ 64, 2 }), {}, {} }, 1.0);
        QVERIFY(std::isfinite(report.loss) && report.loss > 0);
        const auto online = m.parameters(), target = m.modules()[1]->parameters();
        for (std::size_t i = 0; i < online.size(); ++i)
            QVERIFY(torch::allclose(target[i], 0.9 * target0[i] + 0.1 * online[i], 1e-6, 1e-7));
        // the clone copies the target network and shares the teacher
        auto copy = m.clone();
        QVERIFY(hepgen::test::sameTensors(copy->modules()[1]->parameters(), target));
        QCOMPARE(dynamic_cast<ConsistencyModel&>(*copy).hasTeacher(), withTeacher);
    }

    void distilledStudentIsCloseToItsTeacher()
    {
        // An EDM teacher on two moons, distilled into a consistency student; classifier two-sample AUCs against
        // fresh truth (0.5: indistinguishable), in the data's units.
        const auto table = hepgen::data::generateToy2D(hepgen::data::Toy2DShape::Moons, 8000, 1);
        QTemporaryDir dir;
        RunRequest teacherRequest;
        teacherRequest.family = "edm";
        teacherRequest.config = { { "model", kTeacherModel }, { "trainer", kTeacherTrainer } };
        teacherRequest.outputDir = dir.filePath("edm").toStdString();
        QElapsedTimer timer;
        timer.start();
        auto [teacher, teacherStop] = trainRun(teacherRequest, table);
        const double teacherSeconds = timer.restart() / 1000.0;

        RunRequest studentRequest;
        studentRequest.family = "consistency";
        studentRequest.config = { { "trainer", kStudentTrainer } };
        studentRequest.outputDir = dir.filePath("cd").toStdString();
        auto [student, studentStop] = distillRun(teacherRequest.outputDir, studentRequest, table);
        const double studentSeconds = timer.elapsed() / 1000.0;
        QVERIFY(studentStop == StopReason::Finished);
        QCOMPARE(student.model->config().at("hidden"), teacher.model->config().at("hidden"));

        const auto truthTable = hepgen::data::generateToy2D(hepgen::data::Toy2DShape::Moons, 4000, 99);
        const auto truth = tableTensor(truthTable);
        auto auc = [&](Run& run, int64_t steps) {
            SampleOptions o = seeded(7, steps);
            const auto generated = tableTensor(sampleRun(run, 4000, {}, o));
            hepgen::metrics::TwoSampleTestConfig config;
            config.seed = 5;
            return hepgen::metrics::classifierTwoSampleTest(truth, generated, config).auc;
        };
        const double teacherAuc = auc(teacher, 0);
        const double oneStep = auc(student, 1), twoStep = auc(student, 2);
        qInfo("edm teacher: %.1f s training, AUC %.3f; consistency student: %.1f s distillation, AUC %.3f (1 step), "
              "%.3f (2 steps)",
            teacherSeconds, teacherAuc, studentSeconds, oneStep, twoStep);
        QVERIFY2(oneStep <= teacherAuc + 0.1, qPrintable(QString("%1 vs %2").arg(oneStep).arg(teacherAuc)));
        QVERIFY2(twoStep <= teacherAuc + 0.1, qPrintable(QString("%1 vs %2").arg(twoStep).arg(teacherAuc)));
        // and the run directory samples without the teacher
        auto reloaded = loadRun(studentRequest.outputDir);
        SampleOptions o = seeded(7, 1);
        QVERIFY(tableTensor(sampleRun(reloaded, 10, {}, o)).equal(tableTensor(sampleRun(student, 10, {}, o))));
    }
};

QTEST_GUILESS_MAIN(TestConsistency)
#include "test_consistency.moc"
