#include "ColumnSummaryModel.h"

#include <QColor>

namespace hepgen::studio {

namespace {
enum Column { Name, Unit, Min, Max, Mean, Std, NonFinite, ColumnCount };
}

void ColumnSummaryModel::setSummary(const hepgen::data::DatasetSummary& summary)
{
    beginResetModel();
    m_columns = summary.columns;
    endResetModel();
}

int ColumnSummaryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

int ColumnSummaryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ColumnSummaryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& c = m_columns[static_cast<std::size_t>(index.row())];
    if (role == Qt::TextAlignmentRole)
        return index.column() >= Min ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    if (role == Qt::ForegroundRole && index.column() == NonFinite && c.nonFinite > 0)
        return QColor(176, 0, 32);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name: return QString::fromStdString(c.name);
    case Unit: return QString::fromStdString(c.unit);
    case Min: return QString::number(c.min, 'g', 5);
    case Max: return QString::number(c.max, 'g', 5);
    case Mean: return QString::number(c.mean, 'g', 5);
    case Std: return QString::number(c.std, 'g', 5);
    case NonFinite: return QVariant::fromValue<qulonglong>(c.nonFinite);
    default: return {};
    }
}

QVariant ColumnSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (section) {
    case Name: return tr("Feature");
    case Unit: return tr("Unit");
    case Min: return tr("Min");
    case Max: return tr("Max");
    case Mean: return tr("Mean");
    case Std: return tr("Std");
    case NonFinite: return tr("NaN/Inf");
    default: return {};
    }
}

} // namespace hepgen::studio
