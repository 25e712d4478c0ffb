#pragma once
// The anomaly hunt's mass spectrum: a histogram of m_jj (log y) with the signal region and the sidebands
// drawn as shaded bands a user drags — each edge, or a whole band (the SR moves with its finite sidebands) —
// optionally snapping to bin edges. Every finished drag is reported once with the windows before and after,
// so the workspace can push it on its undo stack; live positions are reported while dragging.
#include "core/data/Histogram.h"
#include "widgets/PlotWidget.h"

#include <limits>

class QCPItemRect;
class QCPItemStraightLine;

namespace hepgen::widgets {

/// SR = [srLow, srHigh); SB = [sbLow, srLow) and [srHigh, sbHigh); infinite SB edges: the rest of the spectrum.
struct MassWindowEdges {
    double srLow = 3.3, srHigh = 3.7;
    double sbLow = -std::numeric_limits<double>::infinity();
    double sbHigh = std::numeric_limits<double>::infinity();
    bool operator==(const MassWindowEdges& o) const
    {
        return srLow == o.srLow && srHigh == o.srHigh && sbLow == o.sbLow && sbHigh == o.sbHigh;
    }
    bool operator!=(const MassWindowEdges& o) const { return !(*this == o); }
};

class MassSpectrumView : public PlotWidget {
    Q_OBJECT
public:
    /// What a press grabbed.
    enum class Handle { None, SrLow, SrHigh, SbLow, SbHigh, SignalRegion };

    explicit MassSpectrumView(QWidget* parent = nullptr);

    /// Shows the spectrum (counts per bin) with the mass unit in the axis title.
    void setSpectrum(const hepgen::data::Histogram1D& spectrum, const QString& unit);
    void setWindows(const MassWindowEdges& windows);
    MassWindowEdges windows() const { return m_windows; }
    void setSnapToBins(bool on) { m_snap = on; }
    bool snapToBins() const { return m_snap; }

    /// What a press at plot pixel x would grab (edges within a few pixels win over the band).
    Handle handleAt(double pixelX) const;
    /// Pixel x of a mass on the plot (for tests driving the mouse).
    double pixelOf(double mass) const;

Q_SIGNALS:
    /// A drag ended with different windows: one undo step.
    void windowsEdited(const hepgen::widgets::MassWindowEdges& before, const hepgen::widgets::MassWindowEdges& after);
    /// While dragging.
    void windowsDragged(const hepgen::widgets::MassWindowEdges& current);

private:
    void redrawWindows();
    double snapped(double mass) const;
    void press(QMouseEvent* e);
    void move(QMouseEvent* e);
    void release(QMouseEvent* e);

    MassWindowEdges m_windows;
    MassWindowEdges m_dragStart;
    Handle m_dragging = Handle::None;
    double m_pressMass = 0;
    bool m_snap = false;
    hepgen::data::Histogram1D m_spectrum;
    QCPItemRect* m_sr = nullptr;
    QCPItemRect* m_sbLeft = nullptr;
    QCPItemRect* m_sbRight = nullptr;
};

} // namespace hepgen::widgets
