#include "HuntSettingsForm.h"

#include "core/anomaly/Hunt.h"
#include "core/metrics/BinaryClassifier.h"
#include "widgets/ConfigForm.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace hepgen::studio {

namespace {

const char* const kHuntKeys[] = { "oversampling", "kde_bandwidth", "iad_template_fraction", "ranode_epochs",
    "ranode_fraction", "max_reference_events" };

/// The MLP ensemble's settings flattened for one form: members plus every network key the ensemble does
/// not set itself (it seeds each member and balances the classes).
nlohmann::json flatMlp(const nlohmann::json& mlp)
{
    nlohmann::json flat = hepgen::metrics::ClassifierConfig::fromJson(mlp.at("network")).toJson();
    flat.erase("seed");
    flat.erase("balance_classes");
    flat["members"] = mlp.at("members");
    return flat;
}

QGroupBox* section(const QString& title, const QString& tip, hepgen::widgets::ConfigForm* form, QWidget* parent)
{
    auto* box = new QGroupBox(title, parent);
    box->setToolTip(tip);
    auto* l = new QVBoxLayout(box);
    l->addWidget(form);
    return box;
}

} // namespace

HuntSettingsForm::HuntSettingsForm(QWidget* parent)
    : QWidget(parent)
    , m_hunt(new hepgen::widgets::ConfigForm(this))
    , m_density(new hepgen::widgets::ConfigForm(this))
    , m_flow(new hepgen::widgets::ConfigForm(this))
    , m_trainer(new hepgen::widgets::ConfigForm(this))
    , m_mlp(new hepgen::widgets::ConfigForm(this))
    , m_bdt(new hepgen::widgets::ConfigForm(this))
{
    auto* inner = new QWidget(this);
    auto* v = new QVBoxLayout(inner);
    m_huntBox = section(tr("Hunt"), tr("Settings of the protocol and of the methods"), m_hunt, inner);
    auto* densityInner = new QWidget(inner);
    auto* dv = new QVBoxLayout(densityInner);
    dv->setContentsMargins(0, 0, 0, 0);
    dv->addWidget(m_density);
    dv->addWidget(new QLabel(tr("Flow network"), densityInner));
    dv->addWidget(m_flow);
    dv->addWidget(new QLabel(tr("Flow training"), densityInner));
    dv->addWidget(m_trainer);
    m_densityBox = new QGroupBox(tr("Conditional densities p(x|m)"), inner);
    m_densityBox->setToolTip(tr("The flows of ANODE, CATHODE, LaCATHODE and R-ANODE (the SB background and, for "
                                "ANODE and R-ANODE, the SR models)"));
    auto* db = new QVBoxLayout(m_densityBox);
    db->addWidget(densityInner);
    m_mlpBox = section(tr("MLP ensemble"), tr("The classifier 'mlp': networks averaged as in CATHODE"), m_mlp, inner);
    m_bdtBox = section(tr("Boosted trees (XGBoost)"), tr("The classifier 'bdt'"), m_bdt, inner);
    for (auto* box : { m_huntBox, m_densityBox, m_mlpBox, m_bdtBox })
        v->addWidget(box);
    auto* reset = new QPushButton(tr("Defaults"), inner);
    reset->setToolTip(tr("Restore every setting on this page to its default"));
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(reset);
    v->addLayout(row);
    v->addStretch(1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    for (auto* form : { m_hunt, m_flow, m_trainer, m_mlp, m_bdt })
        connect(form, &hepgen::widgets::ConfigForm::edited, this, &HuntSettingsForm::edited);
    // A new flow family gets its own help texts (its keys keep their values).
    connect(m_density, &hepgen::widgets::ConfigForm::edited, this, [this] {
        const auto d = m_density->values();
        const std::string family = d.value("family", m_flowFamily);
        if (family != m_flowFamily) {
            m_flowFamily = family;
            const auto model = m_flow->values();
            m_flow->setConfig(model, m_flowFamily);
        }
        Q_EMIT edited();
    });
    connect(reset, &QPushButton::clicked, this, [this] {
        resetToDefaults();
        Q_EMIT edited();
    });
    resetToDefaults();
}

HuntSettingsForm::~HuntSettingsForm() = default;

void HuntSettingsForm::resetToDefaults() { fill(hepgen::anomaly::HuntConfig {}.toJson()); }

void HuntSettingsForm::fill(const nlohmann::json& j)
{
    nlohmann::json hunt = nlohmann::json::object();
    for (const char* key : kHuntKeys)
        hunt[key] = j.at(key);
    m_hunt->setConfig(hunt, "hunt");
    const auto& density = j.at("density");
    m_flowFamily = density.at("family").get<std::string>();
    m_density->setConfig({ { "family", density.at("family") }, { "logit_margin", density.at("logit_margin") },
                             { "log_mass", density.at("log_mass") } },
        "density");
    m_flow->setConfig(density.at("model"), m_flowFamily);
    m_trainer->setConfig(density.at("trainer"), "trainer");
    m_mlp->setConfig(flatMlp(j.at("mlp")), "classifier");
    m_bdt->setConfig(j.at("bdt"), "bdt");
}

void HuntSettingsForm::setValues(const nlohmann::json& json)
{
    // Through HuntConfig, so that partial or old settings fill up with defaults and bad ones are refused.
    nlohmann::json j = json;
    j.erase("format");
    hepgen::anomaly::HuntConfig c = hepgen::anomaly::HuntConfig::read(j);
    fill(c.toJson());
}

nlohmann::json HuntSettingsForm::values() const
{
    nlohmann::json out = m_hunt->values();
    const auto d = m_density->values();
    out["density"] = { { "family", d.at("family") }, { "logit_margin", d.at("logit_margin") },
        { "log_mass", d.at("log_mass") }, { "model", m_flow->values() }, { "trainer", m_trainer->values() } };
    nlohmann::json network = m_mlp->values();
    const auto members = network.at("members");
    network.erase("members");
    out["mlp"] = { { "members", members }, { "network", network } };
    out["bdt"] = m_bdt->values();
    return out;
}

QStringList HuntSettingsForm::invalidFields() const
{
    QStringList bad;
    const std::pair<QString, const hepgen::widgets::ConfigForm*> forms[]
        = { { tr("Hunt"), m_hunt }, { tr("Densities"), m_density }, { tr("Flow network"), m_flow },
              { tr("Flow training"), m_trainer }, { tr("MLP ensemble"), m_mlp }, { tr("Boosted trees"), m_bdt } };
    for (const auto& [name, form] : forms)
        for (const QString& key : form->invalidFields())
            bad << QStringLiteral("%1: %2").arg(name, key);
    return bad;
}

void HuntSettingsForm::setMethod(const QString& method, const QString& classifier)
{
    const std::string m = method.toStdString();
    const bool density = m == "anode" || m == "cathode" || m == "lacathode" || m == "ranode";
    const bool classifies = hepgen::anomaly::usesClassifier(m);
    m_densityBox->setEnabled(density);
    m_mlpBox->setEnabled(classifies && classifier == QLatin1String("mlp"));
    m_bdtBox->setEnabled(classifies && classifier == QLatin1String("bdt"));
}

} // namespace hepgen::studio
