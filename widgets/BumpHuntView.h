#pragma once
// The bump-hunt panel's figure: the mass spectrum after each score cut (points with Poisson error bars)
// with the dijet function fitted to the sidebands and interpolated into the signal region (lines; the SR
// shaded), and below it the pulls (observed - fit) / sqrt(fit) of one chosen cut. Both panels share
// the mass axis and export together (PNG/PDF); the numbers export as CSV.
#include "core/anomaly/MassWindows.h"
#include "core/anomaly/SpectrumFit.h"
#include "widgets/PlotWidget.h"

#include <vector>

class QCPAxisRect;

namespace hepgen::widgets {

class BumpHuntView : public PlotWidget {
    Q_OBJECT
public:
    explicit BumpHuntView(QWidget* parent = nullptr);

    /// Shows the fits of a bump hunt (one per score cut) over `windows`, masses in `unit`. An empty
    /// list shows `emptyMessage` instead.
    void setSteps(const std::vector<hepgen::anomaly::BumpHuntStep>& steps, const hepgen::anomaly::MassWindows& windows,
        const QString& unit, const QString& emptyMessage = {});
    const std::vector<hepgen::anomaly::BumpHuntStep>& steps() const { return m_steps; }
    /// Which cut the pulls panel shows (index into steps()); out-of-range indices are ignored.
    void setPullsStep(int index);
    int pullsStep() const { return m_pullsStep; }
    /// Every bin of every cut: efficiency, bin edges, observed, fit, pull, in_sr, then one summary line
    /// per cut (observed and expected in the SR, local Z, fit quality) as comments.
    QString toCsv() const;

    void rescale() override;

private:
    void redraw();

    std::vector<hepgen::anomaly::BumpHuntStep> m_steps;
    hepgen::anomaly::MassWindows m_windows;
    QString m_unit;
    int m_pullsStep = 0;
    QCPAxisRect* m_pullsRect = nullptr;
};

} // namespace hepgen::widgets
