#include "widgets/ShowerView.h"

#include "core/showers/Observables.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QMouseEvent>

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkColorTransferFunction.h>
#include <vtkCubeAxesActor.h>
#include <vtkFloatArray.h>
#include <vtkIntArray.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkPointGaussianMapper.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkXMLPolyDataWriter.h>

#include <algorithm>
#include <cmath>

namespace hepgen::widgets {

namespace {

/// Paints in progress in any view: camera changes made while painting must not schedule new paints.
int g_painting = 0;

/// Round, shaded splats (the sphere impostor of VTK's own point-Gaussian tests): opaque, cheap, depth-correct.
const char* kSphereSplat = "//VTK::Color::Impl\n"
                           "float dist = dot(offsetVCVSOutput.xy, offsetVCVSOutput.xy);\n"
                           "if (dist > 1.0) {\n"
                           "  discard;\n"
                           "} else {\n"
                           "  float scale = (1.0 - dist);\n"
                           "  ambientColor *= scale;\n"
                           "  diffuseColor *= scale;\n"
                           "}\n";

/// Matplotlib's "plasma" at 9 stops (perceptually uniform, visible on a dark background at both ends).
const double kPlasma[9][3] = { { 0.050, 0.030, 0.528 }, { 0.285, 0.012, 0.627 }, { 0.492, 0.012, 0.658 },
    { 0.665, 0.139, 0.586 }, { 0.798, 0.280, 0.470 }, { 0.899, 0.396, 0.363 }, { 0.973, 0.530, 0.253 },
    { 0.994, 0.692, 0.162 }, { 0.940, 0.975, 0.131 } };

vtkSmartPointer<vtkLookupTable> plasmaTable()
{
    vtkNew<vtkColorTransferFunction> ctf;
    for (int i = 0; i < 9; ++i)
        ctf->AddRGBPoint(i / 8.0, kPlasma[i][0], kPlasma[i][1], kPlasma[i][2]);
    auto lut = vtkSmartPointer<vtkLookupTable>::New();
    lut->SetNumberOfTableValues(256);
    for (int i = 0; i < 256; ++i) {
        double rgb[3];
        ctf->GetColor(i / 255.0, rgb);
        lut->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
    }
    lut->Build();
    return lut;
}

void addLine(vtkPoints* points, vtkCellArray* lines, double x0, double y0, double z0, double x1, double y1, double z1)
{
    const vtkIdType ids[2] = { points->InsertNextPoint(x0, y0, z0), points->InsertNextPoint(x1, y1, z1) };
    lines->InsertNextCell(2, ids);
}

void addRectangle(vtkPoints* points, vtkCellArray* lines, double w, double z)
{
    addLine(points, lines, -w, -w, z, w, -w, z);
    addLine(points, lines, w, -w, z, w, w, z);
    addLine(points, lines, w, w, z, -w, w, z);
    addLine(points, lines, -w, w, z, -w, -w, z);
}

} // namespace

ShowerView::ShowerView(QWidget* parent)
    : VtkView(parent)
    , m_points(vtkSmartPointer<vtkPoints>::New())
    , m_logEnergy(vtkSmartPointer<vtkFloatArray>::New())
    , m_radius(vtkSmartPointer<vtkFloatArray>::New())
    , m_cloud(vtkSmartPointer<vtkPolyData>::New())
    , m_mapper(vtkSmartPointer<vtkPointGaussianMapper>::New())
    , m_hitActor(vtkSmartPointer<vtkActor>::New())
    , m_boxActor(vtkSmartPointer<vtkActor>::New())
    , m_layerActor(vtkSmartPointer<vtkActor>::New())
    , m_box(vtkSmartPointer<vtkPolyData>::New())
    , m_layerLines(vtkSmartPointer<vtkPolyData>::New())
    , m_lut(plasmaTable())
    , m_colourBar(vtkSmartPointer<vtkScalarBarActor>::New())
    , m_axes(vtkSmartPointer<vtkCubeAxesActor>::New())
    , m_caption(vtkSmartPointer<vtkTextActor>::New())
    , m_pickText(vtkSmartPointer<vtkTextActor>::New())
{
    qRegisterMetaType<hepgen::widgets::PickedHit>();
    setToolTip(tr("Drag: rotate · Shift+drag: pan · wheel: zoom · click a hit: its values · R: reset camera"));
    vtkRenderer* ren = renderer();

    // Hits: float points with two point-data arrays, refilled in place on every update.
    m_points->SetDataTypeToFloat();
    m_logEnergy->SetName("log10_energy");
    m_radius->SetName("radius");
    m_cloud->SetPoints(m_points);
    m_cloud->GetPointData()->AddArray(m_logEnergy);
    m_cloud->GetPointData()->AddArray(m_radius);
    m_mapper->SetInputData(m_cloud);
    m_mapper->SetScaleArray("radius");
    m_mapper->SetScaleFactor(1.0);
    m_mapper->SetSplatShaderCode(kSphereSplat);
    // The splat triangle only needs to hold our unit disc; VTK's default (3, for Gaussian tails) sends nine times the
    // fragments to the shader, every one outside the disc discarded: 2x the frame time under software OpenGL.
    m_mapper->SetTriangleScale(1.0f);
    m_mapper->EmissiveOff();
    m_mapper->SetLookupTable(m_lut);
    m_mapper->SetScalarModeToUsePointFieldData();
    m_mapper->SelectColorArray("log10_energy");
    m_mapper->SetUseLookupTableScalarRange(true);
    m_mapper->ScalarVisibilityOn();
    m_hitActor->SetMapper(m_mapper);
    ren->AddActor(m_hitActor);

    // Calorimeter outline (box) and layers (dim rectangles); never picked. Opaque colours mixed with the background
    // instead of translucency: a translucent actor costs the whole scene VTK's translucent pass, which doubled the
    // frame time under software OpenGL.
    const double line[3] = { 0.75, 0.78, 0.85 }, background[3] = { 0.08, 0.09, 0.11 };
    ren->SetBackground(background[0], background[1], background[2]);
    for (auto [actor, data, weight] :
        { std::tuple(m_boxActor.Get(), m_box.Get(), 0.8), std::tuple(m_layerActor.Get(), m_layerLines.Get(), 0.25) }) {
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->SetInputData(data);
        actor->SetMapper(mapper);
        actor->GetProperty()->SetColor(weight * line[0] + (1 - weight) * background[0],
            weight * line[1] + (1 - weight) * background[1], weight * line[2] + (1 - weight) * background[2]);
        actor->GetProperty()->SetLineWidth(1.0);
        actor->PickableOff();
        ren->AddActor(actor);
    }

    m_axes->SetCamera(ren->GetActiveCamera());
    m_axes->SetXTitle("x [mm]");
    m_axes->SetYTitle("y [mm]");
    m_axes->SetZTitle("z [mm]");
    m_axes->SetFlyModeToOuterEdges();
    m_axes->SetGridLineLocation(vtkCubeAxesActor::VTK_GRID_LINES_FURTHEST);
    m_axes->XAxisMinorTickVisibilityOff();
    m_axes->YAxisMinorTickVisibilityOff();
    m_axes->ZAxisMinorTickVisibilityOff();
    m_axes->SetScreenSize(9.0);
    for (int i = 0; i < 3; ++i) {
        m_axes->GetTitleTextProperty(i)->SetColor(0.85, 0.87, 0.92);
        m_axes->GetLabelTextProperty(i)->SetColor(0.75, 0.78, 0.85);
    }
    m_axes->GetXAxesLinesProperty()->SetColor(0.6, 0.62, 0.68);
    m_axes->GetYAxesLinesProperty()->SetColor(0.6, 0.62, 0.68);
    m_axes->GetZAxesLinesProperty()->SetColor(0.6, 0.62, 0.68);
    m_axes->PickableOff();
    ren->AddActor(m_axes);

    m_colourBar->SetLookupTable(m_lut);
    m_colourBar->SetTitle("log10 E [MeV]");
    m_colourBar->SetNumberOfLabels(4);
    m_colourBar->SetLabelFormat("%.1f");
    m_colourBar->SetBarRatio(0.25);
    m_colourBar->SetPosition(0.88, 0.12);
    m_colourBar->SetPosition2(0.11, 0.76);
    m_colourBar->UnconstrainedFontSizeOn();
    m_colourBar->GetTitleTextProperty()->SetFontSize(12);
    m_colourBar->GetTitleTextProperty()->SetColor(0.9, 0.9, 0.9);
    m_colourBar->GetLabelTextProperty()->SetFontSize(11);
    m_colourBar->GetLabelTextProperty()->SetColor(0.85, 0.85, 0.85);
    ren->AddViewProp(m_colourBar);

    for (vtkTextActor* t : { m_caption.Get(), m_pickText.Get() }) {
        t->GetTextProperty()->SetFontSize(13);
        t->GetTextProperty()->SetColor(0.92, 0.93, 0.96);
        t->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        ren->AddViewProp(t);
    }
    m_caption->GetTextProperty()->SetVerticalJustificationToTop();
    m_caption->SetPosition(0.015, 0.975);
    m_pickText->SetPosition(0.015, 0.02);
    m_pickText->GetTextProperty()->SetColor(1.0, 0.92, 0.55);

    m_lut->SetTableRange(m_logLo, m_logHi); // automatic range until told otherwise
    setCalorimeter({}, 50.0);
    onCameraModified(); // observe our camera
}

ShowerView::~ShowerView()
{
    if (m_observedCamera)
        m_observedCamera->RemoveObserver(m_cameraObserver);
}

vtkCamera* ShowerView::camera() const { return renderer()->GetActiveCamera(); }

void ShowerView::setCalorimeter(const hepgen::data::CalorimeterGeometry& geometry, double halfWidth)
{
    m_geometry = geometry;
    m_halfWidth = halfWidth > 0 ? halfWidth : 50.0;
    const auto& z = geometry.layerZ;
    double z0 = 0, z1 = 150;
    if (!z.empty()) {
        const auto [lo, hi] = std::minmax_element(z.begin(), z.end());
        const double pitch = z.size() > 1 ? (*hi - *lo) / static_cast<double>(z.size() - 1) : 1.0;
        z0 = std::min(0.0, *lo - 0.5 * pitch);
        z1 = *hi + 0.5 * pitch;
    } else if (!m_hits.empty()) {
        z0 = z1 = m_hits[2];
        for (std::size_t i = 0; i < m_hits.size(); i += 4) {
            z0 = std::min<double>(z0, m_hits[i + 2]);
            z1 = std::max<double>(z1, m_hits[i + 2]);
        }
        if (z1 <= z0)
            z1 = z0 + 1;
    }
    const double w = m_halfWidth;
    const double bounds[6] = { -w, w, -w, w, z0, z1 };
    std::copy(bounds, bounds + 6, m_bounds);

    vtkNew<vtkPoints> boxPoints;
    vtkNew<vtkCellArray> boxLines;
    addRectangle(boxPoints, boxLines, w, z0);
    addRectangle(boxPoints, boxLines, w, z1);
    for (double sx : { -w, w })
        for (double sy : { -w, w })
            addLine(boxPoints, boxLines, sx, sy, z0, sx, sy, z1);
    m_box->SetPoints(boxPoints);
    m_box->SetLines(boxLines);
    vtkNew<vtkPoints> layerPoints;
    vtkNew<vtkCellArray> layerLines;
    for (double lz : z)
        addRectangle(layerPoints, layerLines, w, lz);
    m_layerLines->SetPoints(layerPoints);
    m_layerLines->SetLines(layerLines);
    m_box->Modified();
    m_layerLines->Modified();
    updateAxes();
    setCameraPreset(m_preset);
}

void ShowerView::updateAxes()
{
    m_axes->SetBounds(m_bounds);
    m_axes->SetCamera(renderer()->GetActiveCamera());
}

void ShowerView::setHits(const float* xyzE, std::size_t n)
{
    m_hits.assign(xyzE, xyzE + 4 * n);
    if (m_autoColour && n > 0) {
        double lo = INFINITY, hi = -INFINITY;
        for (std::size_t i = 0; i < n; ++i)
            if (xyzE[4 * i + 3] > 0) {
                const double l = std::log10(static_cast<double>(xyzE[4 * i + 3]));
                lo = std::min(lo, l);
                hi = std::max(hi, l);
            }
        if (lo <= hi) {
            if (hi - lo < 0.1) // one energy: a range around it
                lo = hi - 0.1;
            m_logLo = lo;
            m_logHi = hi;
            m_lut->SetTableRange(m_logLo, m_logHi);
        }
    }
    if (m_pickText->GetInput() && *m_pickText->GetInput())
        showPick(std::nullopt); // the picked hit belonged to the previous hits
    refill();
}

void ShowerView::refill()
{
    const std::size_t n = m_hits.size() / 4;
    m_visible.clear();
    for (std::size_t i = 0; i < n; ++i)
        if (m_threshold <= 0 || m_hits[4 * i + 3] >= m_threshold)
            m_visible.push_back(i);
    const auto count = static_cast<vtkIdType>(m_visible.size());
    m_points->SetNumberOfPoints(count);
    m_logEnergy->SetNumberOfTuples(count);
    m_radius->SetNumberOfTuples(count);
    auto* xyz = static_cast<float*>(m_points->GetVoidPointer(0));
    float* logE = m_logEnergy->GetPointer(0);
    float* radius = m_radius->GetPointer(0);
    // Radii in mm: half a cell (or 2.5 mm) for the most energetic hit down to 35 % of that for the softest.
    const double base = m_geometry.cellSize > 0 ? 0.5 * m_geometry.cellSize : 2.5;
    const double span = std::max(1e-9, m_logHi - m_logLo);
    for (vtkIdType j = 0; j < count; ++j) {
        const float* h = &m_hits[4 * m_visible[static_cast<std::size_t>(j)]];
        xyz[3 * j] = h[0];
        xyz[3 * j + 1] = h[1];
        xyz[3 * j + 2] = h[2];
        const double l = h[3] > 0 ? std::log10(static_cast<double>(h[3])) : m_logLo;
        logE[j] = static_cast<float>(l);
        const double t = std::clamp((l - m_logLo) / span, 0.0, 1.0);
        radius[j] = static_cast<float>(base * (0.35 + 0.65 * t));
    }
    m_points->Modified();
    m_logEnergy->Modified();
    m_radius->Modified();
    m_cloud->Modified();
    m_hitActor->SetVisibility(count > 0);
    m_colourBar->SetVisibility(!m_hits.empty());
    // Noise frames of a trajectory reach far beyond the calorimeter (an EDM prior with sigma = 80 puts hits metres
    // away): keep the hits near it inside the clipping range, but never let the far ones push the near plane past
    // the calorimeter (VTK keeps far / near below 1000, so hits at 100 m would clip the whole picture away). Hits
    // beyond ten calorimeter sizes are clipped; at that distance they would be below a pixel anyway.
    if (count > 0) {
        double hits[6] = { HUGE_VAL, -HUGE_VAL, HUGE_VAL, -HUGE_VAL, HUGE_VAL, -HUGE_VAL };
        for (vtkIdType j = 0; j < count; ++j)
            for (int c = 0; c < 3; ++c) {
                hits[2 * c] = std::min(hits[2 * c], static_cast<double>(xyz[3 * j + c]));
                hits[2 * c + 1] = std::max(hits[2 * c + 1], static_cast<double>(xyz[3 * j + c]));
            }
        double range[6];
        for (int c = 0; c < 3; ++c) {
            const double size = std::max(1.0, m_bounds[2 * c + 1] - m_bounds[2 * c]);
            range[2 * c] = std::min(m_bounds[2 * c], std::max(hits[2 * c], m_bounds[2 * c] - 10 * size));
            range[2 * c + 1]
                = std::max(m_bounds[2 * c + 1], std::min(hits[2 * c + 1], m_bounds[2 * c + 1] + 10 * size));
        }
        renderer()->ResetCameraClippingRange(range);
    }
    render();
}

void ShowerView::setColourRange(double log10Lo, double log10Hi)
{
    m_autoColour = false;
    m_logLo = log10Lo;
    m_logHi = log10Hi > log10Lo ? log10Hi : log10Lo + 0.1;
    m_lut->SetTableRange(m_logLo, m_logHi);
    refill();
}

void ShowerView::setAutoColourRange()
{
    m_autoColour = true;
    setHits(std::vector<float>(m_hits));
}

void ShowerView::setEnergyThreshold(double mev)
{
    m_threshold = std::max(0.0, mev);
    refill();
}

void ShowerView::setCameraPreset(CameraPreset preset)
{
    m_preset = preset;
    vtkCamera* cam = camera();
    const double cx = 0.5 * (m_bounds[0] + m_bounds[1]), cy = 0.5 * (m_bounds[2] + m_bounds[3]);
    const double cz = 0.5 * (m_bounds[4] + m_bounds[5]);
    const double dx = m_bounds[1] - m_bounds[0], dy = m_bounds[3] - m_bounds[2], dz = m_bounds[5] - m_bounds[4];
    const double distance = 4.0 * std::max({ dx, dy, dz });
    const double aspect = height() > 0 ? static_cast<double>(width()) / height() : 1.0;
    cam->SetFocalPoint(cx, cy, cz);
    cam->SetViewUp(0, 1, 0);
    // Orthographic presets: the scale leaves 12 % margin around the box for the axes' labels.
    switch (preset) {
    case CameraPreset::AlongBeam:
        cam->ParallelProjectionOn();
        cam->SetPosition(cx, cy, cz - distance);
        cam->SetParallelScale(0.5 * std::max(dy, dx / aspect) * 1.25);
        break;
    case CameraPreset::Side:
        cam->ParallelProjectionOn();
        cam->SetPosition(cx - distance, cy, cz);
        cam->SetParallelScale(0.5 * std::max(dy, dz / aspect) * 1.25);
        break;
    case CameraPreset::Front:
        cam->ParallelProjectionOff();
        cam->SetPosition(cx - 0.55 * distance, cy + 0.45 * distance, cz - 0.7 * distance);
        renderer()->ResetCamera(m_bounds);
        break;
    }
    renderer()->ResetCameraClippingRange(m_bounds);
    render();
}

void ShowerView::linkCamera(ShowerView* other)
{
    if (!other || other == this)
        return;
    other->renderer()->SetActiveCamera(camera());
    other->m_axes->SetCamera(camera());
    other->onCameraModified();
    other->render();
}

void ShowerView::unlinkCamera()
{
    vtkNew<vtkCamera> own;
    own->DeepCopy(camera());
    renderer()->SetActiveCamera(own);
    m_axes->SetCamera(own);
    onCameraModified();
    render();
}

void ShowerView::onCameraModified()
{
    // Follow the renderer's camera (it changes when linked) and redraw whenever it moves.
    vtkCamera* cam = camera();
    if (cam != m_observedCamera) {
        if (m_observedCamera)
            m_observedCamera->RemoveObserver(m_cameraObserver);
        auto cb = vtkSmartPointer<vtkCallbackCommand>::New();
        cb->SetClientData(this);
        cb->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
            if (g_painting == 0)
                static_cast<ShowerView*>(client)->update();
        });
        m_cameraObserver = cam->AddObserver(vtkCommand::ModifiedEvent, cb);
        m_observedCamera = cam;
    }
}

