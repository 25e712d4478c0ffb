#include "widgets/MassSpectrumView.h"

#include "widgets/Qcp.h"

#include <algorithm>
#include <cmath>

namespace hepgen::widgets {

namespace {

constexpr double kGrabPixels = 6.0;

bool sameWindows(const hepgen::anomaly::MassWindows& a, const hepgen::anomaly::MassWindows& b)
{
    return a.srLow == b.srLow && a.srHigh == b.srHigh && a.sbLow == b.sbLow && a.sbHigh == b.sbHigh;
}

QCPItemRect* band(QCustomPlot* p, const QColor& fill, const QColor& edge)
{
    auto* r = new QCPItemRect(p);
    r->setBrush(fill);
    r->setPen(QPen(edge, 1.5));
    r->setSelectable(false);
    r->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    r->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    r->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
    r->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // Beyond the axis rect (the item is clipped to it), so only the vertical edges of a band show: a top
    // border would sit on the plot's frame.
    r->topLeft->setCoords(0, -0.05);
    r->bottomRight->setCoords(0, 1.05);
    r->setLayer(QStringLiteral("background"));
    return r;
}

} // namespace

MassSpectrumView::MassSpectrumView(QWidget* parent)
    : PlotWidget(parent)
{
    QCustomPlot* p = plot();
    m_sbLeft = band(p, QColor(44, 160, 44, 45), QColor(44, 160, 44));
    m_sbRight = band(p, QColor(44, 160, 44, 45), QColor(44, 160, 44));
    m_sr = band(p, QColor(214, 39, 40, 50), QColor(214, 39, 40));
    auto* g = p->addGraph();
    g->setName(tr("events"));
    g->setLineStyle(QCPGraph::lsStepCenter);
    g->setPen(QPen(QColor(31, 119, 180), 1.5));
    setLogY(true);
    setAxisLabels(QStringLiteral("m_jj"), QStringLiteral("TeV"), tr("events / bin"), {});
    p->setToolTip(tr("Drag an edge of the signal region (red) or of the sidebands (green), or the signal region "
                     "as a whole; wheel zooms, double-click resets"));
    connect(p, &QCustomPlot::mousePress, this, &MassSpectrumView::press);
    connect(p, &QCustomPlot::mouseMove, this, &MassSpectrumView::move);
    connect(p, &QCustomPlot::mouseRelease, this, &MassSpectrumView::release);
    showMessage(tr("Load a table with a mass column"));
    redrawWindows();
}

void MassSpectrumView::setSpectrum(const hepgen::data::Histogram1D& spectrum, const QString& unit)
{
    m_spectrum = spectrum;
    QVector<double> x, y;
    for (std::size_t i = 0; i < spectrum.bins(); ++i) {
        x << spectrum.low + (static_cast<double>(i) + 0.5) * spectrum.binWidth();
        // Empty bins sit at 0.5 on the log axis (visible, below every filled bin).
        y << std::max(spectrum.counts[i], 0.5);
    }
    plot()->graph(0)->setData(x, y, true);
    setAxisLabels(QStringLiteral("m_jj"), unit, tr("events / %1 %2").arg(spectrum.binWidth(), 0, 'g', 3).arg(unit), {});
    if (spectrum.bins() == 0)
        showMessage(tr("No events"));
    else
        clearMessage();
    rescale();
    redrawWindows();
}

void MassSpectrumView::setWindows(const hepgen::anomaly::MassWindows& windows)
{
    m_windows = windows;
    redrawWindows();
}

void MassSpectrumView::redrawWindows()
{
    const QCPRange range = plot()->xAxis->range();
    // Infinite sideband edges are drawn to the end of what can be seen.
    const double far = std::max(std::abs(range.lower), std::abs(range.upper)) * 10 + 1e3;
    auto clampInf = [far](double v) { return std::isfinite(v) ? v : (v < 0 ? -far : far); };
    m_sr->topLeft->setCoords(m_windows.srLow, -0.05);
    m_sr->bottomRight->setCoords(m_windows.srHigh, 1.05);
    m_sbLeft->topLeft->setCoords(clampInf(m_windows.sbLow), -0.05);
    m_sbLeft->bottomRight->setCoords(m_windows.srLow, 1.05);
    m_sbRight->topLeft->setCoords(m_windows.srHigh, -0.05);
    m_sbRight->bottomRight->setCoords(clampInf(m_windows.sbHigh), 1.05);
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void MassSpectrumView::rescale()
{
    PlotWidget::rescale();
    QCPAxis* y = plot()->yAxis;
    const QCPRange r = y->range();
    y->setRangeUpper(y->scaleType() == QCPAxis::stLogarithmic ? r.upper * 2.2 : r.upper + 0.08 * (r.upper - r.lower));
    plot()->replot();
}

double MassSpectrumView::pixelOf(double mass) const { return plot()->xAxis->coordToPixel(mass); }

MassSpectrumView::Handle MassSpectrumView::handleAt(double pixelX) const
{
    struct Edge {
        Handle handle;
        double mass;
    };
    const Edge edges[] = { { Handle::SrLow, m_windows.srLow }, { Handle::SrHigh, m_windows.srHigh },
        { Handle::SbLow, m_windows.sbLow }, { Handle::SbHigh, m_windows.sbHigh } };
    Handle best = Handle::None;
    double bestDistance = kGrabPixels;
    for (const auto& e : edges) {
        if (!std::isfinite(e.mass))
            continue;
        const double d = std::abs(pixelOf(e.mass) - pixelX);
        if (d <= bestDistance) {
            best = e.handle;
            bestDistance = d;
        }
    }
    if (best != Handle::None)
        return best;
    const double mass = plot()->xAxis->pixelToCoord(pixelX);
    return mass > m_windows.srLow && mass < m_windows.srHigh ? Handle::SignalRegion : Handle::None;
}

double MassSpectrumView::snapped(double mass) const
{
    if (!m_snap || m_spectrum.bins() == 0)
        return mass;
    const double w = m_spectrum.binWidth();
    return m_spectrum.low + std::round((mass - m_spectrum.low) / w) * w;
}

void MassSpectrumView::press(QMouseEvent* e)
{
    if (e->button() != Qt::LeftButton)
        return;
    m_dragging = handleAt(e->position().x());
    if (m_dragging == Handle::None)
        return;
    m_dragStart = m_windows;
    m_pressMass = plot()->xAxis->pixelToCoord(e->position().x());
    plot()->setInteraction(QCP::iRangeDrag, false); // the drag moves the window, not the view
}

void MassSpectrumView::move(QMouseEvent* e)
{
    if (m_dragging == Handle::None) {
        const Handle h = handleAt(e->position().x());
        plot()->setCursor(h == Handle::None ? Qt::ArrowCursor
                : h == Handle::SignalRegion ? Qt::SizeAllCursor
                                            : Qt::SizeHorCursor);
        return;
    }
    const double mass = plot()->xAxis->pixelToCoord(e->position().x());
    hepgen::anomaly::MassWindows w = m_dragStart;
    switch (m_dragging) {
    case Handle::SrLow: w.srLow = snapped(mass); break;
    case Handle::SrHigh: w.srHigh = snapped(mass); break;
    case Handle::SbLow: w.sbLow = snapped(mass); break;
    case Handle::SbHigh: w.sbHigh = snapped(mass); break;
    case Handle::SignalRegion: {
        const double delta = snapped(m_dragStart.srLow + (mass - m_pressMass)) - m_dragStart.srLow;
        w.srLow += delta;
        w.srHigh += delta;
        w.sbLow += delta; // infinite edges stay infinite
        w.sbHigh += delta;
        break;
    }
    case Handle::None: break;
    }
    m_windows = w;
    redrawWindows();
    Q_EMIT windowsDragged(m_windows);
}

void MassSpectrumView::release(QMouseEvent*)
{
    if (m_dragging == Handle::None)
        return;
    m_dragging = Handle::None;
    plot()->setInteraction(QCP::iRangeDrag, true);
    if (!sameWindows(m_windows, m_dragStart))
        Q_EMIT windowsEdited(m_dragStart, m_windows);
}

} // namespace hepgen::widgets
