#include "ShowerGeneratorPanel.h"

#include "ShowerTrainDialog.h"

#include "core/showers/ShowerGenerator.h"
#include "core/util/Error.h"
#include "widgets/JobRunner.h"
#include "widgets/SampleView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <random>

namespace hepgen::studio {

using hepgen::showers::ShowerEpoch;
using hepgen::showers::ShowerGenerator;
using json = nlohmann::json;

namespace {

QString stageName(const std::string& stage)
{
    if (stage == "flow")
        return QObject::tr("Shower flow");
    if (stage == "points")
        return QObject::tr("Point model");
    return QObject::tr("Consistency student");
}

/// What a generator is, in one line for its label (read while no job uses it).
QString describeGenerator(const ShowerGenerator& g)
{
    const json c = g.config();
    const auto [lo, hi] = g.energyRange();
    const json& points = c.at("points").at("model");
    QStringList samplers;
    for (const auto& s : g.samplers())
        samplers << QString::fromStdString(s);
    return QObject::tr("%1 · %2 point model trained as %3 on %4–%5 GeV%6 · samplers %7")
        .arg(QDir(QString::fromStdString(g.directory())).dirName(),
            QString::fromStdString(points.value("network", std::string("?"))),
            QString::fromStdString(points.value("training", std::string("?"))))
        .arg(lo, 0, 'f', 1)
        .arg(hi, 0, 'f', 1)
        .arg(c.value("distilled", false) ? QObject::tr(", distilled") : QString(), samplers.join(QStringLiteral(", ")));
}

} // namespace

ShowerGeneratorPanel::ShowerGeneratorPanel(hepgen::widgets::JobRunner* jobs, StartJob startJob, QWidget* parent)
    : QGroupBox(tr("Shower generator"), parent)
    , m_jobs(jobs)
    , m_startJob(std::move(startJob))
{
    buildUi();
    if (m_jobs) {
        // The panel's own job ending: say in place what happened.
        connect(m_jobs, &hepgen::widgets::JobRunner::failed, this, [this](const QString& title, const QString& text) {
            if (title != m_jobTitle || m_jobTitle.isEmpty())
                return;
            m_jobTitle.clear();
            setStatus(tr("%1: %2").arg(m_failureWhat, text), 2);
            Q_EMIT message(tr("Shower generator · %1: %2").arg(m_failureWhat, text), true);
        });
        connect(m_jobs, &hepgen::widgets::JobRunner::cancelled, this, [this](const QString& title) {
            if (title != m_jobTitle || m_jobTitle.isEmpty())
                return;
            m_jobTitle.clear();
            setStatus(tr("%1: cancelled; the generator in use is unchanged.").arg(title), 1);
        });
        connect(m_jobs, &hepgen::widgets::JobRunner::finished, this, [this](const QString& title) {
            if (title == m_jobTitle)
                m_jobTitle.clear();
        });
        connect(m_jobs, &hepgen::widgets::JobRunner::runningChanged, this, [this] { updateUi(); });
    }
    updateUi();
}

ShowerGeneratorPanel::~ShowerGeneratorPanel() = default;

void ShowerGeneratorPanel::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    m_generatorLabel = new QLabel(tr("None yet: train one on the reference showers, or load a run directory."), this);
    m_generatorLabel->setObjectName(QStringLiteral("generatorLabel"));
    m_generatorLabel->setWordWrap(true);
    layout->addWidget(m_generatorLabel);

    auto* actions = new QHBoxLayout;
    m_train = new QPushButton(tr("&Train…"), this);
    m_train->setObjectName(QStringLiteral("trainGenerator"));
    m_train->setToolTip(tr("Train a shower generator on the reference showers (settings, presets and the run "
                           "directory in the next dialog)"));
    m_load = new QPushButton(tr("L&oad…"), this);
    m_load->setObjectName(QStringLiteral("loadGenerator"));
    m_load->setToolTip(tr("Load a shower generator's run directory (from Train… or `hepgen train --model shower`)"));
    m_distil = new QPushButton(tr("&Distil"), this);
    m_distil->setObjectName(QStringLiteral("distilGenerator"));
    m_distil->setToolTip(tr("Consistency-distil the point model into a 1-step student on the reference showers, "
                            "with the run's distillation settings (edm point models only)"));
    for (QPushButton* b : { m_train, m_load, m_distil }) {
        // The controls column is narrow (the Data dock beside it): the three buttons share its width.
        b->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        actions->addWidget(b);
    }
    layout->addLayout(actions);

