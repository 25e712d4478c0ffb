#include "ShowerWorkspace.h"

#include "ShowerGeneratorPanel.h"

#include "core/data/Dataset.h"
#include "core/data/DatasetIO.h"
#include "core/showers/Observables.h"
#include "core/showers/ShowerSimulator.h"
#include "core/showers/ShowerTrajectoryFile.h"
#include "core/util/Error.h"
#include "widgets/JobRunner.h"
#include "widgets/ObservablesPanel.h"
#include "widgets/TrajectoryScrubber.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <optional>

namespace hepgen::studio {

using hepgen::data::Showers;
using hepgen::widgets::ShowerView;

namespace {

/// Transverse half-width (mm) of the calorimeter box drawn around showers: the 95th percentile of the hits'
/// max(|x|, |y|) over up to 300 showers (the lateral tails reach far; the box frames the cores), rounded up to
/// whole cells, at least 2 R_M (or 20 mm).
double halfWidthFor(const Showers& s)
{
    std::vector<float> reach;
    const std::size_t n = std::min<std::size_t>(s.size(), 300);
    for (std::size_t i = 0; i < n; ++i)
        for (auto h = s.offsets[i]; h < s.offsets[i + 1]; ++h)
            reach.push_back(std::max(std::abs(s.points[4 * h]), std::abs(s.points[4 * h + 1])));
    double w = s.geometry.moliereRadius > 0 ? 2.0 * s.geometry.moliereRadius : 20.0;
    if (!reach.empty()) {
        const auto k = static_cast<std::ptrdiff_t>(0.95 * static_cast<double>(reach.size() - 1));
        std::nth_element(reach.begin(), reach.begin() + k, reach.end());
        w = std::max(w, static_cast<double>(reach[static_cast<std::size_t>(k)]));
    }
    if (s.geometry.cellSize > 0)
        w = std::ceil(w / s.geometry.cellSize - 0.5) * s.geometry.cellSize + 0.5 * s.geometry.cellSize;
    return w;
}

QString describe(const Showers& s, const QString& source)
{
    double lo = 0, hi = 0;
    if (s.size() > 0) {
        const auto [a, b] = std::minmax_element(s.incidentEnergy.begin(), s.incidentEnergy.end());
        lo = *a;
        hi = *b;
    }
    return QObject::tr("%1 showers, %2–%3 GeV, %4 hits on average\n%5")
        .arg(s.size())
        .arg(lo, 0, 'f', 1)
        .arg(hi, 0, 'f', 1)
        .arg(s.size() ? static_cast<double>(s.points.size() / 4) / static_cast<double>(s.size()) : 0.0, 0, 'f', 0)
        .arg(source);
}

} // namespace

ShowerWorkspace::ShowerWorkspace(hepgen::widgets::JobRunner* jobs, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    auto* scroll = new QScrollArea(splitter);
    scroll->setWidget(buildControls());
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(300);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the controls shrink and wrap instead
    splitter->addWidget(scroll);
    splitter->addWidget(buildViews());
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 320, 1000 });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_observables, &hepgen::widgets::ObservablesPanel::evaluateRequested, this,
        [this](double lo, double hi, bool classifier) { evaluate(lo, hi, classifier); });
    setCamerasLinked(true);
    setThresholdPosition(QSettings().value(QStringLiteral("showers/threshold"), 0).toInt());
    updateThresholdLabel();
    updateReady();
}

ShowerWorkspace::~ShowerWorkspace() = default;

