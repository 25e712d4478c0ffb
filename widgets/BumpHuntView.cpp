#include "widgets/BumpHuntView.h"

#include "widgets/Qcp.h"

#include <algorithm>
#include <cmath>

namespace hepgen::widgets {

namespace {

// Tableau 10 (as CurveView), one colour per score cut.
const QColor kPalette[] = { { 31, 119, 180 }, { 255, 127, 14 }, { 44, 160, 44 }, { 214, 39, 40 }, { 148, 103, 189 },
    { 140, 86, 75 }, { 227, 119, 194 }, { 127, 127, 127 } };

QString percent(double efficiency) { return QStringLiteral("%1 %").arg(100.0 * efficiency, 0, 'g', 3); }

/// A shaded signal-region band in one axis rect (x in masses, y over the whole rect).
void srBand(QCustomPlot* p, QCPAxisRect* rect, double lo, double hi)
{
    auto* r = new QCPItemRect(p);
    r->setClipAxisRect(rect);
    for (auto* pos : { r->topLeft, r->bottomRight }) {
        pos->setAxisRect(rect);
        pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        pos->setTypeX(QCPItemPosition::ptPlotCoords);
        pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    r->topLeft->setCoords(lo, 0);
    r->bottomRight->setCoords(hi, 1);
    r->setBrush(QColor(214, 39, 40, 35));
    r->setPen(Qt::NoPen);
    r->setSelectable(false);
    r->setLayer(QStringLiteral("background"));
}

} // namespace

BumpHuntView::BumpHuntView(QWidget* parent)
    : PlotWidget(parent)
{
    QCustomPlot* p = plot();
    m_pullsRect = new QCPAxisRect(p);
    p->plotLayout()->addElement(1, 0, m_pullsRect);
    p->plotLayout()->setRowStretchFactors({ 3, 1 });
    p->plotLayout()->setRowSpacing(0);
    // The panels share the mass axis: same margins, same range.
    auto* margins = new QCPMarginGroup(p);
    p->axisRect(0)->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_pullsRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    connect(p->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), m_pullsRect->axis(QCPAxis::atBottom),
        qOverload<const QCPRange&>(&QCPAxis::setRange));
    m_pullsRect->setRangeDrag(Qt::Horizontal);
    m_pullsRect->setRangeZoom(Qt::Horizontal);
    p->axisRect(0)->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    p->xAxis->setTickLabels(false);
    setLogY(true);
    setAxisLabels(QString(), QString(), tr("events / bin"), {});
    m_pullsRect->axis(QCPAxis::atLeft)->setLabel(tr("pull"));
    p->legend->setVisible(true);
    p->legend->setBrush(QColor(255, 255, 255, 215));
    p->axisRect(0)->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    p->setToolTip(tr("Top: m_jj after each score cut (points) and the dijet fit to the sidebands interpolated into "
                     "the signal region (lines; SR shaded). Bottom: pulls of the chosen cut. Wheel zooms, "
                     "double-click resets, right-click exports."));
    showMessage(tr("Run a hunt, then pick it in the results table"));
}

void BumpHuntView::setSteps(const std::vector<hepgen::anomaly::BumpHuntStep>& steps,
    const hepgen::anomaly::MassWindows& windows, const QString& unit, const QString& emptyMessage)
{
    m_steps = steps;
    m_windows = windows;
    m_unit = unit;
    m_pullsStep = std::clamp(m_pullsStep, 0, std::max(0, int(m_steps.size()) - 1));
    redraw();
    if (m_steps.empty())
        showMessage(emptyMessage.isEmpty() ? tr("No cut left enough events for a fit") : emptyMessage);
    else
        clearMessage();
}

void BumpHuntView::setPullsStep(int index)
{
    if (index < 0 || index >= int(m_steps.size()) || index == m_pullsStep)
        return;
    m_pullsStep = index;
    redraw();
}

void BumpHuntView::redraw()
{
    QCustomPlot* p = plot();
    p->clearPlottables();
    p->clearItems(); // PlotWidget::showMessage recreates its message item when needed
    QCPAxis* pullX = m_pullsRect->axis(QCPAxis::atBottom);
    QCPAxis* pullY = m_pullsRect->axis(QCPAxis::atLeft);
    pullX->setLabel(axisTitle(QStringLiteral("m_jj"), m_unit));
    srBand(p, p->axisRect(0), m_windows.srLow, m_windows.srHigh);
    srBand(p, m_pullsRect, m_windows.srLow, m_windows.srHigh);

    for (std::size_t k = 0; k < m_steps.size(); ++k) {
        const auto& fit = m_steps[k].fit;
        const QColor colour = kPalette[k % 8];
        QVector<double> x, n, err, fx, fy;
        for (std::size_t i = 0; i + 1 < fit.edges.size(); ++i) {
            const double centre = 0.5 * (fit.edges[i] + fit.edges[i + 1]);
            if (fit.observed[i] > 0) { // empty bins cannot be drawn on the log axis
                x << centre;
                n << fit.observed[i];
                err << std::sqrt(fit.observed[i]);
            }
            fx << centre;
            fy << std::max(fit.expected[i], 1e-3);
        }
        auto* points = p->addGraph();
        points->setLineStyle(QCPGraph::lsNone);
        points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 4.5));
        points->setPen(QPen(colour));
        points->setData(x, n, true);
        points->setName(std::isfinite(fit.significance)
                ? tr("ε = %1: Z = %2 σ (%3 events in the SR, fit %4 ± %5)")
                      .arg(percent(m_steps[k].efficiency))
                      .arg(fit.significance, 0, 'f', 2)
                      .arg(fit.observedSr, 0, 'f', 0)
                      .arg(fit.expectedSr, 0, 'f', 1)
                      .arg(fit.expectedSrError, 0, 'f', 1)
                : tr("ε = %1: the fit failed (%2 events in the SR)")
                      .arg(percent(m_steps[k].efficiency))
                      .arg(fit.observedSr, 0, 'f', 0));
        auto* bars = new QCPErrorBars(p->xAxis, p->yAxis);
        bars->setDataPlottable(points);
        bars->setData(err);
        bars->setPen(QPen(colour, 1.0));
        bars->removeFromLegend();
        auto* curve = p->addGraph();
        curve->setPen(QPen(colour, 1.6, Qt::DashLine));
        curve->setData(fx, fy, true);
        curve->removeFromLegend();
    }

    if (!m_steps.empty()) {
        const auto& fit = m_steps[std::size_t(m_pullsStep)].fit;
        auto* pulls = new QCPBars(pullX, pullY);
        pulls->removeFromLegend();
        const QColor colour = kPalette[std::size_t(m_pullsStep) % 8];
        pulls->setPen(QPen(colour.darker(120)));
        pulls->setBrush(QColor(colour.red(), colour.green(), colour.blue(), 150));
        QVector<double> x, y;
        double width = 0;
        for (std::size_t i = 0; i + 1 < fit.edges.size(); ++i) {
            x << 0.5 * (fit.edges[i] + fit.edges[i + 1]);
            y << fit.pulls[i];
            width = std::max(width, fit.edges[i + 1] - fit.edges[i]);
        }
        pulls->setWidth(width);
        pulls->setData(x, y, true);
        pullY->setLabel(tr("pull (ε = %1)").arg(percent(m_steps[std::size_t(m_pullsStep)].efficiency)));
    }
    rescale();
}

