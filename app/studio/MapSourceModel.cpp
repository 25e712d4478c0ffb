#include "MapSourceModel.h"

#include "core/maps/MapModels.h"
#include "core/util/Error.h"

namespace hepgen::studio {

int MapSourceModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_sources.size());
}

QVariant MapSourceModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const MapSource& s = source(index.row());
    switch (role) {
    case Qt::DisplayRole: return s.name;
    case Qt::ToolTipRole: return s.problem.isEmpty() ? s.detail : s.detail + QStringLiteral("\n") + s.problem;
    case Qt::UserRole: return s.directory;
    default: return {};
    }
}

int MapSourceModel::find(const QString& key) const
{
    for (std::size_t i = 0; i < m_sources.size(); ++i) {
        const auto& s = m_sources[i];
        if ((!s.directory.isEmpty() && s.directory == key) || s.name == key)
            return static_cast<int>(i);
    }
    return -1;
}

int MapSourceModel::upsert(MapSource source)
{
    const int existing = find(source.directory.isEmpty() ? source.name : source.directory);
    if (existing >= 0) {
        auto& s = m_sources[static_cast<std::size_t>(existing)];
        // A run listed again (trained further) keeps its loaded model until it is explicitly reloaded.
        if (!source.model && s.directory == source.directory && !s.directory.isEmpty())
            source.model = s.model;
        s = std::move(source);
        Q_EMIT dataChanged(index(existing), index(existing));
        return existing;
    }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_sources.push_back(std::move(source));
    endInsertRows();
    return row;
}

std::shared_ptr<hepgen::maps::MapModel> MapSourceModel::model(int row, QString* problem)
{
    if (row < 0 || row >= rowCount()) {
        if (problem)
            *problem = tr("Choose a model to map.");
        return nullptr;
    }
    auto& s = m_sources[static_cast<std::size_t>(row)];
    if (!s.model && !s.directory.isEmpty()) {
        try {
            s.model = hepgen::maps::loadMapModel(s.directory.toStdString());
            s.problem.clear();
        } catch (...) {
            s.problem = QString::fromStdString(hepgen::currentExceptionMessage());
        }
        Q_EMIT dataChanged(index(row), index(row));
    }
    if (!s.model && problem)
        *problem = s.problem.isEmpty() ? tr("%1 has no model to map.").arg(s.name) : s.problem;
    return s.model;
}

void MapSourceModel::unload(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    auto& s = m_sources[static_cast<std::size_t>(row)];
    if (!s.directory.isEmpty()) {
        s.model.reset();
        s.problem.clear();
    }
}

void MapSourceModel::removeOrigin(MapSource::Origin origin)
{
    for (int i = rowCount() - 1; i >= 0; --i)
        if (m_sources[static_cast<std::size_t>(i)].origin == origin) {
            beginRemoveRows({}, i, i);
            m_sources.erase(m_sources.begin() + i);
            endRemoveRows();
        }
}

} // namespace hepgen::studio
