#include "widgets/CorrelationView.h"

#include "widgets/Gradients.h"

#include <cmath>

namespace hepgen::widgets {

CorrelationView::CorrelationView(QWidget* parent)
    : PlotWidget(parent)
{
    plot()->setInteractions(QCP::Interactions());
    plot()->setToolTip(
        tr("Pearson correlation between features (events with NaN/Inf excluded). Right-click to export."));
}

void CorrelationView::setMatrix(const QStringList& names, const std::vector<double>& matrix)
{
    QCustomPlot* p = plot();
    p->clearPlottables();
    p->clearItems();
    if (p->plotLayout()->elementCount() > 1)
        p->plotLayout()->remove(p->plotLayout()->element(0, 1));
    const int f = static_cast<int>(names.size());
    if (f == 0 || matrix.size() != static_cast<std::size_t>(f * f)) {
        showMessage(tr("No data loaded"));
        return;
    }
    clearMessage();
    auto* map = new QCPColorMap(p->xAxis, p->yAxis);
    map->data()->setSize(f, f);
    map->data()->setRange(QCPRange(0, f - 1), QCPRange(0, f - 1));
    for (int i = 0; i < f; ++i)
        for (int j = 0; j < f; ++j) {
            const double v = matrix[static_cast<std::size_t>(i * f + j)];
            // Row i of the matrix is drawn at y = f-1-i so the first feature is at the top, as in a table.
            map->data()->setCell(j, f - 1 - i, std::isfinite(v) ? v : std::nan(""));
            auto* text = new QCPItemText(p);
            text->position->setCoords(j, f - 1 - i);
            text->setText(std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("–"));
            text->setColor(std::isfinite(v) && std::abs(v) > 0.6 ? Qt::white : Qt::black);
        }
    const QCPColorGradient gradient = divergingGradient(); // symmetric about 0
    map->setGradient(gradient);
    map->setDataRange(QCPRange(-1, 1));
    map->setInterpolate(false);

    auto* scale = new QCPColorScale(p);
    p->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(tr("correlation"));
    map->setColorScale(scale);
    // Attaching a scale hands it the map's range and gradient: set both on the scale.
    scale->setGradient(gradient);
    scale->setDataRange(QCPRange(-1, 1));

    auto xt = QSharedPointer<QCPAxisTickerText>::create();
    auto yt = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < f; ++i) {
        xt->addTick(i, names[i]);
        yt->addTick(f - 1 - i, names[i]);
    }
    p->xAxis->setTicker(xt);
    p->yAxis->setTicker(yt);
    p->xAxis->setTickLabelRotation(f > 4 ? 45 : 0);
    p->xAxis->setLabel(QString());
    p->yAxis->setLabel(QString());
    p->xAxis->setRange(-0.5, f - 0.5);
    p->yAxis->setRange(-0.5, f - 0.5);
    auto* margins = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    p->replot();
}

} // namespace hepgen::widgets
