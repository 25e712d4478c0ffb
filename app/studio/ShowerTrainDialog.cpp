#include "ShowerTrainDialog.h"

#include "core/showers/ShowerGenerator.h"
#include "core/util/Error.h"
#include "widgets/ConfigForm.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QStandardPaths>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace hepgen::studio {

using hepgen::widgets::ConfigForm;
using json = nlohmann::json;

namespace {

// Keys the forms leave out: the per-stage seeds follow the generator's seed (one seed to set), the teacher is
// recorded by distillation itself, and the consistency keys of the point model belong to the distillation tab.
const char* const kStudentKeys[] = { "grid_steps", "target_ema", "loss", "huber_c", "sigma_mid" };

json without(json j, std::initializer_list<const char*> keys)
{
    for (const char* k : keys)
        j.erase(k);
    return j;
}

json studentKeys(const json& pointModel)
{
    json out = json::object();
    for (const char* k : kStudentKeys)
        if (pointModel.contains(k))
            out[k] = pointModel.at(k);
    return out;
}

/// A scrollable page of titled forms.
QWidget* page(std::initializer_list<std::pair<QString, ConfigForm*>> forms)
{
    auto* inner = new QWidget;
    auto* layout = new QVBoxLayout(inner);
    for (const auto& [title, form] : forms) {
        auto* box = new QGroupBox(title, inner);
        auto* l = new QVBoxLayout(box);
        l->addWidget(form);
        layout->addWidget(box);
    }
    layout->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    return scroll;
}

} // namespace

json ShowerTrainDialog::preset(const QString& name)
{
    if (name == QLatin1String("quick")) {
        // A lecture demo: 2000 simulated 10-100 GeV showers (the workspace's default reference) train in about a
        // minute on two cores (117 s measured at load average 11, most of it waiting for the cores): a smaller
        // shower flow for 30 epochs, the default point network for 8 epochs, 2 epochs of distillation. Its showers
        // are recognisably showers but far from the default budget's (classifier AUC 1.0 against the simulator,
        // separation power of the hit count 0.014, of the radial profile 0.44).
        return {
            { "flow",
                { { "model", { { "layers", 6 }, { "hidden", { 64, 64 } } } }, { "trainer", { { "epochs", 30 } } } } },
            { "points", { { "trainer", { { "epochs", 8 } } } } },
            { "distillation", { { "trainer", { { "epochs", 2 } } } } }
        };
    }
    return json::object();
}

ShowerTrainDialog::ShowerTrainDialog(std::size_t referenceShowers, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Train a shower generator"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Trains a CaloClouds-style generator (a shower flow for the per-shower totals, then "
                                "a point model for the hits) on the %1 reference showers. Every field's tooltip "
                                "says what it does.")
                                 .arg(referenceShowers),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* top = new QFormLayout;
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("preset"));
    m_preset->addItem(tr("Default budget"), QStringLiteral("default"));
    m_preset->addItem(tr("Quick (lecture demo, about a minute)"), QStringLiteral("quick"));
    m_preset->setToolTip(tr("Default: the generator's default settings (the budget its fidelity is measured "
                            "with). Quick: small networks and few epochs, to watch a generator appear."));
    top->addRow(tr("&Preset"), m_preset);
    auto* dirRow = new QHBoxLayout;
    m_runDir = new QLineEdit(this);
    m_runDir->setObjectName(QStringLiteral("runDirectory"));
    m_runDir->setToolTip(tr("Where the run is written (config.json, metrics.json, one checkpoint per stage); "
                            "Load generator… opens it again"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    dirRow->addWidget(m_runDir, 1);
    dirRow->addWidget(browse);
    top->addRow(tr("&Run directory"), dirRow);
    layout->addLayout(top);

    m_general = new ConfigForm;
    m_flowModel = new ConfigForm;
    m_flowTrainer = new ConfigForm;
    m_pointModel = new ConfigForm;
    m_pointTrainer = new ConfigForm;
    m_studentModel = new ConfigForm;
    m_studentTrainer = new ConfigForm;
    auto* tabs = new QTabWidget(this);
    tabs->addTab(page({ { tr("Generator"), m_general } }), tr("General"));
    tabs->addTab(page({ { tr("Flow (flow-rqs)"), m_flowModel }, { tr("Trainer"), m_flowTrainer } }), tr("Shower flow"));
    tabs->addTab(page({ { tr("Point network and objective"), m_pointModel }, { tr("Trainer"), m_pointTrainer } }),
        tr("Point model"));
    tabs->addTab(page({ { tr("Consistency student"), m_studentModel }, { tr("Trainer"), m_studentTrainer } }),
        tr("Distillation"));
    tabs->setTabToolTip(3, tr("Used by Distil (edm point models only)"));
    layout->addWidget(tabs, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    layout->addWidget(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Train"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ShowerTrainDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ShowerTrainDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Run directory"), m_runDir->text());
        if (!dir.isEmpty())
            m_runDir->setText(QDir(dir).filePath(QFileInfo(newRunDirectory()).fileName()));
    });
    connect(m_preset, &QComboBox::currentIndexChanged, this,
        [this](int i) { setPreset(m_preset->itemData(i).toString()); });

    // The last accepted settings, else the default preset.
    QSettings s;
    const QString name = s.value(QStringLiteral("showers/generator/preset"), QStringLiteral("default")).toString();
    {
        const QSignalBlocker block(m_preset);
        m_preset->setCurrentIndex(std::max(0, m_preset->findData(name)));
    }
    setPreset(currentPreset());
    const json remembered
        = json::parse(s.value(QStringLiteral("showers/generator/config")).toString().toStdString(), nullptr, false);
    if (!remembered.is_discarded() && remembered.is_object()) {
        try {
            setConfig(remembered);
        } catch (const hepgen::Error&) {
            setPreset(currentPreset()); // settings of an older version: start from the preset
        }
    }
    setRunDirectory(newRunDirectory());
    resize(620, 720);
}

