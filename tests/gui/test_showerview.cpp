// The 3D shower view under a virtual display: a single bright hit lands at the pixel the preset camera puts it
// (along the beam and from the side, not mirrored), the threshold hides soft hits (in the picture too), camera
// presets look where they say, picking returns the hit under the mouse with its layer, linked cameras move
// together, updates reuse the VTK arrays, and the PNG and .vtp exports read back.
#include "widgets/ShowerView.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <vtkActor.h>
#include <vtkActorCollection.h>
#include <vtkCamera.h>
#include <vtkDataArray.h>
#include <vtkMapper.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkXMLPolyDataReader.h>

#include <cmath>

using hepgen::widgets::PickedHit;
using hepgen::widgets::ShowerView;

namespace {

/// Ten layers at z = 5, 15, ..., 95 mm with 5 mm cells.
hepgen::data::CalorimeterGeometry tenLayers()
{
    hepgen::data::CalorimeterGeometry g;
    g.name = "test stack";
    for (int k = 0; k < 10; ++k)
        g.layerZ.push_back(5.0 + 10.0 * k);
    g.cellSize = 5.0;
    return g;
}

/// The top of the plasma colour map (yellow): what the most energetic hit is drawn in.
bool isBright(QRgb c) { return qRed(c) > 170 && qGreen(c) > 170 && qBlue(c) < 120; }

template <class Pred>
bool anyNear(const QImage& img, QPointF at, int radius, Pred pred)
{
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const int x = qRound(at.x()) + dx, y = qRound(at.y()) + dy;
            if (x >= 0 && y >= 0 && x < img.width() && y < img.height() && pred(img.pixel(x, y)))
                return true;
        }
    return false;
}

QImage render(ShowerView& v)
{
    v.render();
    QTest::qWait(60);
    return v.grabFramebuffer();
}

void showView(ShowerView& v)
{
    v.resize(480, 360);
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
}

vtkPolyData* cloudOf(ShowerView& v)
{
    vtkActorCollection* actors = v.renderer()->GetActors();
    actors->InitTraversal();
    vtkActor* first = actors->GetNextActor(); // the hits are the first actor
    return vtkPolyData::SafeDownCast(first->GetMapper()->GetInput());
}

} // namespace

