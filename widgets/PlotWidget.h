#pragma once
// The reusable 2D plot: a QCustomPlot with labelled axes (with units), optional log axes, a legend,
// mouse zoom (wheel) and pan (drag), reset view (double-click or context menu) and export to
// PNG/PDF. Code that draws into it includes "widgets/Qcp.h" in a .cpp file.
#include <QString>
#include <QWidget>

class QCustomPlot;
class QCPItemText;

namespace hepgen::widgets {

class PlotWidget : public QWidget {
    Q_OBJECT
public:
    explicit PlotWidget(QWidget* parent = nullptr);

    QCustomPlot* plot() const { return m_plot; }

    /// Axis titles as "label [unit]" (no brackets when the unit is empty).
    void setAxisLabels(const QString& xLabel, const QString& xUnit, const QString& yLabel, const QString& yUnit);
    void setLogX(bool on);
    void setLogY(bool on);
    bool logY() const;
    /// Fits the axes to the data ("Reset view"); views with a fixed frame return to it instead.
    virtual void rescale();
    /// Writes the plot to `path`; the format follows the suffix (.png or .pdf). Returns false and
    /// sets `error` when the file cannot be written.
    bool exportTo(const QString& path, QString* error = nullptr) const;
    /// Asks for a file name (remembering the last directory) and exports there.
    void exportWithDialog();

    /// A centred message in place of data ("No data loaded"); cleared by clearMessage().
    void showMessage(const QString& text);
    void clearMessage();

    static QString axisTitle(const QString& label, const QString& unit);

Q_SIGNALS:
    /// Emitted when the user switched log scale from the context menu.
    void logYChanged(bool on);

private:
    void showContextMenu(const QPoint& pos);
    QCustomPlot* m_plot;
    QCPItemText* m_message = nullptr;
};

} // namespace hepgen::widgets