QWidget* ShowerWorkspace::buildControls()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    QSettings settings;

    auto* refBox = new QGroupBox(tr("Reference showers"), panel);
    auto* refLayout = new QVBoxLayout(refBox);
    m_referenceLabel = new QLabel(tr("None yet: open a showers file (File › Open, or File › Demo data › Photon "
                                     "showers) or simulate them below."),
        refBox);
    m_referenceLabel->setObjectName(QStringLiteral("referenceLabel"));
    m_referenceLabel->setWordWrap(true);
    refLayout->addWidget(m_referenceLabel);
    auto* sim = new QFormLayout;
    m_simShowers = new QSpinBox(refBox);
    m_simShowers->setRange(10, 1000000);
    m_simShowers->setSingleStep(500);
    m_simShowers->setValue(settings.value(QStringLiteral("showers/sim/showers"), 2000).toInt());
    m_simShowers->setToolTip(tr("Number of showers to simulate"));
    m_simMin = new QDoubleSpinBox(refBox);
    m_simMax = new QDoubleSpinBox(refBox);
    for (QDoubleSpinBox* s : { m_simMin, m_simMax }) {
        s->setRange(1.0, 1000.0);
        s->setDecimals(1);
        s->setSuffix(tr(" GeV"));
    }
    m_simMin->setValue(settings.value(QStringLiteral("showers/sim/min"), 10.0).toDouble());
    m_simMax->setValue(settings.value(QStringLiteral("showers/sim/max"), 100.0).toDouble());
    m_simMin->setToolTip(tr("Incident photon energies are uniform between these"));
    m_simMax->setToolTip(m_simMin->toolTip());
    m_simSeed = new QSpinBox(refBox);
    m_simSeed->setRange(0, 1 << 30);
    m_simSeed->setValue(settings.value(QStringLiteral("showers/sim/seed"), 1).toInt());
    m_simSeed->setToolTip(tr("Seed of the simulator; the comparison sample uses seed + 1"));
    sim->addRow(tr("Showers"), m_simShowers);
    sim->addRow(tr("E_inc from"), m_simMin);
    sim->addRow(tr("to"), m_simMax);
    sim->addRow(tr("Seed"), m_simSeed);
    refLayout->addLayout(sim);
    auto* simulate = new QPushButton(tr("&Simulate reference"), refBox);
    simulate->setObjectName(QStringLiteral("simulateReference"));
    simulate->setToolTip(tr("GFLASH-style photon showers in the ILD-like Si-W ECAL (Ctrl+Shift+R)"));
    simulate->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    refLayout->addWidget(simulate);
    layout->addWidget(refBox);

    m_generatorPanel = new ShowerGeneratorPanel(
        m_jobs,
        [this](const QString& title, std::function<void(const hepgen::JobControl&)> work, std::function<void()> done) {
            return startJob(title, std::move(work), std::move(done));
        },
        panel);
    m_generatorPanel->setObjectName(QStringLiteral("generatorPanel"));
    layout->addWidget(m_generatorPanel);
    connect(m_generatorPanel, &ShowerGeneratorPanel::message, this, &ShowerWorkspace::message);
    connect(m_generatorPanel, &ShowerGeneratorPanel::generated, this,
        [this](std::shared_ptr<const Showers> showers, const QString& source,
            std::vector<hepgen::showers::ShowerTrajectory> trajectories) {
            setGenerated(std::move(showers), source, std::move(trajectories));
        });
    auto* generateKey = new QShortcut(QKeySequence(Qt::Key_F5), this);
    generateKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(generateKey, &QShortcut::activated, m_generatorPanel, &ShowerGeneratorPanel::generate);

    auto* genBox = new QGroupBox(tr("Generated showers"), panel);
    auto* genLayout = new QVBoxLayout(genBox);
    m_generatedLabel
        = new QLabel(tr("None yet: generate them with the shower generator above, or compare with a showers file or "
                        "a second simulator sample."),
            genBox);
    m_generatedLabel->setObjectName(QStringLiteral("generatedLabel"));
    m_generatedLabel->setWordWrap(true);
    genLayout->addWidget(m_generatedLabel);
    auto* compareFile = new QPushButton(tr("Compare with a file…"), genBox);
    compareFile->setToolTip(tr("Showers to compare with the reference, e.g. written by `hepgen sample` (any "
                               "supported showers format)"));
    auto* baseline = new QPushButton(tr("Simulator &baseline"), genBox);
    baseline->setObjectName(QStringLiteral("simulateComparison"));
    baseline->setToolTip(tr("A second simulator sample with the settings above and seed + 1: what a perfect "
                            "generator would score"));
    genLayout->addWidget(compareFile);
    genLayout->addWidget(baseline);
    layout->addWidget(genBox);

    auto* pickBox = new QGroupBox(tr("Shower"), panel);
    auto* pick = new QFormLayout(pickBox);
    m_referenceIndex = new QSpinBox(pickBox);
    m_generatedIndex = new QSpinBox(pickBox);
    m_referenceIndex->setObjectName(QStringLiteral("referenceIndex"));
    m_generatedIndex->setObjectName(QStringLiteral("generatedIndex"));
    m_referenceIndex->setToolTip(tr("Which reference shower the left view shows"));
    m_generatedIndex->setToolTip(tr("Which generated shower the right view shows"));
    m_matchEnergy = new QCheckBox(tr("Match reference energy"), pickBox);
    m_matchEnergy->setToolTip(tr("Show the reference shower with the incident energy closest to the generated one"));
    m_matchEnergy->setChecked(settings.value(QStringLiteral("showers/matchEnergy"), true).toBool());
    pick->addRow(tr("Reference"), m_referenceIndex);
    pick->addRow(tr("Generated"), m_generatedIndex);
    pick->addRow(m_matchEnergy);
    layout->addWidget(pickBox);

    auto* viewBox = new QGroupBox(tr("View"), panel);
    auto* view = new QVBoxLayout(viewBox);
    m_threshold = new QSlider(Qt::Horizontal, viewBox);
    m_threshold->setObjectName(QStringLiteral("threshold"));
    m_threshold->setRange(0, 100);
    m_threshold->setToolTip(tr("Hide hits below this energy (log scale, 0.03–100 MeV; far left: show all)"));
    m_thresholdLabel = new QLabel(viewBox);
    m_thresholdLabel->setObjectName(QStringLiteral("thresholdLabel"));
    m_thresholdLabel->setWordWrap(true);
    view->addWidget(new QLabel(tr("Energy threshold"), viewBox));
    view->addWidget(m_threshold);
    view->addWidget(m_thresholdLabel);
    auto* presets = new QHBoxLayout;
    struct Preset {
        const char* text;
        const char* tip;
        ShowerView::CameraPreset preset;
        Qt::Key key;
    };
    const Preset kPresets[] = {
        { "Front", "Oblique view onto the front face (F)", ShowerView::CameraPreset::Front, Qt::Key_F },
        { "Side", "From the side: depth to the right (S)", ShowerView::CameraPreset::Side, Qt::Key_S },
        { "Beam", "Along the beam, as the photon travels (B)", ShowerView::CameraPreset::AlongBeam, Qt::Key_B },
    };
    for (const auto& p : kPresets) {
        auto* b = new QToolButton(viewBox);
        b->setText(tr(p.text));
        b->setToolTip(tr(p.tip));
        b->setObjectName(QStringLiteral("preset%1").arg(static_cast<int>(p.preset)));
        const auto preset = p.preset;
        connect(b, &QToolButton::clicked, this, [this, preset] { setCameraPreset(preset); });
        auto* sc = new QShortcut(QKeySequence(p.key), this);
        sc->setContext(Qt::WidgetWithChildrenShortcut);
        connect(sc, &QShortcut::activated, this, [this, preset] { setCameraPreset(preset); });
        presets->addWidget(b);
    }
    view->addLayout(presets);
    m_linkCameras = new QCheckBox(tr("&Link cameras"), viewBox);
    m_linkCameras->setObjectName(QStringLiteral("linkCameras"));
    m_linkCameras->setToolTip(tr("Rotate, zoom and pan the reference and generated views together"));
    m_linkCameras->setChecked(true);
    view->addWidget(m_linkCameras);
    auto* exportButton = new QToolButton(viewBox);
    exportButton->setText(tr("E&xport"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    exportButton->setToolTip(tr("Export generated showers, the 3D view or a shower"));
    auto* menu = new QMenu(exportButton);
    const char* const kExports[] = { "Generated showers → HEPGen HDF5…",
        "Generated showers → CaloChallenge "
        "(voxelised)…",
        "Generated showers → CaloClouds layout…", "3D view → PNG…", "Reference shower → VTK .vtp…",
        "Generated shower → VTK .vtp…" };
    for (int i = 0; i < 6; ++i)
        menu->addAction(tr(kExports[i]), this, [this, i] { exportWithDialog(i); });
    exportButton->setMenu(menu);
    view->addWidget(exportButton);
    layout->addWidget(viewBox);
    layout->addStretch(1);

    connect(simulate, &QPushButton::clicked, this, [this] {
        simulateReference(static_cast<std::size_t>(m_simShowers->value()), m_simMin->value(), m_simMax->value(),
            static_cast<std::uint64_t>(m_simSeed->value()));
    });
    connect(baseline, &QPushButton::clicked, this, [this] {
        simulateComparison(static_cast<std::size_t>(m_simShowers->value()), m_simMin->value(), m_simMax->value(),
            static_cast<std::uint64_t>(m_simSeed->value()) + 1);
    });
    connect(compareFile, &QPushButton::clicked, this, [this] {
        QSettings s;
        const QString path = QFileDialog::getOpenFileName(this, tr("Showers to compare"),
            s.value(QStringLiteral("dirs/open")).toString(), tr("Showers (*.h5 *.hdf5 *.hdf);;All files (*)"));
        if (path.isEmpty())
            return;
        s.setValue(QStringLiteral("dirs/open"), QFileInfo(path).absolutePath());
        loadComparison(path);
    });
    connect(m_referenceIndex, qOverload<int>(&QSpinBox::valueChanged), this, [this](int i) { showReferenceShower(i); });
    connect(m_generatedIndex, qOverload<int>(&QSpinBox::valueChanged), this, [this](int i) { showGeneratedShower(i); });
    connect(m_matchEnergy, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("showers/matchEnergy"), on);
        if (on)
            showGeneratedShower(generatedIndex());
    });
    connect(m_threshold, &QSlider::valueChanged, this, [this](int k) { setThresholdPosition(k); });
    connect(m_linkCameras, &QCheckBox::toggled, this, &ShowerWorkspace::setCamerasLinked);
    return panel;
}

