#pragma once
// Runs a list of hunts in the Anomaly hunt workspace one after the other, each followed by its bump-hunt
// fits, as `hepgen-studio FILE --hunt supervised:bdt,cwola --screenshot X.png` does: real hunts on the loaded
// file through the same Run path and job runner a user drives, so the docs' screenshots show real results.
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace hepgen::widgets {
class JobRunner;
}

namespace hepgen::studio {

class HuntWorkspace;

class HuntBatch : public QObject {
    Q_OBJECT
public:
    /// `hunts`: entries METHOD or METHOD:CLASSIFIER (e.g. "supervised:bdt", "cathode"); the workspace's other
    /// settings (windows, injection, folds, seed, settings page) apply to each.
    HuntBatch(HuntWorkspace* workspace, hepgen::widgets::JobRunner* jobs, QStringList hunts, QObject* parent = nullptr);

    /// Starts the first hunt once the job runner is free (once; later calls do nothing). `finished` is emitted
    /// exactly once.
    void start();
    /// Hunts finished so far.
    int done() const { return m_done; }

Q_SIGNALS:
    /// Every hunt and its bump-hunt fits ended (ok), or one could not start, failed or was cancelled; `message`
    /// says which and why.
    void finished(bool ok, const QString& message);

private:
    void next();
    void finish(bool ok, const QString& message);
    void whenIdle(const std::function<void()>& f);

    QPointer<HuntWorkspace> m_workspace;
    QPointer<hepgen::widgets::JobRunner> m_jobs;
    QStringList m_hunts;
    int m_done = 0;
    bool m_active = false, m_ended = false;
    QMetaObject::Connection m_failed, m_cancelled;
};

} // namespace hepgen::studio
