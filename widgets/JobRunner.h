#pragma once
// The one job runner every workspace uses: runs a core function on a worker thread, relays its
// progress (with ETA) to the UI thread, cancels on request, and turns any exception into a
// failed(message) signal. One job at a time.
#include "core/util/Job.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QThread;

namespace hepgen::widgets {

class JobRunner : public QObject {
    Q_OBJECT
public:
    /// Runs on the worker thread; reports through and polls the given control.
    using Work = std::function<void(const hepgen::JobControl&)>;
    /// Runs on the UI thread after Work returned normally.
    using Done = std::function<void()>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    /// Starts a job; returns false (and starts nothing) while another job runs.
    bool start(const QString& title, Work work, Done onSuccess = {});
    bool isRunning() const { return m_thread != nullptr; }
    QString title() const { return m_title; }
    /// Asks the running job to stop; it ends with cancelled() at its next poll.
    void cancel();
    /// Cancels and blocks until the worker thread has ended (for shutdown).
    void cancelAndWait();

Q_SIGNALS:
    void started(const QString& title);
    /// fraction in [0, 1]; secondsLeft < 0 while unknown.
    void progress(double fraction, const QString& message, double secondsLeft);
    void finished(const QString& title, double seconds);
    void failed(const QString& title, const QString& message);
    void cancelled(const QString& title);
    void runningChanged(bool running);

private:
    enum class Outcome { Success, Failure, Cancelled };
    void onThreadDone(Outcome outcome, const QString& message, const Done& onSuccess);

    QThread* m_thread = nullptr;
    QString m_title;
    hepgen::EtaEstimator m_eta;
    QElapsedTimer m_lastProgress;
};

} // namespace hepgen::widgets
