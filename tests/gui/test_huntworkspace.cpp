// The Anomaly hunt workspace: typed and dragged window edits are undoable, invalid windows disable Run and
// say why, counts and S/B follow the windows; the signal injection re-draws the file's signal (by number or
// S/B in the SR, with a seed), is undoable and refuses what the file cannot give; a hunt runs through the
// job runner into the comparison table, the notes and the ROC/SIC plots.
#include "studio/HuntScanPanel.h"
#include "studio/HuntWorkspace.h"

#include "core/anomaly/Hunt.h"
#include "core/data/Dataset.h"
#include "core/data/DijetGenerator.h"
#include "widgets/CurveView.h"
#include "widgets/JobRunner.h"

#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <algorithm>
#include <cmath>

using hepgen::anomaly::MassWindows;
using hepgen::studio::HuntWorkspace;

class TestHuntWorkspace : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    static std::shared_ptr<hepgen::data::Dataset> dijet()
    {
        hepgen::data::DijetOptions o;
        o.background = 40000;
        o.signal = 1500;
        o.seed = 5;
        auto d = std::make_shared<hepgen::data::Dataset>();
        d->source = "test:dijet";
        d->table = hepgen::data::generateDijet(o);
        return d;
    }

private Q_SLOTS:
    void initTestCase() { QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config")); }

    void windowEditsAreUndoableAndValidated()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.show();
        QVERIFY(!w.runBlockedReason().isEmpty()); // no data yet
        w.setDataset(dijet());
        QVERIFY2(w.runBlockedReason().isEmpty(), qPrintable(w.runBlockedReason()));

        const MassWindows original = w.windows();
        MassWindows moved = original;
        moved.srLow = 3.4;
        moved.srHigh = 3.8;
        w.editWindows(moved);
        QCOMPARE(w.windows().srLow, 3.4);
        QCOMPARE(w.undoStack()->count(), 1);
        w.undoStack()->undo();
        QCOMPARE(w.windows().srLow, original.srLow);
        QCOMPARE(w.windows().srHigh, original.srHigh);
        w.undoStack()->redo();
        QCOMPARE(w.windows().srHigh, 3.8);

        // Overlapping sidebands: Run is disabled and says why; undo brings the valid windows back.
        MassWindows overlap = w.windows();
        overlap.sbLow = 3.5;
        overlap.sbHigh = 4.2;
        w.editWindows(overlap);
        const QString reason = w.runBlockedReason();
        QVERIFY2(reason.contains("overlap", Qt::CaseInsensitive) || reason.contains("inside", Qt::CaseInsensitive),
            qPrintable(reason));
        QVERIFY(!w.run());
        w.undoStack()->undo();
        QVERIFY(w.runBlockedReason().isEmpty());

        // An SR outside the data.
        MassWindows outside = w.windows();
        outside.srLow = 20;
        outside.srHigh = 21;
        w.editWindows(outside);
        QVERIFY(!w.runBlockedReason().isEmpty());
        w.undoStack()->undo();
    }

    void signalInjectionIsUndoable()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.setDataset(dijet()); // 40k background, 1500 signal
        const auto countSignal = [&w] {
            const auto& l = w.huntTable()->labels;
            return std::size_t(std::count(l.begin(), l.end(), 1));
        };
        QCOMPARE(countSignal(), std::size_t(1500));
        hepgen::studio::HuntInjection inj;
        inj.mode = hepgen::studio::HuntInjection::Mode::Events;
        inj.signal = 300;
        inj.seed = 4;
        QVERIFY(w.editInjection(inj));
        QCOMPARE(countSignal(), std::size_t(300));
        QCOMPARE(w.huntTable()->rows(), std::size_t(40300));
        // Another seed draws other events of the same number.
        const std::vector<float> first = w.huntTable()->values;
        inj.seed = 5;
        QVERIFY(w.editInjection(inj));
        QCOMPARE(countSignal(), std::size_t(300));
        QVERIFY(w.huntTable()->values != first);
        // S/B in the SR hits the target.
        inj.mode = hepgen::studio::HuntInjection::Mode::SOverB;
        inj.sOverB = 0.02;
        QVERIFY(w.editInjection(inj));
        const auto c = hepgen::anomaly::countWindows(w.windows(), *w.huntTable(), "mjj");
        QVERIFY2(std::abs(c.sOverB() - 0.02) < 0.0005, qPrintable(QString::number(c.sOverB())));
        // More than the file holds: refused, nothing changes, the reason is shown.
        const auto before = w.injection();
        inj.sOverB = 5.0;
        QVERIFY(!w.editInjection(inj));
        QVERIFY(w.injection() == before);
        bool said = false;
        for (auto* label : w.findChildren<QLabel*>())
            said = said || label->text().contains("needs");
        QVERIFY(said);
        // Every edit is one undo step: back to 300 events, then to the file as loaded.
        w.undoStack()->undo();
        QCOMPARE(countSignal(), std::size_t(300));
        w.undoStack()->undo();
        w.undoStack()->undo();
        QCOMPARE(countSignal(), std::size_t(1500));
        QVERIFY(w.injection().mode == hepgen::studio::HuntInjection::Mode::AsLoaded);
        w.undoStack()->redo();
        QCOMPARE(countSignal(), std::size_t(300));

        // Unlabelled data: no injection, and it says why.
        auto unlabelled = std::make_shared<hepgen::data::Dataset>(*dijet());
        std::fill(unlabelled->table->labels.begin(), unlabelled->table->labels.end(), std::int8_t(-1));
        w.setDataset(unlabelled);
        QVERIFY(!w.editInjection(inj));
        auto* box = w.findChild<hepgen::studio::HuntInjectionBox*>();
        QVERIFY(box && !box->isEnabled());
        QVERIFY(box->toolTip().contains("labelled"));
    }

    void screenshotSpectrumWithWindows()
    {
        // For the docs: the default dijet toy (1M + 1000) with the default windows and the signal re-injected
        // to S/B = 0.3 % in the SR. Only with HEPGEN_SCREENSHOT_DIR.
        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("set HEPGEN_SCREENSHOT_DIR to write the screenshot");
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.resize(1500, 950);
        w.show();
        auto d = std::make_shared<hepgen::data::Dataset>();
        d->source = "demo:dijet";
        d->table = hepgen::data::generateDijet({});
        w.setDataset(d);
        hepgen::studio::HuntInjection inj;
        inj.mode = hepgen::studio::HuntInjection::Mode::SOverB;
        inj.sOverB = 0.003;
        inj.seed = 3;
        QVERIFY(w.editInjection(inj));
        QTest::qWait(300);
        QVERIFY(w.grab().save(QDir(dir).filePath("hunt-spectrum.png")));
    }

    void aHuntFillsTheTableAndCurves()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace w(&jobs);
        w.resize(1400, 900);
        w.show();
        w.setDataset(dijet());
        QVERIFY(w.setMethod("supervised"));
        QVERIFY(w.setClassifier("bdt"));
        QSignalSpy done(&w, &HuntWorkspace::huntFinished);
        QVERIFY(w.run());
        QVERIFY(done.wait(240000));
        QCOMPARE(w.resultCount(), 1);
        const auto& r = w.result(0);
        QCOMPARE(r.method, std::string("supervised"));
        QVERIFY2(r.auc > 0.8, qPrintable(QString::number(r.auc))); // the toy signal is learnable
        auto curves = w.findChildren<hepgen::widgets::CurveView*>();
        QCOMPARE(curves.size(), qsizetype(3)); // ROC, SIC and the scans' plot (in no guaranteed order)
        curves.removeIf([&](auto* c) { return c->parent() == w.scanPanel(); });
        QCOMPARE(curves.size(), qsizetype(2));
        QCOMPARE(curves[0]->curveCount(), 1); // ROC
        QCOMPARE(curves[1]->curveCount(), 1); // SIC
        // The run's notes are shown beside the table.
        auto notes = w.findChildren<QPlainTextEdit*>();
        QCOMPARE(notes.size(), qsizetype(1));
        QVERIFY2(notes[0]->toPlainText().contains("supervised (bdt)"), qPrintable(notes[0]->toPlainText()));
        QVERIFY(notes[0]->toPlainText().contains("Time by stage"));

        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) { // the docs' picture: the references and a weakly supervised method side by side
            for (const char* method : { "iad", "cwola" }) {
                QVERIFY(w.setMethod(method));
                QVERIFY(w.run());
                QVERIFY(done.wait(240000));
            }
            QTest::qWait(300);
            QVERIFY(w.grab().save(QDir(dir).filePath("hunt-results.png")));
        }
    }
};

QTEST_MAIN(TestHuntWorkspace)
#include "test_huntworkspace.moc"
