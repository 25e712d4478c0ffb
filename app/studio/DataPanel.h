#pragma once
// The Data panel: what is loaded (source, format, counts, per-feature summary), and the ways to
// load something else (open a file, drop one on the window, pick a built-in demo).
#include "core/data/Summary.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;

namespace hepgen::studio {

class ColumnSummaryModel;

class DataPanel : public QWidget {
    Q_OBJECT
public:
    explicit DataPanel(QWidget* parent = nullptr);
    void showSummary(const hepgen::data::DatasetSummary& summary);
    void showEmpty();

Q_SIGNALS:
    void openRequested();
    void demoRequested(const QString& name);

private:
    QLabel* m_header;
    QTableView* m_table;
    ColumnSummaryModel* m_model;
    QComboBox* m_demos;
};

} // namespace hepgen::studio
