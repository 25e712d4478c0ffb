#include "widgets/PlotWidget.h"

#include "widgets/Qcp.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QVBoxLayout>

namespace hepgen::widgets {

PlotWidget::PlotWidget(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(200, 150);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectLegend);
    m_plot->legend->setVisible(false);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_plot->setToolTip(tr("Wheel: zoom · drag: pan · double-click: reset view · right-click: log scale, export"));
    connect(m_plot, &QCustomPlot::customContextMenuRequested, this, &PlotWidget::showContextMenu);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { rescale(); });
}

void PlotWidget::showMessage(const QString& text)
{
    // Subclasses may clearItems(): never trust a stale pointer.
    if (!m_message || !m_plot->hasItem(m_message)) {
        m_message = new QCPItemText(m_plot);
        m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
        m_message->position->setCoords(0.5, 0.5);
        m_message->setColor(QColor(110, 110, 110));
        QFont f = m_message->font();
        f.setPointSizeF(f.pointSizeF() * 1.2);
        m_message->setFont(f);
    }
    m_message->setText(text);
    m_message->setVisible(true);
    m_plot->replot();
}

void PlotWidget::clearMessage()
{
    if (m_message && m_plot->hasItem(m_message)) {
        m_message->setVisible(false);
        m_plot->replot();
    }
}

QString PlotWidget::axisTitle(const QString& label, const QString& unit)
{
    return unit.isEmpty() ? label : QStringLiteral("%1 [%2]").arg(label, unit);
}

void PlotWidget::setAxisLabels(const QString& xLabel, const QString& xUnit, const QString& yLabel, const QString& yUnit)
{
    m_plot->xAxis->setLabel(axisTitle(xLabel, xUnit));
    m_plot->yAxis->setLabel(axisTitle(yLabel, yUnit));
    m_plot->replot();
}

static void setLog(QCPAxis* axis, bool on)
{
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
}

void PlotWidget::setLogX(bool on)
{
    setLog(m_plot->xAxis, on);
    rescale();
}

void PlotWidget::setLogY(bool on)
{
    setLog(m_plot->yAxis, on);
    rescale();
}

bool PlotWidget::logY() const { return m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic; }

void PlotWidget::rescale()
{
    m_plot->rescaleAxes();
    m_plot->replot();
}

bool PlotWidget::exportTo(const QString& path, QString* error) const
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    // A plot that was never laid out on screen (batch export) gets a sensible page size.
    const QSize page = m_plot->isVisible() ? m_plot->size() : size().expandedTo(QSize(800, 600));
    bool ok = false;
    if (suffix == QLatin1String("pdf"))
        ok = m_plot->savePdf(path, page.width(), page.height());
    else if (suffix == QLatin1String("png"))
        ok = m_plot->savePng(path, page.width(), page.height(), 2.0); // twice the resolution, for slides
    else {
        if (error)
            *error = tr("Unknown export format '%1': use .png or .pdf.").arg(suffix);
        return false;
    }
    if (!ok && error)
        *error = tr("Could not write %1.").arg(path);
    return ok;
}

void PlotWidget::exportWithDialog()
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("dirs/export")).toString();
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Export plot"), dir, tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
    QString error;
    if (!exportTo(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

void PlotWidget::showContextMenu(const QPoint& pos)
{
    QMenu menu(this);
    menu.addAction(tr("Reset view"), this, &PlotWidget::rescale);
    QAction* log = menu.addAction(tr("Logarithmic y axis"));
    log->setCheckable(true);
    log->setChecked(logY());
    connect(log, &QAction::toggled, this, [this](bool on) {
        setLogY(on);
        Q_EMIT logYChanged(on);
    });
    menu.addSeparator();
    menu.addAction(tr("Export as PNG or PDF…"), this, &PlotWidget::exportWithDialog);
    menu.exec(m_plot->mapToGlobal(pos));
}

} // namespace hepgen::widgets
