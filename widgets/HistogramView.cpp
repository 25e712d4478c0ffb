#include "widgets/HistogramView.h"

#include "widgets/Qcp.h"

namespace hepgen::widgets {

namespace {
const QColor kColours[] = { QColor(31, 119, 180), QColor(214, 39, 40), QColor(90, 90, 90) };
}

HistogramView::HistogramView(QWidget* parent)
    : PlotWidget(parent)
{
    plot()->legend->setVisible(true);
    plot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void HistogramView::clear()
{
    plot()->clearGraphs();
    plot()->legend->setVisible(false);
    setAxisLabels(QString(), QString(), QString(), QString());
    showMessage(tr("No data loaded"));
}

void HistogramView::setHistograms(const QString& feature, const QString& unit,
    const std::vector<hepgen::data::Histogram1D>& hists, const QStringList& names)
{
    plot()->clearGraphs();
    plot()->legend->setVisible(true);
    clearMessage();
    bool wantLog = false;
    double width = 0;
    for (std::size_t k = 0; k < hists.size() && static_cast<int>(k) < names.size(); ++k) {
        const auto& h = hists[k];
        if (h.total() <= 0)
            continue;
        width = h.binWidth();
        wantLog = wantLog || hepgen::data::prefersLogScale(h);
        QCPGraph* g = plot()->addGraph();
        g->setName(
            QStringLiteral("%1 (%2)").arg(names[static_cast<int>(k)]).arg(QLocale().toString(h.total(), 'f', 0)));
        g->setLineStyle(QCPGraph::lsStepCenter);
        g->setPen(QPen(kColours[k % 3], 1.6));
        QVector<double> x, y;
        for (std::size_t i = 0; i < h.bins(); ++i) {
            x << h.binCentre(i);
            y << h.counts[i];
        }
        g->setData(x, y, true);
    }
    const QString perBin = unit.isEmpty() ? tr("events / %1").arg(width, 0, 'g', 3)
                                          : tr("events / %1 %2").arg(width, 0, 'g', 3).arg(unit);
    setAxisLabels(feature, unit, perBin, QString());
    setLogY(wantLog); // also rescales and replots
    // Headroom above the tallest bin for the legend; linear histograms start at zero.
    const QCPRange y = plot()->yAxis->range();
    if (wantLog)
        plot()->yAxis->setRange(0.5, y.upper * 8.0);
    else
        plot()->yAxis->setRange(0.0, y.upper * 1.25);
    plot()->replot();
}

} // namespace hepgen::widgets
