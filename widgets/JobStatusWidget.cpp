#include "widgets/JobStatusWidget.h"

#include "widgets/JobRunner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace hepgen::widgets {

JobStatusWidget::JobStatusWidget(JobRunner* runner, QWidget* parent)
    : QWidget(parent)
    , m_runner(runner)
    , m_title(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_eta(new QLabel(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_bar);
    layout->addWidget(m_eta);
    layout->addWidget(m_cancel);
    m_bar->setRange(0, 1000);
    m_bar->setFixedWidth(220);
    m_bar->setTextVisible(true);
    m_eta->setMinimumWidth(110);
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setToolTip(tr("Stop the running job (Esc). Work already finished is kept."));
    setVisible(false);

    connect(m_cancel, &QPushButton::clicked, m_runner, &JobRunner::cancel);
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_eta->setText(tr("cancelling…")); });
    connect(m_runner, &JobRunner::started, this, [this](const QString& title) {
        m_title->setText(title);
        m_eta->clear();
        m_bar->setValue(0);
        setVisible(true);
    });
    connect(m_runner, &JobRunner::progress, this, &JobStatusWidget::onProgress);
    connect(m_runner, &JobRunner::runningChanged, this, [this](bool running) { setVisible(running); });
}

void JobStatusWidget::onProgress(double fraction, const QString& message, double secondsLeft)
{
    m_bar->setValue(static_cast<int>(fraction * 1000.0));
    m_bar->setFormat(message.isEmpty() ? QStringLiteral("%p%") : message + QStringLiteral(" · %p%"));
    m_eta->setText(secondsLeft < 0
            ? tr("estimating…")
            : tr("%1 left").arg(QString::fromStdString(hepgen::EtaEstimator::format(secondsLeft))));
}

} // namespace hepgen::widgets