    QSettings settings;
    auto* form = new QFormLayout;
    m_energyMode = new QComboBox(this);
    m_energyMode->setObjectName(QStringLiteral("energyMode"));
    m_energyMode->addItem(tr("Reference (one to one)"));
    m_energyMode->addItem(tr("Uniform in a range"));
    m_energyMode->setToolTip(tr("One to one: generated shower i gets reference shower i's incident energy, so the "
                                "observables compare like with like. Range: energies uniform between the bounds"));
    m_count = new QSpinBox(this);
    m_count->setObjectName(QStringLiteral("generateCount"));
    m_count->setRange(1, 1000000);
    m_count->setSingleStep(100);
    m_count->setToolTip(tr("Showers to generate (one to one: at most as many as there are reference showers)"));
    m_energyMin = new QDoubleSpinBox(this);
    m_energyMax = new QDoubleSpinBox(this);
    for (QDoubleSpinBox* s : { m_energyMin, m_energyMax }) {
        s->setRange(0.1, 10000.0);
        s->setDecimals(1);
        s->setSuffix(tr(" GeV"));
        s->setToolTip(tr("Range mode: incident energies uniform between these (the generator refuses energies "
                         "outside its trained range unless extrapolation is allowed)"));
    }
    m_sampler = new QComboBox(this);
    m_sampler->setObjectName(QStringLiteral("sampler"));
    m_sampler->setToolTip(tr("How the point model samples: ddpm/ddim (ddpm-trained), edm-heun (edm), heun/euler/rk4 "
                             "(flow matching), consistency (after Distil: one step)"));
    m_steps = new QSpinBox(this);
    m_steps->setRange(0, 5000);
    m_steps->setSpecialValueText(tr("default"));
    m_steps->setToolTip(tr("Sampler steps (default: the sampler's own, e.g. 18 for edm-heun, 1 for consistency)"));
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1 << 30);
    m_seed->setToolTip(tr("Seed of the generation: the same seed gives the same showers"));
    m_trajectories = new QSpinBox(this);
    m_trajectories->setObjectName(QStringLiteral("trajectories"));
    m_trajectories->setRange(0, 50);
    m_trajectories->setToolTip(tr("Record the sampling trajectory (every step from noise to shower) of the first "
                                  "this many showers, for the timestep scrubber"));
    m_extrapolate = new QCheckBox(tr("Allow extrapolation"), this);
    m_extrapolate->setToolTip(tr("Allow incident energies outside the range the generator was trained on. Without it "
                                 "the generator refuses them; with it they are generated and flagged as "
                                 "extrapolations"));
    for (QComboBox* c : { m_energyMode, m_sampler }) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(8);
    }
    form->addRow(tr("Energies"), m_energyMode);
    form->addRow(tr("Showers"), m_count);
    form->addRow(tr("E_inc from"), m_energyMin);
    form->addRow(tr("to"), m_energyMax);
    form->addRow(tr("Sampler"), m_sampler);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Trajectories"), m_trajectories);
    form->addRow(m_extrapolate);
    layout->addLayout(form);

    m_generate = new QPushButton(tr("&Generate"), this);
    m_generate->setObjectName(QStringLiteral("generate"));
    m_generate->setToolTip(tr("Generate showers with the generator; they become the generated side (F5)"));
    layout->addWidget(m_generate);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("generatorStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    m_loss = new hepgen::widgets::LossView(this);
    m_loss->setObjectName(QStringLiteral("generatorLoss"));
    m_loss->setMinimumSize(150, 170);
    m_loss->setAxisLabels(tr("epoch"), {}, tr("loss"), {});
    m_loss->hide(); // until a training reports its first epoch or a loaded run brings its losses
    m_loss->setToolTip(tr("Training and validation loss per epoch of the stage being trained"));
    layout->addWidget(m_loss);

    GenerateSettings g;
    g.matched = settings.value(QStringLiteral("showers/generate/matched"), true).toBool();
    g.count = settings.value(QStringLiteral("showers/generate/count"), 1000).toInt();
    g.energyMin = settings.value(QStringLiteral("showers/generate/min"), 10.0).toDouble();
    g.energyMax = settings.value(QStringLiteral("showers/generate/max"), 100.0).toDouble();
    g.sampler = settings.value(QStringLiteral("showers/generate/sampler")).toString();
    g.steps = settings.value(QStringLiteral("showers/generate/steps"), 0).toInt();
    g.seed = settings.value(QStringLiteral("showers/generate/seed"), 1).toInt();
    g.trajectories = settings.value(QStringLiteral("showers/generate/trajectories"), 3).toInt();
    g.allowExtrapolation = settings.value(QStringLiteral("showers/generate/extrapolate"), false).toBool();
    setGenerateSettings(g);

    connect(m_energyMode, &QComboBox::currentIndexChanged, this, [this] { updateUi(); });
    connect(m_train, &QPushButton::clicked, this, &ShowerGeneratorPanel::trainWithDialog);
    connect(m_load, &QPushButton::clicked, this, [this] {
        QSettings s;
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Shower generator run directory"),
            s.value(QStringLiteral("showers/generator/lastRun"), QDir::homePath()).toString());
        if (!dir.isEmpty())
            load(dir);
    });
    connect(m_distil, &QPushButton::clicked, this, [this] { distil(); });
    connect(m_generate, &QPushButton::clicked, this, &ShowerGeneratorPanel::generate);
}

