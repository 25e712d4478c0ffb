#pragma once
// Step histograms of one feature, overlaid per class (background, signal, unlabelled), with
// labelled axes, a legend, and a log y axis chosen automatically when the counts span decades.
#include "core/data/Histogram.h"
#include "widgets/PlotWidget.h"

#include <QStringList>
#include <vector>

namespace hepgen::widgets {

class HistogramView : public PlotWidget {
    Q_OBJECT
public:
    explicit HistogramView(QWidget* parent = nullptr);
    /// One histogram per entry of `names` (empty histograms are skipped); all share the binning.
    void setHistograms(const QString& feature, const QString& unit, const std::vector<hepgen::data::Histogram1D>& hists,
        const QStringList& names);
    void clear();
};

} // namespace hepgen::widgets
