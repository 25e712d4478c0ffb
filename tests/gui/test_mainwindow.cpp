// The application shell: the demo loads into the Data panel, a bad file gives an error dialog and
// keeps what was loaded, recent files and workspaces work, and the screenshot shows the window.
#include "studio/DataPanel.h"
#include "studio/LogPanel.h"
#include "studio/MainWindow.h"

#include "core/data/DatasetIO.h"
#include "core/data/Toy2D.h"
#include "widgets/JobRunner.h"
#include "widgets/VtkView.h"

#include <QApplication>
#include <QMessageBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <limits>

using hepgen::studio::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    static bool waitLoaded(MainWindow& w, bool expectOk)
    {
        QSignalSpy spy(&w, &MainWindow::loadFinished);
        if (!spy.wait(30000))
            return false;
        return spy.first().at(0).toBool() == expectOk;
    }

    static QMessageBox* visibleError(MainWindow& w)
    {
        for (QMessageBox* box : w.findChildren<QMessageBox*>())
            if (box->isVisible() && box->objectName() == QLatin1String("errorDialog"))
                return box;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void demoLoadsIntoTheDataPanel()
    {
        MainWindow w;
        w.show();
        w.loadDemo("toy2d-moons");
        QVERIFY(waitLoaded(w, true));
        QVERIFY(w.dataset() != nullptr);
        QCOMPARE(w.dataset()->table->rows(), std::size_t(20000));
        QVERIFY(w.logPanel()->text().contains("Loaded demo:toy2d-moons"));
    }

    void badFileShowsErrorAndKeepsTheData()
    {
        MainWindow w;
        w.setBatchMode(true);
        w.show();
        w.loadDemo("toy2d-rings");
        QVERIFY(waitLoaded(w, true));
        const auto* before = w.dataset();

        const QString bad = m_dir.filePath("garbage.h5");
        std::ofstream(bad.toStdString()) << "this is not HDF5";
        w.openFile(bad);
        QVERIFY(waitLoaded(w, false));
        QCOMPARE(w.dataset(), before); // nothing the user had is lost
        QMessageBox* box = visibleError(w);
        QVERIFY(box != nullptr);
        QVERIFY2(box->text().contains("garbage.h5") && box->text().contains("neither an HDF5 file"),
            qPrintable(box->text()));
        QVERIFY(w.logPanel()->text().contains("garbage.h5"));
        QVERIFY(!w.recentFiles().contains(bad));
    }

    void goodFileBecomesRecent()
    {
        const QString file = m_dir.filePath("checker.h5");
        hepgen::data::Dataset ds;
        ds.table = hepgen::data::generateToy2D(hepgen::data::Toy2DShape::Checkerboard, 1234, 1);
        hepgen::data::writeDataset(ds, file.toStdString());
        MainWindow w;
        w.show();
        w.openFile(file);
        QVERIFY(waitLoaded(w, true));
        QCOMPARE(w.dataset()->table->rows(), std::size_t(1234));
        QCOMPARE(w.recentFiles().value(0), QFileInfo(file).absoluteFilePath());
    }

    void secondJobWhileBusyIsRefusedWithAMessage()
    {
        MainWindow w;
        w.setBatchMode(true);
        w.show();
        w.loadDemo("toy2d-moons");
        w.loadDemo("toy2d-rings"); // refused: the first is still running
        QMessageBox* box = visibleError(w);
        QVERIFY(box != nullptr);
        QVERIFY(box->text().contains("still running"));
        QVERIFY(waitLoaded(w, true));
    }

    void generateThenSaveRoundTrips()
    {
        MainWindow w;
        w.show();
        hepgen::data::GeneratorRequest r;
        r.kind = hepgen::data::GeneratorKind::Toy2D;
        r.toyShape = hepgen::data::Toy2DShape::Rings;
        r.toyEvents = 777;
        w.generate(r);
        QVERIFY(waitLoaded(w, true));
        QCOMPARE(w.dataset()->table->rows(), std::size_t(777));
        const QString file = m_dir.filePath("rings.h5");
        QSignalSpy finished(w.jobs(), &hepgen::widgets::JobRunner::finished);
        w.saveData(file);
        QVERIFY(finished.wait(10000));
        const auto back = hepgen::data::readDataset(file.toStdString());
        QVERIFY(back.table->values == w.dataset()->table->values);
    }

    void cancellingAGenerationKeepsTheData()
    {
        MainWindow w;
        w.show();
        w.loadDemo("toy2d-moons");
        QVERIFY(waitLoaded(w, true));
        const auto* before = w.dataset();
        hepgen::data::GeneratorRequest r;
        r.kind = hepgen::data::GeneratorKind::Showers;
        r.showers.showers = 100000; // minutes of work: only a cancel ends it in time
        QSignalSpy cancelled(w.jobs(), &hepgen::widgets::JobRunner::cancelled);
        w.generate(r);
        QTest::qWait(200);
        w.jobs()->cancel();
        QVERIFY(cancelled.wait(10000));
        QCOMPARE(w.dataset(), before);
    }

    void opensThirdPartyFormats()
    {
        MainWindow w;
        w.setBatchMode(true);
        w.show();
        w.openFile(HEPGEN_TEST_DATA_DIR "/lhco_table.h5");
        QVERIFY(waitLoaded(w, true));
        QCOMPARE(w.dataset()->table->columns.front(), std::string("mjj"));
        hepgen::data::ReadOptions xml;
        xml.binningXml = HEPGEN_RESOURCE_DIR "/calochallenge/binning_dataset_2.xml";
        w.openFile(HEPGEN_TEST_DATA_DIR "/calochallenge_ds2_small.h5", xml);
        QVERIFY(waitLoaded(w, true));
        QCOMPARE(w.dataset()->kind, hepgen::data::DatasetKind::Showers);
        // Without an XML the bundled binning with the same voxel count is used.
        w.openFile(HEPGEN_TEST_DATA_DIR "/calochallenge_ds2_small.h5");
        QVERIFY(waitLoaded(w, true));
        QCOMPARE(w.dataset()->showers->size(), std::size_t(5));
    }

    void nonFiniteValuesAreReportedWithTheirCount()
    {
        hepgen::data::Dataset ds;
        ds.table = hepgen::data::generateToy2D(hepgen::data::Toy2DShape::Moons, 100, 2);
        ds.table->values[3] = std::numeric_limits<float>::quiet_NaN();
        ds.table->values[51] = std::numeric_limits<float>::infinity();
        const QString file = m_dir.filePath("nan.h5");
        hepgen::data::writeDataset(ds, file.toStdString());
        MainWindow w;
        w.setBatchMode(true); // batch mode keeps every event and only warns
        w.show();
        w.openFile(file);
        QVERIFY(waitLoaded(w, true));
        QVERIFY2(w.logPanel()->text().contains("2 of 100 events"), qPrintable(w.logPanel()->text()));
        QCOMPARE(w.dataset()->table->rows(), std::size_t(100));
    }

    void aboutListsTheLinkedLibraryVersions()
    {
        MainWindow w;
        w.show();
        auto* about = w.findChild<QAction*>("actionAbout");
        QVERIFY(about);
        about->trigger();
        QMessageBox* box = w.findChild<QMessageBox*>("aboutDialog");
        QVERIFY(box && box->isVisible());
        for (const QString& lib :
            { QString("Qt"), QString("VTK"), QString("LibTorch"), QString("HDF5"), QString(qVersion()) })
            QVERIFY2(box->text().contains(lib), qPrintable(lib));
        box->close();
    }

    void workspacesAndScreenshot()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.setWorkspace("hunt"));
        QVERIFY(w.setWorkspace("maps"));
        QVERIFY(!w.setWorkspace("nonsense"));
        const QImage shot = w.screenshot();
        QCOMPARE(shot.size(), w.size() * w.devicePixelRatio());
        // Not a blank image: the window has text and panels in several colours.
        QSet<QRgb> colours;
        for (int y = 0; y < shot.height(); y += 7)
            for (int x = 0; x < shot.width(); x += 7)
                colours.insert(shot.pixel(x, y));
        QVERIFY(colours.size() > 5);
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "xcb");
    hepgen::widgets::VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("HEPGenTest");
    QApplication::setApplicationName("test_mainwindow");
    TestMainWindow test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_mainwindow.moc"