ShowerGeneratorPanel::GenerateSettings ShowerGeneratorPanel::generateSettings() const
{
    GenerateSettings g;
    g.matched = m_energyMode->currentIndex() == 0;
    g.count = m_count->value();
    g.energyMin = m_energyMin->value();
    g.energyMax = m_energyMax->value();
    g.sampler = m_sampler->currentIndex() > 0 ? m_sampler->currentText() : QString();
    g.steps = m_steps->value();
    g.seed = m_seed->value();
    g.trajectories = m_trajectories->value();
    g.allowExtrapolation = m_extrapolate->isChecked();
    return g;
}

void ShowerGeneratorPanel::setGenerateSettings(const GenerateSettings& g)
{
    m_energyMode->setCurrentIndex(g.matched ? 0 : 1);
    m_count->setValue(g.count);
    m_energyMin->setValue(g.energyMin);
    m_energyMax->setValue(g.energyMax);
    const int at = g.sampler.isEmpty() ? 0 : m_sampler->findText(g.sampler);
    if (at < 0) {
        m_sampler->addItem(g.sampler); // not (yet) offered: kept, and the generator says why if it is wrong
        m_sampler->setCurrentIndex(m_sampler->count() - 1);
    } else {
        m_sampler->setCurrentIndex(at);
    }
    m_steps->setValue(g.steps);
    m_seed->setValue(g.seed);
    m_trajectories->setValue(g.trajectories);
    m_extrapolate->setChecked(g.allowExtrapolation);
    updateUi();
}

void ShowerGeneratorPanel::rememberSettings() const
{
    const GenerateSettings g = generateSettings();
    QSettings s;
    s.setValue(QStringLiteral("showers/generate/matched"), g.matched);
    s.setValue(QStringLiteral("showers/generate/count"), g.count);
    s.setValue(QStringLiteral("showers/generate/min"), g.energyMin);
    s.setValue(QStringLiteral("showers/generate/max"), g.energyMax);
    s.setValue(QStringLiteral("showers/generate/sampler"), g.sampler);
    s.setValue(QStringLiteral("showers/generate/steps"), g.steps);
    s.setValue(QStringLiteral("showers/generate/seed"), g.seed);
    s.setValue(QStringLiteral("showers/generate/trajectories"), g.trajectories);
    s.setValue(QStringLiteral("showers/generate/extrapolate"), g.allowExtrapolation);
}

