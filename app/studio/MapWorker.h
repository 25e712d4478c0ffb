#pragma once
// Computes the Maps workspace's maps off the UI thread, latest request first: a request submitted while another is
// being computed replaces any request still waiting (so a slider dragged fast costs one map per map time, not one per
// slider step, and the newest position is always drawn last), and a structural change (another model, kind or axis)
// also stops the map in flight at its next chunk. Results come back on the UI thread.
#include "core/data/Table.h"
#include "core/maps/MapModel.h"

#include <QObject>
#include <QString>

#include <memory>

namespace hepgen::studio {

class MapWorker : public QObject {
    Q_OBJECT
public:
    /// One map to compute, with the out-of-distribution map of the same grid when `withSupport` is set.
    struct Task {
        std::shared_ptr<hepgen::maps::MapModel> model;
        hepgen::maps::MapRequest request;
        std::shared_ptr<const hepgen::data::Table> data;
        bool withSupport = false;
    };

    explicit MapWorker(QObject* parent = nullptr);
    /// Stops the map in flight and waits for the worker to finish.
    ~MapWorker() override;

    /// Queues `task`, replacing a queued one; `interrupt` also stops the map being computed. Returns its id
    /// (increasing).
    quint64 submit(Task task, bool interrupt);
    /// Drops the queued task and stops the one in flight.
    void cancel();
    bool busy() const;

Q_SIGNALS:
    /// A map is ready (on the UI thread); `support` is null unless asked for.
    void computed(quint64 id, std::shared_ptr<const hepgen::maps::MapResult> map,
        std::shared_ptr<const hepgen::maps::MapResult> support);
    void failed(quint64 id, const QString& message);
    void progress(double fraction);
    void busyChanged(bool busy);

private:
    struct Shared;
    void drain(); ///< the worker thread's loop
    std::shared_ptr<Shared> m_shared;
};

} // namespace hepgen::studio
