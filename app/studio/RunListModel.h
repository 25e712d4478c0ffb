#pragma once
// The model lab's list of runs: where each run lives, its family and data, how far it trained and its last
// losses. A table model over a plain list, so the view sorts and the lab updates rows as epochs finish.
#include <QAbstractTableModel>
#include <QString>

#include <vector>

namespace hepgen::studio {

struct RunEntry {
    QString directory;
    QString family;
    QString data;
    QString settings; ///< the model config as compact JSON (tooltip)
    qint64 steps = 0;
    int epochs = 0;
    double trainLoss = qQNaN();
    double validationLoss = qQNaN();
    QString status;
};

class RunListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Family, Data, Steps, TrainLoss, ValidationLoss, Status, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// Adds a run, or replaces the row of the same directory; returns its row.
    int upsert(const RunEntry& entry);
    const RunEntry& entry(int row) const { return m_runs.at(static_cast<std::size_t>(row)); }

private:
    std::vector<RunEntry> m_runs;
};

} // namespace hepgen::studio
