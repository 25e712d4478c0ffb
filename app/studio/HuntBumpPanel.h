#pragma once
// The bump-hunt panel of the hunt workspace: for one finished hunt, m_jj after score cuts at several
// efficiencies with the dijet function fitted in the sidebands only and interpolated into the signal
// region, the pulls of a chosen cut and the local significance per cut (core/anomaly/BumpHunt.h). A toggle
// repeats it on the background events alone (the sculpting check, labelled data). The fits run as a job
// of the shared JobRunner; the figure exports as PNG/PDF, the numbers as CSV.
#include <QPointer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace hepgen::anomaly {
struct HuntResult;
}
namespace hepgen::widgets {
class BumpHuntView;
class JobRunner;
} // namespace hepgen::widgets

namespace hepgen::studio {

class HuntBumpPanel : public QWidget {
    Q_OBJECT
public:
    explicit HuntBumpPanel(hepgen::widgets::JobRunner* jobs, QWidget* parent = nullptr);
    ~HuntBumpPanel() override;

    /// The hunt to show (null: none). Starts the fits when the job runner is free, else when it becomes free.
    void setResult(std::shared_ptr<const hepgen::anomaly::HuntResult> result, const QString& unit);
    /// The sculpting check: the same on the background events only (needs labels).
    void setBackgroundOnly(bool on);
    bool backgroundOnly() const;
    hepgen::widgets::BumpHuntView* view() const { return m_view; }
    /// Writes the figure (.png/.pdf) or the numbers (.csv); false with `error` set when it cannot.
    bool exportTo(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    /// The figure shows the fits of the current result and toggle.
    void updated();
    void message(const QString& text, bool warning);

private:
    void recompute();
    void exportWithDialog(bool numbers);

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    std::shared_ptr<const hepgen::anomaly::HuntResult> m_result;
    QString m_unit;
    bool m_pending = false;
    QCheckBox* m_backgroundOnly;
    QComboBox* m_pulls;
    QDoubleSpinBox* m_binWidth;
    QDoubleSpinBox* m_fitLow;
    QLabel* m_summary;
    QPushButton* m_exportFigure;
    QPushButton* m_exportNumbers;
    hepgen::widgets::BumpHuntView* m_view;
};

} // namespace hepgen::studio
