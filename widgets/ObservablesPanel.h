#pragma once
// The observables panel of the Showers workspace: choose an incident-energy range and whether to run the
// classifier test, ask for an evaluation (the workspace runs it as a job), then read the histograms of a
// chosen observable (reference vs generated with a ratio panel) and the table of separation powers, W1 and
// the classifier AUC. Exports the figure (PNG/PDF), the table (CSV) and the shown histograms (CSV).
#include "core/showers/Observables.h"

#include <QString>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace hepgen::widgets {

class ObservableTableModel;
class RatioHistogramView;

class ObservablesPanel : public QWidget {
    Q_OBJECT
public:
    explicit ObservablesPanel(QWidget* parent = nullptr);

    /// Shows an evaluation (nullptr: none, with `message` in its place).
    void setEvaluation(
        std::shared_ptr<const hepgen::showers::ShowerEvaluation> evaluation, const QString& message = {});
    const hepgen::showers::ShowerEvaluation* evaluation() const;
    /// Enables Evaluate when both samples exist; `reason` says what is missing otherwise.
    void setReady(bool ready, const QString& reason = {});

    /// The incident-energy range and classifier choice the user set.
    double energyMin() const;
    double energyMax() const;
    void setEnergyRange(double lo, double hi);
    bool classifier() const;
    void setClassifier(bool on);

    /// Shows this observable (by name); false if the evaluation has none.
    bool showObservable(const QString& name);
    QString currentObservable() const;
    RatioHistogramView* histogramView() const { return m_plot; }
    QTableView* table() const { return m_table; }

    bool exportTableCsv(const QString& path, QString* error = nullptr) const;
    /// The shown histograms: bin edges, both normalised histograms and their ratio.
    bool exportHistogramCsv(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    /// The user asked for an evaluation with these settings.
    void evaluateRequested(double energyMin, double energyMax, bool classifier);

private:
    void showRow(int sourceRow);
    void exportWithDialog(int what);
    void rememberSettings() const;

    QDoubleSpinBox *m_min, *m_max;
    QCheckBox* m_classifier;
    QPushButton* m_evaluate;
    QLabel* m_reason;
    QLabel* m_summary;
    QComboBox* m_choice;
    QLineEdit* m_filter;
    RatioHistogramView* m_plot;
    QTableView* m_table;
    ObservableTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    int m_shownRow = -1;
};

} // namespace hepgen::widgets
