#pragma once
// The comparison table of an anomaly hunt: one row per run (method, classifier, AUC, max SIC, SIC at
// eps_S = 0.2 and 0.5, events in SB and SR, S/B, run time), over the list of results the workspace keeps.
#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace hepgen::anomaly {
struct HuntResult;
}

namespace hepgen::studio {

class HuntResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Method, Classifier, Auc, MaxSic, Sic20, Sic50, Sideband, SignalRegion, SOverB, Seconds, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void add(std::shared_ptr<const hepgen::anomaly::HuntResult> result);
    /// The table as CSV (header and one line per run).
    QString toCsv() const;

private:
    std::vector<std::shared_ptr<const hepgen::anomaly::HuntResult>> m_results;
};

} // namespace hepgen::studio
