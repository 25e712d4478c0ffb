#pragma once
// Building blocks of the 2D views that draw points and heat maps (the model lab's SampleView, the Maps workspace's
// MapView): one way to draw many points cheaply and one way to put a heat map with its colour bar under a plot's
// axes. Include after widgets/Qcp.h, from widgets/*.cpp only.
#include "widgets/Qcp.h"

#include <QPainter>
#include <QPixmap>

#include <cmath>

namespace hepgen::widgets {

/// A scatter graph of pre-rendered antialiased discs of `size` pixels: several times faster than drawing thousands
/// of antialiased ellipses on every replot (which kept the UI thread busy for ~50 ms a frame).
inline QCPGraph* addScatter(QCustomPlot* p, const QColor& colour, double size, const QString& name)
{
    auto* g = p->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    const int px = static_cast<int>(std::ceil(size)) + 2;
    QPixmap disc(px, px);
    disc.fill(Qt::transparent);
    {
        QPainter painter(&disc);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawEllipse(QRectF(1, 1, size, size));
    }
    g->setScatterStyle(QCPScatterStyle(disc));
    g->setName(name);
    g->setAdaptiveSampling(false);
    return g;
}

/// A heat map on the plot's background layer with a colour bar titled `label` to the right of the axis rect (kept
/// level with it by a margin group). Remove it with removeHeatMap().
struct HeatMap {
    QCPColorMap* map = nullptr;
    QCPColorScale* scale = nullptr;
};

inline HeatMap addHeatMap(QCustomPlot* p, const QCPColorGradient& gradient, const QString& label)
{
    HeatMap h;
    h.map = new QCPColorMap(p->xAxis, p->yAxis);
    h.map->setName(label);
    h.map->setGradient(gradient);
    h.map->setInterpolate(true);
    h.scale = new QCPColorScale(p);
    p->plotLayout()->addElement(0, 1, h.scale);
    h.scale->setType(QCPAxis::atRight);
    h.scale->axis()->setLabel(label);
    h.map->setColorScale(h.scale);
    h.scale->setGradient(gradient);
    auto* margins = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    h.scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    h.map->setLayer(QStringLiteral("background"));
    return h;
}

inline void removeHeatMap(QCustomPlot* p, HeatMap& h)
{
    if (h.map)
        p->removePlottable(h.map);
    if (h.scale) {
        p->plotLayout()->remove(h.scale);
        p->plotLayout()->simplify();
    }
    h = {};
}

} // namespace hepgen::widgets
