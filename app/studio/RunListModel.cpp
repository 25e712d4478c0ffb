#include "RunListModel.h"

#include <QFileInfo>

#include <cmath>

namespace hepgen::studio {

int RunListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const RunEntry& r = m_runs[static_cast<std::size_t>(index.row())];
    auto loss = [](double v) { return std::isfinite(v) ? QVariant(QString::number(v, 'g', 4)) : QVariant(); };
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return QFileInfo(r.directory).fileName();
        case Family: return r.family;
        case Data: return r.data;
        case Steps: return r.steps;
        case TrainLoss: return loss(r.trainLoss);
        case ValidationLoss: return loss(r.validationLoss);
        case Status: return r.status;
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return tr("%1\nSettings: %2").arg(r.directory, r.settings);
    if (role == Qt::TextAlignmentRole && index.column() >= Steps && index.column() <= ValidationLoss)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Run");
    case Family: return tr("Family");
    case Data: return tr("Data");
    case Steps: return tr("Steps");
    case TrainLoss: return tr("Train loss");
    case ValidationLoss: return tr("Val. loss");
    case Status: return tr("Status");
    default: return {};
    }
}

int RunListModel::upsert(const RunEntry& entry)
{
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].directory == entry.directory) {
            m_runs[i] = entry;
            Q_EMIT dataChanged(index(static_cast<int>(i), 0), index(static_cast<int>(i), ColumnCount - 1));
            return static_cast<int>(i);
        }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_runs.push_back(entry);
    endInsertRows();
    return row;
}

} // namespace hepgen::studio
