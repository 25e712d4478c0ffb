#pragma once
// The Anomaly hunt workspace: the m_jj spectrum with the signal region and sidebands (dragged on the plot or
// typed into spin boxes, every edit undoable), live counts and S/B, the method and classifier, a Run button that
// says why it is disabled, and the results of every run: a comparison table and overlaid ROC and SIC curves, with
// the per-event scores exportable. Hunts run as jobs of the shared JobRunner.
#include <QPointer>
#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableView;
class QUndoStack;

namespace hepgen::anomaly {
struct HuntResult;
struct MassWindows;
} // namespace hepgen::anomaly
namespace hepgen::data {
struct Dataset;
}
namespace hepgen::widgets {
class CurveView;
class JobRunner;
class MassSpectrumView;
} // namespace hepgen::widgets

namespace hepgen::studio {

class HuntWorkspace : public QWidget {
    Q_OBJECT
public:
    explicit HuntWorkspace(hepgen::widgets::JobRunner* jobs, QWidget* parent = nullptr);
    ~HuntWorkspace() override;

    void setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset);

    /// Applies windows as one undoable edit (what a drag or a spin box does).
    void editWindows(const hepgen::anomaly::MassWindows& windows);
    hepgen::anomaly::MassWindows windows() const;
    QUndoStack* undoStack() const { return m_undo; }
    /// Why Run is disabled (empty when it is enabled).
    QString runBlockedReason() const;
    bool setMethod(const QString& method);
    /// mlp or bdt.
    bool setClassifier(const QString& classifier);
    /// Starts a hunt with the current settings; false (and the reason in a message) when it cannot.
    bool run();
    int resultCount() const { return static_cast<int>(m_results.size()); }
    const hepgen::anomaly::HuntResult& result(int i) const { return *m_results.at(static_cast<std::size_t>(i)); }

Q_SIGNALS:
    void message(const QString& text, bool warning);
    void huntFinished();

private:
    void applyWindows(const hepgen::anomaly::MassWindows& windows); ///< without an undo step
    void refresh();                                                 ///< counts, problems, Run button
    void rebuildSpectrum();
    void addResult(std::shared_ptr<hepgen::anomaly::HuntResult> result);
    void exportScores();

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    std::shared_ptr<const hepgen::data::Dataset> m_dataset;
    std::unique_ptr<hepgen::anomaly::MassWindows> m_windows;
    std::vector<std::shared_ptr<hepgen::anomaly::HuntResult>> m_results;
    QUndoStack* m_undo;

    QComboBox* m_massColumn;
    QDoubleSpinBox *m_srLow, *m_srHigh, *m_sbLow, *m_sbHigh;
    QCheckBox* m_sbRest;
    QCheckBox* m_snap;
    QSpinBox* m_bins;
    QLabel* m_counts;
    QLabel* m_problems;
    QComboBox* m_method;
    QComboBox* m_classifier;
    QSpinBox* m_folds;
    QSpinBox* m_seed;
    QPushButton* m_run;
    QPushButton* m_export;
    hepgen::widgets::MassSpectrumView* m_spectrum;
    QTableView* m_table;
    class HuntResultsModel* m_model;
    hepgen::widgets::CurveView* m_roc;
    hepgen::widgets::CurveView* m_sic;
};

} // namespace hepgen::studio
