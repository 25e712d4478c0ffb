#pragma once
// The Data panel: what is loaded (source, format, counts, per-feature summary), and the ways to
// load something else (open a file, drop one on the window, pick a built-in demo).
#include "core/data/Summary.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QTabWidget;

namespace hepgen::widgets {
class CorrelationView;
class HistogramView;
} // namespace hepgen::widgets

namespace hepgen::studio {

class ColumnSummaryModel;

class DataPanel : public QWidget {
    Q_OBJECT
public:
    explicit DataPanel(QWidget* parent = nullptr);
    /// Shows a loaded data set: summary, per-feature histograms by label, correlations.
    void showDataset(const hepgen::data::Dataset& dataset, const hepgen::data::DatasetSummary& summary);
    void showEmpty();

Q_SIGNALS:
    void openRequested();
    void demoRequested(const QString& name);

private:
    void showSummary(const hepgen::data::DatasetSummary& summary);
    void showHistogram(int column);

    hepgen::data::Table m_features; ///< the table, or per-shower quantities for showers
    QLabel* m_header;
    QTabWidget* m_tabs;
    QComboBox* m_feature;
    hepgen::widgets::HistogramView* m_histogram;
    hepgen::widgets::CorrelationView* m_correlation;
    QTableView* m_table;
    ColumnSummaryModel* m_model;
    QComboBox* m_demos;
};

} // namespace hepgen::studio