void ShowerGeneratorPanel::setReference(std::shared_ptr<const hepgen::data::Showers> showers)
{
    m_reference = std::move(showers);
    updateUi();
}

void ShowerGeneratorPanel::updateUi()
{
    const bool busy = m_jobs && m_jobs->isRunning();
    const bool haveReference = m_reference && m_reference->size() > 0;
    const bool edm = m_distil->property("edm").toBool();
    m_train->setEnabled(!busy && haveReference);
    m_load->setEnabled(!busy);
    m_distil->setEnabled(!busy && m_generator && edm && haveReference);
    m_generate->setEnabled(!busy && m_generator);
    const bool range = m_energyMode->currentIndex() == 1;
    m_energyMin->setEnabled(range);
    m_energyMax->setEnabled(range);
    m_train->setToolTip(haveReference
            ? tr("Train a shower generator on the %1 reference showers (settings, presets "
                 "and the run directory in the next dialog)")
                  .arg(m_reference->size())
            : tr("Needs reference showers to train on: open a showers file or simulate them"));
    if (m_generator && !edm)
        m_distil->setToolTip(tr("Only a point model trained as edm can be distilled to one step"));
}

void ShowerGeneratorPanel::setStatus(const QString& text, int level)
{
    static const char* const kColours[] = { "", "color: #a05a00", "color: #b00020" };
    m_status->setStyleSheet(QString::fromLatin1(kColours[std::clamp(level, 0, 2)]));
    m_status->setText(text);
}

void ShowerGeneratorPanel::setGenerator(std::shared_ptr<ShowerGenerator> generator, const QString& how)
{
    m_generator = std::move(generator);
    if (!m_generator)
        return;
    // Read what the UI needs now, while no job uses the generator (distillation later changes it on a worker).
    const json c = m_generator->config();
    m_distil->setProperty("edm", c.at("points").at("model").value("training", std::string()) == "edm");
    m_generatorLabel->setText(describeGenerator(*m_generator));
    m_generatorLabel->setToolTip(QString::fromStdString(m_generator->directory()));
    const QString chosen = generateSettings().sampler;
    {
        const QSignalBlocker block(m_sampler);
        m_sampler->clear();
        m_sampler->addItem(tr("default (%1)").arg(QString::fromStdString(m_generator->samplers().front())));
        for (const auto& s : m_generator->samplers())
            m_sampler->addItem(QString::fromStdString(s));
        m_sampler->setCurrentIndex(std::max(0, chosen.isEmpty() ? 0 : m_sampler->findText(chosen)));
    }
    const auto [lo, hi] = m_generator->energyRange();
    if (m_energyMin->value() < lo || m_energyMax->value() > hi || m_energyMin->value() > m_energyMax->value()) {
        m_energyMin->setValue(lo);
        m_energyMax->setValue(hi);
    }
    QSettings().setValue(QStringLiteral("showers/generator/lastRun"), QString::fromStdString(m_generator->directory()));
    setStatus(tr("Generator %1: %2.").arg(how, QString::fromStdString(m_generator->directory())));
    Q_EMIT message(tr("Shower generator %1: %2").arg(how, m_generatorLabel->text()), false);
    updateUi();
    Q_EMIT generatorChanged();
}

bool ShowerGeneratorPanel::refuseWhileBusy(const QString& what)
{
    // Checked before anything reads the generator: a running distillation changes it on the worker thread.
    if (!m_jobs || !m_jobs->isRunning())
        return false;
    const QString text = tr("%1: “%2” is still running; wait for it or cancel it first.").arg(what, m_jobs->title());
    setStatus(text, 1);
    Q_EMIT message(tr("Shower generator · %1").arg(text), true);
    return true;
}

