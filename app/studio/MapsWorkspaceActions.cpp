// The Maps workspace's outputs: the maps as PNG/PDF, their values as HDF5/CSV, and the classifier surrogate trained
// as a job of the shared runner.
#include "MapsWorkspace.h"

#include "MapSourceModel.h"

#include "core/data/Dataset.h"
#include "core/maps/MapFile.h"
#include "core/maps/Surrogate.h"
#include "core/util/Error.h"
#include "widgets/JobRunner.h"
#include "widgets/MapView.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>

namespace hepgen::studio {

using hepgen::maps::MapKind;

bool MapsWorkspace::exportImage(const QString& path)
{
    QString error;
    std::vector<const hepgen::widgets::MapView*> views { m_mainView };
    if (m_sideView->hasMap())
        views.push_back(m_sideView);
    if (!m_map || !hepgen::widgets::MapView::exportSideBySide(views, path, &error)) {
        Q_EMIT message(tr("Export failed: %1").arg(m_map ? error : tr("there is no map yet.")), true);
        return false;
    }
    Q_EMIT message(tr("Maps written to %1.").arg(path), false);
    return true;
}

bool MapsWorkspace::exportValues(const QString& path)
{
    if (!m_map) {
        Q_EMIT message(tr("Export failed: there is no map yet."), true);
        return false;
    }
    try {
        nlohmann::json settings = { { "model", m_map->model }, { "slices", m_map->slices },
            { "partial_dependence", m_map->partialDependence }, { "pd_events", m_map->pdEvents } };
        hepgen::maps::writeMap(*m_map, path.toStdString(), settings);
        if (m_side) {
            const QFileInfo info(path);
            const QString sidePath
                = info.dir().filePath(QStringLiteral("%1-distance.%2").arg(info.completeBaseName(), info.suffix()));
            hepgen::maps::writeMap(*m_side, sidePath.toStdString(), settings);
        }
    } catch (...) {
        Q_EMIT message(tr("Export failed: %1").arg(QString::fromStdString(hepgen::currentExceptionMessage())), true);
        return false;
    }
    Q_EMIT message(tr("Map values written to %1.").arg(path), false);
    return true;
}

bool MapsWorkspace::trainSurrogate(const QString& dirIn, int epochs)
{
    const auto data = table();
    QString reason;
    if (!m_model || !m_model->offers(MapKind::Score))
        reason = tr("the selected model has no classifier score.");
    else if (!data)
        reason = tr("load the data the classifier was trained on first.");
    else if (!m_jobs)
        reason = tr("no job runner.");
    else if (m_jobs->isRunning())
        reason = tr("“%1” is still running.").arg(m_jobs->title());
    if (!reason.isEmpty()) {
        Q_EMIT message(tr("Cannot train a surrogate: %1").arg(reason), true);
        return false;
    }
    QString dir = dirIn;
    if (dir.isEmpty()) {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
        const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"));
        dir = QDir(base).filePath(QStringLiteral("surrogates/%1").arg(stamp));
    }
    hepgen::maps::SurrogateConfig config;
    config.trainer["epochs"] = epochs > 0 ? epochs : m_surrogateEpochs->value();
    auto model = m_model;
    const std::string out = dir.toStdString();
    const QString name = QString::fromStdString(model->name());
    const bool started = m_jobs->start(
        tr("Training the surrogate of %1").arg(name),
        [model, data, config, out](
            const hepgen::JobControl& job) { hepgen::maps::trainSurrogate(*model, *data, config, out, job); },
        [this, dir, name] {
            MapSource s;
            s.origin = MapSource::Origin::Surrogate;
            s.directory = dir;
            s.name = tr("Surrogate of %1").arg(name);
            s.detail = tr("Bayesian flow-matching surrogate in %1").arg(dir);
            m_sources->upsert(std::move(s));
            Q_EMIT message(tr("Surrogate of %1 trained: %2").arg(name, dir), false);
            Q_EMIT surrogateTrained(dir);
            updateButtons();
        });
    if (started) {
        m_surrogate->setEnabled(false);
        connect(m_jobs, &hepgen::widgets::JobRunner::runningChanged, this, &MapsWorkspace::updateButtons,
            Qt::UniqueConnection);
    }
    return started;
}

} // namespace hepgen::studio
