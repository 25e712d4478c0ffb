// The Anomaly hunt workspace: typed and dragged window edits are undoable, invalid windows disable Run and
// say why, counts and S/B follow the windows, and a hunt runs through the job runner into the comparison
// table and the ROC/SIC plots.
#include "studio/HuntWorkspace.h"

#include "core/anomaly/Hunt.h"
#include "core/data/Dataset.h"
#include "core/data/DijetGenerator.h"
#include "widgets/CurveView.h"
#include "widgets/JobRunner.h"

#include <QDir>
#include <QLabel>
#include <QSettings>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

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
        QCOMPARE(curves.size(), qsizetype(2));
        QCOMPARE(curves[0]->curveCount(), 1); // ROC
        QCOMPARE(curves[1]->curveCount(), 1); // SIC

        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) { // the docs' picture: the references and a weakly supervised method side by side
            for (const char* method : { "iad", "cwola" }) {
                QVERIFY(w.setMethod(method));
                QVERIFY(w.run());
                QVERIFY(done.wait(240000));
            }
            QTest::qWait(200);
            QVERIFY(w.grab().save(QDir(dir).filePath("hunt-results.png")));
        }
    }
};

QTEST_MAIN(TestHuntWorkspace)
#include "test_huntworkspace.moc"
