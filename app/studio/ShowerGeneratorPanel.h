#pragma once
// The shower generator section of the Showers workspace: Train generator… (on the reference showers, settings in
// ShowerTrainDialog), Load generator… (a run directory of `hepgen train --model shower` or of this panel), Distil
// (a 1-step consistency student, for edm point models) and Generate (N showers at the reference showers' incident
// energies, one to one, or uniform in an energy range; sampler, steps, seed, how many trajectories to record,
// whether to allow energies outside the trained range). Every action is a job of the shared JobRunner with
// progress, ETA and Cancel; training shows its losses per epoch in a plot and in the Messages panel. What went
// wrong (a directory that is not a shower run, energies the generator refuses) is said in place and as a message.
// The generated showers and their trajectories leave through generated(). Settings are remembered.
#include "core/data/Showers.h"
#include "core/showers/ShowerTrajectory.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>

#include <QGroupBox>
#include <QPointer>

#include <functional>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace hepgen::showers {
class ShowerGenerator;
struct ShowerEpoch;
} // namespace hepgen::showers
namespace hepgen::widgets {
class JobRunner;
class LossView;
} // namespace hepgen::widgets

namespace hepgen::studio {

class ShowerGeneratorPanel : public QGroupBox {
    Q_OBJECT
public:
    /// How the panel starts its jobs (the workspace's: one job at a time, a message when busy).
    using StartJob = std::function<bool(
        const QString& title, std::function<void(const hepgen::JobControl&)> work, std::function<void()> done)>;

    ShowerGeneratorPanel(hepgen::widgets::JobRunner* jobs, StartJob startJob, QWidget* parent = nullptr);
    ~ShowerGeneratorPanel() override;

    /// The showers training and distillation learn from, and whose energies "matched" generation takes.
    void setReference(std::shared_ptr<const hepgen::data::Showers> showers);

    /// What Generate does.
    struct GenerateSettings {
        bool matched = true;    ///< at the reference showers' incident energies (the first `count`), else a range
        int count = 1000;       ///< showers to generate (matched: at most the reference's)
        double energyMin = 10;  ///< GeV, range mode
        double energyMax = 100; ///< GeV, range mode
        QString sampler;        ///< "" = the generator's default
        int steps = 0;          ///< 0 = the sampler's default
        int seed = 1;
        int trajectories = 3; ///< the first this many showers get their sampling trajectory recorded
        bool allowExtrapolation = false;
    };
    GenerateSettings generateSettings() const;
    void setGenerateSettings(const GenerateSettings& settings);

    /// Trains on the reference showers into `runDirectory` (ShowerGeneratorConfig JSON), as a job. False (with a
    /// message) without reference showers or while another job runs.
    bool train(const QString& runDirectory, const nlohmann::json& config);
    /// Asks for the settings (ShowerTrainDialog), then trains.
    void trainWithDialog();
    /// Loads the generator in `runDirectory`, as a job; a directory that is not a shower generator's run fails
    /// with the reason, and the current generator stays.
    bool load(const QString& runDirectory);
    /// Distils the generator's point model into a 1-step student with the run's distillation settings (overridden
    /// by `config`: {"model": ..., "trainer": ...}), on the reference showers, as a job.
    bool distil(const nlohmann::json& config = nlohmann::json::object());
    /// Generates with generateSettings(), as a job; the result leaves through generated().
    bool generate();

    std::shared_ptr<const hepgen::showers::ShowerGenerator> generator() const { return m_generator; }
    /// The line under the buttons: what the last action found (refusals, warnings, cancellations).
    QLabel* statusLabel() const { return m_status; }
    QLabel* generatorLabel() const { return m_generatorLabel; }
    hepgen::widgets::LossView* lossView() const { return m_loss; }

Q_SIGNALS:
    void generated(std::shared_ptr<const hepgen::data::Showers> showers, const QString& source,
        std::vector<hepgen::showers::ShowerTrajectory> trajectories);
    void message(const QString& text, bool warning);
    void generatorChanged();

private:
    void buildUi();
    void updateUi();
    void setStatus(const QString& text, int level = 0); ///< 0 info, 1 warning, 2 error
    void setGenerator(std::shared_ptr<hepgen::showers::ShowerGenerator> generator, const QString& how);
    void addEpoch(const hepgen::showers::ShowerEpoch& epoch);
    /// The loaded run's losses per epoch (metrics.json) in the plot.
    void showRecordedLosses();
    /// A JobControl that names the stage in the job's messages and posts each finished epoch to the UI.
    std::function<void(const hepgen::showers::ShowerEpoch&)> epochRelay();
    /// True (with the reason shown) while any job runs.
    bool refuseWhileBusy(const QString& what);
    bool startJob(const QString& title, const QString& failureWhat, std::function<void(const hepgen::JobControl&)> work,
        std::function<void()> done);
    void rememberSettings() const;

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    StartJob m_startJob;
    std::shared_ptr<const hepgen::data::Showers> m_reference;
    std::shared_ptr<hepgen::showers::ShowerGenerator> m_generator;
    QString m_jobTitle, m_failureWhat; ///< the panel's running job, and what its failure means
    QString m_lossStage;
    bool m_lossFreshRun = false;

    QLabel *m_generatorLabel, *m_status;
    QPushButton *m_train, *m_load, *m_distil, *m_generate;
    QComboBox *m_energyMode, *m_sampler;
    QSpinBox *m_count, *m_steps, *m_seed, *m_trajectories;
    QDoubleSpinBox *m_energyMin, *m_energyMax;
    QCheckBox* m_extrapolate;
    hepgen::widgets::LossView* m_loss;
};

} // namespace hepgen::studio
