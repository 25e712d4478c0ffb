// The hunt workspace's result panels and settings: the bump-hunt panel is filled from a real hunt (spectra
// after the score cuts, fits, pulls, local significances; the background-only toggle recomputes it; figure
// and numbers export), a sliding-window scan runs through the job runner and draws its points, the settings
// form reaches the hunt's configuration and an unparsable setting blocks Run with the reason. Screenshots
// for the docs with HEPGEN_SCREENSHOT_DIR=DIR.
#include "studio/HuntBumpPanel.h"
#include "studio/HuntScanPanel.h"
#include "studio/HuntSettingsForm.h"
#include "studio/HuntWorkspace.h"

#include "core/anomaly/Hunt.h"
#include "core/data/Dataset.h"
#include "core/data/DijetGenerator.h"
#include "core/util/Error.h"
#include "widgets/BumpHuntView.h"
#include "widgets/ConfigForm.h"
#include "widgets/CurveView.h"
#include "widgets/JobRunner.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using hepgen::studio::HuntWorkspace;

class TestHuntPanels : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    static std::shared_ptr<hepgen::data::Dataset> dijet(std::size_t background, double sOverB)
    {
        hepgen::data::DijetOptions o;
        o.background = background;
        o.signal = 0;
        o.sOverB = sOverB;
        o.seed = 12;
        auto d = std::make_shared<hepgen::data::Dataset>();
        d->source = "test:dijet";
        d->table = hepgen::data::generateDijet(o);
        return d;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config"));
        at::set_num_threads(1);
    }

    void bumpHuntPanelFromARealHunt()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.resize(1500, 950);
        w.show();
        w.setDataset(dijet(60000, 0.08));
        QVERIFY(w.setMethod("supervised"));
        QVERIFY(w.setClassifier("bdt"));
        QSignalSpy updated(w.bumpPanel(), &hepgen::studio::HuntBumpPanel::updated);
        QSignalSpy done(&w, &HuntWorkspace::huntFinished);
        QVERIFY(w.run());
        QVERIFY(done.wait(240000));
        // The fits start when the hunt's job has ended.
        QVERIFY(updated.wait(60000));
        const auto& steps = w.bumpPanel()->view()->steps();
        QVERIFY2(steps.size() >= 3, qPrintable(QString::number(steps.size())));
        QCOMPARE(steps[0].efficiency, 1.0);
        for (const auto& s : steps)
            QCOMPARE(s.fit.pulls.size(), s.fit.observed.size());
        QVERIFY(steps[0].fit.converged && steps[1].fit.converged);
        // A supervised score selects the injected resonance: the 10 % cut shows a clear SR excess.
        qInfo("local Z: %.2f (100 %%), %.2f (10 %%), %.2f (1 %%)", steps[0].fit.significance, steps[1].fit.significance,
            steps[2].fit.significance);
        QVERIFY2(steps[1].fit.significance > 3.0, qPrintable(QString::number(steps[1].fit.significance)));
        QVERIFY(steps[1].fit.observedSr > steps[1].fit.expectedSr);
        const auto withSignal = steps[1].fit.observedSr;

        // The sculpting check: the same cuts on the background alone; the excess is gone.
        w.bumpPanel()->setBackgroundOnly(true);
        QVERIFY(updated.wait(60000));
        const auto& background = w.bumpPanel()->view()->steps();
        QVERIFY(!background.empty());
        QVERIFY(background[1].fit.observedSr < withSignal);
        QVERIFY2(background[1].fit.significance < 3.0, qPrintable(QString::number(background[1].fit.significance)));
        bool summary = false;
        for (auto* l : w.bumpPanel()->findChildren<QLabel*>())
            summary = summary || l->text().startsWith("Background only");
        QVERIFY(summary);

        // Exports: the figure (both panels) and the numbers.
        const QString png = m_dir.filePath("bump.png"), pdf = m_dir.filePath("bump.pdf"),
                      csv = m_dir.filePath("bump.csv");
        QVERIFY(w.bumpPanel()->exportTo(png));
        QVERIFY(w.bumpPanel()->exportTo(pdf));
        QVERIFY(w.bumpPanel()->exportTo(csv));
        QVERIFY(QFileInfo(png).size() > 10000 && QFileInfo(pdf).size() > 1000);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QString("efficiency,mass_low,mass_high,observed,fit,pull,in_sr"));
        QVERIFY(lines.size() > 20);
        QVERIFY(lines.last().startsWith("# efficiency"));
        QString error;
        QVERIFY(!w.bumpPanel()->exportTo(m_dir.filePath("bump.xyz"), &error));
        QVERIFY(!error.isEmpty());

        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            w.bumpPanel()->setBackgroundOnly(false);
            QVERIFY(updated.wait(60000));
            w.showResultsPage(1);
            QTest::qWait(300);
            QVERIFY(w.grab().save(QDir(dir).filePath("hunt-bump-hunt.png")));
        }
    }

    void slidingWindowScanRuns()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.resize(1500, 950);
        w.show();
        w.setDataset(dijet(30000, 0.15));
        QVERIFY(w.setMethod("cwola"));
        QVERIFY(w.setClassifier("bdt"));
        auto* scans = w.scanPanel();
        scans->setKind(hepgen::studio::HuntScanPanel::Kind::Windows);
        scans->setWindowScan(3.1, 3.9, 0.4, 0.2); // three windows
        QSignalSpy finished(scans, &hepgen::studio::HuntScanPanel::scanFinished);
        QVERIFY(scans->run());
        QVERIFY(!scans->run()); // one job at a time
        QVERIFY(finished.wait(300000));
        QCOMPARE(scans->pointCount(), 3);
        QVERIFY(scans->view()->curveCount() >= 2); // Z per cut, and the Z = 2 line
        const QStringList csv = scans->toCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 4);
        QVERIFY(csv[2].startsWith("3.3,3.7,"));

        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            w.showResultsPage(2);
            QTest::qWait(300);
            QVERIFY(w.grab().save(QDir(dir).filePath("hunt-scan.png")));
        }
    }

    void settingsReachTheHunt()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.setDataset(dijet(20000, 0.1));
        QVERIFY(w.setMethod("cathode"));
        auto* form = w.settingsForm();
        nlohmann::json v = form->values();
        QCOMPARE(v["oversampling"].get<int>(), 4);
        QCOMPARE(v["density"]["family"].get<std::string>(), std::string("maf-rqs"));
        if (const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR"); !dir.isEmpty()) {
            form->resize(700, 900);
            QVERIFY(form->grab().save(QDir(dir).filePath("hunt-settings.png")));
        }
        v["oversampling"] = 2;
        v["bdt"]["rounds"] = 77;
        form->setValues(v);
        QCOMPARE(form->values()["oversampling"].get<int>(), 2);
        QCOMPARE(form->values()["bdt"]["rounds"].get<int>(), 77);
        QVERIFY(w.runBlockedReason().isEmpty());
        // Every field has a tooltip.
        for (auto* f : form->findChildren<hepgen::widgets::ConfigForm*>())
            for (auto* editor : f->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
                if (qobject_cast<QLineEdit*>(editor) || qobject_cast<QSpinBox*>(editor))
                    QVERIFY2(!editor->toolTip().isEmpty() && !editor->toolTip().startsWith("Setting '"),
                        qPrintable(editor->toolTip()));
        // A field that does not parse blocks Run and names the field.
        QLineEdit* hidden = nullptr;
        for (auto* e : form->findChildren<QLineEdit*>())
            if (e->text() == "64, 64")
                hidden = e;
        QVERIFY(hidden);
        hidden->setText("64, x");
        Q_EMIT hidden->textEdited(hidden->text());
        QVERIFY2(w.runBlockedReason().contains("hidden"), qPrintable(w.runBlockedReason()));
        QVERIFY(!w.run());
        form->resetToDefaults();
        QVERIFY(w.runBlockedReason().isEmpty());
        // Stored settings the hunt refuses are refused as a whole (the workspace then keeps the defaults).
        v = form->values();
        v["oversampling"] = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, form->setValues(v));
    }
};

QTEST_MAIN(TestHuntPanels)
#include "test_huntpanels.moc"
