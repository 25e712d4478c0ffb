// The Showers workspace end to end through the job runner: simulated reference and comparison showers in the
// linked views, the threshold slider and camera presets, an evaluation into the observables panel (table,
// histograms, classifier AUC) and its exports, every shower export read back (HEPGen schema, CaloChallenge
// with the bundled ILD-like binning, CaloClouds, PNG, .vtp), and bad input explained without losing anything:
// a table loaded instead of showers, an empty energy range, a binning with other layers.
#include "studio/ShowerWorkspace.h"

#include "core/data/CaloCloudsIO.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetIO.h"
#include "core/data/Toy2D.h"
#include "widgets/JobRunner.h"
#include "widgets/ObservablesPanel.h"
#include "widgets/RatioHistogramView.h"
#include "widgets/TrajectoryScrubber.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <vtkCamera.h>
#include <vtkPolyData.h>
#include <vtkXMLPolyDataReader.h>

#include <cmath>
#include <numeric>

using hepgen::showers::ShowerFileFormat;
using hepgen::studio::ShowerWorkspace;
using hepgen::widgets::JobRunner;
using hepgen::widgets::ShowerView;

namespace {

/// Waits for the running job to end; true if it succeeded, the failure message in `failure` otherwise.
bool waitForJob(JobRunner& jobs, QString* failure = nullptr)
{
    QSignalSpy done(&jobs, &JobRunner::finished), failed(&jobs, &JobRunner::failed);
    if (!QTest::qWaitFor([&] { return !jobs.isRunning(); }, 120000))
        return false;
    QCoreApplication::processEvents();
    if (!failed.isEmpty() && failure)
        *failure = failed.first().at(1).toString();
    return failed.isEmpty();
}

double totalEnergy(const hepgen::data::Showers& s, std::size_t i)
{
    double e = 0;
    for (auto h = s.offsets[i]; h < s.offsets[i + 1]; ++h)
        e += s.points[4 * h + 3];
    return e;
}

} // namespace

