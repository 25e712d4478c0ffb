// The Model lab: forms built from each family's config, training that keeps the UI responsive and draws
// frames live, Pause / Resume / Step / Stop (20 cycles without a crash or a leak), the recorded trajectory
// under the slider, and runs saved and loaded back. With HEPGEN_SCREENSHOT_DIR set it also writes the
// screenshots of the docs (GAN, flow, diffusion with the timestep slider).
#include "studio/MainWindow.h"
#include "studio/ModelLab.h"

#include "core/models/ModelFactory.h"
#include "core/training/Trainer.h"
#include "widgets/ConfigForm.h"
#include "widgets/JobRunner.h"
#include "widgets/SampleView.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <memory>

using hepgen::studio::ModelLab;

namespace {

/// Resident memory of this process in MiB.
double residentMiB()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

bool waitFor(const std::function<bool()>& done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(10);
    }
    return true;
}

/// Small, fast settings for a family (the forms' fields are set as a user would type them).
void makeSmall(ModelLab& lab, const QString& family, int epochs)
{
    QVERIFY(lab.setFamily(family));
    auto forms = lab.findChildren<hepgen::widgets::ConfigForm*>();
    QCOMPARE(forms.size(), qsizetype(2));
    auto* model = forms[0];
    auto* trainer = forms[1];
    const auto config = model->values();
    for (const char* key : { "hidden", "generator_hidden", "critic_hidden" })
        if (config.contains(key))
            model->setValue(key, { 32, 32 });
    if (config.contains("layers"))
        model->setValue("layers", 2);
    if (config.contains("sample_steps"))
        model->setValue("sample_steps", 8);
    if (config.contains("timesteps"))
        model->setValue("timesteps", 100);
    trainer->setValue("epochs", epochs);
    trainer->setValue("batch_size", 128);
}

} // namespace

