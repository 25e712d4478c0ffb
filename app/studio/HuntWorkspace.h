#pragma once
// The Anomaly hunt workspace. Left, the setup: the windows on the m_jj spectrum (dragged on the plot or typed,
// every edit undoable), the signal injection for labelled data (a number of signal events or an S/B in the SR,
// re-drawn from the file's signal with a seed, undoable like the windows), live counts and S/B, the method,
// classifier, folds and seed, and a Run button that says why it is disabled; a second page holds every other
// hunt setting (HuntSettingsForm). Right, the spectrum and the results: a comparison table with each run's
// notes beside it and overlaid ROC and SIC curves, the bump-hunt panel of the chosen run, and the scans.
// Hunts, fits and scans run as jobs of the shared JobRunner.
#include "HuntInjectionBox.h"

#include <QPointer>
#include <QWidget>

#include <map>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QUndoStack;

namespace hepgen::anomaly {
struct HuntConfig;
struct HuntResult;
struct MassWindows;
} // namespace hepgen::anomaly
namespace hepgen::data {
struct Dataset;
struct Table;
} // namespace hepgen::data
namespace hepgen::widgets {
class CurveView;
class JobRunner;
class MassSpectrumView;
} // namespace hepgen::widgets

namespace hepgen::studio {

class HuntBumpPanel;
class HuntScanPanel;
class HuntSettingsForm;

class HuntWorkspace : public QWidget {
    Q_OBJECT
public:
    explicit HuntWorkspace(hepgen::widgets::JobRunner* jobs, QWidget* parent = nullptr);
    ~HuntWorkspace() override;

    void setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset);

    /// Applies windows as one undoable edit (what a drag or a spin box does).
    void editWindows(const hepgen::anomaly::MassWindows& windows);
    hepgen::anomaly::MassWindows windows() const;
    /// Applies an injection as one undoable edit; false (nothing changes, the reason shown in place) when
    /// the data are unlabelled or the file's signal is too small for it.
    bool editInjection(const HuntInjection& injection);
    HuntInjection injection() const { return m_injection; }
    /// The table hunts run on (the loaded one, or with signal re-injected); null without data.
    std::shared_ptr<const hepgen::data::Table> huntTable() const { return m_table; }
    QUndoStack* undoStack() const { return m_undo; }
    /// Why Run is disabled (empty when it is enabled).
    QString runBlockedReason() const;
    bool setMethod(const QString& method);
    /// mlp or bdt.
    bool setClassifier(const QString& classifier);
    HuntSettingsForm* settingsForm() const { return m_settings; }
    /// Starts a hunt with the current settings; false (and the reason in a message) when it cannot.
    bool run();
    int resultCount() const { return static_cast<int>(m_results.size()); }
    const hepgen::anomaly::HuntResult& result(int i) const { return *m_results.at(static_cast<std::size_t>(i)); }
    /// Shows result i in the notes, the bump-hunt panel and the table's selection.
    void selectResult(int i);
    HuntBumpPanel* bumpPanel() const { return m_bump; }
    HuntScanPanel* scanPanel() const { return m_scans; }
    /// Brings a page of the results to the front: 0 comparison, 1 bump hunt, 2 scans.
    void showResultsPage(int page);

Q_SIGNALS:
    void message(const QString& text, bool warning);
    void huntFinished();

private:
    void buildSetupPage(QWidget* page);
    void applyWindows(const hepgen::anomaly::MassWindows& windows); ///< without an undo step
    void applyInjection(const HuntInjection& injection);            ///< without an undo step
    void showInjection();                                           ///< the controls follow m_injection
    void injectionRequested(HuntInjection next);
    void refresh(); ///< counts, problems, Run button
    void rebuildSpectrum();
    /// The hunt settings of the page (windows, method, settings form); nothing and `why` when they are invalid.
    bool buildConfig(hepgen::anomaly::HuntConfig& config, QString& why) const;
    void addResult(std::shared_ptr<hepgen::anomaly::HuntResult> result);
    void exportScores();
    QString massUnit() const;

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    std::shared_ptr<const hepgen::data::Dataset> m_dataset;
    std::shared_ptr<const hepgen::data::Table> m_table;              ///< what hunts run on
    std::shared_ptr<const hepgen::data::Table> m_background, m_pool; ///< split of a labelled table
    HuntInjection m_injection;
    std::unique_ptr<hepgen::anomaly::MassWindows> m_windows;
    std::vector<std::shared_ptr<hepgen::anomaly::HuntResult>> m_results;
    std::map<QString, double> m_lastSeconds; ///< per "method/classifier": for the scans' cost estimate
    QUndoStack* m_undo;

    QComboBox* m_massColumn;
    QDoubleSpinBox *m_srLow, *m_srHigh, *m_sbLow, *m_sbHigh;
    QCheckBox* m_sbRest;
    QCheckBox* m_snap;
    QSpinBox* m_bins;
    HuntInjectionBox* m_injectionBox;
    QLabel* m_counts;
    QLabel* m_problems;
    QComboBox* m_method;
    QComboBox* m_classifier;
    QSpinBox* m_folds;
    QSpinBox* m_seed;
    QPushButton* m_run;
    QPushButton* m_export;
    HuntSettingsForm* m_settings;
    hepgen::widgets::MassSpectrumView* m_spectrum;
    QTabWidget* m_resultsTabs;
    QTableView* m_tableView;
    class HuntResultsModel* m_model;
    QPlainTextEdit* m_notes;
    hepgen::widgets::CurveView* m_roc;
    hepgen::widgets::CurveView* m_sic;
    HuntBumpPanel* m_bump;
    HuntScanPanel* m_scans;
};

} // namespace hepgen::studio
