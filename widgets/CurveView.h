#pragma once
// Overlaid curves (one per run: ROC, SIC, ...), each with a legend entry and its own colour, over labelled
// axes; export and zoom from PlotWidget.
#include "widgets/PlotWidget.h"

#include <vector>

namespace hepgen::widgets {

class CurveView : public PlotWidget {
    Q_OBJECT
public:
    explicit CurveView(QWidget* parent = nullptr);
    /// Adds a curve (points in the given order) and rescales; the colour cycles through a qualitative palette.
    void addCurve(const QString& name, const std::vector<double>& x, const std::vector<double>& y);
    void clearCurves();
    int curveCount() const;
};

} // namespace hepgen::widgets
