#include "widgets/MapView.h"

#include "widgets/Gradients.h"
#include "widgets/PlotItems.h"

#include <QFileInfo>
#include <QMouseEvent>
#include <QPdfWriter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hepgen::widgets {

struct MapView::Impl {
    HeatMap heat;
    Scale scale = Scale::Sequential;
    QString label;
    hepgen::maps::MapAxis x, y;
    std::vector<double> values;
    std::vector<QCPGraph*> overlay;
    std::vector<QCPCurve*> contours;
    QCPItemRect* band = nullptr;
    QCPItemText* bandLabel = nullptr;
    std::vector<QPointer<MapView>> linked;
    bool linking = false;
};

MapView::MapView(QWidget* parent)
    : PlotWidget(parent)
    , m(std::make_unique<Impl>())
{
    QCustomPlot* p = plot();
    p->legend->setVisible(false);
    p->legend->setBrush(QColor(255, 255, 255, 190));
    p->legend->setBorderPen(Qt::NoPen);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    p->setMouseTracking(true);
    connect(p, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        QCustomPlot* pl = plot();
        if (!pl->axisRect()->rect().contains(e->pos())) {
            Q_EMIT hovered(std::nan(""), std::nan(""));
            return;
        }
        Q_EMIT hovered(pl->xAxis->pixelToCoord(e->pos().x()), pl->yAxis->pixelToCoord(e->pos().y()));
    });
    // Linked views follow every range change (wheel zoom, drag, reset) of this one.
    auto follow = [this] {
        if (m->linking)
            return;
        for (const auto& other : m->linked) {
            if (!other)
                continue;
            other->m->linking = true;
            other->plot()->xAxis->setRange(plot()->xAxis->range());
            other->plot()->yAxis->setRange(plot()->yAxis->range());
            other->plot()->replot(QCustomPlot::rpQueuedReplot);
            other->m->linking = false;
        }
    };
    connect(p->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, follow);
    connect(p->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, follow);
    showMessage(tr("Choose a model and two features"));
}

MapView::~MapView() = default;

bool MapView::hasMap() const { return m->heat.map != nullptr; }

void MapView::clearMap(const QString& message)
{
    removeHeatMap(plot(), m->heat);
    m->values.clear();
    setContours({});
    setBand(false, 0, 0, {});
    showMessage(message);
}

void MapView::setMap(const hepgen::maps::MapAxis& x, const hepgen::maps::MapAxis& y, const std::vector<double>& values,
    const QString& label, Scale scale)
{
    QCustomPlot* p = plot();
    const bool sameFrame = m->heat.map && m->x.feature == x.feature && m->y.feature == y.feature && m->x.lo == x.lo
        && m->x.hi == x.hi && m->y.lo == y.lo && m->y.hi == y.hi;
    // A new heat map (and colour bar) only when the colour map or its title changes: a slider's new map refills.
    if (m->heat.map && (m->scale != scale || m->label != label))
        removeHeatMap(p, m->heat);
    if (!m->heat.map)
        m->heat = addHeatMap(p, scale == Scale::Diverging ? divergingGradient() : sequentialGradient(), label);
    m->scale = scale;
    m->label = label;
    m->x = x;
    m->y = y;
    m->values = values;
    clearMessage();

    auto* data = m->heat.map->data();
    data->setSize(x.bins, y.bins);
    // QCPColorMapData's range is that of the first and last cell centres: exactly the bin centres of Map.h.
    data->setRange(QCPRange(x.centre(0), x.centre(x.bins - 1)), QCPRange(y.centre(0), y.centre(y.bins - 1)));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, absMax = 0;
    for (int j = 0; j < y.bins; ++j)
        for (int i = 0; i < x.bins; ++i) {
            const double v = values[static_cast<std::size_t>(j) * x.bins + i];
            data->setCell(i, j, std::isfinite(v) ? v : std::nan(""));
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                absMax = std::max(absMax, std::abs(v));
            }
        }
    if (scale == Scale::LogDensity)
        lo = std::max(lo, hi - 12.0);
    if (scale == Scale::Diverging) {
        lo = -absMax;
        hi = absMax;
    }
    if (!(hi > lo)) { // flat or empty: a unit range around the value
        const double c = std::isfinite(lo) ? lo : 0.0;
        lo = c - 0.5;
        hi = c + 0.5;
    }
    m->heat.scale->setDataRange(QCPRange(lo, hi));
    p->xAxis->setLabel(axisTitle(QString::fromStdString(x.feature), QString::fromStdString(x.unit)));
    p->yAxis->setLabel(axisTitle(QString::fromStdString(y.feature), QString::fromStdString(y.unit)));
    if (!sameFrame)
        rescale();
    p->replot(QCustomPlot::rpQueuedReplot);
}

