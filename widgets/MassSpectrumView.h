#pragma once
// The anomaly hunt's mass spectrum: a histogram of m_jj (log y) with the signal region and the sidebands
// drawn as shaded bands a user drags — each edge, or a whole band (the SR moves with its finite sidebands) —
// optionally snapping to bin edges. Every finished drag is reported once with the windows before and after,
// so the workspace can push it on its undo stack; live positions are reported while dragging.
#include "core/anomaly/MassWindows.h"
#include "core/data/Histogram.h"
#include "widgets/PlotWidget.h"

class QCPItemRect;
class QCPItemStraightLine;

namespace hepgen::widgets {

class MassSpectrumView : public PlotWidget {
    Q_OBJECT
public:
    /// What a press grabbed.
    enum class Handle { None, SrLow, SrHigh, SbLow, SbHigh, SignalRegion };

    explicit MassSpectrumView(QWidget* parent = nullptr);

    /// Shows the spectrum (counts per bin) with the mass unit in the axis title.
    void setSpectrum(const hepgen::data::Histogram1D& spectrum, const QString& unit);
    void setWindows(const hepgen::anomaly::MassWindows& windows);
    hepgen::anomaly::MassWindows windows() const { return m_windows; }
    void setSnapToBins(bool on) { m_snap = on; }
    bool snapToBins() const { return m_snap; }

    /// What a press at plot pixel x would grab (edges within a few pixels win over the band).
    Handle handleAt(double pixelX) const;
    /// Pixel x of a mass on the plot (for tests driving the mouse).
    double pixelOf(double mass) const;
    /// Fits the axes to the spectrum with headroom above the highest bin (a third of a decade on the log axis),
    /// so the peak does not sit on the frame.
    void rescale() override;

Q_SIGNALS:
    /// A drag ended with different windows: one undo step.
    void windowsEdited(const hepgen::anomaly::MassWindows& before, const hepgen::anomaly::MassWindows& after);
    /// While dragging.
    void windowsDragged(const hepgen::anomaly::MassWindows& current);

private:
    void redrawWindows();
    double snapped(double mass) const;
    void press(QMouseEvent* e);
    void move(QMouseEvent* e);
    void release(QMouseEvent* e);

    hepgen::anomaly::MassWindows m_windows;
    hepgen::anomaly::MassWindows m_dragStart;
    Handle m_dragging = Handle::None;
    double m_pressMass = 0;
    bool m_snap = false;
    hepgen::data::Histogram1D m_spectrum;
    QCPItemRect* m_sr = nullptr;
    QCPItemRect* m_sbLeft = nullptr;
    QCPItemRect* m_sbRight = nullptr;
};

} // namespace hepgen::widgets
