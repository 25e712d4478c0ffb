#pragma once
// The status-bar part that shows the running job: title, progress bar, ETA and a Cancel button
// (Esc while the job runs). Hidden while no job runs.
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace hepgen::widgets {

class JobRunner;

class JobStatusWidget : public QWidget {
    Q_OBJECT
public:
    explicit JobStatusWidget(JobRunner* runner, QWidget* parent = nullptr);

private:
    void onProgress(double fraction, const QString& message, double secondsLeft);

    JobRunner* m_runner;
    QLabel* m_title;
    QProgressBar* m_bar;
    QLabel* m_eta;
    QPushButton* m_cancel;
};

} // namespace hepgen::widgets
