#include "widgets/ObservableTableModel.h"

#include <QBrush>
#include <QColor>

#include <cmath>

namespace hepgen::widgets {

namespace {

QString csvCell(const QString& s)
{
    if (s.contains(',') || s.contains('"') || s.contains('\n'))
        return '"' + QString(s).replace('"', QStringLiteral("\"\"")) + '"';
    return s;
}

QString number(double v) { return std::isfinite(v) ? QString::number(v, 'g', 8) : QString(); }

} // namespace

int ObservableTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_evaluation ? 0 : static_cast<int>(m_evaluation->observables.size());
}

int ObservableTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

const hepgen::showers::ObservableComparison* ObservableTableModel::comparison(int row) const
{
    if (!m_evaluation || row < 0 || row >= rowCount())
        return nullptr;
    return &m_evaluation->observables[static_cast<std::size_t>(row)];
}

QVariant ObservableTableModel::data(const QModelIndex& index, int role) const
{
    const auto* c = index.isValid() ? comparison(index.row()) : nullptr;
    if (!c)
        return {};
    const QString unit = QString::fromStdString(c->unit);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return QString::fromStdString(c->name);
        case Group: return QString::fromStdString(c->group);
        case SeparationPower: return QString::number(c->separationPower, 'f', 4);
        case W1: return QString::number(c->w1, 'g', 4);
        case Unit: return unit;
        case Entries: return QStringLiteral("%1 / %2").arg(c->nReference).arg(c->nGenerated);
        default: return {};
        }
    case Qt::UserRole: // sort keys
        switch (index.column()) {
        case SeparationPower: return c->separationPower;
        case W1: return c->w1;
        case Entries: return static_cast<qulonglong>(c->nGenerated);
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::ForegroundRole:
        if (index.column() == SeparationPower) {
            // CaloChallenge-style reading: below 0.05 hard to tell apart, above 0.2 clearly different.
            if (c->separationPower < 0.05)
                return QBrush(QColor(30, 130, 60));
            if (c->separationPower < 0.2)
                return QBrush(QColor(180, 120, 0));
            return QBrush(QColor(200, 40, 40));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SeparationPower || index.column() == W1 || index.column() == Entries)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        return tr("%1: separation power %2, W1 %3 %4; %5 reference and %6 generated entries%7")
            .arg(QString::fromStdString(c->name))
            .arg(c->separationPower, 0, 'f', 4)
            .arg(c->w1, 0, 'g', 4)
            .arg(unit)
            .arg(c->nReference)
            .arg(c->nGenerated)
            .arg(c->group == "profile" ? tr(" (hits, energy-weighted)") : QString());
    default: return {};
    }
}

QVariant ObservableTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    static const char* const names[] = { "Observable", "Group", "Sep. power", "W1", "Unit", "Entries ref / gen" };
    static const char* const tips[] = { "", "shower level, profile, or per layer",
        "Separation power of the normalised histograms: 0 identical, 1 disjoint (CaloChallenge)",
        "Wasserstein-1 distance of the two samples, in the observable's unit", "",
        "Values (showers, hits or layers) that entered each histogram" };
    if (role == Qt::DisplayRole)
        return tr(names[section]);
    if (role == Qt::ToolTipRole && *tips[section])
        return tr(tips[section]);
    return {};
}

void ObservableTableModel::setEvaluation(std::shared_ptr<const hepgen::showers::ShowerEvaluation> evaluation)
{
    beginResetModel();
    m_evaluation = std::move(evaluation);
    endResetModel();
}

QString ObservableTableModel::toCsv() const
{
    QStringList lines { QStringLiteral("observable,unit,group,separation_power,w1,value,n_reference,n_generated") };
    if (!m_evaluation)
        return lines.join('\n') + '\n';
    for (const auto& c : m_evaluation->observables)
        lines << QStringList { csvCell(QString::fromStdString(c.name)), csvCell(QString::fromStdString(c.unit)),
            csvCell(QString::fromStdString(c.group)), number(c.separationPower), number(c.w1), QString(),
            QString::number(c.nReference), QString::number(c.nGenerated) }
                     .join(',');
    const auto& e = *m_evaluation;
    const QString n = QStringLiteral("%1,%2").arg(e.nReference).arg(e.nGenerated);
    lines << QStringLiteral("classifier AUC,,classifier,,,%1,%2").arg(number(e.classifierAuc), n);
    lines << QStringLiteral("classifier AUC null sigma,,classifier,,,%1,%2").arg(number(e.classifierAucNullSigma), n);
    lines << QStringLiteral("classifier JSD,bits,classifier,,,%1,%2").arg(number(e.classifierJsd), n);
    return lines.join('\n') + '\n';
}

} // namespace hepgen::widgets
