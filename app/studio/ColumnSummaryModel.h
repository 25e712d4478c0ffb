#pragma once
// Table model over a data set's per-column summary (name, unit, min, max, mean, std, non-finite).
#include "core/data/Summary.h"

#include <QAbstractTableModel>

namespace hepgen::studio {

class ColumnSummaryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void setSummary(const hepgen::data::DatasetSummary& summary);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<hepgen::data::ColumnSummary> m_columns;
};

} // namespace hepgen::studio