QWidget* ShowerWorkspace::buildViews()
{
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("showerTabs"));
    auto* pair = new QSplitter(Qt::Horizontal);
    m_referenceView = new ShowerView(pair);
    m_generatedView = new ShowerView(pair);
    m_referenceView->setObjectName(QStringLiteral("referenceView"));
    m_generatedView->setObjectName(QStringLiteral("generatedView"));
    pair->addWidget(m_referenceView);
    pair->addWidget(m_generatedView);
    m_scrubber = new hepgen::widgets::TrajectoryScrubber;
    m_observables = new hepgen::widgets::ObservablesPanel;
    m_tabs->addTab(pair, tr("3D views"));
    m_tabs->setTabToolTip(0, tr("Reference (left) and generated (right) shower, cameras linked"));
    m_tabs->addTab(m_scrubber, tr("Timestep scrubber"));
    m_tabs->setTabToolTip(1, tr("The sampling trajectory of a generated shower, from noise to shower"));
    m_tabs->addTab(m_observables, tr("Observables"));
    m_tabs->setTabToolTip(2, tr("Histograms, separation powers, W1 and the classifier AUC"));
    for (ShowerView* v : { m_referenceView, m_generatedView })
        v->setCaption(v == m_referenceView ? tr("Reference: none") : tr("Generated: none"));
    return m_tabs;
}