class TestShowerView : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void brightHitLandsWhereThePresetCameraPutsIt()
    {
        ShowerView v;
        showView(v);
        v.setCalorimeter(tenLayers(), 50.0);
        const std::vector<float> hit { 20.f, -10.f, 45.f, 80.f }; // x, y, z mm, E MeV
        v.setHits(hit);
        QCOMPARE(v.visibleHits(), std::size_t(1));

        // Along the beam (+z), y up: a right-handed frame puts +x on the LEFT of the screen.
        v.setCameraPreset(ShowerView::CameraPreset::AlongBeam);
        QImage img = render(v);
        const double dpr = v.devicePixelRatio();
        const double ppu = 0.5 * img.height() / v.camera()->GetParallelScale(); // pixels per mm
        const double cx = 0.5 * img.width(), cy = 0.5 * img.height();
        const QPointF expected(cx - 20.0 * ppu, cy + 10.0 * ppu);
        QVERIFY2(anyNear(img, expected, 3, isBright),
            qPrintable(QString("no bright hit near %1,%2").arg(expected.x()).arg(expected.y())));
        QVERIFY2(!anyNear(img, QPointF(cx + 20.0 * ppu, cy + 10.0 * ppu), 3, isBright), "x mirrored");
        QVERIFY2(!anyNear(img, QPointF(cx - 20.0 * ppu, cy - 10.0 * ppu), 3, isBright), "y mirrored");
        // project() agrees with where the pixels are.
        const QPointF p = v.project(20, -10, 45) * dpr;
        QVERIFY(std::abs(p.x() - expected.x()) < 2 && std::abs(p.y() - expected.y()) < 2);

        // From the side: depth z to the right, y up; the box spans z = 0 ... 100 around the centre 50.
        v.setCameraPreset(ShowerView::CameraPreset::Side);
        img = render(v);
        const double ppuSide = 0.5 * img.height() / v.camera()->GetParallelScale();
        const QPointF side(cx + (45.0 - 50.0) * ppuSide, cy + 10.0 * ppuSide);
        QVERIFY2(anyNear(img, side, 3, isBright), "no bright hit in the side view");
        QVERIFY2(!anyNear(img, QPointF(cx - (45.0 - 50.0) * ppuSide, cy + 10.0 * ppuSide), 2, isBright), "z mirrored");
    }

    void thresholdHidesSoftHits()
    {
        ShowerView v;
        showView(v);
        v.setCalorimeter(tenLayers(), 50.0);
        // A soft hit at x = -30 and a hard one at x = +30 (screen right and left along the beam).
        v.setHits(std::vector<float> { -30.f, 0.f, 5.f, 0.2f, 30.f, 0.f, 95.f, 50.f, 0.f, 30.f, 55.f, 2.f });
        v.setCameraPreset(ShowerView::CameraPreset::AlongBeam);
        QCOMPARE(v.visibleHits(), std::size_t(3));
        v.setEnergyThreshold(1.0);
        QCOMPARE(v.visibleHits(), std::size_t(2));
        v.setEnergyThreshold(100.0);
        QCOMPARE(v.visibleHits(), std::size_t(0));
        v.setEnergyThreshold(1.0);
        QImage img = render(v);
        const QPointF soft = v.project(-30, 0, 5) * v.devicePixelRatio();
        const QPointF hard = v.project(30, 0, 95) * v.devicePixelRatio();
        QVERIFY(anyNear(img, hard, 3, isBright));
        auto notBackground = [](QRgb c) { return qRed(c) > 60 || qGreen(c) > 60 || qBlue(c) > 90; };
        QVERIFY2(!anyNear(img, soft, 2, notBackground), "the hidden hit is drawn");
        v.setEnergyThreshold(0.0);
        img = render(v);
        QVERIFY2(anyNear(img, soft, 2, notBackground), "the soft hit is missing without a threshold");
        QCOMPARE(v.energyThreshold(), 0.0);
    }

    void cameraPresetsLookWhereTheySay()
    {
        ShowerView v;
        showView(v);
        v.setCalorimeter(tenLayers(), 40.0);
        double d[3];
        v.setCameraPreset(ShowerView::CameraPreset::AlongBeam);
        v.camera()->GetDirectionOfProjection(d);
        QVERIFY(std::abs(d[2] - 1.0) < 1e-9 && v.camera()->GetParallelProjection());
        v.setCameraPreset(ShowerView::CameraPreset::Side);
        v.camera()->GetDirectionOfProjection(d);
        QVERIFY(std::abs(d[0] - 1.0) < 1e-9 && v.camera()->GetParallelProjection());
        double up[3];
        v.camera()->GetViewUp(up);
        QVERIFY(std::abs(up[1] - 1.0) < 1e-9);
        v.setCameraPreset(ShowerView::CameraPreset::Front);
        v.camera()->GetDirectionOfProjection(d);
        QVERIFY(!v.camera()->GetParallelProjection());
        QVERIFY(d[2] > 0.3 && d[0] > 0.1 && d[1] < -0.1); // onto the front face, from the side and above
        // Whole box in view: its corners project inside the widget.
        for (double x : { -40.0, 40.0 })
            for (double z : { 0.0, 100.0 }) {
                const QPointF p = v.project(x, 40.0, z);
                QVERIFY(p.x() > 0 && p.x() < v.width() && p.y() > 0 && p.y() < v.height());
            }
    }

    void pickingReturnsTheHitUnderTheMouse()
    {
        ShowerView v;
        showView(v);
        v.setCalorimeter(tenLayers(), 50.0);
        v.setHits(std::vector<float> { 10.f, 10.f, 24.f, 3.5f, -20.f, 5.f, 66.f, 12.f });
        v.setCameraPreset(ShowerView::CameraPreset::AlongBeam);
        render(v);
        const auto hit = v.pickAt(v.project(-20, 5, 66).toPoint());
        QVERIFY(hit.has_value());
        QCOMPARE(hit->index, std::size_t(1));
        QCOMPARE(hit->energy, 12.0);
        QCOMPARE(hit->layer, 6); // z = 66 is nearest the layer at 65 mm
        QCOMPARE(hit->x, -20.0);
        QVERIFY(!v.pickAt(QPoint(5, v.height() / 2)).has_value());

        QSignalSpy picked(&v, &ShowerView::hitPicked), cleared(&v, &ShowerView::pickCleared);
        QTest::mouseClick(&v, Qt::LeftButton, Qt::NoModifier, v.project(10, 10, 24).toPoint());
        QCOMPARE(picked.count(), 1);
        const auto got = picked.takeFirst().at(0).value<PickedHit>();
        QCOMPARE(got.index, std::size_t(0));
        QCOMPARE(got.layer, 2);
        QTest::mouseClick(&v, Qt::LeftButton, Qt::NoModifier, QPoint(5, v.height() / 2));
        QCOMPARE(cleared.count(), 1);
        // Hidden hits cannot be picked.
        v.setEnergyThreshold(5.0);
        QVERIFY(!v.pickAt(v.project(10, 10, 24).toPoint()).has_value());
    }

    void linkedCamerasMoveTogether()
    {
        ShowerView a, b;
        showView(a);
        showView(b);
        for (ShowerView* v : { &a, &b })
            v->setCalorimeter(tenLayers(), 50.0);
        a.linkCamera(&b);
        QCOMPARE(a.camera(), b.camera());
        a.setCameraPreset(ShowerView::CameraPreset::Side);
        double d[3];
        b.camera()->GetDirectionOfProjection(d);
        QVERIFY(std::abs(d[0] - 1.0) < 1e-9);
        // A drag in one view turns the other.
        double before[3];
        b.camera()->GetPosition(before);
        QTest::mousePress(&a, Qt::LeftButton, Qt::NoModifier, QPoint(200, 180));
        for (int x = 210; x <= 300; x += 10) {
            QMouseEvent move(QEvent::MouseMove, QPointF(x, 180), a.mapToGlobal(QPointF(x, 180)), Qt::NoButton,
                Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&a, &move);
        }
        QTest::mouseRelease(&a, Qt::LeftButton, Qt::NoModifier, QPoint(300, 180));
        double after[3];
        b.camera()->GetPosition(after);
        QVERIFY(std::hypot(after[0] - before[0], after[2] - before[2]) > 1.0);
        b.unlinkCamera();
        QVERIFY(a.camera() != b.camera());
        b.camera()->GetPosition(before);
        a.setCameraPreset(ShowerView::CameraPreset::AlongBeam);
        b.camera()->GetPosition(after);
        QCOMPARE(after[0], before[0]);
    }

    void updatesReuseTheArrays()
    {
        ShowerView v;
        showView(v);
        v.setCalorimeter(tenLayers(), 50.0);
        v.setHits(std::vector<float> { 1, 2, 5, 1 });
        vtkPolyData* cloud = cloudOf(v);
        vtkDataArray* energies = cloud->GetPointData()->GetArray("log10_energy");
        vtkPoints* points = cloud->GetPoints();
        std::vector<float> many;
        for (int i = 0; i < 6000; ++i)
            many.insert(many.end(), { float(i % 40 - 20), float(i % 30 - 15), float(5 + 10 * (i % 10)), 0.1f + i });
        v.setHits(many);
        QCOMPARE(cloudOf(v), cloud);
        QCOMPARE(cloud->GetPoints(), points);
        QCOMPARE(cloud->GetPointData()->GetArray("log10_energy"), energies);
        QCOMPARE(cloud->GetNumberOfPoints(), vtkIdType(6000));
        QVERIFY(std::abs(energies->GetTuple1(5999) - std::log10(5999.1)) < 1e-4);
        // Automatic colour range follows the hits; a fixed one stays.
        QVERIFY2(std::abs(v.colourRange().second - std::log10(5999.1)) < 1e-3,
            qPrintable(QString("%1 %2").arg(v.colourRange().first).arg(v.colourRange().second)));
        v.setColourRange(0.0, 1.0);
        v.setHits(std::vector<float> { 1, 2, 5, 1000 });
        QCOMPARE(v.colourRange().second, 1.0);
    }

    void exportsReadBack()
    {
        ShowerView v;
        showView(v);
        v.setCalorimeter(tenLayers(), 50.0);
        const std::vector<float> hits { 10.f, 10.f, 24.f, 3.5f, -20.f, 5.f, 66.f, 12.f, 0.f, 0.f, 95.f, 0.05f };
        v.setHits(hits);
        v.setEnergyThreshold(1.0); // the export holds every hit regardless
        render(v);
        const QString png = m_dir.filePath("view.png");
        QString error;
        QVERIFY2(v.exportPng(png, &error), qPrintable(error));
        QCOMPARE(QImage(png).size(), v.size() * v.devicePixelRatio());

        const QString vtp = m_dir.filePath("shower.vtp");
        QVERIFY2(v.exportVtp(vtp, &error), qPrintable(error));
        vtkNew<vtkXMLPolyDataReader> reader;
        reader->SetFileName(vtp.toUtf8().constData());
        reader->Update();
        vtkPolyData* out = reader->GetOutput();
        QCOMPARE(out->GetNumberOfPoints(), vtkIdType(3));
        QCOMPARE(out->GetNumberOfVerts(), vtkIdType(3));
        vtkDataArray* e = out->GetPointData()->GetArray("energy_MeV");
        vtkDataArray* layer = out->GetPointData()->GetArray("layer");
        QVERIFY(e && layer);
        for (vtkIdType i = 0; i < 3; ++i) {
            double p[3];
            out->GetPoint(i, p);
            QCOMPARE(float(p[0]), hits[4 * i]);
            QCOMPARE(float(p[2]), hits[4 * i + 2]);
            QCOMPARE(float(e->GetTuple1(i)), hits[4 * i + 3]);
        }
        QCOMPARE(layer->GetTuple1(1), 6.0);
        QCOMPARE(layer->GetTuple1(2), 9.0);
        QVERIFY(!v.exportVtp(m_dir.filePath("no/such/dir/x.vtp"), &error));
        QVERIFY(error.contains("Could not write"));
        QVERIFY(!v.exportPng(m_dir.filePath("no/such/dir/x.png"), &error));
    }

    void emptyAndOddInputDoNotCrash()
    {
        ShowerView v;
        showView(v);
        v.setHits(nullptr, 0);
        QCOMPARE(v.visibleHits(), std::size_t(0));
        v.setCalorimeter({}, 0.0); // no layers, no width: defaults
        v.setHits(std::vector<float> { 0, 0, 1, -3.f, 1, 1, 2, NAN, 2, 2, 3, 0.f });
        render(v);
        QCOMPARE(v.visibleHits(), std::size_t(3));
        QVERIFY(!v.pickAt(QPoint(-10, -10)).has_value());
        v.setCaption(QStringLiteral("odd"));
        QCOMPARE(v.caption(), QStringLiteral("odd"));
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "xcb");
    ShowerView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestShowerView test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_showerview.moc"
