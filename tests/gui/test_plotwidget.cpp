// The 2D plot base: axis titles carry units, log axes switch, export writes real PNG/PDF files and
// refuses unknown formats with a message.
#include "widgets/PlotWidget.h"
#include "widgets/Qcp.h"

#include <QTemporaryDir>
#include <QtTest>

using hepgen::widgets::PlotWidget;

class TestPlotWidget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void axisTitlesCarryUnits()
    {
        QCOMPARE(PlotWidget::axisTitle("m_jj", "TeV"), QString("m_jj [TeV]"));
        QCOMPARE(PlotWidget::axisTitle("events", ""), QString("events"));
        PlotWidget w;
        w.setAxisLabels("m_jj", "TeV", "events", "");
        QCOMPARE(w.plot()->xAxis->label(), QString("m_jj [TeV]"));
        QCOMPARE(w.plot()->yAxis->label(), QString("events"));
    }

    void logAxisAndExport()
    {
        PlotWidget w;
        w.resize(500, 350);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCPGraph* g = w.plot()->addGraph();
        QVector<double> x, y;
        for (int i = 1; i <= 50; ++i) {
            x << i;
            y << std::exp(-0.2 * i);
        }
        g->setData(x, y);
        w.setLogY(true);
        QVERIFY(w.logY());
        QCOMPARE(w.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(w.plot()->yAxis->range().lower > 0);

        QTemporaryDir dir;
        QString error;
        QVERIFY2(w.exportTo(dir.filePath("plot.png"), &error), qPrintable(error));
        QImage png(dir.filePath("plot.png"));
        QVERIFY(!png.isNull());
        QCOMPARE(png.width(), 1000); // exported at twice the screen resolution
        QVERIFY2(w.exportTo(dir.filePath("plot.pdf"), &error), qPrintable(error));
        QFile pdf(dir.filePath("plot.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");

        QVERIFY(!w.exportTo(dir.filePath("plot.bmp"), &error));
        QVERIFY(error.contains("use .png or .pdf"));
        QVERIFY(!w.exportTo("/no/such/dir/plot.png", &error));
        QVERIFY(error.contains("Could not write"));
    }
};

QTEST_MAIN(TestPlotWidget)
#include "test_plotwidget.moc"
