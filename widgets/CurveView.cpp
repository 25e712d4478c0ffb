#include "widgets/CurveView.h"

#include "widgets/Qcp.h"

namespace hepgen::widgets {

CurveView::CurveView(QWidget* parent)
    : PlotWidget(parent)
{
    plot()->legend->setVisible(false); // shown with the first curve
    plot()->legend->setBrush(QColor(255, 255, 255, 200));
    showMessage(tr("No results yet"));
}

void CurveView::addCurve(const QString& name, const std::vector<double>& x, const std::vector<double>& y)
{
    // Tableau 10, a qualitative palette that stays distinguishable for common colour-vision deficiencies.
    static const QColor palette[] = { { 31, 119, 180 }, { 255, 127, 14 }, { 44, 160, 44 }, { 214, 39, 40 },
        { 148, 103, 189 }, { 140, 86, 75 }, { 227, 119, 194 }, { 127, 127, 127 }, { 188, 189, 34 }, { 23, 190, 207 } };
    const QColor colour = palette[curveCount() % 10];
    auto* curve = new QCPCurve(plot()->xAxis, plot()->yAxis);
    curve->setName(name);
    curve->setPen(QPen(colour, 1.8));
    QVector<double> t, xs, ys;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        t << static_cast<double>(i);
        xs << x[i];
        ys << y[i];
    }
    curve->setData(t, xs, ys, true);
    plot()->legend->setVisible(true);
    clearMessage();
    rescale();
}

void CurveView::clearCurves()
{
    plot()->clearPlottables();
    plot()->legend->setVisible(false);
    showMessage(tr("No results yet"));
    plot()->replot();
}

int CurveView::curveCount() const { return plot()->plottableCount(); }

} // namespace hepgen::widgets