bool ShowerWorkspace::startJob(
    const QString& title, std::function<void(const hepgen::JobControl&)> work, std::function<void()> done)
{
    if (!m_jobs || m_jobs->isRunning()) {
        say(tr("%1: “%2” is still running; wait for it or cancel it first.")
                .arg(title, m_jobs ? m_jobs->title() : tr("a job")),
            true);
        return false;
    }
    return m_jobs->start(title, std::move(work), std::move(done));
}

void ShowerWorkspace::say(const QString& text, bool warning) { Q_EMIT message(text, warning); }

void ShowerWorkspace::setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset)
{
    m_dataset = std::move(dataset);
    if (!m_dataset)
        return;
    const QString source = QString::fromStdString(m_dataset->source);
    if (m_dataset->showers) {
        // Aliasing pointer: the showers live as long as anyone holds them, inside the data set.
        setReference(std::shared_ptr<const Showers>(m_dataset, &*m_dataset->showers), source);
        return;
    }
    const QString why = tr("The loaded data set (%1) is a table, not showers: open a showers file or simulate "
                           "reference showers.")
                            .arg(source);
    // Only the label says so: loading a table is normal, the other workspaces use it.
    m_referenceLabel->setText(m_reference ? describe(*m_reference, m_referenceSource) + "\n\n" + why : why);
}

