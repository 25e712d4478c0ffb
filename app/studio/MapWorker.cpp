#include "MapWorker.h"

#include "core/maps/MapCompute.h"
#include "core/util/Error.h"

#include <QMetaObject>
#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace hepgen::studio {

struct MapWorker::Shared {
    std::mutex mutex;
    std::condition_variable idle;
    std::optional<Task> pending;
    quint64 pendingId = 0;
    bool running = false;
    std::atomic<quint64> nextId { 1 };
    std::atomic<quint64> stopBelow { 0 }; ///< the task in flight stops when its id is below this
    std::atomic<bool> closing { false };
};

MapWorker::MapWorker(QObject* parent)
    : QObject(parent)
    , m_shared(std::make_shared<Shared>())
{
}

MapWorker::~MapWorker()
{
    m_shared->closing = true;
    std::unique_lock<std::mutex> lock(m_shared->mutex);
    m_shared->pending.reset();
    // The worker posts to this object: let it end before the object goes.
    m_shared->idle.wait(lock, [this] { return !m_shared->running; });
}

bool MapWorker::busy() const
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    return m_shared->running;
}

quint64 MapWorker::submit(Task task, bool interrupt)
{
    const quint64 id = m_shared->nextId++;
    if (interrupt)
        m_shared->stopBelow = id;
    bool start = false;
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->pending = std::move(task);
        m_shared->pendingId = id;
        if (!m_shared->running) {
            m_shared->running = true;
            start = true;
        }
    }
    if (start) {
        Q_EMIT busyChanged(true);
        QThreadPool::globalInstance()->start([this] { drain(); });
    }
    return id;
}

void MapWorker::cancel()
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->pending.reset();
    m_shared->stopBelow = m_shared->nextId.load();
}

void MapWorker::drain()
{
    auto shared = m_shared;
    while (true) {
        Task task;
        quint64 id = 0;
        {
            std::lock_guard<std::mutex> lock(shared->mutex);
            if (!shared->pending || shared->closing) {
                // Posted while `running` still holds the destructor back, so `this` is alive here.
                QMetaObject::invokeMethod(this, [this] {
                    if (!busy())
                        Q_EMIT busyChanged(false);
                });
                shared->running = false;
                shared->idle.notify_all();
                break;
            }
            task = std::move(*shared->pending);
            id = shared->pendingId;
            shared->pending.reset();
        }
        auto lastReport = std::chrono::steady_clock::now() - std::chrono::seconds(1);
        const hepgen::JobControl job(
            [this, &lastReport](double fraction, const std::string&) {
                const auto now = std::chrono::steady_clock::now();
                if (now - lastReport < std::chrono::milliseconds(100))
                    return;
                lastReport = now;
                QMetaObject::invokeMethod(this, [this, fraction] { Q_EMIT progress(fraction); });
            },
            [shared, id] { return shared->closing || id < shared->stopBelow; });
        try {
            std::shared_ptr<const hepgen::maps::MapResult> support;
            auto map = std::make_shared<const hepgen::maps::MapResult>(hepgen::maps::computeMap(
                *task.model, task.request, task.data.get(), task.withSupport ? job.subRange(0.0, 0.8) : job));
            if (task.withSupport && task.request.kind != hepgen::maps::MapKind::OutOfDistribution) {
                auto request = task.request;
                request.kind = hepgen::maps::MapKind::OutOfDistribution;
                support = std::make_shared<const hepgen::maps::MapResult>(
                    hepgen::maps::computeMap(*task.model, request, task.data.get(), job.subRange(0.8, 1.0)));
            }
            QMetaObject::invokeMethod(this, [this, id, map, support] { Q_EMIT computed(id, map, support); });
        } catch (const hepgen::Cancelled&) {
            // Superseded by a newer request (or closing): nothing to show.
        } catch (...) {
            const QString text = QString::fromStdString(hepgen::currentExceptionMessage());
            QMetaObject::invokeMethod(this, [this, id, text] { Q_EMIT failed(id, text); });
        }
    }
}

} // namespace hepgen::studio
