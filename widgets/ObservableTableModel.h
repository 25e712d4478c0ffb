#pragma once
// The table of a shower evaluation: one row per observable (name, group, separation power, W1 with its unit,
// entries), sortable by the numbers (Qt::UserRole holds them), separation powers tinted by size. Exports the
// table with the classifier result as CSV.
#include "core/showers/Observables.h"

#include <QAbstractTableModel>

#include <memory>

namespace hepgen::widgets {

class ObservableTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Group, SeparationPower, W1, Unit, Entries, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setEvaluation(std::shared_ptr<const hepgen::showers::ShowerEvaluation> evaluation);
    const hepgen::showers::ShowerEvaluation* evaluation() const { return m_evaluation.get(); }
    /// The comparison of a row, or nullptr.
    const hepgen::showers::ObservableComparison* comparison(int row) const;
    /// CSV: header `observable,unit,group,separation_power,w1,value,n_reference,n_generated`, one line per
    /// observable, then the classifier rows (group "classifier": AUC, its chance spread and the JSD in `value`).
    QString toCsv() const;

private:
    std::shared_ptr<const hepgen::showers::ShowerEvaluation> m_evaluation;
};

} // namespace hepgen::widgets
