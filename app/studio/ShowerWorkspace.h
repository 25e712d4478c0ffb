#pragma once
// The Showers workspace: reference showers (the loaded showers file, or simulated on request) and generated
// showers (sampled from a shower generator trained, loaded or distilled in the generator section
// (ShowerGeneratorPanel), or a file / a second simulator sample to compare with) side by side in linked 3D views with a
// shower picker, energy threshold and camera presets; the timestep scrubber over recorded sampling trajectories; the
// observables panel (histograms with ratio, separation powers, W1, classifier AUC for an energy range); exports of the
// generated showers (HEPGen schema, CaloChallenge, CaloClouds), of the 3D view (PNG) and of a shower (.vtp). Long work
// (simulation, loading, training, generation, evaluation, exports) runs through the shared JobRunner with progress and
// Cancel. A file written by `hepgen sample
// --trajectory` brings its trajectory to the scrubber. The exports live in ShowerWorkspaceExports.cpp.
#include "core/data/Showers.h"
#include "core/showers/ShowerExport.h"
#include "core/showers/ShowerTrajectory.h"
#include "core/util/Job.h"
#include "widgets/ShowerView.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace hepgen::data {
struct Dataset;
}
namespace hepgen::widgets {
class JobRunner;
class ObservablesPanel;
class TrajectoryScrubber;
} // namespace hepgen::widgets

namespace hepgen::studio {

class ShowerGeneratorPanel;

class ShowerWorkspace : public QWidget {
    Q_OBJECT
public:
    explicit ShowerWorkspace(hepgen::widgets::JobRunner* jobs, QWidget* parent = nullptr);
    ~ShowerWorkspace() override;

    /// The loaded data set: showers become the reference; a table is explained and changes nothing.
    void setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset);

    /// Reference showers from the built-in simulator, as a job. False (with a message) if a job runs.
    bool simulateReference(std::size_t showers, double energyMin, double energyMax, std::uint64_t seed);
    /// A second simulator sample as the "generated" side: the baseline a perfect generator would reach.
    bool simulateComparison(std::size_t showers, double energyMin, double energyMax, std::uint64_t seed);
    /// A showers file (any supported format) as the "generated" side, as a job; its stored trajectory (the
    /// /trajectory group `hepgen sample --trajectory` writes) goes to the scrubber. A trajectory that cannot be read
    /// is said in a message; the showers still load.
    bool loadComparison(const QString& path);
    void setReference(std::shared_ptr<const hepgen::data::Showers> showers, const QString& source);
    /// The generated side, with the trajectories recorded while sampling it (possibly none; `labels` name them in
    /// the scrubber's chooser, default "shower k · E GeV").
    void setGenerated(std::shared_ptr<const hepgen::data::Showers> showers, const QString& source,
        std::vector<hepgen::showers::ShowerTrajectory> trajectories = {}, const QStringList& labels = {});
    const hepgen::data::Showers* reference() const { return m_reference.get(); }
    const hepgen::data::Showers* generated() const { return m_generated.get(); }
    QString referenceSource() const { return m_referenceSource; }
    QString generatedSource() const { return m_generatedSource; }

    /// Shows shower `index` of each side (clamped).
    void showReferenceShower(int index);
    void showGeneratedShower(int index);
    int referenceIndex() const;
    int generatedIndex() const;

    /// Compares generated with reference showers in [lo, hi] GeV, as a job; the panel shows the result.
    bool evaluate(double energyMin, double energyMax, bool classifier);

    /// Writes the generated showers (or the reference when there are none) in `format`, as a job.
    bool exportShowers(const QString& path, hepgen::showers::ShowerFileFormat format, const QString& binningXml = {});
    /// The side-by-side 3D views (or the scrubber's, when it is the current tab) as one PNG.
    bool exportViewPng(const QString& path, QString* error = nullptr);
    /// The shown generated (or reference) shower as a .vtp file for ParaView.
    bool exportShowerVtp(bool generatedSide, const QString& path, QString* error = nullptr);

    void setCameraPreset(hepgen::widgets::ShowerView::CameraPreset preset);
    /// Threshold slider position 0..100 (0: every hit; else 10^(-1.5 + 3.5 (k - 1) / 99) MeV).
    void setThresholdPosition(int position);
    static double thresholdForPosition(int position);
    void setCamerasLinked(bool on);

    /// Which tab shows: "views", "scrubber" or "observables".
    bool showTab(const QString& name);

    hepgen::widgets::ShowerView* referenceView() const { return m_referenceView; }
    hepgen::widgets::ShowerView* generatedView() const { return m_generatedView; }
    hepgen::widgets::TrajectoryScrubber* scrubber() const { return m_scrubber; }
    hepgen::widgets::ObservablesPanel* observables() const { return m_observables; }
    ShowerGeneratorPanel* generatorPanel() const { return m_generatorPanel; }
    QSlider* thresholdSlider() const { return m_threshold; }
    QLabel* referenceLabel() const { return m_referenceLabel; }
    QLabel* generatedLabel() const { return m_generatedLabel; }

Q_SIGNALS:
    /// A line for the Messages panel.
    void message(const QString& text, bool warning);
    void referenceChanged();
    void generatedChanged();
    /// An evaluation finished and is shown.
    void evaluated();
    /// An export job wrote its file.
    void exported(const QString& path);

private:
    QWidget* buildControls();
    QWidget* buildViews();
    void updateGeometry();
    void updateReady();
    void updateThresholdLabel();
    void exportWithDialog(int what);
    void say(const QString& text, bool warning = false);
    bool startJob(
        const QString& title, std::function<void(const hepgen::JobControl&)> work, std::function<void()> done);

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    std::shared_ptr<const hepgen::data::Dataset> m_dataset;
    std::shared_ptr<const hepgen::data::Showers> m_reference, m_generated;
    QString m_referenceSource, m_generatedSource;

    QLabel *m_referenceLabel, *m_generatedLabel;
    QSpinBox *m_simShowers, *m_simSeed;
    QDoubleSpinBox *m_simMin, *m_simMax;
    QSpinBox *m_referenceIndex, *m_generatedIndex;
    QCheckBox* m_matchEnergy;
    QCheckBox* m_linkCameras;
    QSlider* m_threshold;
    QLabel* m_thresholdLabel;
    QTabWidget* m_tabs;
    hepgen::widgets::ShowerView *m_referenceView, *m_generatedView;
    hepgen::widgets::TrajectoryScrubber* m_scrubber;
    hepgen::widgets::ObservablesPanel* m_observables;
    ShowerGeneratorPanel* m_generatorPanel;
};

} // namespace hepgen::studio
