#pragma once
// The settings of a shower generator's training, asked before the Showers workspace trains one: a preset (the
// ShowerGeneratorConfig defaults, or "quick", a lecture-demo budget of about a minute on two cores), the general
// settings (seed, how many showers, the layout), forms for the shower flow, the point model and the distillation
// with their trainers (widgets/ConfigForm, every key with its help), and the run directory. The settings are
// checked by ShowerGeneratorConfig::read before the dialog closes; the last accepted ones are remembered.
#include <nlohmann/json.hpp>

#include <QDialog>
#include <QStringList>

#include <cstddef>

class QComboBox;
class QLabel;
class QLineEdit;

namespace hepgen::widgets {
class ConfigForm;
}

namespace hepgen::studio {

class ShowerTrainDialog : public QDialog {
    Q_OBJECT
public:
    /// `referenceShowers`: how many showers the training will see (for the dialog's text).
    explicit ShowerTrainDialog(std::size_t referenceShowers, QWidget* parent = nullptr);

    /// The user-level settings of a preset ("default" or "quick"), before ShowerGeneratorConfig::read fills in
    /// the defaults. Unknown names give the defaults.
    static nlohmann::json preset(const QString& name);
    static QStringList presets() { return { QStringLiteral("default"), QStringLiteral("quick") }; }

    /// Fills the forms from `name`'s settings.
    void setPreset(const QString& name);
    QString currentPreset() const;
    /// Fills the forms from full settings (ShowerGeneratorConfig::json); ConfigError if they do not validate.
    void setConfig(const nlohmann::json& settings);
    /// The forms' settings, validated (ShowerGeneratorConfig::json); empty with `error` set when they are invalid.
    nlohmann::json config(QString* error = nullptr) const;

    QString runDirectory() const;
    void setRunDirectory(const QString& dir);
    /// A new, time-stamped run directory under the app's data directory.
    static QString newRunDirectory();

    void accept() override;

private:
    void remember() const;

    QComboBox* m_preset;
    QLineEdit* m_runDir;
    QLabel* m_error;
    hepgen::widgets::ConfigForm *m_general, *m_flowModel, *m_flowTrainer, *m_pointModel, *m_pointTrainer,
        *m_studentModel, *m_studentTrainer;
};

} // namespace hepgen::studio
