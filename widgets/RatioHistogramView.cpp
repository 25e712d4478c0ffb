#include "widgets/RatioHistogramView.h"

#include "widgets/Qcp.h"

#include <algorithm>
#include <cmath>

namespace hepgen::widgets {

namespace {

const QColor kReference(90, 90, 90);
const QColor kGenerated(214, 95, 20);

/// (x, y) of a step histogram over `edges`: one point per left edge and a last point closing the last bin.
void stepData(QCPGraph* g, const std::vector<double>& edges, const std::vector<double>& h)
{
    QVector<double> x, y;
    for (std::size_t i = 0; i < h.size(); ++i) {
        x << edges[i];
        y << h[i];
    }
    if (!h.empty()) {
        x << edges.back();
        y << h.back();
    }
    g->setData(x, y, true);
}

void setLogAxis(QCPAxis* axis, bool on)
{
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
}

} // namespace

RatioHistogramView::RatioHistogramView(QWidget* parent)
    : PlotWidget(parent)
    , m_ratioRect(new QCPAxisRect(plot()))
{
    QCustomPlot* p = plot();
    p->plotLayout()->addElement(1, 0, m_ratioRect);
    p->plotLayout()->setRowStretchFactors({ 3.0, 1.2 });
    p->plotLayout()->setRowSpacing(0);
    auto* margins = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_ratioRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    p->axisRect()->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msTop);
    p->axisRect()->setMargins(QMargins(0, 0, 0, 4));
    m_ratioRect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msBottom);
    m_ratioRect->setMargins(QMargins(0, 4, 0, 0));
    p->xAxis->setTickLabels(false);
    m_ratioRect->setRangeDrag(Qt::Horizontal);
    m_ratioRect->setRangeZoom(Qt::Horizontal);
    // Both panels share the x range.
    QCPAxis* rx = m_ratioRect->axis(QCPAxis::atBottom);
    connect(p->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), rx,
        qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(rx, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), p->xAxis,
        qOverload<const QCPRange&>(&QCPAxis::setRange));

    m_reference = p->addGraph();
    m_reference->setName(tr("reference"));
    m_reference->setLineStyle(QCPGraph::lsStepLeft);
    m_reference->setPen(QPen(kReference, 1.4));
    m_reference->setBrush(QColor(120, 120, 120, 60));
    m_generated = p->addGraph();
    m_generated->setName(tr("generated"));
    m_generated->setLineStyle(QCPGraph::lsStepLeft);
    m_generated->setPen(QPen(kGenerated, 1.8));
    m_one = p->addGraph(rx, m_ratioRect->axis(QCPAxis::atLeft));
    m_one->setPen(QPen(kReference, 1.0, Qt::DashLine));
    m_one->removeFromLegend();
    m_ratioGraph = p->addGraph(rx, m_ratioRect->axis(QCPAxis::atLeft));
    m_ratioGraph->setLineStyle(QCPGraph::lsNone);
    m_ratioGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kGenerated, kGenerated, 5));
    m_ratioGraph->removeFromLegend();
    m_errors = new QCPErrorBars(rx, m_ratioRect->axis(QCPAxis::atLeft));
    m_errors->setDataPlottable(m_ratioGraph);
    m_errors->setPen(QPen(kGenerated, 1.0));
    m_errors->removeFromLegend();
    m_ratioRect->axis(QCPAxis::atLeft)->setLabel(tr("gen. / ref."));
    p->legend->setVisible(true);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    clear(tr("No comparison yet"));
}

void RatioHistogramView::clear(const QString& message)
{
    for (QCPGraph* g : { m_reference, m_generated, m_ratioGraph, m_one })
        g->data()->clear();
    m_errors->data()->clear();
    m_ratio.clear();
    plot()->clearItems();
    showMessage(message);
}

void RatioHistogramView::setHistograms(const QString& observable, const QString& unit, const QString& yLabel,
    const std::vector<double>& edges, const std::vector<double>& reference, const std::vector<double>& generated,
    bool logX, double nReference, double nGenerated, const QString& summary)
{
    if (edges.size() < 2 || reference.size() + 1 != edges.size() || generated.size() + 1 != edges.size()) {
        clear(tr("No histogram for %1").arg(observable));
        return;
    }
    plot()->clearItems();
    clearMessage();
    m_logX = logX;
    QCustomPlot* p = plot();
    QCPAxis* rx = m_ratioRect->axis(QCPAxis::atBottom);
    setLogAxis(p->xAxis, logX);
    setLogAxis(rx, logX);
    stepData(m_reference, edges, reference);
    stepData(m_generated, edges, generated);
    m_reference->setName(nReference > 0 ? tr("reference (%1)").arg(nReference, 0, 'f', 0) : tr("reference"));
    m_generated->setName(nGenerated > 0 ? tr("generated (%1)").arg(nGenerated, 0, 'f', 0) : tr("generated"));

    // Ratio per bin at the bin centre (geometric on a log axis), with Poisson errors of both histograms.
    m_ratio.assign(reference.size(), std::numeric_limits<double>::quiet_NaN());
    QVector<double> x, y, err;
    double maxDeviation = 0;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        if (!(reference[i] > 0))
            continue;
        const double r = generated[i] / reference[i];
        m_ratio[i] = r;
        const double centre = logX ? std::sqrt(edges[i] * edges[i + 1]) : 0.5 * (edges[i] + edges[i + 1]);
        double e = 0;
        if (nReference > 0 && nGenerated > 0 && generated[i] > 0)
            e = r * std::sqrt(1.0 / (generated[i] * nGenerated) + 1.0 / (reference[i] * nReference));
        x << centre;
        y << r;
        err << e;
        if (reference[i] > 1e-3)
            maxDeviation = std::max(maxDeviation, std::abs(r - 1.0));
    }
    m_ratioGraph->setData(x, y, true);
    m_errors->setData(err);
    m_one->setData(QVector<double> { edges.front(), edges.back() }, QVector<double> { 1.0, 1.0 }, true);
    const double d = std::clamp(1.15 * maxDeviation, 0.2, 1.0);
    m_ratioRect->axis(QCPAxis::atLeft)->setRange(std::max(0.0, 1.0 - d), 1.0 + d);

    rx->setLabel(axisTitle(observable, unit));
    p->yAxis->setLabel(yLabel);
    if (!summary.isEmpty()) {
        auto* text = new QCPItemText(p);
        text->setClipToAxisRect(false);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setAxisRect(p->axisRect());
        text->position->setCoords(0.02, 0.04);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setTextAlignment(Qt::AlignLeft);
        text->setText(summary);
        text->setColor(QColor(60, 60, 60));
    }
    rescale();
}

void RatioHistogramView::rescale()
{
    QCustomPlot* p = plot();
    bool found = false;
    const QCPRange keys = m_reference->getKeyRange(found);
    if (!found) {
        p->replot();
        return;
    }
    p->xAxis->setRange(keys);
    const QCPRange a = m_reference->getValueRange(found), b = m_generated->getValueRange(found);
    p->yAxis->setRange(0.0, 1.3 * std::max(a.upper, b.upper)); // headroom for the legend and the summary
    p->replot();
}

} // namespace hepgen::widgets
