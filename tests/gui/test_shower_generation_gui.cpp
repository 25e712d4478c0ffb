// The Showers workspace's generator section end to end, through the job runner: a tiny generator trained in the
// workspace on simulated showers (seconds, fixed seeds) with its losses per epoch; Generate at the reference showers'
// energies, where the timestep scrubber's LAST frame is the returned shower float for float and its FIRST frame is
// the prior (sigma_max = 80 times a standard normal in the generator's standardised space); a reload reproduces the
// showers; Distil adds the 1-step sampler whose trajectory is a single jump; a file written like `hepgen sample
// --trajectory` brings its trajectory to the scrubber. And what goes wrong is explained, losing nothing: Load on
// directories that hold no shower generator, energies outside the trained range (refused, or generated with a
// warning), an empty range, Cancel during training, settings that do not parse or validate in the training dialog.
#include "studio/ShowerGeneratorPanel.h"
#include "studio/ShowerTrainDialog.h"
#include "studio/ShowerWorkspace.h"

#include "core/data/Dataset.h"
#include "core/data/DatasetIO.h"
#include "core/showers/ShowerFeatures.h"
#include "core/showers/ShowerGenerator.h"
#include "core/showers/ShowerLayout.h"
#include "core/showers/ShowerSimulator.h"
#include "core/showers/ShowerTrajectoryFile.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "widgets/ConfigForm.h"
#include "widgets/JobRunner.h"
#include "widgets/SampleView.h"
#include "widgets/TrajectoryScrubber.h"

#include <H5Cpp.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <memory>

using hepgen::data::Showers;
using hepgen::studio::ShowerGeneratorPanel;
using hepgen::studio::ShowerWorkspace;
using hepgen::widgets::JobRunner;
using json = nlohmann::json;

namespace {

/// Waits for the running job to end; true if it succeeded, the failure message in `failure` otherwise.
bool waitForJob(JobRunner& jobs, QString* failure = nullptr)
{
    QSignalSpy done(&jobs, &JobRunner::finished), failed(&jobs, &JobRunner::failed);
    if (!QTest::qWaitFor([&] { return !jobs.isRunning(); }, 300000))
        return false;
    QCoreApplication::processEvents();
    if (!failed.isEmpty() && failure)
        *failure = failed.first().at(1).toString();
    return failed.isEmpty();
}

/// Seconds of training: small networks, few epochs (as tests/core/test_shower_generator.cpp); the objective, the
/// prior's width and the sampler's steps pinned, since the test checks them.
json tinyConfig(int pointEpochs = 3)
{
    return { { "flow",
                 { { "model", { { "layers", 4 }, { "hidden", { 64, 64 } } } }, { "trainer", { { "epochs", 15 } } } } },
        { "points",
            { { "model",
                  { { "hidden", { 64, 64 } }, { "training", "edm" }, { "sigma_max", 80.0 }, { "sample_steps", 18 } } },
                { "trainer", { { "epochs", pointEpochs }, { "batch_size", 16 } } } } },
        { "distillation", { { "trainer", { { "epochs", 1 }, { "batch_size", 16 } } } } }, { "seed", 3 } };
}

std::vector<float> showerPoints(const Showers& s, std::size_t i)
{
    return { s.points.begin() + 4 * s.offsets[i], s.points.begin() + 4 * s.offsets[i + 1] };
}

/// Checks that a frame of physical hits is sigma times a standard normal in the generator's standardised space:
/// the lateral and layer components, which scalePoint() inverts exactly (the energy's is clamped for display).
/// Mean and standard deviation each within 4 standard errors (n hits).
void checkPrior(const std::vector<float>& frame, const std::string& run, double sigma)
{
    std::ifstream in(run + "/config.json");
    const json config = json::parse(in);
    const auto scaling = hepgen::showers::PointScaling::fromJson(config.at("point_scaling"));
    const auto layout = hepgen::showers::ShowerLayout::fromJson(config.at("layout"));
    const std::size_t n = frame.size() / 4;
    QVERIFY(n >= 20);
    const auto a = static_cast<std::size_t>(layout.axisA()), b = static_cast<std::size_t>(layout.axisB()),
               d = static_cast<std::size_t>(layout.depthAxis);
    for (std::size_t c = 0; c < 3; ++c) {
        double m = 0, q = 0;
        for (std::size_t p = 0; p < n; ++p) {
            const float* h = frame.data() + 4 * p;
            const auto z = hepgen::showers::scalePoint({ h[a], h[b], layout.layerCoordinate(h[d]), 1.0 }, scaling);
            m += z[c] / sigma;
            q += z[c] * z[c] / (sigma * sigma);
        }
        m /= static_cast<double>(n);
        const double sd = std::sqrt(q / static_cast<double>(n) - m * m);
        const double tolerance = 4.0 / std::sqrt(static_cast<double>(n));
        QVERIFY2(std::abs(m) < tolerance && std::abs(sd - 1) < tolerance,
            qPrintable(QString("component %1 of %2 hits: mean %3, sd %4 (in units of sigma = %5)")
                           .arg(c)
                           .arg(n)
                           .arg(m)
                           .arg(sd)
                           .arg(sigma)));
    }
}

} // namespace

