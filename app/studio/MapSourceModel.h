#pragma once
// The trained models the Maps workspace can map, as a list model for its pickers: the model lab's runs (their run
// directories), the anomaly hunt's results, surrogates trained here and directories opened by hand. A directory's
// model is loaded when first asked for and kept; a source that cannot be mapped keeps the reason instead.
#include <QAbstractListModel>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace hepgen::maps {
class MapModel;
}

namespace hepgen::studio {

struct MapSource {
    enum class Origin { Run, Hunt, Surrogate, Directory, Given };
    Origin origin = Origin::Directory;
    QString name;      ///< shown in the pickers
    QString directory; ///< run, surrogate or model directory (empty for hunts and given models)
    QString detail;    ///< tooltip
    std::shared_ptr<hepgen::maps::MapModel> model; ///< loaded model (null until loaded)
    QString problem;                               ///< why it cannot be mapped (after a failed load)
};

class MapSourceModel : public QAbstractListModel {
    Q_OBJECT
public:
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

    /// Adds a source, or replaces the one with the same directory (or the same name, for sources without one);
    /// returns its row.
    int upsert(MapSource source);
    const MapSource& source(int row) const { return m_sources.at(static_cast<std::size_t>(row)); }
    /// The row of the source with this directory or name, -1 if none.
    int find(const QString& directoryOrName) const;
    /// The source's model, loading a directory on first use. Null with `problem` set when it cannot be mapped.
    std::shared_ptr<hepgen::maps::MapModel> model(int row, QString* problem);
    /// Forgets the loaded model of a directory source (a run trained further is read again).
    void unload(int row);
    /// Removes the hunt entries (hunt results are re-listed from the hunt workspace).
    void removeOrigin(MapSource::Origin origin);

private:
    std::vector<MapSource> m_sources;
};

} // namespace hepgen::studio