bool ShowerGeneratorPanel::startJob(const QString& title, const QString& failureWhat,
    std::function<void(const hepgen::JobControl&)> work, std::function<void()> done)
{
    if (!m_startJob(title, std::move(work), std::move(done))) {
        setStatus(tr("%1: another job is running; wait for it or cancel it first.").arg(title), 1);
        return false;
    }
    m_jobTitle = title;
    m_failureWhat = failureWhat;
    setStatus(tr("%1 …").arg(title));
    return true;
}

std::function<void(const ShowerEpoch&)> ShowerGeneratorPanel::epochRelay()
{
    QPointer<ShowerGeneratorPanel> self(this);
    return [self](const ShowerEpoch& e) {
        // From the worker thread: the panel draws it on the UI thread (dropped if the panel is gone).
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, e] {
                if (self)
                    self->addEpoch(e);
            });
    };
}

void ShowerGeneratorPanel::addEpoch(const ShowerEpoch& e)
{
    const QString stage = stageName(e.stage);
    if (stage != m_lossStage || m_lossFreshRun) {
        m_lossFreshRun = false;
        m_lossStage = stage;
        m_loss->clear();
        m_loss->setAxisLabels(tr("epoch"), {}, tr("%1 loss").arg(stage), {});
    }
    m_loss->addEpoch(static_cast<double>(e.epoch), e.trainLoss, e.validationLoss);
    m_loss->show();
    QString text = tr("Shower generator · %1 · epoch %2/%3: training loss %4")
                       .arg(stage)
                       .arg(e.epoch)
                       .arg(e.epochs)
                       .arg(e.trainLoss, 0, 'g', 5);
    if (std::isfinite(e.validationLoss))
        text += tr(", validation loss %1").arg(e.validationLoss, 0, 'g', 5);
    Q_EMIT message(text, false);
}

namespace {

/// The job's control with the current stage named in front of the trainer's messages ("Point model · epoch 3/20,
/// loss …"); `stage` is updated by the epoch callback on the same worker thread.
hepgen::JobControl namedStages(const hepgen::JobControl& job, std::shared_ptr<QString> stage)
{
    return hepgen::JobControl(
        [job, stage](double f, const std::string& m) { job.report(f, (*stage + " · ").toStdString() + m); },
        [job] { return job.stopRequested(); });
}

} // namespace

bool ShowerGeneratorPanel::train(const QString& runDirectory, const json& config)
{
    if (refuseWhileBusy(tr("Train")))
        return false;
    if (!m_reference || m_reference->size() == 0) {
        setStatus(tr("Train: there are no reference showers to train on; open a showers file or simulate them."), 2);
        return false;
    }
    hepgen::showers::ShowerGeneratorConfig settings;
    try {
        settings = hepgen::showers::ShowerGeneratorConfig::read(config);
    } catch (const hepgen::Error& e) {
        setStatus(tr("Train: %1").arg(QString::fromStdString(e.what())), 2);
        return false;
    }
    const auto reference = m_reference;
    const std::string dir = runDirectory.toStdString();
    const auto relay = epochRelay();
    auto result = std::make_shared<std::shared_ptr<ShowerGenerator>>();
    const bool started = startJob(
        tr("Training a shower generator"), tr("Training failed"),
        [reference, settings, dir, relay, result](const hepgen::JobControl& job) {
            auto stage = std::make_shared<QString>(stageName("flow"));
            *result = ShowerGenerator::train(
                *reference, settings, dir, namedStages(job, stage), [stage, relay](const ShowerEpoch& e) {
                    *stage = e.stage == "flow" && e.epoch >= e.epochs ? stageName("points") : stageName(e.stage);
                    relay(e);
                });
        },
        [this, result] { setGenerator(*result, tr("trained")); });
    if (started)
        m_lossFreshRun = true;
    return started;
}

