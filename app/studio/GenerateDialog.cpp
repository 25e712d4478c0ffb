#include "GenerateDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace hepgen::studio {

namespace {

QSpinBox* spin(int lo, int hi, int value, const QString& tip, QWidget* parent)
{
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setValue(value);
    s->setGroupSeparatorShown(true);
    s->setToolTip(tip);
    return s;
}

QDoubleSpinBox* dspin(
    double lo, double hi, double value, int decimals, const QString& suffix, const QString& tip, QWidget* parent)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setValue(value);
    s->setSuffix(suffix);
    s->setToolTip(tip);
    return s;
}

} // namespace

GenerateDialog::GenerateDialog(QWidget* parent)
    : QDialog(parent)
    , m_tabs(new QTabWidget(this))
{
    setWindowTitle(tr("Generate data"));
    m_tabs->addTab(makeDijetPage(), tr("Dijet toy"));
    m_tabs->addTab(makeShowersPage(), tr("Photon showers"));
    m_tabs->addTab(makeToyPage(), tr("2D toys"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Generate"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    loadSettings();
}

QWidget* GenerateDialog::makeDijetPage()
{
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    auto* intro
        = new QLabel(tr("QCD dijet background and a W′(3.5 TeV) → X(500 GeV) Y(100 GeV) signal, shaped like the "
                        "LHC Olympics 2020 R&D data set. Features: mjj, mj_min, delta_mj [TeV], tau21_min, "
                        "tau21_max."),
            page);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_background = spin(0, 20000000, 1000000, tr("Number of QCD background events"), page);
    m_background->setObjectName(QStringLiteral("dijet/background"));
    m_signalMode = new QComboBox(page);
    m_signalMode->setObjectName(QStringLiteral("dijet/signalMode"));
    m_signalMode->addItems({ tr("by count"), tr("by S/B in the signal region") });
    m_signalMode->setToolTip(
        tr("Inject a fixed number of signal events, or enough to reach an S/B in the signal region"));
    m_signal = spin(0, 1000000, 1000, tr("Number of injected signal events (about 77 % fall in 3.3–3.7 TeV)"), page);
    m_signal->setObjectName(QStringLiteral("dijet/signal"));
    m_sOverB = dspin(0.0, 10.0, 0.006, 4, QString(), tr("Signal over background in the signal region"), page);
    m_sOverB->setObjectName(QStringLiteral("dijet/sOverB"));
    m_srLow = dspin(1.5, 9.0, 3.3, 2, tr(" TeV"), tr("Low edge of the signal region used for S/B"), page);
    m_srLow->setObjectName(QStringLiteral("dijet/srLow"));
    m_srHigh = dspin(1.5, 9.0, 3.7, 2, tr(" TeV"), tr("High edge of the signal region used for S/B"), page);
    m_srHigh->setObjectName(QStringLiteral("dijet/srHigh"));
    m_noise = spin(0, 50, 0, tr("Extra pure-noise Gaussian features (for the noisy-features lesson)"), page);
    m_noise->setObjectName(QStringLiteral("dijet/noise"));
    m_mjjCorrelation = dspin(0.0, 5.0, 1.0, 2, QString(),
        tr("How strongly the substructure features depend on mjj (0: independent; 1: default)"), page);
    m_mjjCorrelation->setObjectName(QStringLiteral("dijet/mjjCorrelation"));
    m_dijetSeed = spin(0, 2147483647, 1, tr("Random seed: the same seed gives the same events"), page);
    m_dijetSeed->setObjectName(QStringLiteral("dijet/seed"));
    form->addRow(tr("Background events"), m_background);
    form->addRow(tr("Signal injection"), m_signalMode);
    form->addRow(tr("Signal events"), m_signal);
    form->addRow(tr("S/B"), m_sOverB);
    form->addRow(tr("Signal region from"), m_srLow);
    form->addRow(tr("to"), m_srHigh);
    form->addRow(tr("Noise features"), m_noise);
    form->addRow(tr("mjj correlation"), m_mjjCorrelation);
    form->addRow(tr("Seed"), m_dijetSeed);
    auto updateMode = [this] {
        const bool bySb = m_signalMode->currentIndex() == 1;
        m_signal->setEnabled(!bySb);
        m_sOverB->setEnabled(bySb);
        m_srLow->setEnabled(bySb);
        m_srHigh->setEnabled(bySb);
    };
    connect(m_signalMode, &QComboBox::currentIndexChanged, this, updateMode);
    updateMode();
    return page;
}

QWidget* GenerateDialog::makeShowersPage()
{
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    auto* intro = new QLabel(tr("GFLASH-style electromagnetic showers of photons in an ILD-like Si-W ECAL (30 layers, "
                                "5.1 mm cells). Each hit: cell centre x, y, layer z [mm] and visible energy [MeV]."),
        page);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_showers = spin(1, 1000000, 1000, tr("Number of showers"), page);
    m_showers->setObjectName(QStringLiteral("showers/count"));
    m_energyMin = dspin(1.0, 1000.0, 10.0, 1, tr(" GeV"), tr("Lowest incident photon energy"), page);
    m_energyMin->setObjectName(QStringLiteral("showers/energyMin"));
    m_energyMax
        = dspin(1.0, 1000.0, 100.0, 1, tr(" GeV"), tr("Highest incident photon energy (uniform in between)"), page);
    m_energyMax->setObjectName(QStringLiteral("showers/energyMax"));
    m_showerSeed = spin(0, 2147483647, 1, tr("Random seed: the same seed gives the same showers"), page);
    m_showerSeed->setObjectName(QStringLiteral("showers/seed"));
    form->addRow(tr("Showers"), m_showers);
    form->addRow(tr("Energy from"), m_energyMin);
    form->addRow(tr("to"), m_energyMax);
    form->addRow(tr("Seed"), m_showerSeed);
    return page;
}

QWidget* GenerateDialog::makeToyPage()
{
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    m_shape = new QComboBox(page);
    m_shape->setObjectName(QStringLiteral("toy/shape"));
    for (const auto& name : hepgen::data::toy2DShapeNames())
        m_shape->addItem(QString::fromStdString(name));
    m_shape->setToolTip(tr("Two moons, 8 Gaussians, checkerboard, rings or a Gaussian mixture"));
    m_toyEvents = spin(1, 10000000, 100000, tr("Number of events"), page);
    m_toyEvents->setObjectName(QStringLiteral("toy/events"));
    m_toySeed = spin(0, 2147483647, 1, tr("Random seed: the same seed gives the same events"), page);
    m_toySeed->setObjectName(QStringLiteral("toy/seed"));
    form->addRow(tr("Shape"), m_shape);
    form->addRow(tr("Events"), m_toyEvents);
    form->addRow(tr("Seed"), m_toySeed);
    return page;
}

hepgen::data::GeneratorRequest GenerateDialog::request() const
{
    hepgen::data::GeneratorRequest r;
    switch (m_tabs->currentIndex()) {
    case 0:
        r.kind = hepgen::data::GeneratorKind::Dijet;
        r.dijet.background = static_cast<std::size_t>(m_background->value());
        r.dijet.signal = m_signalMode->currentIndex() == 0 ? static_cast<std::size_t>(m_signal->value()) : 0;
        r.dijet.sOverB = m_signalMode->currentIndex() == 1 ? m_sOverB->value() : 0.0;
        r.dijet.srLow = m_srLow->value();
        r.dijet.srHigh = m_srHigh->value();
        r.dijet.noiseFeatures = static_cast<std::size_t>(m_noise->value());
        r.dijet.mjjCorrelation = m_mjjCorrelation->value();
        r.dijet.seed = static_cast<std::uint64_t>(m_dijetSeed->value());
        break;
    case 1:
        r.kind = hepgen::data::GeneratorKind::Showers;
        r.showers.showers = static_cast<std::size_t>(m_showers->value());
        r.showers.energyMin = m_energyMin->value();
        r.showers.energyMax = m_energyMax->value();
        r.showers.seed = static_cast<std::uint64_t>(m_showerSeed->value());
        break;
    default:
        r.kind = hepgen::data::GeneratorKind::Toy2D;
        r.toyShape = hepgen::data::parseToy2DShape(m_shape->currentText().toStdString());
        r.toyEvents = static_cast<std::size_t>(m_toyEvents->value());
        r.toySeed = static_cast<std::uint64_t>(m_toySeed->value());
        break;
    }
    return r;
}

void GenerateDialog::saveSettings() const
{
    QSettings s;
    s.beginGroup(QStringLiteral("generate"));
    s.setValue("page", m_tabs->currentIndex());
    for (QSpinBox* w : findChildren<QSpinBox*>())
        s.setValue(w->objectName(), w->value());
    for (QDoubleSpinBox* w : findChildren<QDoubleSpinBox*>())
        s.setValue(w->objectName(), w->value());
    for (QComboBox* w : findChildren<QComboBox*>())
        s.setValue(w->objectName(), w->currentIndex());
}

void GenerateDialog::loadSettings()
{
    // Every field has an object name ("page/field"), which is its settings key.
    QSettings s;
    s.beginGroup(QStringLiteral("generate"));
    m_tabs->setCurrentIndex(s.value("page", 0).toInt());
    for (QSpinBox* w : findChildren<QSpinBox*>())
        w->setValue(s.value(w->objectName(), w->value()).toInt());
    for (QDoubleSpinBox* w : findChildren<QDoubleSpinBox*>())
        w->setValue(s.value(w->objectName(), w->value()).toDouble());
    for (QComboBox* w : findChildren<QComboBox*>())
        w->setCurrentIndex(s.value(w->objectName(), w->currentIndex()).toInt());
}

} // namespace hepgen::studio
