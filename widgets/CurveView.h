#pragma once
// Overlaid curves (one per run: ROC, SIC, scans, ...), each with a legend entry and its own colour, over
// labelled axes, optionally with markers at the points or a shaded error band; export and zoom from PlotWidget.
#include "widgets/PlotWidget.h"

#include <QColor>

#include <vector>

namespace hepgen::widgets {

class CurveView : public PlotWidget {
    Q_OBJECT
public:
    explicit CurveView(QWidget* parent = nullptr);
    ~CurveView() override;
    /// Adds a curve (points in the given order) and rescales; the colour cycles through a qualitative palette.
    void addCurve(
        const QString& name, const std::vector<double>& x, const std::vector<double>& y, bool markers = false);
    /// A curve with markers and a shaded band y - error .. y + error around it (x ascending).
    void addBand(const QString& name, const std::vector<double>& x, const std::vector<double>& y,
        const std::vector<double>& error);
    /// A horizontal reference line (e.g. Z = 2) with a legend entry.
    void addReferenceLine(const QString& name, double y);
    void clearCurves();
    /// Curves added (bands and reference lines count once each).
    int curveCount() const;
    /// What is drawn, as CSV: curve, x, y(, error) per point.
    QString toCsv() const;

private:
    QColor nextColour() const;
    struct Drawn {
        QString name;
        std::vector<double> x, y, error;
    };
    std::vector<Drawn> m_drawn;
};

} // namespace hepgen::widgets
