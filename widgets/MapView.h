#pragma once
// A map (core/maps/Map.h) as a heat map with its colour bar: perceptual colour maps (viridis for scores, densities
// and uncertainties; a diverging map centred at 0 for density ratios), data points drawn over it in groups (signal
// region / sidebands / labels), contour lines, a shaded band for the signal region when the mass is an axis, and the
// value under the mouse. Two views can share their axes (zoom and pan one, the other follows).
#include "core/maps/Contours.h"
#include "core/maps/Map.h"
#include "widgets/PlotWidget.h"

#include <QColor>
#include <QPointer>
#include <QString>

#include <array>
#include <memory>
#include <vector>

class QCPGraph;
class QCPCurve;
class QCPItemRect;
class QCPItemText;

namespace hepgen::widgets {

/// Points drawn over a map: x, y pairs in the axes' units.
struct MapOverlayGroup {
    QString name;
    QColor colour;
    std::vector<float> xy;
};

class MapView : public PlotWidget {
    Q_OBJECT
public:
    /// How values become colours.
    enum class Scale {
        Sequential, ///< viridis over the finite range of the values
        LogDensity, ///< viridis over the top 12 e-folds (the far tails would wash out the rest)
        Diverging   ///< blue-white-red, symmetric about 0
    };

    explicit MapView(QWidget* parent = nullptr);
    ~MapView() override;

    /// Draws `values` (layout of Map.h) over the two axes with a colour bar titled `label`; keeps the current view
    /// when the axes' ranges are unchanged (a slider moved), otherwise frames the map.
    void setMap(const hepgen::maps::MapAxis& x, const hepgen::maps::MapAxis& y, const std::vector<double>& values,
        const QString& label, Scale scale);
    /// Removes the map and shows `message` instead.
    void clearMap(const QString& message);
    bool hasMap() const;

    void setOverlay(const std::vector<MapOverlayGroup>& groups);
    /// Contour lines (core/maps/Contours.h), e.g. of the map beside this one; empty: none.
    void setContours(const std::vector<hepgen::maps::ContourSegment>& segments);
    /// A shaded band over [lo, hi] of the x axis (horizontal = false) or of the y axis; lo >= hi removes it.
    void setBand(bool onYAxis, double lo, double hi, const QString& label);

    /// The map's value at (x, y) in axis units (NaN outside or without a map).
    double valueAt(double x, double y) const;
    /// The colour range in use (for tests): lower and upper end.
    std::pair<double, double> colourRange() const;
    /// Points drawn in the overlay, and contour segments drawn (for tests).
    int overlayPoints() const;
    int contourSegments() const;
    /// Shares the axes with `other` both ways: zooming or panning either moves both.
    void linkAxes(MapView* other);
    /// Returns to the map's full range.
    void rescale() override;
    /// Shows [xLo, xHi] x [yLo, yHi] (as a zoom would; linked views follow) and the range shown.
    void setView(double xLo, double xHi, double yLo, double yHi);
    std::array<double, 4> view() const;

    /// Writes several views side by side into one PNG or PDF (by the suffix). False with `error` set on failure.
    static bool exportSideBySide(const std::vector<const MapView*>& views, const QString& path, QString* error);

Q_SIGNALS:
    /// The mouse is over the plot at (x, y) in axis units; NaN, NaN when it left the axis rect.
    void hovered(double x, double y);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace hepgen::widgets