bool ShowerWorkspace::simulateReference(std::size_t showers, double energyMin, double energyMax, std::uint64_t seed)
{
    QSettings s;
    s.setValue(QStringLiteral("showers/sim/showers"), static_cast<qulonglong>(showers));
    s.setValue(QStringLiteral("showers/sim/min"), energyMin);
    s.setValue(QStringLiteral("showers/sim/max"), energyMax);
    s.setValue(QStringLiteral("showers/sim/seed"), static_cast<qulonglong>(seed));
    hepgen::showers::ShowerSimOptions o;
    o.showers = showers;
    o.energyMin = energyMin;
    o.energyMax = energyMax;
    o.seed = seed;
    auto result = std::make_shared<Showers>();
    return startJob(
        tr("Simulating %1 reference showers").arg(showers),
        [o, result](const hepgen::JobControl& job) { *result = hepgen::showers::simulateShowers(o, job); },
        [this, result, seed] { setReference(result, tr("simulator, seed %1").arg(seed)); });
}

bool ShowerWorkspace::simulateComparison(std::size_t showers, double energyMin, double energyMax, std::uint64_t seed)
{
    hepgen::showers::ShowerSimOptions o;
    o.showers = showers;
    o.energyMin = energyMin;
    o.energyMax = energyMax;
    o.seed = seed;
    auto result = std::make_shared<Showers>();
    return startJob(
        tr("Simulating %1 comparison showers").arg(showers),
        [o, result](const hepgen::JobControl& job) { *result = hepgen::showers::simulateShowers(o, job); },
        [this, result, seed] { setGenerated(result, tr("simulator baseline, seed %1").arg(seed)); });
}

bool ShowerWorkspace::loadComparison(const QString& path)
{
    auto result = std::make_shared<hepgen::data::Dataset>();
    auto trajectory = std::make_shared<std::optional<hepgen::showers::StoredShowerTrajectory>>();
    auto problem = std::make_shared<QString>();
    const std::string file = path.toStdString();
    return startJob(
        tr("Loading %1").arg(QFileInfo(path).fileName()),
        [result, trajectory, problem, file](const hepgen::JobControl&) {
            *result = hepgen::data::readDataset(file);
            if (!result->showers)
                throw ConfigError(file + " holds a table (" + result->format + "), not showers.");
            // The trajectory `hepgen sample --trajectory` stores beside the showers, if any.
            try {
                *trajectory = hepgen::showers::readShowerTrajectory(file);
            } catch (const hepgen::Error& e) {
                *problem = QString::fromStdString(e.what());
            }
            if (*trajectory && (*trajectory)->shower >= result->showers->size()) {
                *problem = QObject::tr("its trajectory names shower %1 of %2.")
                               .arg((*trajectory)->shower)
                               .arg(result->showers->size());
                trajectory->reset();
            }
        },
        [this, result, trajectory, problem, path] {
            std::vector<hepgen::showers::ShowerTrajectory> trajectories;
            QStringList labels;
            if (*trajectory) {
                const auto& t = (*trajectory)->trajectory;
                labels << tr("shower %1 · %2 GeV").arg((*trajectory)->shower).arg(t.incidentEnergy, 0, 'f', 1);
                trajectories.push_back(std::move((*trajectory)->trajectory));
            }
            setGenerated(std::shared_ptr<const Showers>(result, &*result->showers), QFileInfo(path).fileName(),
                std::move(trajectories), labels);
            if (!problem->isEmpty())
                say(tr("Showers: %1 loaded, but its sampling trajectory could not be read: %2")
                        .arg(QFileInfo(path).fileName(), *problem),
                    true);
            else if (*trajectory)
                say(tr("Showers: the sampling trajectory of shower %1 in %2 is in the timestep scrubber.")
                        .arg((*trajectory)->shower)
                        .arg(QFileInfo(path).fileName()));
        });
}

