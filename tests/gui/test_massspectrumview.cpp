// The anomaly hunt's spectrum: edges and the whole signal region follow the mouse, a finished drag is
// reported once with the windows before and after, snapping lands on bin edges, and the view still pans
// where no window is grabbed.
#include "widgets/MassSpectrumView.h"

#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using hepgen::widgets::MassSpectrumView;
using MassWindowEdges = hepgen::anomaly::MassWindows;

namespace {
bool same(const MassWindowEdges& a, const MassWindowEdges& b)
{
    return a.srLow == b.srLow && a.srHigh == b.srHigh && a.sbLow == b.sbLow && a.sbHigh == b.sbHigh;
}
} // namespace

Q_DECLARE_METATYPE(hepgen::anomaly::MassWindows)

class TestMassSpectrumView : public QObject {
    Q_OBJECT

    static hepgen::data::Histogram1D spectrum()
    {
        std::vector<float> masses;
        for (int i = 0; i < 20000; ++i)
            masses.push_back(static_cast<float>(2.8 + 2.2 * std::pow((i + 0.5) / 20000.0, 2.0)));
        return hepgen::data::histogram(masses, 44, 2.8, 5.0); // 0.05 TeV bins
    }

    static void drag(MassSpectrumView& v, double fromMass, double toMass)
    {
        QWidget* target = v.findChild<QWidget*>(); // the QCustomPlot
        const int y = target->height() / 2;
        const QPoint from(static_cast<int>(std::lround(v.pixelOf(fromMass))), y);
        const QPoint to(static_cast<int>(std::lround(v.pixelOf(toMass))), y);
        QTest::mousePress(target, Qt::LeftButton, {}, from);
        QTest::mouseMove(target, (from + to) / 2);
        QTest::mouseMove(target, to);
        QTest::mouseRelease(target, Qt::LeftButton, {}, to);
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<MassWindowEdges>(); }

    void edgesAndTheWholeRegionFollowTheMouse()
    {
        MassSpectrumView v;
        v.resize(900, 400);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.setSpectrum(spectrum(), "TeV");
        MassWindowEdges w;
        w.sbLow = 3.0;
        w.sbHigh = 4.0;
        v.setWindows(w);
        QCOMPARE(v.handleAt(v.pixelOf(3.3)), MassSpectrumView::Handle::SrLow);
        QCOMPARE(v.handleAt(v.pixelOf(4.0)), MassSpectrumView::Handle::SbHigh);
        QCOMPARE(v.handleAt(v.pixelOf(3.5)), MassSpectrumView::Handle::SignalRegion);
        QCOMPARE(v.handleAt(v.pixelOf(4.5)), MassSpectrumView::Handle::None);

        QSignalSpy edited(&v, &MassSpectrumView::windowsEdited);
        QSignalSpy dragged(&v, &MassSpectrumView::windowsDragged);
        const double pixel = std::abs(v.pixelOf(3.301) - v.pixelOf(3.3)) * 1000; // pixels per TeV
        const double tol = 1.5 / pixel;
        drag(v, 3.7, 3.8);
        QCOMPARE(edited.size(), 1); // one undo step per drag
        QVERIFY(dragged.size() >= 2);
        const auto before = edited.first().at(0).value<MassWindowEdges>();
        const auto after = edited.first().at(1).value<MassWindowEdges>();
        QVERIFY(same(before, w));
        QVERIFY(std::abs(after.srHigh - 3.8) < tol);
        QCOMPARE(after.srLow, 3.3);

        // The whole SR moves with its finite sidebands.
        drag(v, 3.5, 3.6);
        const auto moved = v.windows();
        QVERIFY(std::abs(moved.srLow - 3.4) < tol);
        QVERIFY(std::abs(moved.sbLow - 3.1) < tol);
        QVERIFY(std::abs(moved.sbHigh - 4.1) < tol);
        QVERIFY(std::abs((moved.srHigh - moved.srLow) - (after.srHigh - after.srLow)) < 1e-9);

        // Snapping lands on the 0.05 TeV bin edges.
        v.setSnapToBins(true);
        drag(v, moved.srLow, 3.262);
        const double snappedLow = v.windows().srLow;
        QVERIFY2(std::abs(snappedLow - 3.25) < 1e-9, qPrintable(QString::number(snappedLow, 'g', 12)));

        // A press outside every window pans the view and edits nothing.
        const int count = edited.size();
        const MassWindowEdges still = v.windows();
        drag(v, 4.6, 4.5);
        QCOMPARE(edited.size(), count);
        QVERIFY(same(v.windows(), still));
    }

    void infiniteSidebandsCoverTheRest()
    {
        MassSpectrumView v;
        v.resize(600, 300);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.setSpectrum(spectrum(), "TeV");
        v.setWindows({});
        // No sideband edge to grab anywhere: only the SR edges and the SR itself.
        QCOMPARE(v.handleAt(v.pixelOf(2.9)), MassSpectrumView::Handle::None);
        QCOMPARE(v.handleAt(v.pixelOf(3.7)), MassSpectrumView::Handle::SrHigh);
        QVERIFY(std::isinf(v.windows().sbLow) && std::isinf(v.windows().sbHigh));
    }
};

QTEST_MAIN(TestMassSpectrumView)
#include "test_massspectrumview.moc"