std::pair<double, double> MapView::colourRange() const
{
    if (!m->heat.scale)
        return { std::nan(""), std::nan("") };
    const auto r = m->heat.scale->dataRange();
    return { r.lower, r.upper };
}

double MapView::valueAt(double x, double y) const
{
    const int i = m->x.bin(x), j = m->y.bin(y);
    if (!m->heat.map || i < 0 || j < 0 || m->values.empty())
        return std::nan("");
    return m->values[static_cast<std::size_t>(j) * m->x.bins + i];
}

void MapView::setOverlay(const std::vector<MapOverlayGroup>& groups)
{
    QCustomPlot* p = plot();
    for (auto* g : m->overlay)
        p->removeGraph(g);
    m->overlay.clear();
    for (const auto& group : groups) {
        auto* g = addScatter(p, group.colour, 3.5, group.name);
        QVector<double> xs, ys;
        xs.reserve(static_cast<int>(group.xy.size() / 2));
        ys.reserve(static_cast<int>(group.xy.size() / 2));
        for (std::size_t k = 0; k + 1 < group.xy.size(); k += 2) {
            xs.push_back(group.xy[k]);
            ys.push_back(group.xy[k + 1]);
        }
        g->setData(xs, ys, true);
        m->overlay.push_back(g);
    }
    p->legend->setVisible(!groups.empty());
    p->replot(QCustomPlot::rpQueuedReplot);
}

int MapView::overlayPoints() const
{
    int n = 0;
    for (auto* g : m->overlay)
        n += g->dataCount();
    return n;
}

void MapView::setContours(const std::vector<hepgen::maps::ContourSegment>& segments)
{
    QCustomPlot* p = plot();
    for (auto* c : m->contours)
        p->removePlottable(c);
    m->contours.clear();
    if (!segments.empty()) {
        auto* curve = new QCPCurve(p->xAxis, p->yAxis);
        curve->setPen(QPen(QColor(255, 255, 255, 210), 1.0));
        curve->setName(tr("contours"));
        curve->removeFromLegend();
        QVector<double> t, xs, ys;
        const double gap = std::nan(""); // a NaN point breaks the curve between segments
        for (const auto& s : segments)
            for (const auto& [px, py] :
                { std::pair { s.x0, s.y0 }, std::pair { s.x1, s.y1 }, std::pair { gap, gap } }) {
                t << t.size();
                xs << px;
                ys << py;
            }
        curve->setData(t, xs, ys, true);
        m->contours.push_back(curve);
    }
    p->replot(QCustomPlot::rpQueuedReplot);
}

int MapView::contourSegments() const
{
    int n = 0;
    for (auto* c : m->contours)
        n += c->dataCount() / 3;
    return n;
}

