#include "widgets/CurveView.h"

#include "widgets/Qcp.h"

#include <algorithm>

namespace hepgen::widgets {

CurveView::CurveView(QWidget* parent)
    : PlotWidget(parent)
{
    plot()->legend->setVisible(false); // shown with the first curve
    plot()->legend->setBrush(QColor(255, 255, 255, 200));
    showMessage(tr("No results yet"));
}

CurveView::~CurveView() = default;

QColor CurveView::nextColour() const
{
    // Tableau 10, a qualitative palette that stays distinguishable for common colour-vision deficiencies.
    static const QColor palette[] = { { 31, 119, 180 }, { 255, 127, 14 }, { 44, 160, 44 }, { 214, 39, 40 },
        { 148, 103, 189 }, { 140, 86, 75 }, { 227, 119, 194 }, { 127, 127, 127 }, { 188, 189, 34 }, { 23, 190, 207 } };
    return palette[m_drawn.size() % 10];
}

void CurveView::addCurve(const QString& name, const std::vector<double>& x, const std::vector<double>& y, bool markers)
{
    const QColor colour = nextColour();
    auto* curve = new QCPCurve(plot()->xAxis, plot()->yAxis);
    curve->setName(name);
    curve->setPen(QPen(colour, 1.8));
    if (markers)
        curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 6));
    QVector<double> t, xs, ys;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        t << static_cast<double>(i);
        xs << x[i];
        ys << y[i];
    }
    curve->setData(t, xs, ys, true);
    m_drawn.push_back({ name, x, y, {} });
    plot()->legend->setVisible(true);
    clearMessage();
    rescale();
}

void CurveView::addBand(
    const QString& name, const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& error)
{
    const QColor colour = nextColour();
    QVector<double> xs, ys, lo, hi;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        const double e = i < error.size() ? error[i] : 0.0;
        xs << x[i];
        ys << y[i];
        lo << y[i] - e;
        hi << y[i] + e;
    }
    auto* lower = plot()->addGraph();
    lower->setPen(Qt::NoPen);
    lower->setData(xs, lo, true);
    lower->removeFromLegend();
    auto* upper = plot()->addGraph();
    upper->setPen(Qt::NoPen);
    upper->setBrush(QColor(colour.red(), colour.green(), colour.blue(), 60));
    upper->setChannelFillGraph(lower);
    upper->setData(xs, hi, true);
    upper->removeFromLegend();
    auto* mean = plot()->addGraph();
    mean->setName(name);
    mean->setPen(QPen(colour, 1.8));
    mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 6));
    mean->setData(xs, ys, true);
    m_drawn.push_back({ name, x, y, error });
    plot()->legend->setVisible(true);
    clearMessage();
    rescale();
}

void CurveView::addReferenceLine(const QString& name, double y)
{
    auto* line = plot()->addGraph();
    line->setName(name);
    line->setPen(QPen(QColor(120, 120, 120), 1.2, Qt::DashLine));
    // Spans the data's x range; rescale() includes it like any graph.
    double lo = 0, hi = 1;
    bool any = false;
    for (const auto& d : m_drawn)
        for (double v : d.x) {
            lo = any ? std::min(lo, v) : v;
            hi = any ? std::max(hi, v) : v;
            any = true;
        }
    line->setData(QVector<double> { lo, hi }, QVector<double> { y, y });
    m_drawn.push_back({ name, { lo, hi }, { y, y }, {} });
    plot()->legend->setVisible(true);
    rescale();
}

void CurveView::clearCurves()
{
    plot()->clearPlottables();
    m_drawn.clear();
    plot()->legend->setVisible(false);
    showMessage(tr("No results yet"));
    plot()->replot();
}

int CurveView::curveCount() const { return static_cast<int>(m_drawn.size()); }

QString CurveView::toCsv() const
{
    QString out = QStringLiteral("curve,x,y,error\n");
    for (const auto& d : m_drawn)
        for (std::size_t i = 0; i < d.x.size() && i < d.y.size(); ++i) {
            QString name = d.name;
            name.replace(QLatin1Char('"'), QLatin1String("\"\""));
            out += QStringLiteral("\"%1\",%2,%3,%4\n")
                       .arg(name)
                       .arg(d.x[i], 0, 'g', 10)
                       .arg(d.y[i], 0, 'g', 10)
                       .arg(i < d.error.size() ? QString::number(d.error[i], 'g', 8) : QString());
        }
    return out;
}

} // namespace hepgen::widgets