void ShowerGeneratorPanel::trainWithDialog()
{
    if (!m_reference || m_reference->size() == 0) {
        train({}, json::object()); // says why
        return;
    }
    ShowerTrainDialog dialog(m_reference->size(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    train(dialog.runDirectory(), dialog.config());
}

bool ShowerGeneratorPanel::load(const QString& runDirectory)
{
    if (refuseWhileBusy(tr("Load generator")))
        return false;
    // The common mistakes said at once, without a job: no directory, or one that holds no shower generator.
    const QDir dir(runDirectory);
    const QString config = dir.filePath(QStringLiteral("config.json"));
    QString problem;
    if (!dir.exists())
        problem = tr("%1 does not exist.").arg(runDirectory);
    else if (!QFileInfo::exists(config))
        problem = tr("%1 is not a shower generator's run directory: it has no config.json. Choose a directory "
                     "written by Train… or by `hepgen train --model shower`.")
                      .arg(runDirectory);
    else {
        QFile f(config);
        const json j = f.open(QIODevice::ReadOnly) ? json::parse(f.readAll().toStdString(), nullptr, false) : json();
        if (!j.is_object() || j.value("kind", std::string()) != "hepgen-shower-generator")
            problem = tr("%1 is not a shower generator's run directory: its config.json describes %2. Table models "
                         "open in the Model lab (Load run…).")
                          .arg(runDirectory,
                              j.is_object() && j.contains("family")
                                  ? tr("a %1 model").arg(QString::fromStdString(j.value("family", std::string())))
                                  : tr("something else"));
    }
    if (!problem.isEmpty()) {
        setStatus(tr("Load generator: %1").arg(problem), 2);
        Q_EMIT message(tr("Shower generator · Load generator: %1").arg(problem), true);
        return false;
    }
    const std::string path = runDirectory.toStdString();
    auto result = std::make_shared<std::shared_ptr<ShowerGenerator>>();
    return startJob(
        tr("Loading the shower generator %1").arg(dir.dirName()), tr("Load generator"),
        [path, result](const hepgen::JobControl&) { *result = ShowerGenerator::load(path); },
        [this, result] {
            setGenerator(*result, tr("loaded"));
            showRecordedLosses();
        });
}

void ShowerGeneratorPanel::showRecordedLosses()
{
    // metrics.json of the run: per stage, one entry per epoch. The plot shows the last stage trained.
    QFile f(QDir(QString::fromStdString(m_generator->directory())).filePath(QStringLiteral("metrics.json")));
    const json m = f.open(QIODevice::ReadOnly) ? json::parse(f.readAll().toStdString(), nullptr, false) : json();
    m_lossStage.clear();
    m_loss->clear();
    if (!m.is_object())
        return;
    for (const char* stage : { "student", "points", "flow" }) {
        if (!m.contains(stage) || !m.at(stage).is_array() || m.at(stage).empty())
            continue;
        m_lossStage = stageName(stage);
        m_loss->setAxisLabels(tr("epoch"), {}, tr("%1 loss").arg(m_lossStage), {});
        for (const auto& e : m.at(stage)) {
            if (!e.is_object() || !e.value("epoch", json()).is_number() || !e.value("train_loss", json()).is_number())
                continue;
            const json v = e.value("validation_loss", json());
            m_loss->addEpoch(e.at("epoch").get<double>(), e.at("train_loss").get<double>(),
                v.is_number() ? v.get<double>() : std::nan(""));
        }
        m_loss->setVisible(m_loss->points() > 0);
        return;
    }
}

bool ShowerGeneratorPanel::distil(const json& config)
{
    if (refuseWhileBusy(tr("Distil")))
        return false;
    if (!m_generator) {
        setStatus(tr("Distil: train or load a generator first."), 2);
        return false;
    }
    if (!m_distil->property("edm").toBool()) {
        setStatus(tr("Distil: only a point model trained as edm can be distilled to one step; this one was trained "
                     "differently (see the generator line above)."),
            2);
        return false;
    }
    if (!m_reference || m_reference->size() == 0) {
        setStatus(tr("Distil: the student learns on the reference showers; there are none."), 2);
        return false;
    }
    const auto generator = m_generator;
    const auto reference = m_reference;
    const auto relay = epochRelay();
    const bool started = startJob(
        tr("Distilling the shower generator"), tr("Distillation failed"),
        [generator, reference, config, relay](const hepgen::JobControl& job) {
            auto stage = std::make_shared<QString>(stageName("student"));
            generator->distill(*reference, config, namedStages(job, stage), relay);
        },
        [this] {
            setGenerator(m_generator, tr("distilled (1-step sampler “consistency”)"));
            m_sampler->setCurrentIndex(std::max(0, m_sampler->findText(QStringLiteral("consistency"))));
        });
    if (started)
        m_lossFreshRun = true;
    return started;
}

bool ShowerGeneratorPanel::generate()
{
    if (refuseWhileBusy(tr("Generate")))
        return false;
    if (!m_generator) {
        setStatus(tr("Generate: train or load a generator first."), 2);
        return false;
    }
    const GenerateSettings g = generateSettings();
    rememberSettings();
    hepgen::showers::ShowerSampleRequest r;
    if (g.matched) {
        if (!m_reference || m_reference->size() == 0) {
            setStatus(tr("Generate: “Reference (one to one)” needs reference showers; choose a range instead."), 2);
            return false;
        }
        const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(g.count), m_reference->size());
        r.incidentEnergy.assign(
            m_reference->incidentEnergy.begin(), m_reference->incidentEnergy.begin() + static_cast<std::ptrdiff_t>(n));
    } else {
        if (!(g.energyMin > 0 && g.energyMax >= g.energyMin)) {
            setStatus(tr("Generate: the energy range %1–%2 GeV is empty.").arg(g.energyMin).arg(g.energyMax), 2);
            return false;
        }
        // Uniform energies from a stream apart from the showers' own, as `hepgen sample --energy-range` draws them,
        // so the same seed gives the same showers here and on the command line.
        std::mt19937_64 rng(static_cast<std::uint64_t>(g.seed) ^ 0xE4E4E4E4ULL);
        std::uniform_real_distribution<double> u(g.energyMin, g.energyMax);
        for (int i = 0; i < g.count; ++i)
            r.incidentEnergy.push_back(u(rng));
    }
    r.sampler = g.sampler.toStdString();
    r.steps = g.steps;
    r.seed = static_cast<std::uint64_t>(g.seed);
    r.allowExtrapolation = g.allowExtrapolation;
    for (std::size_t k = 0;
         k < std::min<std::size_t>(static_cast<std::size_t>(g.trajectories), r.incidentEnergy.size()); ++k)
        r.trajectoryOf.push_back(k);
    const std::size_t n = r.incidentEnergy.size();
    const auto generator = m_generator;
    auto result = std::make_shared<hepgen::showers::ShowerSampleResult>();
    const QString sampler = g.sampler.isEmpty() ? QString::fromStdString(m_generator->samplers().front()) : g.sampler;
    const QString source = tr("generator %1 (%2%3, seed %4%5)")
                               .arg(QDir(QString::fromStdString(m_generator->directory())).dirName(), sampler,
                                   g.steps > 0 ? tr(", %1 steps").arg(g.steps) : QString())
                               .arg(g.seed)
                               .arg(g.matched ? tr(", reference energies") : QString());
    return startJob(
        tr("Generating %1 showers").arg(n), tr("Generate refused"),
        [generator, r, result](const hepgen::JobControl& job) { *result = generator->sample(r, job); },
        [this, result, source, n] {
            QStringList warnings;
            for (const auto& w : result->warnings)
                warnings << QString::fromStdString(w);
            if (!warnings.isEmpty()) {
                setStatus(
                    tr("Generated %1 showers, with a warning: %2").arg(n).arg(warnings.join(QStringLiteral(" "))), 1);
                for (const QString& w : warnings)
                    Q_EMIT message(tr("Shower generator: %1").arg(w), true);
            } else {
                setStatus(tr("Generated %1 showers in %2 s; %3 trajectories recorded.")
                              .arg(n)
                              .arg(result->seconds, 0, 'f', 1)
                              .arg(result->trajectories.size()));
            }
            auto showers = std::make_shared<const hepgen::data::Showers>(std::move(result->showers));
            Q_EMIT generated(showers, source, std::move(result->trajectories));
        });
}

} // namespace hepgen::studio