class TestShowerWorkspace : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const char* name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config")); }

    void simulateCompareAndEvaluate()
    {
        JobRunner jobs;
        ShowerWorkspace w(&jobs);
        w.resize(1400, 850);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.simulateReference(300, 10, 100, 3));
        QVERIFY(waitForJob(jobs));
        QVERIFY(w.reference() && w.reference()->size() == 300);
        QVERIFY(w.referenceLabel()->text().contains("300 showers"));
        QVERIFY(w.referenceView()->visibleHits() > 0);
        QVERIFY(w.referenceView()->caption().contains("shower 0"));
        QVERIFY(w.simulateComparison(300, 10, 100, 4));
        QVERIFY(waitForJob(jobs));
        QVERIFY(w.generated() && w.generated()->size() == 300);
        QVERIFY(w.generatedView()->visibleHits() > 0);

        // Picking a generated shower shows the reference shower of the nearest energy.
        w.showGeneratedShower(17);
        const float e = w.generated()->incidentEnergy[17];
        const float eRef = w.reference()->incidentEnergy[static_cast<std::size_t>(w.referenceIndex())];
        for (float r : w.reference()->incidentEnergy)
            QVERIFY(std::abs(r - e) >= std::abs(eRef - e));

        // Threshold slider: fewer hits shown, the label says how many.
        const std::size_t all = w.referenceView()->visibleHits();
        w.thresholdSlider()->setValue(60);
        QVERIFY(w.referenceView()->visibleHits() < all);
        QCOMPARE(w.referenceView()->energyThreshold(), ShowerWorkspace::thresholdForPosition(60));
        QCOMPARE(w.generatedView()->energyThreshold(), ShowerWorkspace::thresholdForPosition(60));
        QVERIFY(w.findChild<QLabel*>("thresholdLabel")->text().contains("MeV"));
        w.thresholdSlider()->setValue(0);
        QCOMPARE(w.referenceView()->visibleHits(), all);

        // Camera presets by shortcut, shared by the linked views; unlinking separates them.
        QApplication::setActiveWindow(&w); // Xvfb has no window manager to activate it
        QTRY_COMPARE(QApplication::activeWindow(), &w);
        w.referenceView()->setFocus();
        QTRY_VERIFY(w.referenceView()->hasFocus());
        QTest::keyClick(w.referenceView(), Qt::Key_S);
        double d[3];
        w.generatedView()->camera()->GetDirectionOfProjection(d);
        QVERIFY(std::abs(d[0] - 1.0) < 1e-9);
        QCOMPARE(w.referenceView()->camera(), w.generatedView()->camera());
        w.setCamerasLinked(false);
        QVERIFY(w.referenceView()->camera() != w.generatedView()->camera());
        w.setCamerasLinked(true);
        QCOMPARE(w.referenceView()->camera(), w.generatedView()->camera());

        // Evaluation through the panel's button (with the classifier test).
        w.showTab("observables");
        auto* panel = w.observables();
        panel->setEnergyRange(0, 1000);
        panel->setClassifier(true);
        QSignalSpy evaluated(&w, &ShowerWorkspace::evaluated);
        QTest::mouseClick(panel->findChild<QPushButton*>("evaluate"), Qt::LeftButton);
        QVERIFY(waitForJob(jobs));
        QCOMPARE(evaluated.count(), 1);
        const auto* e1 = panel->evaluation();
        QVERIFY(e1);
        QVERIFY(e1->nReference == 300 && e1->nGenerated == 300);
        QVERIFY(std::isfinite(e1->classifierAuc) && std::abs(e1->classifierAuc - 0.5) < 0.15);
        QVERIFY(panel->findChild<QLabel*>("summary")->text().contains("Classifier AUC"));
        QCOMPARE(panel->currentObservable(), QStringLiteral("E_vis/E_inc"));
        QVERIFY(panel->showObservable("hit energy"));
        QCOMPARE(panel->histogramView()->ratio().size(), e1->find("hit energy")->reference.size());
        // Selecting a table row shows that observable.
        auto* table = panel->table();
        table->selectRow(5);
        const QString chosen = table->model()->index(5, 0).data().toString();
        QCOMPARE(panel->currentObservable(), chosen);

        // Table and histogram exports read back.
        QString error;
        QVERIFY2(panel->exportTableCsv(path("table.csv"), &error), qPrintable(error));
        QFile csv(path("table.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(
            lines.first(), QStringLiteral("observable,unit,group,separation_power,w1,value,n_reference,n_generated"));
        QCOMPARE(lines.size(), static_cast<int>(e1->observables.size()) + 4);
        QVERIFY(lines.last().startsWith("classifier JSD"));
        QVERIFY(lines.at(lines.size() - 3)
                    .startsWith(QStringLiteral("classifier AUC,,classifier,,,%1").arg(e1->classifierAuc, 0, 'g', 8)));
        QVERIFY(panel->exportHistogramCsv(path("hist.csv"), &error));
        QFile hist(path("hist.csv"));
        QVERIFY(hist.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(hist.readAll()).count('\n'),
            static_cast<int>(e1->find(chosen.toStdString())->reference.size()) + 2);
        QVERIFY(panel->histogramView()->exportTo(path("observable.pdf")));
        QVERIFY(QFileInfo(path("observable.pdf")).size() > 1000);

        // Screenshots for the docs, when asked for.
        const QString dir = qEnvironmentVariable("HEPGEN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            panel->showObservable("E_vis/E_inc");
            QTest::qWait(200);
            QVERIFY(w.grab().save(QDir(dir).filePath("showers-observables.png")));
        }

        // An empty energy range fails with the reason; the shown comparison stays.
        QString failure;
        QVERIFY(w.evaluate(500, 600, false));
        QVERIFY(!waitForJob(jobs, &failure));
        QVERIFY2(failure.contains("No reference showers") && failure.contains("[500, 600] GeV"), qPrintable(failure));
        QCOMPARE(panel->evaluation(), e1);
    }

    void exportsReadBack()
    {
        JobRunner jobs;
        ShowerWorkspace w(&jobs);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.simulateComparison(40, 20, 60, 9));
        QVERIFY(waitForJob(jobs));
        const auto& s = *w.generated();

        QVERIFY(w.exportShowers(path("gen.h5"), ShowerFileFormat::Hepgen));
        QVERIFY(waitForJob(jobs));
        const auto own = hepgen::data::readDataset(path("gen.h5").toStdString());
        QVERIFY(own.showers->points == s.points && own.showers->offsets == s.offsets);
        QCOMPARE(own.showers->geometry.layerZ, s.geometry.layerZ);

        QVERIFY(w.exportShowers(path("gen_clouds.h5"), ShowerFileFormat::CaloClouds));
        QVERIFY(waitForJob(jobs));
        const auto clouds = hepgen::data::readDataset(path("gen_clouds.h5").toStdString());
        QCOMPARE(clouds.format, std::string("CaloClouds (N, 4, P)"));
        QVERIFY(clouds.showers->offsets == s.offsets);
        QVERIFY(clouds.showers->incidentEnergy == s.incidentEnergy);
        for (std::size_t k = 0; k < s.points.size(); ++k)
            QVERIFY(std::abs(clouds.showers->points[k] - s.points[k]) <= 1e-6f * std::abs(s.points[k]));

        // CaloChallenge with the bundled ILD-like binning (found by layer count); read back by voxel count.
        QSignalSpy exported(&w, &ShowerWorkspace::exported);
        QVERIFY(w.exportShowers(path("gen_cc.h5"), ShowerFileFormat::CaloChallenge));
        QVERIFY(waitForJob(jobs));
        QCOMPARE(exported.count(), 1);
        const auto cc = hepgen::data::readDataset(path("gen_cc.h5").toStdString());
        QCOMPARE(cc.showers->size(), s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            QVERIFY(std::abs(cc.showers->incidentEnergy[i] - s.incidentEnergy[i]) < 1e-3f);
            // The energy of every hit within the binning's outer radius (102 mm = 20 cells, in double precision:
            // cells at exactly 20 pitches lie just inside in float) is kept; rare tail hits beyond it fit no voxel.
            double inside = 0;
            for (auto h = s.offsets[i]; h < s.offsets[i + 1]; ++h)
                if (std::hypot(double(s.points[4 * h]), double(s.points[4 * h + 1])) < 102.0) // as the voxeliser
                    inside += s.points[4 * h + 3];
            QVERIFY2(std::abs(totalEnergy(*cc.showers, i) - inside) < 1e-4 * inside,
                qPrintable(
                    QString("%1 vs %2 of %3").arg(totalEnergy(*cc.showers, i)).arg(inside).arg(totalEnergy(s, i))));
        }
        // A binning with other layers is refused with both counts named.
        QString failure;
        QVERIFY(w.exportShowers(path("bad_cc.h5"), ShowerFileFormat::CaloChallenge,
            QStringLiteral(HEPGEN_RESOURCE_DIR "/calochallenge/binning_dataset_2.xml")));
        QVERIFY(!waitForJob(jobs, &failure));
        QVERIFY2(failure.contains("45 layers") && failure.contains("30"), qPrintable(failure));

        // The views: PNG of both side by side, .vtp of the generated shower.
        w.showGeneratedShower(3);
        QTest::qWait(100);
        QString error;
        QVERIFY2(w.exportViewPng(path("views.png"), &error), qPrintable(error));
        const QImage png(path("views.png"));
        QVERIFY(png.width() > w.generatedView()->width());
        QVERIFY2(w.exportShowerVtp(true, path("gen.vtp"), &error), qPrintable(error));
        vtkNew<vtkXMLPolyDataReader> reader;
        reader->SetFileName(path("gen.vtp").toUtf8().constData());
        reader->Update();
        QCOMPARE(static_cast<std::size_t>(reader->GetOutput()->GetNumberOfPoints()), s.hits(3));
        QVERIFY(!w.exportShowerVtp(false, path("ref.vtp"), &error)); // no reference shower shown
        QVERIFY(error.contains("reference"));
    }

    void badInputIsExplained()
    {
        JobRunner jobs;
        ShowerWorkspace w(&jobs);
        QSignalSpy messages(&w, &ShowerWorkspace::message);
        // A table where showers were expected: explained in place, nothing replaced.
        auto table = std::make_shared<hepgen::data::Dataset>();
        table->source = "test:moons";
        table->table = hepgen::data::generateToy2D(hepgen::data::Toy2DShape::Moons, 100, 1);
        w.setDataset(table);
        QVERIFY(!w.reference());
        QVERIFY2(
            w.referenceLabel()->text().contains("is a table, not showers"), qPrintable(w.referenceLabel()->text()));
        // Evaluate and export without showers: a message, no job.
        QVERIFY(!w.evaluate(0, 100, false));
        QVERIFY(!w.exportShowers(path("none.h5"), ShowerFileFormat::Hepgen));
        QVERIFY(!jobs.isRunning());
        QVERIFY(messages.count() >= 2);
        QVERIFY(!w.observables()->findChild<QPushButton*>("evaluate")->isEnabled());
        QVERIFY(w.observables()->findChild<QLabel*>("reason")->text().contains("reference"));

        // Showers in the data set become the reference; a later table keeps them and says why.
        auto showers = std::make_shared<hepgen::data::Dataset>(
            hepgen::data::readDataset(std::string(HEPGEN_TEST_DATA_DIR) + "/caloclouds_n4p.h5"));
        w.setDataset(showers);
        QVERIFY(w.reference() && w.reference()->size() == 3);
        w.setDataset(table);
        QCOMPARE(w.reference()->size(), std::size_t(3));
        QVERIFY(w.referenceLabel()->text().contains("3 showers"));
        QVERIFY(w.referenceLabel()->text().contains("not showers"));

        // A table file to compare with: the job fails with the reason, the generated side stays empty.
        hepgen::data::Dataset t;
        t.table = table->table;
        hepgen::data::writeDataset(t, path("table.h5").toStdString());
        QString failure;
        QVERIFY(w.loadComparison(path("table.h5")));
        QVERIFY(!waitForJob(jobs, &failure));
        QVERIFY2(failure.contains("not showers"), qPrintable(failure));
        QVERIFY(!w.generated());
        // Busy: a second job is refused with a message.
        QVERIFY(w.simulateReference(200000, 10, 100, 1));
        QVERIFY(!w.simulateComparison(10, 10, 100, 2));
        jobs.cancelAndWait();
        QCOMPARE(w.reference()->size(), std::size_t(3)); // the cancelled simulation replaced nothing
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "xcb");
    ShowerView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestShowerWorkspace test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_shower_workspace.moc"
