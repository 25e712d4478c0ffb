#include "widgets/JobRunner.h"

#include "core/util/Error.h"

#include <QThread>

#include <memory>

namespace hepgen::widgets {

JobRunner::JobRunner(QObject* parent)
    : QObject(parent)
{
}

JobRunner::~JobRunner()
{
    if (m_thread) {
        m_thread->disconnect(this);
        cancelAndWait();
        delete m_thread;
    }
}

bool JobRunner::start(const QString& title, Work work, Done onSuccess)
{
    if (m_thread)
        return false;
    m_title = title;
    m_eta.restart();
    m_lastProgress.invalidate();

    auto outcome = std::make_shared<Outcome>(Outcome::Success);
    auto message = std::make_shared<QString>();
    m_thread = QThread::create([this, work = std::move(work), outcome, message] {
        QThread* self = QThread::currentThread();
        const hepgen::JobControl control(
            [this](double fraction, const std::string& text) {
                // Throttle to ~20 updates per second so a fast loop cannot flood the UI thread.
                const bool last = fraction >= 1.0;
                if (!last && m_lastProgress.isValid() && m_lastProgress.elapsed() < 50)
                    return;
                m_lastProgress.start();
                const auto left = m_eta.secondsLeft(fraction);
                Q_EMIT progress(fraction, QString::fromStdString(text), left ? *left : -1.0);
            },
            [self] { return self->isInterruptionRequested(); });
        try {
            work(control);
            if (self->isInterruptionRequested())
                *outcome = Outcome::Cancelled;
        } catch (const hepgen::Cancelled&) {
            *outcome = Outcome::Cancelled;
        } catch (...) {
            *outcome = Outcome::Failure;
            *message = QString::fromStdString(hepgen::currentExceptionMessage());
        }
    });
    connect(m_thread, &QThread::finished, this,
        [this, outcome, message, onSuccess = std::move(onSuccess)] { onThreadDone(*outcome, *message, onSuccess); });
    Q_EMIT started(m_title);
    Q_EMIT runningChanged(true);
    Q_EMIT progress(0.0, QString(), -1.0);
    m_thread->start();
    return true;
}

void JobRunner::onThreadDone(Outcome outcome, const QString& message, const Done& onSuccess)
{
    m_thread->wait();
    m_thread->deleteLater();
    m_thread = nullptr;
    const QString title = m_title;
    const double seconds = m_eta.elapsedSeconds();
    Q_EMIT runningChanged(false);
    switch (outcome) {
    case Outcome::Success:
        if (onSuccess) {
            try {
                onSuccess();
            } catch (...) {
                Q_EMIT failed(title, QString::fromStdString(hepgen::currentExceptionMessage()));
                return;
            }
        }
        Q_EMIT finished(title, seconds);
        break;
    case Outcome::Failure: Q_EMIT failed(title, message); break;
    case Outcome::Cancelled: Q_EMIT cancelled(title); break;
    }
}

void JobRunner::cancel()
{
    if (m_thread)
        m_thread->requestInterruption();
}

void JobRunner::cancelAndWait()
{
    if (!m_thread)
        return;
    m_thread->requestInterruption();
    m_thread->wait();
}

} // namespace hepgen::widgets