void ShowerView::setCaption(const QString& text)
{
    if (text == m_captionText && m_caption->GetInput())
        return; // re-rendering the same text each scrubber frame would cost a FreeType pass
    m_captionText = text;
    m_caption->SetInput(text.toUtf8().constData());
    render();
}

QPointF ShowerView::project(double x, double y, double z) const
{
    const double aspect = height() > 0 ? static_cast<double>(width()) / height() : 1.0;
    vtkMatrix4x4* m = camera()->GetCompositeProjectionTransformMatrix(aspect, -1, 1);
    const double in[4] = { x, y, z, 1.0 };
    double out[4];
    m->MultiplyPoint(in, out);
    if (out[3] == 0)
        return { -1e9, -1e9 };
    const double nx = out[0] / out[3], ny = out[1] / out[3];
    return { 0.5 * (nx + 1.0) * width(), 0.5 * (1.0 - ny) * height() };
}

std::optional<PickedHit> ShowerView::pickAt(QPoint widgetPos) const
{
    // Screen-space picking: the nearest drawn hit within its drawn radius (at least 5 px); among hits at the
    // same distance, the one nearest the camera.
    const double aspect = height() > 0 ? static_cast<double>(width()) / height() : 1.0;
    vtkMatrix4x4* m = camera()->GetCompositeProjectionTransformMatrix(aspect, -1, 1);
    const double pixelsPerMm = [&] {
        const QPointF a = project(m_bounds[0], 0, m_bounds[4]), b = project(m_bounds[1], 0, m_bounds[4]);
        return std::hypot(b.x() - a.x(), b.y() - a.y()) / std::max(1e-9, m_bounds[1] - m_bounds[0]);
    }();
    const double base = m_geometry.cellSize > 0 ? 0.5 * m_geometry.cellSize : 2.5;
    const double tolerance = std::max(5.0, base * pixelsPerMm);
    std::optional<PickedHit> best;
    double bestDistance = tolerance, bestDepth = INFINITY;
    for (std::size_t i : m_visible) {
        const float* h = &m_hits[4 * i];
        const double in[4] = { h[0], h[1], h[2], 1.0 };
        double out[4];
        m->MultiplyPoint(in, out);
        if (out[3] <= 0)
            continue;
        const double sx = 0.5 * (out[0] / out[3] + 1.0) * width(), sy = 0.5 * (1.0 - out[1] / out[3]) * height();
        const double d = std::hypot(sx - widgetPos.x(), sy - widgetPos.y()), depth = out[2] / out[3];
        if (d < bestDistance - 0.5 || (d <= bestDistance + 0.5 && depth < bestDepth)) {
            bestDistance = d;
            bestDepth = depth;
            PickedHit hit;
            hit.index = i;
            hit.x = h[0];
            hit.y = h[1];
            hit.z = h[2];
            hit.energy = h[3];
            hit.layer = m_geometry.layerZ.empty()
                ? -1
                : static_cast<int>(hepgen::showers::nearestLayer(m_geometry.layerZ, h[2]));
            best = hit;
        }
    }
    return best;
}

