#include "widgets/SampleView.h"

#include "widgets/Gradients.h"
#include "widgets/PlotItems.h"

#include <algorithm>
#include <cmath>

namespace hepgen::widgets {

namespace {

QVector<double> column(const std::vector<float>& events, int dims, int c)
{
    QVector<double> v;
    if (dims < 2)
        return v;
    const std::size_t n = events.size() / static_cast<std::size_t>(dims);
    v.reserve(static_cast<int>(n));
    for (std::size_t i = 0; i < n; ++i)
        v.push_back(events[i * static_cast<std::size_t>(dims) + static_cast<std::size_t>(c)]);
    return v;
}

} // namespace

SampleView::SampleView(QWidget* parent)
    : PlotWidget(parent)
{
    QCustomPlot* p = plot();
    m_reference = addScatter(p, QColor(150, 150, 150, 110), 3, tr("data"));
    m_samples = addScatter(p, QColor(31, 119, 180, 170), 3.5, tr("samples"));
    p->legend->setVisible(true);
    p->legend->setBrush(QColor(255, 255, 255, 170)); // the points stay visible under it
    p->legend->setBorderPen(Qt::NoPen);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    setAxisLabels(QStringLiteral("x"), {}, QStringLiteral("y"), {});
}

void SampleView::setReference(const std::vector<float>& events, int dims)
{
    m_reference->setData(column(events, dims, 0), column(events, dims, 1));
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void SampleView::setSamples(const std::vector<float>& events, int dims, const QString& name)
{
    m_samples->setData(column(events, dims, 0), column(events, dims, 1));
    m_samples->setName(name);
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

int SampleView::sampleCount() const { return m_samples->dataCount(); }

void SampleView::setRange(double xMin, double xMax, double yMin, double yMax)
{
    m_xMin = xMin;
    m_xMax = xMax;
    m_yMin = yMin;
    m_yMax = yMax;
    rescale();
}

void SampleView::rescale()
{
    plot()->xAxis->setRange(m_xMin, m_xMax);
    plot()->yAxis->setRange(m_yMin, m_yMax);
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void SampleView::clearField()
{
    QCustomPlot* p = plot();
    p->clearItems();
    for (int i = p->plottableCount() - 1; i >= 0; --i) {
        auto* pl = p->plottable(i);
        if (pl != m_reference && pl != m_samples)
            p->removePlottable(pl);
    }
    m_map = nullptr;
    if (m_scale) {
        p->plotLayout()->remove(m_scale);
        p->plotLayout()->simplify();
        m_scale = nullptr;
    }
}

void SampleView::setField(const hepgen::training::LabField* field)
{
    using Kind = hepgen::training::LabField::Kind;
    QCustomPlot* p = plot();
    const bool scalar = field && field->kind == Kind::Scalar && !field->values.empty();
    // A new frame of the same heat map only refills the cells: no relayout of the colour bar.
    const bool refill = scalar && m_map && m_map->name() == QString::fromStdString(field->label)
        && m_map->data()->keySize() == field->grid.nx && m_map->data()->valueSize() == field->grid.ny;
    if (!refill)
        clearField();
    if (scalar) {
        const auto& g = field->grid;
        if (!refill) {
            const HeatMap heat = addHeatMap(p, sequentialGradient(), QString::fromStdString(field->label));
            m_map = heat.map;
            m_scale = heat.scale;
        }
        m_map->data()->setSize(g.nx, g.ny);
        m_map->data()->setRange(QCPRange(g.xMin, g.xMax), QCPRange(g.yMin, g.yMax));
        double hi = -INFINITY, lo = INFINITY;
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i < g.nx; ++i) {
                const double v = field->values[static_cast<std::size_t>(j * g.nx + i)];
                m_map->data()->setCell(i, j, std::isfinite(v) ? v : std::nan(""));
                if (std::isfinite(v)) {
                    hi = std::max(hi, v);
                    lo = std::min(lo, v);
                }
            }
        if (field->name == "log_density")
            lo = std::max(lo, hi - 10.0); // ten e-folds below the peak: the tails would wash out the rest
        if (!(hi > lo))
            hi = lo + 1;
        m_scale->setDataRange(QCPRange(lo, hi));
    } else if (field && field->kind == Kind::Vector && !field->values.empty()) {
        const auto& g = field->grid;
        double longest = 0;
        for (std::size_t k = 0; k + 1 < field->values.size(); k += 2)
            longest = std::max(longest, std::hypot(field->values[k], field->values[k + 1]));
        // Arrows scaled so that the longest spans 90 % of a grid cell.
        const double cell
            = std::min((g.xMax - g.xMin) / std::max(1, g.nx - 1), (g.yMax - g.yMin) / std::max(1, g.ny - 1));
        const double scale = longest > 0 ? 0.9 * cell / longest : 0;
        const QPen pen(QColor(214, 39, 40, 190), 1.2);
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i < g.nx; ++i) {
                const std::size_t k = 2 * static_cast<std::size_t>(j * g.nx + i);
                auto* arrow = new QCPItemLine(p);
                arrow->setPen(pen);
                arrow->start->setCoords(g.x(i), g.y(j));
                arrow->end->setCoords(g.x(i) + scale * field->values[k], g.y(j) + scale * field->values[k + 1]);
                arrow->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, 5, 6));
            }
    } else if (field && field->kind == Kind::Reconstruction && !field->values.empty()) {
        auto* lines = new QCPCurve(p->xAxis, p->yAxis);
        lines->setName(QString::fromStdString(field->label));
        lines->setPen(QPen(QColor(214, 39, 40, 220), 1.3));
        QVector<double> t, x, y;
        for (std::size_t k = 0; k + 3 < field->values.size(); k += 4) {
            const double ax = field->values[k], ay = field->values[k + 1];
            const double bx = field->values[k + 2], by = field->values[k + 3];
            const double gap = std::nan(""); // a NaN point breaks the curve between events
            for (const auto& [px, py] : { std::pair { ax, ay }, std::pair { bx, by }, std::pair { gap, gap } }) {
                t << t.size();
                x << px;
                y << py;
            }
        }
        lines->setData(t, x, y, true);
        lines->setScatterSkip(0);
    }
    p->replot(QCustomPlot::rpQueuedReplot);
}

double SampleView::fieldValueAt(double x, double y) const
{
    if (!m_map)
        return std::nan("");
    int i = 0, j = 0;
    m_map->data()->coordToCell(x, y, &i, &j);
    return m_map->data()->cell(i, j);
}

LossView::LossView(QWidget* parent)
    : PlotWidget(parent)
{
    QCustomPlot* p = plot();
    m_train = p->addGraph();
    m_train->setName(tr("training"));
    m_train->setPen(QPen(QColor(31, 119, 180), 1.6));
    m_validation = p->addGraph();
    m_validation->setName(tr("validation"));
    m_validation->setPen(QPen(QColor(255, 127, 14), 1.6));
    p->legend->setVisible(true);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setAxisLabels(tr("optimiser step"), {}, tr("loss"), {});
    showMessage(tr("Press Start to train"));
}

void LossView::addEpoch(double step, double trainLoss, double validationLoss)
{
    clearMessage();
    m_train->addData(step, trainLoss);
    if (std::isfinite(validationLoss))
        m_validation->addData(step, validationLoss);
    // Queued: many epochs a second must not each cost a synchronous replot on the UI thread.
    plot()->rescaleAxes();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

void LossView::clear()
{
    m_train->data()->clear();
    m_validation->data()->clear();
    plot()->replot(QCustomPlot::rpQueuedReplot);
}

int LossView::points() const { return m_train->dataCount(); }

} // namespace hepgen::widgets
