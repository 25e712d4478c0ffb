#pragma once
// The scans of the hunt workspace (core/anomaly/Scans.h): the sliding-window scan (the signal region moved
// across the spectrum, the local significance after score cuts per window) and the S/B scan (max SIC against
// the injected S/B over several seeds, mean and standard-error band). A scan is a job of the shared JobRunner
// (progress, ETA, Cancel); points are drawn as they finish; the cost is estimated before it starts. The plot
// exports as PNG/PDF, the points as CSV.
#include <QPointer>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace hepgen::anomaly {
struct HuntConfig;
struct SOverBScanPoint;
struct WindowScanPoint;
} // namespace hepgen::anomaly
namespace hepgen::data {
struct Table;
}
namespace hepgen::widgets {
class CurveView;
class JobRunner;
} // namespace hepgen::widgets

namespace hepgen::studio {

class HuntScanPanel : public QWidget {
    Q_OBJECT
public:
    /// What a scan runs on: the workspace's table and hunt settings (false and a reason when it cannot run).
    using Source = std::function<bool(
        std::shared_ptr<const hepgen::data::Table>& table, hepgen::anomaly::HuntConfig& config, QString& why)>;

    HuntScanPanel(hepgen::widgets::JobRunner* jobs, Source source, QWidget* parent = nullptr);
    ~HuntScanPanel() override;

    enum class Kind { Windows, SOverB };
    void setKind(Kind kind);
    /// Scan settings as their JSON objects (WindowScanConfig / SOverBScanConfig keys); ConfigError if invalid.
    void setWindowScan(double from, double to, double width, double step);
    void setSOverBScan(const std::vector<double>& sOverB, int seeds);
    /// Seconds one hunt of the current settings took last time (0: unknown), for the cost estimate.
    void setSecondsPerHunt(double seconds);
    /// Starts the scan; false (and the reason as a message) when it cannot.
    bool run();
    int pointCount() const;
    hepgen::widgets::CurveView* view() const { return m_view; }
    /// The points as CSV (one line per window, or per S/B and seed).
    QString toCsv() const;

Q_SIGNALS:
    void message(const QString& text, bool warning);
    /// A scan finished (all points in).
    void scanFinished();

private:
    void updateEstimate();
    void redraw();
    int huntsPerScan() const;

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    Source m_source;
    double m_secondsPerHunt = 0;
    QComboBox* m_kind;
    QStackedWidget* m_pages;
    QDoubleSpinBox *m_from, *m_to, *m_width, *m_step;
    QComboBox* m_efficiency;
    QLineEdit* m_sOverB;
    QSpinBox* m_seeds;
    QLabel* m_estimate;
    QPushButton* m_run;
    QPushButton* m_exportFigure;
    QPushButton* m_exportNumbers;
    hepgen::widgets::CurveView* m_view;
    std::vector<hepgen::anomaly::WindowScanPoint> m_windowPoints;
    std::vector<hepgen::anomaly::SOverBScanPoint> m_sOverBPoints;
    Kind m_shown = Kind::Windows;
};

} // namespace hepgen::studio
