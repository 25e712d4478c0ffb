#pragma once
// The hunt's settings beyond method, folds and seed: every key of the HuntConfig JSON (core/anomaly/Hunt.h)
// in forms built by widgets/ConfigForm, with the tooltips of core/models/ConfigHelp — the hunt's own settings,
// the conditional densities (flow family, network, trainer), the MLP ensemble and the boosted trees. Sections
// the chosen method does not use are disabled. Remembered in QSettings; "Defaults" restores the defaults.
#include <nlohmann/json.hpp>

#include <QString>
#include <QWidget>

class QGroupBox;
class QComboBox;

namespace hepgen::widgets {
class ConfigForm;
}

namespace hepgen::studio {

class HuntSettingsForm : public QWidget {
    Q_OBJECT
public:
    explicit HuntSettingsForm(QWidget* parent = nullptr);
    ~HuntSettingsForm() override;

    /// The settings as HuntConfig JSON keys (oversampling, kde_bandwidth, ..., bdt, mlp, density); merged
    /// into a hunt config by the workspace. Fields that do not parse keep their last valid value.
    nlohmann::json values() const;
    /// Shows `json` (keys as values() returns them; missing keys keep their defaults).
    void setValues(const nlohmann::json& json);
    /// Restores every default.
    void resetToDefaults();
    /// Fields that do not parse, as "section: key" (empty when all are valid).
    QStringList invalidFields() const;
    /// Enables the sections the method uses (density for anode/cathode/lacathode/ranode, the classifier
    /// for the others).
    void setMethod(const QString& method, const QString& classifier);

Q_SIGNALS:
    void edited();

private:
    void fill(const nlohmann::json& json);

    hepgen::widgets::ConfigForm* m_hunt;
    hepgen::widgets::ConfigForm* m_density;
    hepgen::widgets::ConfigForm* m_flow;
    hepgen::widgets::ConfigForm* m_trainer;
    hepgen::widgets::ConfigForm* m_mlp;
    hepgen::widgets::ConfigForm* m_bdt;
    QGroupBox *m_huntBox, *m_densityBox, *m_mlpBox, *m_bdtBox;
    std::string m_flowFamily;
};

} // namespace hepgen::studio