void ShowerView::showPick(const std::optional<PickedHit>& hit)
{
    if (!hit) {
        m_pickText->SetInput("");
    } else {
        const QString layer = hit->layer >= 0 ? QStringLiteral(", layer %1").arg(hit->layer) : QString();
        const QString text = tr("hit %1: x %2 mm, y %3 mm, z %4 mm%5, E %6 MeV")
                                 .arg(hit->index)
                                 .arg(hit->x, 0, 'f', 2)
                                 .arg(hit->y, 0, 'f', 2)
                                 .arg(hit->z, 0, 'f', 2)
                                 .arg(layer)
                                 .arg(hit->energy, 0, 'g', 4);
        m_pickText->SetInput(text.toUtf8().constData());
    }
    render();
}

void ShowerView::mousePressEvent(QMouseEvent* e)
{
    m_pressPos = e->position().toPoint();
    m_pressed = e->button() == Qt::LeftButton;
    VtkView::mousePressEvent(e);
}

void ShowerView::mouseReleaseEvent(QMouseEvent* e)
{
    VtkView::mouseReleaseEvent(e);
    // A click (not a drag) picks.
    if (m_pressed && e->button() == Qt::LeftButton && (e->position().toPoint() - m_pressPos).manhattanLength() < 4) {
        const auto hit = pickAt(e->position().toPoint());
        showPick(hit);
        if (hit)
            Q_EMIT hitPicked(*hit);
        else
            Q_EMIT pickCleared();
    }
    m_pressed = false;
}

