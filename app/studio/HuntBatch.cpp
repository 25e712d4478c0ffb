#include "HuntBatch.h"

#include "HuntBumpPanel.h"
#include "HuntWorkspace.h"
#include "widgets/JobRunner.h"

namespace hepgen::studio {

HuntBatch::HuntBatch(HuntWorkspace* workspace, hepgen::widgets::JobRunner* jobs, QStringList hunts, QObject* parent)
    : QObject(parent)
    , m_workspace(workspace)
    , m_jobs(jobs)
    , m_hunts(std::move(hunts))
{
}

void HuntBatch::start()
{
    if (m_active || m_ended)
        return;
    if (!m_workspace || !m_jobs) {
        finish(false, tr("No hunt workspace."));
        return;
    }
    m_active = true;
    m_done = 0;
    // A failed or cancelled hunt (or fit) ends the batch: its message is the reason.
    m_failed = connect(m_jobs, &hepgen::widgets::JobRunner::failed, this,
        [this](const QString& title, const QString& why) { finish(false, tr("%1 failed: %2").arg(title, why)); });
    m_cancelled = connect(m_jobs, &hepgen::widgets::JobRunner::cancelled, this,
        [this](const QString& title) { finish(false, tr("%1 was cancelled.").arg(title)); });
    whenIdle([this] { next(); });
}

void HuntBatch::whenIdle(const std::function<void()>& f)
{
    if (!m_jobs->isRunning()) {
        // Queued: the caller may be inside another job's completion handler.
        QMetaObject::invokeMethod(
            this, [this, f] { m_active ? f() : void(); }, Qt::QueuedConnection);
        return;
    }
    connect(
        m_jobs, &hepgen::widgets::JobRunner::runningChanged, this, [this, f](bool) { whenIdle(f); },
        Qt::SingleShotConnection);
}

void HuntBatch::next()
{
    if (!m_active)
        return;
    if (m_done == m_hunts.size()) {
        finish(true, tr("%n hunt(s) finished.", nullptr, m_done));
        return;
    }
    const QStringList parts = m_hunts[m_done].trimmed().split(':');
    const QString method = parts.value(0).trimmed(), classifier = parts.value(1).trimmed();
    if (parts.size() > 2 || !m_workspace->setMethod(method)) {
        finish(false, tr("Unknown hunt “%1” (use METHOD or METHOD:CLASSIFIER, e.g. cwola:bdt).").arg(m_hunts[m_done]));
        return;
    }
    if (!classifier.isEmpty() && !m_workspace->setClassifier(classifier)) {
        finish(false, tr("Unknown classifier “%1” (use mlp or bdt).").arg(classifier));
        return;
    }
    // After the hunt its bump-hunt fits run as a job of their own; the next hunt starts when they are drawn.
    connect(
        m_workspace, &HuntWorkspace::huntFinished, this,
        [this] {
            connect(
                m_workspace->bumpPanel(), &HuntBumpPanel::updated, this,
                [this] {
                    ++m_done;
                    whenIdle([this] { next(); });
                },
                Qt::SingleShotConnection);
        },
        Qt::SingleShotConnection);
    if (!m_workspace->run()) {
        const QString why = m_workspace->runBlockedReason();
        finish(false,
            tr("The hunt “%1” cannot run: %2")
                .arg(m_hunts[m_done], why.isEmpty() ? tr("another job is running") : why));
    }
}

void HuntBatch::finish(bool ok, const QString& message)
{
    if (m_ended)
        return;
    m_ended = true;
    m_active = false;
    disconnect(m_failed);
    disconnect(m_cancelled);
    if (m_workspace) {
        disconnect(m_workspace, &HuntWorkspace::huntFinished, this, nullptr);
        disconnect(m_workspace->bumpPanel(), &HuntBumpPanel::updated, this, nullptr);
    }
    Q_EMIT finished(ok, message);
}

} // namespace hepgen::studio