void BumpHuntView::rescale()
{
    QCustomPlot* p = plot();
    p->rescaleAxes();
    // Pulls symmetric around 0, at least +-3.
    double most = 3.0;
    if (!m_steps.empty())
        for (double v : m_steps[std::size_t(m_pullsStep)].fit.pulls)
            most = std::max(most, std::abs(v) * 1.1);
    m_pullsRect->axis(QCPAxis::atLeft)->setRange(-most, most);
    // Headroom above the highest point for the legend on the log axis.
    const QCPRange y = p->yAxis->range();
    if (logY() && y.lower > 0)
        p->yAxis->setRange(std::max(0.3, y.lower * 0.5), y.upper * 30);
    m_pullsRect->axis(QCPAxis::atBottom)->setRange(p->xAxis->range());
    p->replot();
}

QString BumpHuntView::toCsv() const
{
    QString out = QStringLiteral("efficiency,mass_low,mass_high,observed,fit,pull,in_sr\n");
    for (const auto& s : m_steps) {
        const auto& f = s.fit;
        for (std::size_t i = 0; i + 1 < f.edges.size(); ++i)
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                       .arg(s.efficiency, 0, 'g', 6)
                       .arg(f.edges[i], 0, 'g', 8)
                       .arg(f.edges[i + 1], 0, 'g', 8)
                       .arg(f.observed[i], 0, 'g', 10)
                       .arg(f.expected[i], 0, 'g', 8)
                       .arg(f.pulls[i], 0, 'g', 6)
                       .arg(int(f.signalRegion[i]));
    }
    for (const auto& s : m_steps)
        out += QStringLiteral("# efficiency %1: threshold %2, %3 events pass; SR observed %4, fit %5 +- %6, local Z %7 "
                              "(statistical only %8); fit chi2/ndf %9, converged %10\n")
                   .arg(s.efficiency, 0, 'g', 6)
                   .arg(s.threshold, 0, 'g', 8)
                   .arg(s.passing)
                   .arg(s.fit.observedSr, 0, 'g', 10)
                   .arg(s.fit.expectedSr, 0, 'g', 8)
                   .arg(s.fit.expectedSrError, 0, 'g', 6)
                   .arg(s.fit.significance, 0, 'f', 3)
                   .arg(s.fit.significanceStatOnly, 0, 'f', 3)
                   .arg(s.fit.chi2PerNdf, 0, 'f', 3)
                   .arg(s.fit.converged ? QStringLiteral("yes") : QStringLiteral("no"));
    return out;
}

} // namespace hepgen::widgets
