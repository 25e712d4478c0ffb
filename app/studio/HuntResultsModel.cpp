#include "HuntResultsModel.h"

#include "core/anomaly/Hunt.h"

#include <cmath>

namespace hepgen::studio {

int HuntResultsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_results.size());
}

int HuntResultsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant HuntResultsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& r = *m_results[static_cast<std::size_t>(index.row())];
    auto number
        = [](double v, int digits) { return std::isfinite(v) ? QString::number(v, 'f', digits) : QString("–"); };
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Method: return QString::fromStdString(r.method);
        case Classifier: return r.classifier.empty() ? QString("–") : QString::fromStdString(r.classifier);
        case Auc: return number(r.auc, 3);
        case MaxSic: return number(r.maxSic, 2);
        case Sic20: return number(r.sicAt20, 2);
        case Sic50: return number(r.sicAt50, 2);
        case Sideband: return static_cast<qulonglong>(r.nSb);
        case SignalRegion: return static_cast<qulonglong>(r.nSr);
        case SOverB: return std::isfinite(r.sOverB) ? QString::number(100 * r.sOverB, 'f', 2) + " %" : QString("–");
        case Seconds: return number(r.seconds, 1);
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        QStringList lines;
        for (const auto& n : r.notes)
            lines << QString::fromStdString(n);
        for (const auto& s : r.stages)
            lines << QString("%1: %2 s").arg(QString::fromStdString(s.stage)).arg(s.seconds, 0, 'f', 1);
        return lines.join('\n');
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Auc)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant HuntResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    static const char* const names[] = { "Method", "Classifier", "AUC", "max SIC", "SIC@εS=0.2", "SIC@εS=0.5",
        "SB events", "SR events", "S/B (SR)", "Time [s]" };
    static const char* const tips[] = { "", "", "Area under the ROC curve of the SR test events",
        "Maximum of eps_S / sqrt(eps_B), only where at least 20 background test events pass",
        "Significance improvement at a signal efficiency of 0.2",
        "Significance improvement at a signal efficiency of 0.5", "", "", "Signal over background of the SR test data",
        "Wall time of the run" };
    if (section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return tr(names[section]);
    if (role == Qt::ToolTipRole && *tips[section])
        return tr(tips[section]);
    return {};
}

void HuntResultsModel::add(std::shared_ptr<const hepgen::anomaly::HuntResult> result)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_results.push_back(std::move(result));
    endInsertRows();
}

QString HuntResultsModel::toCsv() const
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < ColumnCount; ++c)
        header << headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
    lines << header.join(',');
    for (int r = 0; r < rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < ColumnCount; ++c)
            cells << data(index(r, c), Qt::DisplayRole).toString();
        lines << cells.join(',');
    }
    return lines.join('\n') + '\n';
}

} // namespace hepgen::studio