QString ShowerTrainDialog::currentPreset() const { return m_preset->currentData().toString(); }

void ShowerTrainDialog::setPreset(const QString& name)
{
    {
        const QSignalBlocker block(m_preset);
        m_preset->setCurrentIndex(std::max(0, m_preset->findData(name)));
    }
    setConfig(hepgen::showers::ShowerGeneratorConfig::read(preset(name)).json);
}

void ShowerTrainDialog::setConfig(const json& settings)
{
    const json s = hepgen::showers::ShowerGeneratorConfig::read(settings).json; // validates, fills defaults
    m_general->setConfig(
        { { "seed", s.at("seed") }, { "max_showers", s.at("max_showers") },
            { "depth_axis", s.at("layout").at("depth_axis") }, { "lateral", s.at("layout").at("lateral") },
            { "core_hits", s.at("layout").at("core_hits") } },
        "shower");
    m_flowModel->setConfig(without(s.at("flow").at("model"), { "permutation_seed" }), "flow-rqs");
    m_flowTrainer->setConfig(without(s.at("flow").at("trainer"), { "seed" }), "trainer");
    json points = s.at("points").at("model");
    json student = studentKeys(points);
    student.update(s.at("distillation").at("model"));
    student.erase("training");
    for (const char* k : kStudentKeys)
        points.erase(k);
    points.erase("teacher");
    m_pointModel->setConfig(points, "shower-points");
    m_pointTrainer->setConfig(without(s.at("points").at("trainer"), { "seed" }), "trainer");
    m_studentModel->setConfig(student, "consistency");
    m_studentTrainer->setConfig(without(s.at("distillation").at("trainer"), { "seed" }), "trainer");
    m_error->clear();
}

json ShowerTrainDialog::config(QString* error) const
{
    QStringList invalid;
    const std::pair<ConfigForm*, QString> forms[] = { { m_general, tr("General") }, { m_flowModel, tr("Shower flow") },
        { m_flowTrainer, tr("Shower flow trainer") }, { m_pointModel, tr("Point model") },
        { m_pointTrainer, tr("Point-model trainer") }, { m_studentModel, tr("Distillation") },
        { m_studentTrainer, tr("Distillation trainer") } };
    for (const auto& [form, name] : forms)
        for (const QString& key : form->invalidFields())
            invalid << tr("%1 › %2").arg(name, key);
    if (!invalid.isEmpty()) {
        if (error)
            *error = tr("These fields do not parse: %1.").arg(invalid.join(QStringLiteral(", ")));
        return {};
    }
    // The student's settings are stored as overrides of the point model's defaults (as ShowerGeneratorConfig keeps
    // them), so unchanged forms give exactly the preset's settings.
    json student = m_studentModel->values();
    const json defaults
        = studentKeys(hepgen::showers::ShowerGeneratorConfig::read(json::object()).json.at("points").at("model"));
    for (const auto& [key, value] : defaults.items())
        if (student.contains(key) && student.at(key) == value)
            student.erase(key);
    const json g = m_general->values();
    const json user = { { "seed", g.at("seed") }, { "max_showers", g.at("max_showers") },
        { "layout",
            { { "depth_axis", g.at("depth_axis") }, { "lateral", g.at("lateral") },
                { "core_hits", g.at("core_hits") } } },
        { "flow", { { "model", m_flowModel->values() }, { "trainer", m_flowTrainer->values() } } },
        { "points", { { "model", m_pointModel->values() }, { "trainer", m_pointTrainer->values() } } },
        { "distillation", { { "model", student }, { "trainer", m_studentTrainer->values() } } } };
    try {
        return hepgen::showers::ShowerGeneratorConfig::read(user).json;
    } catch (const hepgen::Error& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return {};
    }
}

QString ShowerTrainDialog::runDirectory() const { return m_runDir->text().trimmed(); }

void ShowerTrainDialog::setRunDirectory(const QString& dir) { m_runDir->setText(dir); }

QString ShowerTrainDialog::newRunDirectory()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
    return QDir(base).filePath(QStringLiteral("runs/%1-shower").arg(stamp));
}

void ShowerTrainDialog::accept()
{
    QString error;
    const json c = config(&error);
    if (c.is_null()) {
        m_error->setText(error);
        return;
    }
    if (runDirectory().isEmpty()) {
        m_error->setText(tr("Choose a run directory."));
        return;
    }
    if (QDir(runDirectory()).exists() && !QDir(runDirectory()).isEmpty()) {
        m_error->setText(tr("%1 exists and is not empty; choose a new run directory.").arg(runDirectory()));
        return;
    }
    remember();
    QDialog::accept();
}

void ShowerTrainDialog::remember() const
{
    QSettings s;
    s.setValue(QStringLiteral("showers/generator/preset"), currentPreset());
    s.setValue(QStringLiteral("showers/generator/config"), QString::fromStdString(config().dump()));
}

} // namespace hepgen::studio
