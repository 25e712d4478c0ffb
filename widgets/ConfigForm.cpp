#include "widgets/ConfigForm.h"

#include "core/models/ConfigHelp.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hepgen::widgets {

namespace {

QString listText(const nlohmann::json& array)
{
    QStringList parts;
    for (const auto& v : array)
        parts << QString::number(v.get<double>(), 'g', 10);
    return parts.join(QStringLiteral(", "));
}

QString numberText(double v) { return QString::number(v, 'g', 6); }

} // namespace

ConfigForm::ConfigForm(QWidget* parent)
    : QWidget(parent)
    , m_layout(new QFormLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
}

void ConfigForm::setConfig(const nlohmann::json& values, const std::string& scope)
{
    while (m_layout->rowCount() > 0)
        m_layout->removeRow(0);
    m_fields.clear();
    if (!values.is_object())
        return;
    std::vector<std::string> keys;
    for (const auto& item : values.items())
        keys.push_back(item.key());
    std::stable_sort(keys.begin(), keys.end(), [&scope](const std::string& a, const std::string& b) {
        return hepgen::models::configFieldRank(scope, a) < hepgen::models::configFieldRank(scope, b);
    });
    for (const auto& key : keys) {
        const nlohmann::json& value = values.at(key);
        QWidget* editor = makeEditor(key, value, scope);
        if (!editor)
            continue; // nested objects are not edited here
        const auto help = hepgen::models::configFieldHelp(scope, key);
        QString tip = QString::fromStdString(help.text);
        if (tip.isEmpty())
            tip = tr("Setting '%1' of %2.").arg(QString::fromStdString(key), QString::fromStdString(scope));
        editor->setToolTip(tip);
        auto* label = new QLabel(QString::fromStdString(key), this);
        label->setToolTip(tip);
        label->setBuddy(editor);
        m_layout->addRow(label, editor);
        m_fields[key] = { value, editor };
    }
}

QWidget* ConfigForm::makeEditor(const std::string& key, const nlohmann::json& value, const std::string& scope)
{
    if (value.is_boolean()) {
        auto* box = new QCheckBox(this);
        box->setChecked(value.get<bool>());
        connect(box, &QCheckBox::toggled, this, &ConfigForm::edited);
        return box;
    }
    if (value.is_number_integer() || value.is_number_unsigned()) {
        auto* spin = new QSpinBox(this);
        spin->setRange(value.is_number_unsigned() ? 0 : -1000000000, 1000000000);
        spin->setValue(static_cast<int>(value.get<int64_t>()));
        spin->setAccelerated(true);
        connect(spin, &QSpinBox::valueChanged, this, &ConfigForm::edited);
        return spin;
    }
    if (value.is_number_float()) {
        auto* edit = new QLineEdit(numberText(value.get<double>()), this);
        auto* validator = new QDoubleValidator(edit);
        validator->setNotation(QDoubleValidator::ScientificNotation);
        validator->setLocale(QLocale::c());
        edit->setValidator(validator);
        connect(edit, &QLineEdit::textEdited, this, &ConfigForm::edited);
        return edit;
    }
    if (value.is_string()) {
        const auto help = hepgen::models::configFieldHelp(scope, key);
        if (!help.choices.empty()) {
            auto* combo = new QComboBox(this);
            for (const auto& c : help.choices)
                combo->addItem(QString::fromStdString(c));
            const int at = combo->findText(QString::fromStdString(value.get<std::string>()));
            if (at < 0)
                combo->addItem(QString::fromStdString(value.get<std::string>()));
            combo->setCurrentText(QString::fromStdString(value.get<std::string>()));
            connect(combo, &QComboBox::currentTextChanged, this, &ConfigForm::edited);
            return combo;
        }
        auto* edit = new QLineEdit(QString::fromStdString(value.get<std::string>()), this);
        connect(edit, &QLineEdit::textEdited, this, &ConfigForm::edited);
        return edit;
    }
    if (value.is_array()) {
        auto* edit = new QLineEdit(listText(value), this);
        edit->setPlaceholderText(tr("comma-separated numbers"));
        connect(edit, &QLineEdit::textEdited, this, &ConfigForm::edited);
        return edit;
    }
    return nullptr;
}

nlohmann::json ConfigForm::read(const std::string&, const Field& f, bool* ok) const
{
    *ok = true;
    const auto& o = f.original;
    if (auto* box = qobject_cast<QCheckBox*>(f.editor))
        return box->isChecked();
    if (auto* spin = qobject_cast<QSpinBox*>(f.editor)) {
        if (o.is_number_unsigned())
            return static_cast<uint64_t>(spin->value());
        return static_cast<int64_t>(spin->value());
    }
    if (auto* combo = qobject_cast<QComboBox*>(f.editor))
        return combo->currentText().toStdString();
    auto* edit = qobject_cast<QLineEdit*>(f.editor);
    if (!edit)
        return o;
    const QString text = edit->text().trimmed();
    if (o.is_string())
        return text.toStdString();
    if (o.is_number_float()) {
        const double v = QLocale::c().toDouble(text, ok);
        *ok = *ok && std::isfinite(v);
        return *ok ? nlohmann::json(v) : o;
    }
    // A list: integers if the original held integers (or was empty), else numbers.
    bool integers = true;
    for (const auto& v : o)
        integers = integers && v.is_number_integer();
    nlohmann::json list = nlohmann::json::array();
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        bool good = false;
        if (integers) {
            const qlonglong v = part.trimmed().toLongLong(&good);
            if (good)
                list.push_back(static_cast<int64_t>(v));
        } else {
            const double v = QLocale::c().toDouble(part.trimmed(), &good);
            good = good && std::isfinite(v);
            if (good)
                list.push_back(v);
        }
        if (!good) {
            *ok = false;
            return o;
        }
    }
    return list;
}

nlohmann::json ConfigForm::values() const
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, f] : m_fields) {
        bool ok = true;
        out[key] = read(key, f, &ok);
    }
    return out;
}

QStringList ConfigForm::invalidFields() const
{
    QStringList bad;
    for (const auto& [key, f] : m_fields) {
        bool ok = true;
        read(key, f, &ok);
        if (!ok)
            bad << QString::fromStdString(key);
    }
    return bad;
}

void ConfigForm::setValue(const std::string& key, const nlohmann::json& value)
{
    const auto it = m_fields.find(key);
    if (it == m_fields.end())
        return;
    QWidget* e = it->second.editor;
    try {
        if (auto* box = qobject_cast<QCheckBox*>(e))
            box->setChecked(value.get<bool>());
        else if (auto* spin = qobject_cast<QSpinBox*>(e))
            spin->setValue(static_cast<int>(value.get<int64_t>()));
        else if (auto* combo = qobject_cast<QComboBox*>(e))
            combo->setCurrentText(QString::fromStdString(value.get<std::string>()));
        else if (auto* edit = qobject_cast<QLineEdit*>(e))
            edit->setText(value.is_array() ? listText(value)
                    : value.is_string()    ? QString::fromStdString(value.get<std::string>())
                                           : numberText(value.get<double>()));
    } catch (const nlohmann::json::exception&) {
        // A remembered value of another type (an older version's setting): keep the default.
    }
}

} // namespace hepgen::widgets