class TestShowerGenerationGui : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<JobRunner> m_jobs;
    std::unique_ptr<ShowerWorkspace> m_w;
    std::unique_ptr<QSignalSpy> m_messages;
    std::string m_run;

    ShowerGeneratorPanel* panel() const { return m_w->generatorPanel(); }

    ShowerGeneratorPanel::GenerateSettings matched(int count, int trajectories, int seed = 5) const
    {
        ShowerGeneratorPanel::GenerateSettings g;
        g.matched = true;
        g.count = count;
        g.trajectories = trajectories;
        g.seed = seed;
        return g;
    }

    QStringList messagesSince(int from) const
    {
        QStringList out;
        for (int i = from; i < m_messages->count(); ++i)
            out << m_messages->at(i).at(0).toString();
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config"));
        m_jobs = std::make_unique<JobRunner>();
        m_w = std::make_unique<ShowerWorkspace>(m_jobs.get());
        m_messages = std::make_unique<QSignalSpy>(m_w.get(), &ShowerWorkspace::message);
        m_w->resize(1400, 900);
        m_w->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_w.get()));
        // Nothing to train on yet: said, no job.
        QVERIFY(!panel()->train(m_dir.filePath("none"), tinyConfig()));
        QVERIFY(panel()->statusLabel()->text().contains("no reference showers"));
        QVERIFY(!m_jobs->isRunning());

        hepgen::showers::ShowerSimOptions o;
        o.showers = 300;
        o.seed = 1;
        o.energyMin = 10;
        o.energyMax = 100;
        m_w->setReference(std::make_shared<const Showers>(hepgen::showers::simulateShowers(o)), "simulator, seed 1");

        m_run = m_dir.filePath("run").toStdString();
        const int before = m_messages->count();
        QVERIFY(panel()->train(QString::fromStdString(m_run), tinyConfig()));
        QString failure;
        QVERIFY2(waitForJob(*m_jobs, &failure), qPrintable(failure));
        QVERIFY(panel()->generator());
        QCOMPARE(panel()->generator()->directory(), m_run);
        QVERIFY(panel()->generatorLabel()->text().contains("edm"));
        QVERIFY(panel()->generatorLabel()->text().contains("edm-heun"));
        // Every epoch of both stages in the Messages panel; the plot holds the last stage's epochs.
        int flow = 0, points = 0;
        for (const QString& m : messagesSince(before)) {
            flow += m.contains("Shower flow · epoch") ? 1 : 0;
            points += m.contains("Point model · epoch") && m.contains("validation loss") ? 1 : 0;
        }
        QCOMPARE(flow, 15);
        QCOMPARE(points, 3);
        QCOMPARE(panel()->lossView()->points(), 3);
        QVERIFY(panel()->lossView()->isVisible());
    }

    void generateAndScrub()
    {
        QVERIFY(!m_w->generated());
        panel()->setGenerateSettings(matched(40, 3));
        QSignalSpy changed(m_w.get(), &ShowerWorkspace::generatedChanged);
        QVERIFY(panel()->generate());
        QString failure;
        QVERIFY2(waitForJob(*m_jobs, &failure), qPrintable(failure));
        QCOMPARE(changed.count(), 1);
        const Showers& g = *m_w->generated();
        const Showers& r = *m_w->reference();
        QCOMPARE(g.size(), std::size_t(40));
        for (std::size_t i = 0; i < g.size(); ++i)
            QCOMPARE(g.incidentEnergy[i], r.incidentEnergy[i]); // one to one
        QVERIFY(m_w->generatedSource().contains("edm-heun"));
        QVERIFY(panel()->statusLabel()->text().contains("3 trajectories"));

        auto* s = m_w->scrubber();
        QCOMPARE(s->trajectoryCount(), 3);
        for (int k = 0; k < 3; ++k) {
            s->setCurrentTrajectory(k);
            QVERIFY(!s->showsPrediction());
            QCOMPARE(s->frames(), 18 + 1 + 1); // Heun levels, sigma = 0, the shower on cells
            // The last frame, as shown: the returned shower, float for float.
            s->setFrame(s->frames() - 1);
            QVERIFY(s->view()->hits() == showerPoints(g, static_cast<std::size_t>(k)));
            QVERIFY(s->frameText().contains("returned shower"));
            // The first frame, as shown: the prior, N(0, sigma_max^2) in the standardised space.
            s->setFrame(0);
            QCOMPARE(s->trajectory()->times.front(), 80.0);
            checkPrior(s->view()->hits(), m_run, 80.0);
        }

        // Settings are remembered.
        QCOMPARE(QSettings().value("showers/generate/count").toInt(), 40);
        QCOMPARE(QSettings().value("showers/generate/trajectories").toInt(), 3);
    }

    void reloadReproduces()
    {
        const auto before = panel()->generator();
        QVERIFY(panel()->load(QString::fromStdString(m_run)));
        QVERIFY(waitForJob(*m_jobs));
        QVERIFY(panel()->generator() && panel()->generator() != before);
        QCOMPARE(panel()->lossView()->points(), 3); // the run's recorded point-model epochs
        const auto first = m_w->generated()->points;
        panel()->setGenerateSettings(matched(40, 3));
        QVERIFY(panel()->generate());
        QVERIFY(waitForJob(*m_jobs));
        QVERIFY(m_w->generated()->points == first); // same run, same seed: the same showers
    }

    void loadExplainsWhatIsNotARun()
    {
        const auto generator = panel()->generator();
        const auto* shown = m_w->generated();
        QDir(m_dir.path()).mkpath("empty");
        QVERIFY(!panel()->load(m_dir.filePath("empty")));
        QVERIFY(!m_jobs->isRunning());
        QVERIFY2(panel()->statusLabel()->text().contains("not a shower generator's run directory")
                && panel()->statusLabel()->text().contains("config.json"),
            qPrintable(panel()->statusLabel()->text()));
        QVERIFY(!panel()->load(m_dir.filePath("missing")));
        QVERIFY(panel()->statusLabel()->text().contains("does not exist"));
        // A table model's run directory.
        QDir(m_dir.path()).mkpath("table");
        {
            QFile f(m_dir.filePath("table/config.json"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"family": "ddpm", "model": {}})");
        }
        QVERIFY(!panel()->load(m_dir.filePath("table")));
        QVERIFY2(panel()->statusLabel()->text().contains("a ddpm model"), qPrintable(panel()->statusLabel()->text()));
        // A shower run without its checkpoints: the job fails with the core's reason.
        QDir(m_dir.path()).mkpath("broken");
        QFile::copy(QString::fromStdString(m_run + "/config.json"), m_dir.filePath("broken/config.json"));
        QVERIFY(panel()->load(m_dir.filePath("broken")));
        QString failure;
        QVERIFY(!waitForJob(*m_jobs, &failure));
        QVERIFY2(
            panel()->statusLabel()->text().startsWith("Load generator:"), qPrintable(panel()->statusLabel()->text()));
        QVERIFY(panel()->statusLabel()->text().contains("flow"));
        QCOMPARE(panel()->generator(), generator);
        QCOMPARE(m_w->generated(), shown);
    }

    void energiesOutsideTheTrainedRange()
    {
        const auto* shown = m_w->generated();
        auto g = matched(5, 0);
        g.matched = false;
        g.energyMin = 150;
        g.energyMax = 200;
        panel()->setGenerateSettings(g);
        QVERIFY(panel()->generate());
        QString failure;
        QVERIFY(!waitForJob(*m_jobs, &failure));
        const QString status = panel()->statusLabel()->text();
        QVERIFY2(status.startsWith("Generate refused:")
                && status.contains("5 of the 5 incident energies lie outside "
                                   "the trained range"),
            qPrintable(status));
        QCOMPARE(m_w->generated(), shown); // nothing replaced
        // Allowed: generated, and flagged.
        g.allowExtrapolation = true;
        panel()->setGenerateSettings(g);
        const int before = m_messages->count();
        QVERIFY(panel()->generate());
        QVERIFY(waitForJob(*m_jobs));
        QCOMPARE(m_w->generated()->size(), std::size_t(5));
        for (const float e : m_w->generated()->incidentEnergy)
            QVERIFY(e >= 150 && e <= 200);
        QVERIFY2(panel()->statusLabel()->text().contains("extrapolations"), qPrintable(panel()->statusLabel()->text()));
        bool warned = false;
        for (int i = before; i < m_messages->count(); ++i)
            warned = warned
                || (m_messages->at(i).at(1).toBool() && m_messages->at(i).at(0).toString().contains("extrapolations"));
        QVERIFY(warned);
        QCOMPARE(m_w->scrubber()->trajectoryCount(), 0);
        // An empty range: said at once, no job.
        g.energyMin = 50;
        g.energyMax = 20;
        panel()->setGenerateSettings(g);
        QVERIFY(!panel()->generate());
        QVERIFY(!m_jobs->isRunning());
        QVERIFY(panel()->statusLabel()->text().contains("is empty"));
    }

    void comparisonFileBringsItsTrajectory()
    {
        panel()->setGenerateSettings(matched(10, 1, 8));
        QVERIFY(panel()->generate());
        QVERIFY(waitForJob(*m_jobs));
        const Showers shown = *m_w->generated();
        const auto stored = *m_w->scrubber()->trajectory();
        // As `hepgen sample --trajectory` writes it: the showers, then /trajectory beside them.
        hepgen::data::Dataset ds;
        ds.kind = hepgen::data::DatasetKind::Showers;
        ds.showers = shown;
        const std::string file = m_dir.filePath("sampled.h5").toStdString();
        hepgen::data::writeDataset(ds, file);
        hepgen::showers::writeShowerTrajectory(file, stored, 0);
        m_w->setGenerated(nullptr, {});
        QCOMPARE(m_w->scrubber()->trajectoryCount(), 0);
        QVERIFY(m_w->loadComparison(QString::fromStdString(file)));
        QVERIFY(waitForJob(*m_jobs));
        auto* s = m_w->scrubber();
        QCOMPARE(s->trajectoryCount(), 1);
        QCOMPARE(s->frames(), static_cast<int>(stored.frames()));
        QCOMPARE(s->trajectory()->times, stored.times);
        QCOMPARE(s->trajectory()->sampler, stored.sampler);
        QVERIFY(s->trajectory()->postProcessed);
        for (std::size_t f = 0; f < stored.frames(); ++f)
            QVERIFY(s->trajectory()->xt[f] == stored.xt[f] && s->trajectory()->x0Pred[f] == stored.x0Pred[f]);
        s->setFrame(s->frames() - 1);
        QVERIFY(s->view()->hits() == showerPoints(*m_w->generated(), 0));
        QVERIFY(s->view()->hits() == showerPoints(shown, 0));
        QVERIFY(hepgen::showers::readShowerTrajectory(m_dir.filePath("sampled.h5").toStdString())->shower == 0);

        // A trajectory group that does not follow the format: the showers load, a warning says why.
        const std::string broken = m_dir.filePath("broken_trajectory.h5").toStdString();
        hepgen::data::writeDataset(ds, broken);
        {
            H5::H5File f(broken, H5F_ACC_RDWR);
            f.createGroup("/trajectory");
        }
        const int before = m_messages->count();
        QVERIFY(m_w->loadComparison(QString::fromStdString(broken)));
        QVERIFY(waitForJob(*m_jobs));
        QCOMPARE(m_w->generated()->size(), shown.size());
        QCOMPARE(s->trajectoryCount(), 0);
        bool warned = false;
        for (int i = before; i < m_messages->count(); ++i)
            warned = warned
                || (m_messages->at(i).at(1).toBool()
                    && m_messages->at(i).at(0).toString().contains("trajectory could not be read"));
        QVERIFY(warned);
        // A second trajectory into the same file is refused.
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, hepgen::showers::writeShowerTrajectory(file, stored, 0));
    }

    void distilAndOneStep()
    {
        QVERIFY(panel()->distil());
        QString failure;
        QVERIFY2(waitForJob(*m_jobs, &failure), qPrintable(failure));
        QVERIFY(panel()->generatorLabel()->text().contains("consistency"));
        QCOMPARE(panel()->generateSettings().sampler, QStringLiteral("consistency"));
        QCOMPARE(panel()->lossView()->points(), 1); // the student's epoch
        panel()->setGenerateSettings([&] {
            auto g = matched(12, 2, 6);
            g.sampler = "consistency";
            return g;
        }());
        QVERIFY(panel()->generate());
        QVERIFY(waitForJob(*m_jobs));
        auto* s = m_w->scrubber();
        QCOMPARE(s->trajectoryCount(), 2);
        for (int k = 0; k < 2; ++k) {
            s->setCurrentTrajectory(k);
            QCOMPARE(s->frames(), 3); // noise, the jump's shower, on cells
            QVERIFY(s->frameText().contains("1-step: a single jump"));
            s->setFrame(2);
            QVERIFY(s->view()->hits() == showerPoints(*m_w->generated(), static_cast<std::size_t>(k)));
            s->setFrame(0);
            checkPrior(s->view()->hits(), m_run, 80.0);
        }
    }

    void cancelledTrainingLeavesTheWorkspaceUsable()
    {
        const auto generator = panel()->generator();
        const int before = m_messages->count();
        QVERIFY(panel()->train(m_dir.filePath("cancelled"), tinyConfig(500)));
        // Cancel once the point model trains (an epoch of it is in the Messages panel; several epochs may arrive
        // between two polls on a busy machine).
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int i = before; i < m_messages->count(); ++i)
                    if (m_messages->at(i).at(0).toString().contains("Point model · epoch"))
                        return true;
                return false;
            },
            240000));
        QVERIFY(m_jobs->isRunning());
        QSignalSpy cancelled(m_jobs.get(), &JobRunner::cancelled);
        m_jobs->cancel();
        QVERIFY(waitForJob(*m_jobs)); // no failure
        QCOMPARE(cancelled.count(), 1);
        QVERIFY2(panel()->statusLabel()->text().contains("cancelled"), qPrintable(panel()->statusLabel()->text()));
        QCOMPARE(panel()->generator(), generator);
        panel()->setGenerateSettings(matched(4, 1));
        QVERIFY(panel()->generate());
        QVERIFY(waitForJob(*m_jobs));
        QCOMPARE(m_w->generated()->size(), std::size_t(4));
        QCOMPARE(m_w->scrubber()->trajectoryCount(), 1);
    }

    void trainingDialog()
    {
        hepgen::studio::ShowerTrainDialog d(300);
        d.setPreset("default");
        QString error;
        QCOMPARE(d.config(&error), hepgen::showers::ShowerGeneratorConfig::read(json::object()).json);
        if (qEnvironmentVariableIsSet("HEPGEN_SCREENSHOT_DIR")) { // to look at the defaults (not a docs picture)
            d.show();
            QApplication::processEvents();
            QVERIFY(d.grab().save(QDir(qEnvironmentVariable("HEPGEN_SCREENSHOT_DIR")).filePath("shower-train.png")));
        }
        d.setPreset("quick");
        json quick = d.config(&error);
        QVERIFY2(!quick.is_null(), qPrintable(error));
        QCOMPARE(quick,
            hepgen::showers::ShowerGeneratorConfig::read(hepgen::studio::ShowerTrainDialog::preset("quick")).json);
        QCOMPARE(quick.at("points").at("trainer").at("epochs"), json(8));
        QVERIFY(d.runDirectory().endsWith("-shower"));
        // A field that does not parse, and one that parses but is invalid: named, the dialog stays open.
        hepgen::widgets::ConfigForm *points = nullptr, *general = nullptr;
        for (auto* f : d.findChildren<hepgen::widgets::ConfigForm*>()) {
            if (f->values().contains("network"))
                points = f;
            if (f->values().contains("max_showers"))
                general = f;
        }
        QVERIFY(points && general);
        points->setValue("hidden", "64, x");
        QVERIFY(d.config(&error).is_null());
        QVERIFY2(error.contains("Point model › hidden"), qPrintable(error));
        points->setValue("hidden", json { 32, 32 });
        points->setValue("sample_steps", -3);
        QVERIFY(d.config(&error).is_null());
        QVERIFY2(error.contains("sample_steps"), qPrintable(error));
        d.setRunDirectory(m_dir.filePath("dialog-run"));
        d.accept();
        QVERIFY(d.result() != QDialog::Accepted);
        QVERIFY(d.findChild<QLabel*>("error")->text().contains("sample_steps"));
        // Valid settings are accepted and remembered; a new dialog opens with them.
        d.setPreset("quick");
        general->setValue("seed", 11);
        d.accept();
        QCOMPARE(d.result(), int(QDialog::Accepted));
        hepgen::studio::ShowerTrainDialog again(300);
        QCOMPARE(again.currentPreset(), QStringLiteral("quick"));
        QCOMPARE(again.config().at("seed"), json(11));
    }

    void screenshots()
    {
        // docs/ pictures from a real generator: HEPGEN_SCREENSHOT_DIR=DIR HEPGEN_SHOWER_RUN=RUN (a run directory of
        // Train… or `hepgen train --model shower`) with HEPGEN_SHOWER_REFERENCE=FILE (the reference showers).
        const QString dir = qEnvironmentVariable("HEPGEN_SCREENSHOT_DIR"),
                      run = qEnvironmentVariable("HEPGEN_SHOWER_RUN"),
                      reference = qEnvironmentVariable("HEPGEN_SHOWER_REFERENCE");
        if (dir.isEmpty() || run.isEmpty() || reference.isEmpty())
            QSKIP("Set HEPGEN_SCREENSHOT_DIR, HEPGEN_SHOWER_RUN and HEPGEN_SHOWER_REFERENCE to write the screenshots.");
        auto data = std::make_shared<hepgen::data::Dataset>(hepgen::data::readDataset(reference.toStdString()));
        data->source = QFileInfo(reference).fileName().toStdString();
        m_w->setDataset(data);
        QVERIFY(panel()->load(run));
        QVERIFY(waitForJob(*m_jobs));
        panel()->setGenerateSettings(matched(500, 3, 1));
        QVERIFY(panel()->generate());
        QVERIFY(waitForJob(*m_jobs));
        m_w->resize(1500, 950);
        m_w->showTab("views");
        m_w->showGeneratedShower(1);
        QTest::qWait(400);
        QVERIFY(m_w->grab().save(QDir(dir).filePath("showers-generated.png")));
        m_w->showTab("scrubber");
        auto* s = m_w->scrubber();
        s->setCurrentTrajectory(1);
        // Noise, middle, shower by signal-to-noise (any sampler): the prior itself (EDM: sigma = 80) lies metres
        // outside the calorimeter in physical units, so "noise" is the first frame with SNR >= 10^-1.5 (EDM: sigma
        // about 5.6, noise filling the calorimeter), "middle" the first with SNR >= 10^0.5, "shower" the last.
        const auto& snr = s->trajectory()->log10Snr;
        const auto firstAbove = [&](double level) {
            for (std::size_t f = 0; f < snr.size(); ++f)
                if (snr[f] >= level)
                    return static_cast<int>(f);
            return s->frames() - 1;
        };
        const int picks[] = { firstAbove(-1.5), firstAbove(0.5), s->frames() - 1 };
        const char* names[] = { "noise", "middle", "shower" };
        for (int k = 0; k < 3; ++k) {
            s->setFrame(picks[k]);
            QTest::qWait(300);
            QVERIFY(s->grab().save(QDir(dir).filePath(QStringLiteral("showers-scrubber-%1.png").arg(names[k]))));
        }
        m_w->showTab("observables");
        QVERIFY(m_w->evaluate(0, 1000, true));
        QVERIFY(waitForJob(*m_jobs));
        QTest::qWait(400);
        QVERIFY(m_w->grab().save(QDir(dir).filePath("showers-observables.png")));
    }

    void cleanupTestCase()
    {
        m_jobs->cancelAndWait();
        m_messages.reset();
        m_w.reset();
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "xcb");
    hepgen::initialiseRuntime(1);
    hepgen::widgets::ShowerView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestShowerGenerationGui test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_shower_generation_gui.moc"