void ShowerView::paintGL()
{
    ++g_painting;
    VtkView::paintGL();
    --g_painting;
}

bool ShowerView::exportPng(const QString& path, QString* error)
{
    const QImage image = grabFramebuffer();
    if (image.isNull() || !image.save(path, "PNG")) {
        if (error)
            *error = tr("Could not write %1.").arg(path);
        return false;
    }
    return true;
}

bool ShowerView::exportVtp(const QString& path, QString* error) const
{
    const std::size_t n = m_hits.size() / 4;
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(static_cast<vtkIdType>(n));
    vtkNew<vtkFloatArray> energy, logEnergy;
    energy->SetName("energy_MeV");
    logEnergy->SetName("log10_energy");
    vtkNew<vtkIntArray> layer;
    layer->SetName("layer");
    vtkNew<vtkCellArray> verts;
    for (std::size_t i = 0; i < n; ++i) {
        const float* h = &m_hits[4 * i];
        points->SetPoint(static_cast<vtkIdType>(i), h[0], h[1], h[2]);
        energy->InsertNextValue(h[3]);
        logEnergy->InsertNextValue(h[3] > 0 ? static_cast<float>(std::log10(h[3])) : NAN);
        layer->InsertNextValue(
            m_geometry.layerZ.empty() ? -1 : static_cast<int>(hepgen::showers::nearestLayer(m_geometry.layerZ, h[2])));
        const vtkIdType id = static_cast<vtkIdType>(i);
        verts->InsertNextCell(1, &id);
    }
    vtkNew<vtkPolyData> data;
    data->SetPoints(points);
    data->SetVerts(verts);
    data->GetPointData()->AddArray(energy);
    data->GetPointData()->AddArray(logEnergy);
    data->GetPointData()->AddArray(layer);
    data->GetPointData()->SetActiveScalars("energy_MeV");
    if (!QFileInfo(path).absoluteDir().exists()) { // VTK would only log the failure
        if (error)
            *error = tr("Could not write %1: the folder does not exist.").arg(path);
        return false;
    }
    vtkNew<vtkXMLPolyDataWriter> writer;
    writer->SetFileName(path.toUtf8().constData());
    writer->SetInputData(data);
    writer->SetDataModeToBinary();
    if (writer->Write() != 1 || !QFileInfo::exists(path)) {
        if (error)
            *error = tr("Could not write %1.").arg(path);
        return false;
    }
    return true;
}

} // namespace hepgen::widgets
