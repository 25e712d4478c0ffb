#pragma once
// The 3D view of one calorimeter shower: hits as points (vtkPointGaussianMapper) coloured by log10 of their
// energy with a colour bar and sized by it, the calorimeter outline with its layers and labelled axes, camera
// presets, an energy threshold, picking a hit (its x, y, z, layer and E), camera linking between views, and
// exports (PNG of the view, .vtp of the shower for ParaView). Updating the hits refills the same VTK arrays,
// so the timestep scrubber can redraw many frames a second. Never throws; exports report failure.
#include "core/data/Showers.h"
#include "widgets/VtkView.h"

#include <QPoint>
#include <QString>

#include <cstddef>
#include <optional>
#include <vector>

class vtkActor;
class vtkCamera;
class vtkCubeAxesActor;
class vtkFloatArray;
class vtkLookupTable;
class vtkPointGaussianMapper;
class vtkPoints;
class vtkPolyData;
class vtkScalarBarActor;
class vtkTextActor;

namespace hepgen::widgets {

/// A hit the user picked: its index in the shower, position (mm), layer (-1 without layers) and energy (MeV).
struct PickedHit {
    std::size_t index = 0;
    double x = 0, y = 0, z = 0, energy = 0;
    int layer = -1;
};

class ShowerView : public VtkView {
    Q_OBJECT
public:
    /// Front: an oblique perspective onto the front face; Side: orthographic, z (depth) to the right, y up;
    /// AlongBeam: orthographic, looking along +z (the direction the particle travels), y up.
    enum class CameraPreset { Front, Side, AlongBeam };

    explicit ShowerView(QWidget* parent = nullptr);
    ~ShowerView() override;

    /// The calorimeter to draw: a box over its layers (layerZ; or the hits' depth range without layers) with
    /// the transverse half-width `halfWidth` (mm), and one rectangle per layer. Reframes the camera.
    void setCalorimeter(const hepgen::data::CalorimeterGeometry& geometry, double halfWidth);
    /// Shows these hits (n x 4 floats: x, y, z mm, E MeV), refilling the existing arrays. With an automatic
    /// colour range the range follows the hits.
    void setHits(const float* xyzE, std::size_t n);
    void setHits(const std::vector<float>& xyzE) { setHits(xyzE.data(), xyzE.size() / 4); }
    void clearHits() { setHits(nullptr, 0); }
    /// The hits shown (all of them, below the threshold too), n x 4.
    const std::vector<float>& hits() const { return m_hits; }
    std::size_t visibleHits() const { return m_visible.size(); }

    /// Colours (and sizes) over log10(E / MeV) in [lo, hi]; the automatic range spans the hits' energies.
    void setColourRange(double log10Lo, double log10Hi);
    void setAutoColourRange();
    std::pair<double, double> colourRange() const { return { m_logLo, m_logHi }; }
    /// Hides hits with E below this (MeV); 0 shows every hit, non-positive energies included.
    void setEnergyThreshold(double mev);
    double energyThreshold() const { return m_threshold; }

    void setCameraPreset(CameraPreset preset);
    /// Shares this view's camera with `other`: moving either moves both.
    void linkCamera(ShowerView* other);
    /// Gives this view a camera of its own again (a copy of the shared one).
    void unlinkCamera();
    vtkCamera* camera() const;

    /// A caption in the top-left corner (e.g. "Reference · shower 12 · 50.0 GeV").
    void setCaption(const QString& text);
    QString caption() const { return m_captionText; }

    /// The visible hit drawn nearest to a widget position, within a few pixels; nothing if none is there.
    std::optional<PickedHit> pickAt(QPoint widgetPos) const;
    /// Widget position where a world point is drawn under the current camera.
    QPointF project(double x, double y, double z) const;

    /// Writes the view as a PNG (what grabFramebuffer() shows). False and `error` when it cannot.
    bool exportPng(const QString& path, QString* error = nullptr);
    /// Writes the shown shower (every hit, threshold ignored) as VTK XML poly data for ParaView: points in mm,
    /// point data energy_MeV, log10_energy and layer, one vertex cell per hit. False and `error` when it cannot.
    bool exportVtp(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    /// The user clicked on a hit (also shown in the view's bottom-left corner).
    void hitPicked(const hepgen::widgets::PickedHit& hit);
    /// The user clicked where there is no hit.
    void pickCleared();

protected:
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void paintGL() override;

private:
    void refill();
    void updateAxes();
    void onCameraModified();
    void showPick(const std::optional<PickedHit>& hit);

    hepgen::data::CalorimeterGeometry m_geometry;
    double m_halfWidth = 50.0;
    double m_bounds[6] = { -50, 50, -50, 50, 0, 150 };
    std::vector<float> m_hits;
    std::vector<std::size_t> m_visible; ///< index in m_hits of each drawn point
    double m_threshold = 0.0;
    double m_logLo = -1.0, m_logHi = 2.0;
    bool m_autoColour = true;
    CameraPreset m_preset = CameraPreset::Front;
    QString m_captionText;
    QPoint m_pressPos;
    bool m_pressed = false;
    unsigned long m_cameraObserver = 0;
    vtkCamera* m_observedCamera = nullptr;

    vtkSmartPointer<vtkPoints> m_points;
    vtkSmartPointer<vtkFloatArray> m_logEnergy, m_radius;
    vtkSmartPointer<vtkPolyData> m_cloud;
    vtkSmartPointer<vtkPointGaussianMapper> m_mapper;
    vtkSmartPointer<vtkActor> m_hitActor, m_boxActor, m_layerActor;
    vtkSmartPointer<vtkPolyData> m_box, m_layerLines;
    vtkSmartPointer<vtkLookupTable> m_lut;
    vtkSmartPointer<vtkScalarBarActor> m_colourBar;
    vtkSmartPointer<vtkCubeAxesActor> m_axes;
    vtkSmartPointer<vtkTextActor> m_caption, m_pickText;
};

} // namespace hepgen::widgets

Q_DECLARE_METATYPE(hepgen::widgets::PickedHit)