void ShowerWorkspace::setReference(std::shared_ptr<const Showers> showers, const QString& source)
{
    m_reference = std::move(showers);
    m_referenceSource = source;
    m_referenceLabel->setText(m_reference ? describe(*m_reference, source) : tr("None"));
    {
        const QSignalBlocker block(m_referenceIndex);
        m_referenceIndex->setRange(0, m_reference ? std::max<int>(0, static_cast<int>(m_reference->size()) - 1) : 0);
    }
    m_generatorPanel->setReference(m_reference);
    updateGeometry();
    showReferenceShower(m_referenceIndex->value());
    if (m_generated && m_matchEnergy->isChecked())
        showGeneratedShower(generatedIndex());
    m_observables->setEvaluation(nullptr, tr("The reference changed: press Evaluate to compare."));
    updateReady();
    say(tr("Showers: reference is %1 (%2 showers).").arg(source).arg(m_reference ? m_reference->size() : 0));
    Q_EMIT referenceChanged();
}

void ShowerWorkspace::setGenerated(std::shared_ptr<const Showers> showers, const QString& source,
    std::vector<hepgen::showers::ShowerTrajectory> trajectories, const QStringList& labels)
{
    m_generated = std::move(showers);
    m_generatedSource = source;
    m_generatedLabel->setText(m_generated ? describe(*m_generated, source) : tr("None"));
    {
        const QSignalBlocker block(m_generatedIndex);
        m_generatedIndex->setRange(0, m_generated ? std::max<int>(0, static_cast<int>(m_generated->size()) - 1) : 0);
    }
    updateGeometry();
    showGeneratedShower(m_generatedIndex->value());
    if (trajectories.empty())
        m_scrubber->clear();
    else
        m_scrubber->setTrajectories(std::move(trajectories), labels);
    m_observables->setEvaluation(nullptr, tr("The generated showers changed: press Evaluate to compare."));
    updateReady();
    say(tr("Showers: generated side is %1 (%2 showers).").arg(source).arg(m_generated ? m_generated->size() : 0));
    Q_EMIT generatedChanged();
}

void ShowerWorkspace::updateGeometry()
{
    const Showers* s = m_reference ? m_reference.get() : m_generated.get();
    if (!s)
        return;
    // The generated side may carry no layers (a CaloClouds file): draw it in the reference's calorimeter.
    const double w = halfWidthFor(*s);
    for (ShowerView* v : { m_referenceView, m_generatedView, m_scrubber->view() })
        v->setCalorimeter(s->geometry, w);
}

void ShowerWorkspace::updateReady()
{
    if (!m_reference)
        m_observables->setReady(false, tr("Needs reference showers."));
    else if (!m_generated)
        m_observables->setReady(false, tr("Needs generated showers to compare with."));
    else
        m_observables->setReady(true);
}

int ShowerWorkspace::referenceIndex() const { return m_referenceIndex->value(); }
int ShowerWorkspace::generatedIndex() const { return m_generatedIndex->value(); }

namespace {

/// Shows shower `index` (clamped) of `showers` in `view` and sets `picker` to it without a signal; returns the index
/// shown, -1 when there is none.
int showShower(ShowerView* view, QSpinBox* picker, const Showers* showers, int index, const QString& side)
{
    if (!showers || showers->size() == 0) {
        view->clearHits();
        view->setCaption(ShowerWorkspace::tr("%1: none").arg(side));
        return -1;
    }
    index = std::clamp(index, 0, static_cast<int>(showers->size()) - 1);
    {
        const QSignalBlocker block(picker);
        picker->setValue(index);
    }
    const auto i = static_cast<std::size_t>(index);
    view->setHits(showers->points.data() + 4 * showers->offsets[i], showers->hits(i));
    view->setCaption(ShowerWorkspace::tr("%1 · shower %2 · %3 GeV · %4 hits")
                         .arg(side)
                         .arg(index)
                         .arg(showers->incidentEnergy[i], 0, 'f', 1)
                         .arg(showers->hits(i)));
    return index;
}

} // namespace

void ShowerWorkspace::showReferenceShower(int index)
{
    if (showShower(m_referenceView, m_referenceIndex, m_reference.get(), index, tr("Reference")) >= 0)
        updateThresholdLabel();
}

void ShowerWorkspace::showGeneratedShower(int index)
{
    index = showShower(m_generatedView, m_generatedIndex, m_generated.get(), index, tr("Generated"));
    if (index < 0)
        return;
    if (m_reference && m_reference->size() > 0 && m_matchEnergy->isChecked()) {
        const float e = m_generated->incidentEnergy[static_cast<std::size_t>(index)];
        const auto& r = m_reference->incidentEnergy;
        const auto best
            = std::min_element(r.begin(), r.end(), [e](float a, float b) { return std::abs(a - e) < std::abs(b - e); });
        showReferenceShower(static_cast<int>(best - r.begin()));
    }
    updateThresholdLabel();
}

