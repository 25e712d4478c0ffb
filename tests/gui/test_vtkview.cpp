// Render test of the reusable 3D view: a known point cloud drawn through our QOpenGLWidget /
// vtkGenericOpenGLRenderWindow adapter shows up in grabFramebuffer() where the camera puts it,
// and the background everywhere else.
#include "widgets/VtkView.h"

#include <QApplication>
#include <QtTest>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPointGaussianMapper.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

using hepgen::widgets::VtkView;

namespace {

bool isBackground(QRgb c) { return qRed(c) < 60 && qGreen(c) < 60 && qBlue(c) < 60; }
bool isRed(QRgb c) { return qRed(c) > 150 && qGreen(c) < 100 && qBlue(c) < 100; }
bool isGreen(QRgb c) { return qGreen(c) > 150 && qRed(c) < 100 && qBlue(c) < 100; }

// Any pixel of the given kind within a small window around (x, y).
template <class Pred>
bool anyNear(const QImage& img, int x, int y, int radius, Pred pred)
{
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const int px = x + dx, py = y + dy;
            if (px >= 0 && py >= 0 && px < img.width() && py < img.height() && pred(img.pixel(px, py)))
                return true;
        }
    return false;
}

} // namespace

class TestVtkView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void knownPointCloudAppearsWhereExpected()
    {
        VtkView view;
        view.resize(400, 300);
        view.renderer()->SetBackground(0.0, 0.0, 0.0);

        // A red point left of centre and a green point right of centre, in the z = 0 plane.
        vtkNew<vtkPoints> points;
        points->InsertNextPoint(-1.0, 0.0, 0.0);
        points->InsertNextPoint(1.0, 0.0, 0.0);
        vtkNew<vtkUnsignedCharArray> colors;
        colors->SetNumberOfComponents(3);
        colors->SetName("colors");
        const unsigned char red[3] = { 255, 0, 0 }, green[3] = { 0, 255, 0 };
        colors->InsertNextTypedTuple(red);
        colors->InsertNextTypedTuple(green);
        vtkNew<vtkPolyData> cloud;
        cloud->SetPoints(points);
        cloud->GetPointData()->SetScalars(colors);
        vtkNew<vtkPointGaussianMapper> mapper;
        mapper->SetInputData(cloud);
        mapper->SetScaleFactor(0.15);
        mapper->SetColorModeToDirectScalars();
        mapper->EmissiveOff();
        mapper->SetSplatShaderCode(""); // solid discs
        vtkNew<vtkActor> actor;
        actor->SetMapper(mapper);
        view.renderer()->AddActor(actor);

        // Camera on the +z axis looking at the origin, x to the right, y up: parallel projection
        // with half-height 1.5 maps x = ±1 to 200 ± 100 * (300/400)... computed below.
        vtkCamera* cam = view.renderer()->GetActiveCamera();
        cam->SetPosition(0, 0, 10);
        cam->SetFocalPoint(0, 0, 0);
        cam->SetViewUp(0, 1, 0);
        cam->ParallelProjectionOn();
        cam->SetParallelScale(1.5); // half the view height in world units

        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.render();
        QTest::qWait(100);
        const QImage img = view.grabFramebuffer();
        QCOMPARE(img.size(), QSize(400, 300) * view.devicePixelRatio());

        // Pixels per world unit = (height / 2) / parallel scale = 150 / 1.5 = 100.
        const int cx = img.width() / 2, cy = img.height() / 2;
        const int ppu = static_cast<int>(img.height() / 2 / 1.5);
        QVERIFY2(anyNear(img, cx - ppu, cy, 3, isRed), "red point missing at x = -1");
        QVERIFY2(anyNear(img, cx + ppu, cy, 3, isGreen), "green point missing at x = +1");
        QVERIFY2(!anyNear(img, cx + ppu, cy, 3, isRed), "red drawn on the wrong side (x mirrored?)");
        // Background at the centre, corners, and above/below the points.
        for (QPoint p : { QPoint(cx, cy), QPoint(5, 5), QPoint(img.width() - 5, img.height() - 5),
                 QPoint(cx - ppu, cy - ppu / 2), QPoint(cx + ppu, cy + ppu / 2) })
            QVERIFY2(
                isBackground(img.pixel(p)), qPrintable(QString("expected background at %1,%2").arg(p.x()).arg(p.y())));
    }

    void resizeKeepsRendering()
    {
        VtkView view;
        view.resize(200, 150);
        view.renderer()->SetBackground(0.0, 0.0, 1.0);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.resize(320, 240);
        QTest::qWait(50);
        const QImage img = view.grabFramebuffer();
        QCOMPARE(img.size(), QSize(320, 240) * view.devicePixelRatio());
        const QRgb c = img.pixel(img.width() - 3, img.height() - 3);
        QVERIFY2(qBlue(c) > 200 && qRed(c) < 30, "background colour not drawn after resize");
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "xcb");
    VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestVtkView test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_vtkview.moc"
