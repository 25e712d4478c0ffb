#pragma once
// Reference against generated histogram of one observable, with a ratio panel (generated / reference)
// underneath on the same x axis: the CaloChallenge / CaloClouds way of showing a shower observable.
// Step histograms normalised to unit sum, the ratio with its statistical error bars, a line at 1.
// Export (PNG/PDF), zoom and pan from PlotWidget. Never throws.
#include "widgets/PlotWidget.h"

#include <QString>

#include <vector>

class QCPAxisRect;
class QCPErrorBars;
class QCPGraph;

namespace hepgen::widgets {

class RatioHistogramView : public PlotWidget {
    Q_OBJECT
public:
    explicit RatioHistogramView(QWidget* parent = nullptr);

    /// Histograms with bins + 1 `edges` (log-spaced edges draw on a log x axis), both normalised to unit sum;
    /// nReference / nGenerated: the entries behind them, for the ratio's error bars (0: none drawn).
    void setHistograms(const QString& observable, const QString& unit, const QString& yLabel,
        const std::vector<double>& edges, const std::vector<double>& reference, const std::vector<double>& generated,
        bool logX, double nReference = 0, double nGenerated = 0, const QString& summary = {});
    void clear(const QString& message);
    /// The ratio generated / reference per bin as drawn (NaN where the reference bin is empty).
    const std::vector<double>& ratio() const { return m_ratio; }
    void rescale() override;

private:
    QCPAxisRect* m_ratioRect;
    QCPGraph *m_reference, *m_generated, *m_ratioGraph, *m_one;
    QCPErrorBars* m_errors;
    std::vector<double> m_ratio;
    bool m_logX = false;
};

} // namespace hepgen::widgets