void MapView::setBand(bool onYAxis, double lo, double hi, const QString& label)
{
    QCustomPlot* p = plot();
    if (m->band) {
        p->removeItem(m->band);
        p->removeItem(m->bandLabel);
        m->band = nullptr;
        m->bandLabel = nullptr;
    }
    if (!(hi > lo)) {
        p->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m->band = new QCPItemRect(p);
    m->band->setPen(QPen(QColor(214, 39, 40), 1.2, Qt::DashLine));
    m->band->setBrush(QColor(214, 39, 40, 30));
    // Along the mass axis in plot coordinates, across the whole axis rect in the other direction.
    for (auto* pos : { m->band->topLeft, m->band->bottomRight }) {
        if (onYAxis) {
            pos->setTypeX(QCPItemPosition::ptAxisRectRatio);
            pos->setTypeY(QCPItemPosition::ptPlotCoords);
        } else {
            pos->setTypeX(QCPItemPosition::ptPlotCoords);
            pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
        }
    }
    if (onYAxis) {
        m->band->topLeft->setCoords(0, hi);
        m->band->bottomRight->setCoords(1, lo);
    } else {
        m->band->topLeft->setCoords(lo, 0);
        m->band->bottomRight->setCoords(hi, 1);
    }
    m->bandLabel = new QCPItemText(p);
    m->bandLabel->setText(label);
    m->bandLabel->setColor(QColor(180, 20, 30));
    m->bandLabel->position->setType(QCPItemPosition::ptAbsolute); // a pixel offset from the band's corner
    m->bandLabel->position->setParentAnchor(m->band->topLeft);
    m->bandLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m->bandLabel->position->setCoords(onYAxis ? 4 : 3, 3);
    p->replot(QCustomPlot::rpQueuedReplot);
}

void MapView::linkAxes(MapView* other)
{
    if (!other || other == this)
        return;
    m->linked.push_back(other);
    other->m->linked.push_back(this);
}

void MapView::rescale()
{
    if (!m->heat.map) {
        PlotWidget::rescale();
        return;
    }
    plot()->xAxis->setRange(m->x.lo, m->x.hi);
    plot()->yAxis->setRange(m->y.lo, m->y.hi);
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void MapView::setView(double xLo, double xHi, double yLo, double yHi)
{
    plot()->xAxis->setRange(xLo, xHi);
    plot()->yAxis->setRange(yLo, yHi);
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

std::array<double, 4> MapView::view() const
{
    const auto x = plot()->xAxis->range(), y = plot()->yAxis->range();
    return { x.lower, x.upper, y.lower, y.upper };
}

bool MapView::exportSideBySide(const std::vector<const MapView*>& views, const QString& path, QString* error)
{
    if (views.empty()) {
        if (error)
            *error = tr("There is no map to export.");
        return false;
    }
    QSize page(0, 0);
    for (const auto* v : views) {
        const QSize s = v->plot()->isVisible() ? v->plot()->size() : QSize(700, 560);
        page.setWidth(page.width() + s.width());
        page.setHeight(std::max(page.height(), s.height()));
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    auto drawAll = [&](QCPPainter& painter) {
        int left = 0;
        for (const auto* v : views) {
            const QSize s = v->plot()->isVisible() ? v->plot()->size() : QSize(700, 560);
            painter.save();
            painter.translate(left, 0);
            v->plot()->toPainter(&painter, s.width(), s.height());
            painter.restore();
            left += s.width();
        }
    };
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        constexpr double scale = 2.0; // twice the resolution, for slides
        QPixmap image(page * scale);
        image.fill(Qt::white);
        QCPPainter painter(&image);
        painter.scale(scale, scale);
        drawAll(painter);
        painter.end();
        ok = image.save(path);
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter writer(path);
        writer.setResolution(96);
        writer.setPageSize(QPageSize(page, QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter(&writer);
        if (painter.isActive()) {
            painter.setMode(QCPPainter::pmVectorized);
            painter.setMode(QCPPainter::pmNoCaching);
            const double sx = writer.width() / static_cast<double>(page.width());
            painter.scale(sx, sx);
            drawAll(painter);
            ok = painter.end();
        }
    } else {
        if (error)
            *error = tr("Unknown export format '%1': use .png or .pdf.").arg(suffix);
        return false;
    }
    if (!ok && error)
        *error = tr("Could not write %1.").arg(path);
    return ok;
}

} // namespace hepgen::widgets