double ShowerWorkspace::thresholdForPosition(int position)
{
    return position <= 0 ? 0.0 : std::pow(10.0, -1.5 + 3.5 * (std::min(position, 100) - 1) / 99.0);
}

void ShowerWorkspace::setThresholdPosition(int position)
{
    position = std::clamp(position, 0, 100);
    if (m_threshold->value() != position) {
        m_threshold->setValue(position); // comes back here through valueChanged
        return;
    }
    const double mev = thresholdForPosition(position);
    for (ShowerView* v : { m_referenceView, m_generatedView, m_scrubber->view() })
        v->setEnergyThreshold(mev);
    QSettings().setValue(QStringLiteral("showers/threshold"), position);
    updateThresholdLabel();
}

void ShowerWorkspace::updateThresholdLabel()
{
    const double mev = thresholdForPosition(m_threshold->value());
    QString text = mev <= 0 ? tr("all hits shown") : tr("E ≥ %1 MeV").arg(mev, 0, 'g', 3);
    auto count
        = [](const ShowerView* v) { return QStringLiteral("%1/%2").arg(v->visibleHits()).arg(v->hits().size() / 4); };
    if (!m_referenceView->hits().empty() || !m_generatedView->hits().empty())
        text += tr(" · hits shown: reference %1, generated %2").arg(count(m_referenceView), count(m_generatedView));
    m_thresholdLabel->setText(text);
}

void ShowerWorkspace::setCameraPreset(ShowerView::CameraPreset preset)
{
    m_referenceView->setCameraPreset(preset);
    if (!m_linkCameras->isChecked())
        m_generatedView->setCameraPreset(preset);
    m_scrubber->view()->setCameraPreset(preset);
}

void ShowerWorkspace::setCamerasLinked(bool on)
{
    {
        const QSignalBlocker block(m_linkCameras);
        m_linkCameras->setChecked(on);
    }
    if (on)
        m_referenceView->linkCamera(m_generatedView);
    else
        m_generatedView->unlinkCamera();
}

bool ShowerWorkspace::showTab(const QString& name)
{
    const QStringList names { QStringLiteral("views"), QStringLiteral("scrubber"), QStringLiteral("observables") };
    const int i = static_cast<int>(names.indexOf(name));
    if (i < 0)
        return false;
    m_tabs->setCurrentIndex(i);
    return true;
}

bool ShowerWorkspace::evaluate(double energyMin, double energyMax, bool classifier)
{
    if (!m_reference || !m_generated) {
        say(tr("Showers: %1")
                .arg(!m_reference ? tr("there are no reference showers to compare with.")
                                  : tr("there are no generated showers to compare.")),
            true);
        return false;
    }
    hepgen::showers::EvaluationOptions o;
    o.energyMin = energyMin;
    o.energyMax = energyMax;
    o.classifier = classifier;
    m_observables->setEnergyRange(energyMin, energyMax);
    m_observables->setClassifier(classifier);
    auto reference = m_reference;
    auto generated = m_generated;
    auto result = std::make_shared<hepgen::showers::ShowerEvaluation>();
    return startJob(
        tr("Comparing showers"),
        [reference, generated, o, result](const hepgen::JobControl& job) {
            *result = hepgen::showers::evaluateShowers(*reference, *generated, o, job);
        },
        [this, result] {
            m_observables->setEvaluation(result);
            const double auc = result->classifierAuc;
            const auto* ratio = result->find("E_vis/E_inc");
            say(tr("Showers compared: %1 reference and %2 generated; separation power of E_vis/E_inc %3%4.")
                    .arg(result->nReference)
                    .arg(result->nGenerated)
                    .arg(ratio ? QString::number(ratio->separationPower, 'f', 4) : tr("n/a"))
                    .arg(std::isfinite(auc) ? tr(", classifier AUC %1").arg(auc, 0, 'f', 3) : QString()));
            Q_EMIT evaluated();
        });
}

} // namespace hepgen::studio
