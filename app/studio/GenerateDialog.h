#pragma once
// The Generate… dialog: settings of the three built-in generators (dijet toy, shower simulator,
// 2D toys) with tooltips, remembered between runs. The generation itself runs as a job.
#include "core/data/Generators.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;
class QTabWidget;

namespace hepgen::studio {

class GenerateDialog : public QDialog {
    Q_OBJECT
public:
    explicit GenerateDialog(QWidget* parent = nullptr);
    /// The request for the page the user chose, with its settings.
    hepgen::data::GeneratorRequest request() const;
    /// Saves the settings for the next time (call when accepted).
    void saveSettings() const;

private:
    QWidget* makeDijetPage();
    QWidget* makeShowersPage();
    QWidget* makeToyPage();
    void loadSettings();

    QTabWidget* m_tabs;
    // dijet
    QSpinBox* m_background;
    QComboBox* m_signalMode;
    QSpinBox* m_signal;
    QDoubleSpinBox* m_sOverB;
    QDoubleSpinBox* m_srLow;
    QDoubleSpinBox* m_srHigh;
    QSpinBox* m_noise;
    QDoubleSpinBox* m_mjjCorrelation;
    QSpinBox* m_dijetSeed;
    // showers
    QSpinBox* m_showers;
    QDoubleSpinBox* m_energyMin;
    QDoubleSpinBox* m_energyMax;
    QSpinBox* m_showerSeed;
    // 2D toys
    QComboBox* m_shape;
    QSpinBox* m_toyEvents;
    QSpinBox* m_toySeed;
};

} // namespace hepgen::studio
