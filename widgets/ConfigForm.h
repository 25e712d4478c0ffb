#pragma once
// A settings form built from a configuration object: one row per key of a family's (or the trainer's)
// config(), an editor chosen by the value's JSON type (check box, spin box, number field, choice list, list
// of widths), every field with the tooltip core/models/ConfigHelp.h gives it.
#include <nlohmann/json.hpp>

#include <QString>
#include <QWidget>

#include <map>
#include <string>

class QFormLayout;

namespace hepgen::widgets {

class ConfigForm : public QWidget {
    Q_OBJECT
public:
    explicit ConfigForm(QWidget* parent = nullptr);

    /// Rebuilds the form for `values` (a flat JSON object) of `scope` (a family name or "trainer").
    void setConfig(const nlohmann::json& values, const std::string& scope);
    /// The edited values with their original JSON types. Fields that do not parse keep their last valid
    /// value and are listed by invalidFields().
    nlohmann::json values() const;
    /// Keys whose text does not parse (e.g. "hidden" = "64, x"); empty when everything is valid.
    QStringList invalidFields() const;
    /// Sets one field from JSON (used to restore remembered settings); ignores unknown keys.
    void setValue(const std::string& key, const nlohmann::json& value);

Q_SIGNALS:
    void edited();

private:
    struct Field {
        nlohmann::json original;
        QWidget* editor = nullptr;
    };
    QWidget* makeEditor(const std::string& key, const nlohmann::json& value, const std::string& scope);
    nlohmann::json read(const std::string& key, const Field& f, bool* ok) const;

    QFormLayout* m_layout;
    std::map<std::string, Field> m_fields;
};

} // namespace hepgen::widgets
