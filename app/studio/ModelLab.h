#pragma once
// The Model lab workspace: choose data (a 2D toy or columns of the loaded table), a family and its settings
// (a form built from the family's config, every field with a tooltip), then Start / Pause / Step / Stop a
// training run and watch it live: loss curves, data and samples with the family's diagnostic (density,
// critic, velocity field, reconstructions), and the recorded sampling trajectory under a timestep slider.
// Training runs as a job of the shared JobRunner; previews are computed on a pool thread from a copy of
// the model, so the UI thread only draws.
#include "RunListModel.h"

#include <QPointer>
#include <QWidget>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableView;
class QTimer;
class QToolButton;

namespace hepgen::data {
struct Dataset;
struct Table;
} // namespace hepgen::data
namespace hepgen::training {
class LabSession;
struct LabFrame;
struct LabGrid;
struct RunRequest;
} // namespace hepgen::training
namespace hepgen::widgets {
class ConfigForm;
class JobRunner;
class LossView;
class SampleView;
} // namespace hepgen::widgets

namespace hepgen::studio {

class ModelLab : public QWidget {
    Q_OBJECT
public:
    enum class State { Idle, Running, Paused, Finished };

    explicit ModelLab(hepgen::widgets::JobRunner* jobs, QWidget* parent = nullptr);
    ~ModelLab() override;

    /// The loaded data set, offered as a data source when it is a table with at least two columns.
    void setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset);

    /// Starts a new run (Idle/Finished) or resumes a paused one. False (with a message) when it cannot.
    bool start();
    /// Pauses after the current step; the run resumes with start() or step().
    void pause();
    /// Trains exactly one more optimiser step (starting a run first if there is none), then pauses.
    bool step();
    /// Ends the run: keeps its checkpoint in its run directory and its entry in the run list.
    void stop();
    /// Writes the current run (config, checkpoint, metrics) into `dir`, in the background.
    bool saveRun(const QString& dir);
    /// Opens a saved run for viewing and sampling, in the background.
    bool loadRun(const QString& dir);

    /// Selects a family by CLI name; false if unknown.
    bool setFamily(const QString& family);
    /// Selects a data source: a toy name (moons, 8gaussians, ...) or "table".
    bool setDataSource(const QString& source);
    State state() const { return m_state; }
    qint64 currentStep() const { return m_step; }
    /// Optimiser steps the current run is configured for (0 before the run exists).
    qint64 totalSteps() const;
    /// Frames drawn so far (a frame = samples and diagnostics of one snapshot).
    int framesShown() const { return m_framesShown; }
    /// Moves the trajectory slider (for tests and screenshots); returns the frames recorded.
    int showTrajectoryStep(int index);
    RunListModel* runs() const { return m_runs; }

Q_SIGNALS:
    void stateChanged(hepgen::studio::ModelLab::State state);
    void frameShown(qint64 step);
    /// A line for the Messages panel.
    void message(const QString& text, bool warning);

private:
    struct Shared; // state shared with the worker and preview threads

    QWidget* buildControls();
    QWidget* buildViews();
    void rebuildForms();
    void updateButtons();
    void setState(State s);
    bool launch(qint64 untilStepOffset);
    /// A new run from the form: the request, its table and up to 1500 (x, y) reference events. False (with a
    /// message) when the settings or the data do not allow one.
    bool newRunRequest(
        hepgen::training::RunRequest& request, hepgen::data::Table& table, std::vector<float>& reference);
    /// Empties the three sample views and frames them on `grid`, axes named after the first two columns.
    void resetViews(const std::vector<float>& reference, const std::vector<std::string>& columns,
        const std::vector<std::string>& units, const hepgen::training::LabGrid& grid);
    void requestPreview(std::shared_ptr<hepgen::training::LabSession> session);
    void showFrame(const hepgen::training::LabFrame& frame);
    void showTrajectoryFrame(int index);
    void onEpoch(qint64 step, int epoch, double trainLoss, double validationLoss);
    void saveWithDialog();
    void loadWithDialog();
    void rememberSettings() const;
    QString newRunDirectory(const QString& family) const;

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    std::shared_ptr<const hepgen::data::Dataset> m_dataset;
    std::shared_ptr<hepgen::training::LabSession> m_session;
    std::shared_ptr<Shared> m_shared;
    std::shared_ptr<hepgen::training::LabFrame> m_frame;

    QComboBox* m_source;
    QSpinBox* m_events;
    QListWidget* m_columns;
    QComboBox* m_family;
    QSpinBox* m_ensemble;
    hepgen::widgets::ConfigForm* m_modelForm;
    hepgen::widgets::ConfigForm* m_trainerForm;
    QPushButton *m_startButton, *m_pauseButton, *m_stepButton, *m_stopButton;
    QLabel* m_status;
    QTableView* m_runView;
    RunListModel* m_runs;

    hepgen::widgets::SampleView* m_samplesView;
    hepgen::widgets::LossView* m_lossView;
    hepgen::widgets::SampleView* m_xtView;
    hepgen::widgets::SampleView* m_x0View;
    QComboBox* m_fieldChoice;
    QSlider* m_trajectory;
    QLabel* m_trajectoryLabel;
    QToolButton* m_play;
    QTimer* m_playTimer;

    State m_state = State::Idle;
    qint64 m_step = 0;
    int m_framesShown = 0;
    RunEntry m_current;
    QString m_formFamily; ///< the family the model form was built for
};

} // namespace hepgen::studio