class TestModelLab : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<hepgen::widgets::JobRunner> m_jobs;
    std::unique_ptr<ModelLab> m_lab;

    ModelLab& freshLab(const QString& source = QStringLiteral("8gaussians"))
    {
        m_lab.reset();
        m_jobs = std::make_unique<hepgen::widgets::JobRunner>();
        m_lab = std::make_unique<ModelLab>(m_jobs.get());
        m_lab->resize(1200, 800);
        m_lab->show();
        m_lab->setDataSource(source);
        m_lab->findChild<QSpinBox*>("events")->setValue(4000);
        return *m_lab;
    }

    bool waitState(ModelLab::State s, int ms = 60000)
    {
        return waitFor([&] { return m_lab->state() == s && !m_jobs->isRunning(); }, ms);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("XDG_DATA_HOME", m_dir.filePath("data").toUtf8());
        // Remembered settings go to this test's own directory, never the user's.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config"));
    }

    void cleanup()
    {
        m_lab.reset();
        m_jobs.reset();
    }

    void formShowsEveryFamilySettingWithATooltip()
    {
        ModelLab& lab = freshLab();
        auto* form = lab.findChildren<hepgen::widgets::ConfigForm*>().first();
        for (const auto& family : hepgen::models::modelFamilies()) {
            QVERIFY(lab.setFamily(QString::fromStdString(family)));
            const auto defaults = hepgen::models::makeModel(family, { 2, 0 })->config();
            QVERIFY2(form->values() == defaults, // the form round-trips every default with its JSON type
                qPrintable(
                    QString::fromStdString(family + ": " + nlohmann::json::diff(defaults, form->values()).dump())));
            for (auto* label : form->findChildren<QLabel*>())
                QVERIFY2(!label->toolTip().isEmpty() && !label->toolTip().startsWith("Setting '"),
                    qPrintable(QString::fromStdString(family) + ": " + label->text()));
        }
        QVERIFY(lab.setFamily("flow-rqs"));
        form->setValue("hidden", { 64, 32 });
        QCOMPARE(form->values().at("hidden"), nlohmann::json({ 64, 32 }));
        for (auto* edit : form->findChildren<QLineEdit*>())
            if (edit->text() == "64, 32")
                edit->setText("64, x");
        QCOMPARE(form->invalidFields(), QStringList { "hidden" });
        QVERIFY(!lab.start()); // refuses with a message instead of training something else
        QCOMPARE(lab.state(), ModelLab::State::Idle);
    }

    void trainingKeepsTheUiResponsiveAndDrawsFrames()
    {
        ModelLab& lab = freshLab();
        makeSmall(lab, "flow-rqs", 1000);
        QSignalSpy frames(&lab, &ModelLab::frameShown);
        QVERIFY(lab.start());
        QCOMPARE(lab.state(), ModelLab::State::Running);
        // Event-loop latency probe: a 10 ms timer; how late does each tick come?
        std::vector<double> lateness;
        QElapsedTimer clock;
        clock.start();
        qint64 last = clock.elapsed();
        QTimer probe;
        probe.setInterval(10);
        connect(&probe, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            lateness.push_back(static_cast<double>(now - last - 10));
            last = now;
        });
        probe.start();
        QVERIFY(waitFor([&] { return clock.elapsed() > 4000; }, 10000));
        probe.stop();
        std::sort(lateness.begin(), lateness.end());
        const double p99 = lateness[static_cast<std::size_t>(0.99 * static_cast<double>(lateness.size() - 1))];
        qInfo("event-loop latency over %zu ticks: median %.1f ms, p99 %.1f ms, %d frames, step %lld", lateness.size(),
            lateness[lateness.size() / 2], p99, lab.framesShown(), static_cast<long long>(lab.currentStep()));
        QVERIFY2(p99 < 50, qPrintable(QString::number(p99)));
        QVERIFY(frames.size() >= 2); // live updates while training
        QVERIFY(lab.currentStep() > 0);
        lab.pause();
        QVERIFY(waitState(ModelLab::State::Paused));
        auto* samples = lab.findChildren<hepgen::widgets::SampleView*>().first();
        QCOMPARE(samples->sampleCount(), 1000);
        // The flow's log-density heat map is drawn, highest on a mode of the 8 Gaussians (radius 2) than
        // between them at the centre.
        QVERIFY(samples->fieldValueAt(2, 0) > samples->fieldValueAt(0, 0));
        QVERIFY(lab.runs()->rowCount() == 1);
        QCOMPARE(lab.runs()->entry(0).status, QString("Paused"));
    }

    void ensemblesTrainFromTheForm()
    {
        ModelLab& lab = freshLab();
        makeSmall(lab, "flow-affine", 1);
        auto* members = lab.findChild<QSpinBox*>("ensemble");
        members->setValue(3);
        QVERIFY(lab.start());
        QVERIFY(waitState(ModelLab::State::Finished, 120000));
        QVERIFY(lab.framesShown() > 0);
        // The run directory holds a 3-member ensemble: three times the parameters of one member.
        const auto run = hepgen::training::readRunConfig(lab.runs()->entry(0).directory.toStdString());
        QCOMPARE(run.model.at("ensemble").get<int>(), 3);
        auto count = [](hepgen::models::GenerativeModel& m) {
            int64_t n = 0;
            for (const auto& p : m.parameters())
                n += p.numel();
            return n;
        };
        auto single = run.model;
        single.erase("ensemble");
        single.erase("ensemble_bootstrap");
        QCOMPARE(count(*hepgen::models::makeModel(run.family, run.shape, run.model)),
            3 * count(*hepgen::models::makeModel(run.family, run.shape, single)));
        members->setValue(1);
    }

    void stepTrainsExactlyOneStep()
    {
        ModelLab& lab = freshLab();
        makeSmall(lab, "cfm", 1000);
        QVERIFY(lab.step());
        QVERIFY(waitState(ModelLab::State::Paused));
        QCOMPARE(lab.currentStep(), qint64(1));
        const int before = lab.framesShown();
        QVERIFY(lab.step());
        QVERIFY(waitState(ModelLab::State::Paused));
        QCOMPARE(lab.currentStep(), qint64(2));
        QVERIFY(waitFor([&] { return lab.framesShown() > before; }, 20000)); // each step shows the model
    }

    void twentyPauseResumeStopCyclesNeitherCrashNorLeak()
    {
        ModelLab& lab = freshLab();
        makeSmall(lab, "ddpm", 100000);
        double warm = 0;
        for (int cycle = 0; cycle < 21; ++cycle) {
            QVERIFY(lab.start());
            QTest::qWait(60);
            lab.pause();
            QVERIFY2(waitState(ModelLab::State::Paused), qPrintable(QString("cycle %1").arg(cycle)));
            QVERIFY(lab.start()); // resume
            QTest::qWait(40);
            lab.stop();
            QVERIFY(waitState(ModelLab::State::Finished));
            if (cycle == 0)
                warm = residentMiB(); // after the first cycle: caches and pools are warm
        }
        const double growth = residentMiB() - warm;
        qInfo("resident memory growth over 20 cycles: %.1f MiB", growth);
        QVERIFY2(growth < 40, qPrintable(QString::number(growth)));
        QCOMPARE(lab.runs()->rowCount(), 21);
    }

    void trajectoryRunsFromThePriorToTheSample()
    {
        ModelLab& lab = freshLab(QStringLiteral("moons"));
        makeSmall(lab, "cfm", 2);
        QVERIFY(lab.start());
        QVERIFY(waitState(ModelLab::State::Finished, 120000));
        QVERIFY(waitFor([&] { return lab.framesShown() > 0; }, 10000));
        const int frames = lab.showTrajectoryStep(0);
        QCOMPARE(frames, 9); // 8 Heun steps: 9 recorded states
        auto views = lab.findChildren<hepgen::widgets::SampleView*>();
        QCOMPARE(views.size(), qsizetype(3));
        QCOMPARE(views[1]->sampleCount(), 1000);
        auto* slider = lab.findChild<QSlider*>();
        QCOMPARE(slider->maximum(), frames - 1);
        lab.showTrajectoryStep(frames - 1);
        QCOMPARE(slider->value(), frames - 1);
    }

    void runsAreSavedAndLoadedBack()
    {
        ModelLab& lab = freshLab();
        makeSmall(lab, "flow-affine", 2);
        QVERIFY(lab.start());
        QVERIFY(waitState(ModelLab::State::Finished, 120000));
        const qint64 steps = lab.currentStep();
        QVERIFY(steps > 0);
        const QString dir = m_dir.filePath("saved-run");
        QVERIFY(lab.saveRun(dir));
        QVERIFY(waitFor([&] { return !m_jobs->isRunning(); }, 30000));
        for (const char* f : { "config.json", "checkpoint.pt", "metrics.json" })
            QVERIFY2(QFile::exists(QDir(dir).filePath(f)), f);

        ModelLab& other = freshLab();
        const int before = other.framesShown();
        QVERIFY(other.loadRun(dir));
        QVERIFY(waitState(ModelLab::State::Finished));
        QCOMPARE(other.currentStep(), steps);
        QCOMPARE(other.framesShown(), before + 1);
        QVERIFY(!other.start() || waitState(ModelLab::State::Finished)); // a loaded run starts a new run
        QVERIFY(!other.loadRun(m_dir.filePath("no-such-run")) || waitFor([&] { return !m_jobs->isRunning(); }, 10000));
    }

    void screenshotsMidTraining_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("epochs");
        QTest::addColumn<QString>("field");
        QTest::newRow("wgan-gp") << "wgan-gp"
                                 << "8gaussians" << 25 << "critic";
        QTest::newRow("flow-rqs") << "flow-rqs"
                                  << "moons" << 6 << "log_density";
        QTest::newRow("ddpm") << "ddpm"
                              << "8gaussians" << 12 << "";
        QTest::newRow("cfm") << "cfm"
                             << "8gaussians" << 8 << "flow";
        QTest::newRow("vae") << "vae"
                             << "moons" << 8 << "reconstruction";
    }

    void screenshotsMidTraining()
    {
        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("set HEPGEN_SCREENSHOT_DIR to write the Model lab screenshots");
        QFETCH(QString, family);
        QFETCH(QString, source);
        QFETCH(int, epochs);
        hepgen::studio::MainWindow w;
        w.resize(1600, 1000);
        w.show();
        w.setWorkspace("train");
        ModelLab& lab = *w.modelLab();
        lab.setDataSource(source);
        QVERIFY(lab.setFamily(family));
        lab.findChildren<hepgen::widgets::ConfigForm*>()[1]->setValue("epochs", epochs);
        QVERIFY(lab.start());
        // Mid-training: at two thirds of the configured steps, with a fresh frame drawn.
        QVERIFY(waitFor([&] { return lab.totalSteps() > 0 && 3 * lab.currentStep() >= 2 * lab.totalSteps(); }, 600000));
        const int drawn = lab.framesShown();
        QVERIFY(waitFor([&] { return lab.framesShown() > drawn; }, 60000));
        const int frames = lab.showTrajectoryStep(0);
        lab.showTrajectoryStep(frames / 3);
        QTest::qWait(100);
        QVERIFY(w.screenshot().save(QDir(dir).filePath(QString("modellab-%1.png").arg(family))));
        lab.stop();
        QVERIFY(waitFor([&] { return lab.state() == ModelLab::State::Finished && !w.jobs()->isRunning(); }, 60000));
    }
};

QTEST_MAIN(TestModelLab)
#include "test_modellab.moc"
