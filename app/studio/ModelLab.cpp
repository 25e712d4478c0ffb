#include "ModelLab.h"

#include "core/data/Dataset.h"
#include "core/data/Toy2D.h"
#include "core/models/ModelFactory.h"
#include "core/training/Lab.h"
#include "core/util/Error.h"
#include "widgets/ConfigForm.h"
#include "widgets/JobRunner.h"
#include "widgets/SampleView.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <chrono>
#include <cmath>
#include <thread>

namespace hepgen::studio {

using hepgen::training::LabFrame;
using hepgen::training::LabSession;

/// What the UI, the training worker and the preview thread share.
struct ModelLab::Shared {
    std::atomic<bool> previewBusy { false };
    std::atomic<bool> pauseRequested { false };
    std::atomic<bool> stopRequested { false };
    std::atomic<bool> closing { false };
    hepgen::training::LabFrameRequest request; ///< written by the UI before a job starts, read by the job
};

namespace {

const char* const kTableSource = "table";

/// Up to `limit` events of two columns of a table, as x,y pairs.
std::vector<float> twoColumns(const hepgen::data::Table& t, int cx, int cy, std::size_t limit)
{
    std::vector<float> out;
    const std::size_t n = std::min(limit, t.rows());
    const std::size_t stride = std::max<std::size_t>(1, t.rows() / std::max<std::size_t>(1, n));
    for (std::size_t r = 0; r < t.rows() && out.size() < 2 * n; r += stride) {
        out.push_back(t.values[r * t.cols() + static_cast<std::size_t>(cx)]);
        out.push_back(t.values[r * t.cols() + static_cast<std::size_t>(cy)]);
    }
    return out;
}

/// The 2D frame around the data: the 0.5 % and 99.5 % quantiles widened by a quarter on each side.
hepgen::training::LabGrid gridAround(const std::vector<float>& xy)
{
    hepgen::training::LabGrid g;
    if (xy.size() < 4)
        return g;
    for (int c = 0; c < 2; ++c) {
        std::vector<float> v;
        for (std::size_t i = static_cast<std::size_t>(c); i < xy.size(); i += 2)
            if (std::isfinite(v.emplace_back(xy[i])) == false)
                v.pop_back();
        std::sort(v.begin(), v.end());
        const double lo = v[static_cast<std::size_t>(0.005 * (v.size() - 1))];
        const double hi = v[static_cast<std::size_t>(0.995 * (v.size() - 1))];
        const double pad = 0.25 * std::max(hi - lo, 1e-6);
        (c == 0 ? g.xMin : g.yMin) = lo - pad;
        (c == 0 ? g.xMax : g.yMax) = hi + pad;
    }
    return g;
}

QString stateText(ModelLab::State s)
{
    switch (s) {
    case ModelLab::State::Idle: return QObject::tr("No run yet");
    case ModelLab::State::Running: return QObject::tr("Training");
    case ModelLab::State::Paused: return QObject::tr("Paused");
    case ModelLab::State::Finished: return QObject::tr("Finished");
    }
    return {};
}

} // namespace

ModelLab::ModelLab(hepgen::widgets::JobRunner* jobs, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_shared(std::make_shared<Shared>())
    , m_runs(new RunListModel(this))
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    auto* scroll = new QScrollArea(splitter);
    scroll->setWidget(buildControls());
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(340);
    splitter->addWidget(scroll);
    splitter->addWidget(buildViews());
    splitter->setStretchFactor(1, 1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);

    // Shortcuts only while the lab is the visible workspace.
    auto shortcut = [this](const QKeySequence& keys, auto fn) {
        auto* s = new QShortcut(keys, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, fn);
    };
    shortcut(QKeySequence(Qt::Key_F5), [this] { start(); });
    shortcut(QKeySequence(Qt::Key_F6), [this] { pause(); });
    shortcut(QKeySequence(Qt::Key_F10), [this] { step(); });
    shortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5), [this] { stop(); });
    connect(m_jobs, &hepgen::widgets::JobRunner::runningChanged, this, [this] { updateButtons(); });

    QSettings s;
    m_events->setValue(s.value(QStringLiteral("lab/events"), 20000).toInt());
    m_ensemble->setValue(s.value(QStringLiteral("lab/ensemble"), 1).toInt());
    setDataSource(s.value(QStringLiteral("lab/source"), QStringLiteral("8gaussians")).toString());
    {
        const QSignalBlocker block(m_family); // no "remember the previous family's form" while building
        setFamily(s.value(QStringLiteral("lab/family"), QStringLiteral("flow-rqs")).toString());
    }
    rebuildForms();
    updateButtons();
}

ModelLab::~ModelLab()
{
    rememberSettings();
    m_shared->closing = true;
    m_shared->pauseRequested = true;
    if (m_jobs && m_jobs->isRunning() && m_state == State::Running)
        m_jobs->cancelAndWait();
    // A preview thread posts to this object: let it finish before the object goes.
    while (m_shared->previewBusy)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

QWidget* ModelLab::buildControls()
{
    auto* panel = new QWidget;
    auto* v = new QVBoxLayout(panel);

    auto* data = new QGroupBox(tr("Data"), panel);
    auto* df = new QFormLayout(data);
    m_source = new QComboBox(data);
    for (const auto& name : hepgen::data::toy2DShapeNames())
        m_source->addItem(tr("Toy: %1").arg(QString::fromStdString(name)), QString::fromStdString(name));
    m_source->addItem(tr("Loaded table"), QString::fromLatin1(kTableSource));
    m_source->setToolTip(tr("A 2D toy distribution generated here, or columns of the table loaded in the Data panel."));
    m_events = new QSpinBox(data);
    m_events->setObjectName(QStringLiteral("events"));
    m_events->setRange(500, 1000000);
    m_events->setSingleStep(5000);
    m_events->setToolTip(tr("Events of the toy distribution (training and validation together)."));
    m_columns = new QListWidget(data);
    m_columns->setToolTip(tr("Columns of the loaded table to model; the first two checked are drawn."));
    m_columns->setMaximumHeight(110);
    df->addRow(tr("Source"), m_source);
    df->addRow(tr("Events"), m_events);
    df->addRow(tr("Columns"), m_columns);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        const bool table = m_source->currentData().toString() == QLatin1String(kTableSource);
        m_events->setEnabled(!table);
        m_columns->setEnabled(table);
    });
    v->addWidget(data);

    auto* model = new QGroupBox(tr("Model"), panel);
    auto* mv = new QVBoxLayout(model);
    m_family = new QComboBox(model);
    for (const auto& f : hepgen::models::familyTable()) {
        m_family->addItem(QString::fromStdString(f.name), QString::fromStdString(f.name));
        m_family->setItemData(m_family->count() - 1, QString::fromStdString(f.description), Qt::ToolTipRole);
    }
    m_family->setToolTip(tr("The generative family; hover an entry for what it is."));
    connect(m_family, &QComboBox::currentIndexChanged, this, [this] {
        rememberSettings(); // the previous family's form, under its own name
        rebuildForms();
    });
    mv->addWidget(m_family);
    auto* ensembleRow = new QHBoxLayout;
    ensembleRow->addWidget(new QLabel(tr("Ensemble members"), model));
    m_ensemble = new QSpinBox(model);
    m_ensemble->setObjectName(QStringLiteral("ensemble"));
    m_ensemble->setRange(1, 10);
    m_ensemble->setToolTip(tr("Train this many independently initialised copies of the model (a deep ensemble), "
                              "each on its own bootstrap of every batch; samples come from the mixture and "
                              "densities are the mixture's. 1: a single model."));
    ensembleRow->addWidget(m_ensemble);
    mv->addLayout(ensembleRow);
    m_modelForm = new hepgen::widgets::ConfigForm(model);
    mv->addWidget(m_modelForm);
    v->addWidget(model);

    auto* training = new QGroupBox(tr("Training"), panel);
    auto* tv = new QVBoxLayout(training);
    m_trainerForm = new hepgen::widgets::ConfigForm(training);
    tv->addWidget(m_trainerForm);
    v->addWidget(training);

    auto* buttons = new QGridLayout;
    m_startButton = new QPushButton(tr("Start"), panel);
    m_startButton->setToolTip(tr("Start a new run, or resume a paused one (F5)"));
    m_pauseButton = new QPushButton(tr("Pause"), panel);
    m_pauseButton->setToolTip(tr("Pause after the current step (F6)"));
    m_stepButton = new QPushButton(tr("Step"), panel);
    m_stepButton->setToolTip(tr("Train exactly one optimiser step, then show the model (F10)"));
    m_stopButton = new QPushButton(tr("Stop"), panel);
    m_stopButton->setToolTip(tr("End the run; its checkpoint stays in its run directory (Shift+F5)"));
    connect(m_startButton, &QPushButton::clicked, this, [this] { start(); });
    connect(m_pauseButton, &QPushButton::clicked, this, &ModelLab::pause);
    connect(m_stepButton, &QPushButton::clicked, this, [this] { step(); });
    connect(m_stopButton, &QPushButton::clicked, this, &ModelLab::stop);
    buttons->addWidget(m_startButton, 0, 0);
    buttons->addWidget(m_pauseButton, 0, 1);
    buttons->addWidget(m_stepButton, 1, 0);
    buttons->addWidget(m_stopButton, 1, 1);
    auto* save = new QPushButton(tr("Save run…"), panel);
    save->setToolTip(tr("Copy the current run (config, checkpoint, metrics) to a directory"));
    connect(save, &QPushButton::clicked, this, &ModelLab::saveWithDialog);
    auto* load = new QPushButton(tr("Load run…"), panel);
    load->setToolTip(tr("Open a run directory written by the lab or by hepgen train, to view and sample it"));
    connect(load, &QPushButton::clicked, this, &ModelLab::loadWithDialog);
    buttons->addWidget(save, 2, 0);
    buttons->addWidget(load, 2, 1);
    v->addLayout(buttons);
    m_status = new QLabel(panel);
    m_status->setWordWrap(true);
    v->addWidget(m_status);

    m_runView = new QTableView(panel);
    m_runView->setModel(m_runs);
    m_runView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runView->verticalHeader()->hide();
    m_runView->horizontalHeader()->setStretchLastSection(true);
    m_runView->setToolTip(tr("Runs of this session; double-click one to view it"));
    m_runView->setMinimumHeight(110);
    connect(m_runView, &QTableView::doubleClicked, this,
        [this](const QModelIndex& i) { loadRun(m_runs->entry(i.row()).directory); });
    v->addWidget(new QLabel(tr("Runs"), panel));
    v->addWidget(m_runView);
    v->addStretch(1);
    return panel;
}

QWidget* ModelLab::buildViews()
{
    auto* views = new QWidget;
    auto* grid = new QGridLayout(views);
    grid->setContentsMargins(0, 0, 0, 0);
    m_samplesView = new hepgen::widgets::SampleView(views);
    m_lossView = new hepgen::widgets::LossView(views);
    m_xtView = new hepgen::widgets::SampleView(views);
    m_x0View = new hepgen::widgets::SampleView(views);
    m_samplesView->showMessage(tr("Press Start to train"));
    grid->addWidget(m_samplesView, 0, 0);
    grid->addWidget(m_lossView, 0, 1);
    grid->addWidget(m_xtView, 1, 0);
    grid->addWidget(m_x0View, 1, 1);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Show"), views));
    m_fieldChoice = new QComboBox(views);
    m_fieldChoice->setToolTip(tr("The model's diagnostic drawn under the samples"));
    m_fieldChoice->addItem(tr("no diagnostic"), QString());
    connect(m_fieldChoice, &QComboBox::currentIndexChanged, this, [this] {
        const QString name = m_fieldChoice->currentData().toString();
        const hepgen::training::LabField* field = nullptr;
        if (m_frame)
            for (const auto& f : m_frame->fields)
                if (QString::fromStdString(f.name) == name)
                    field = &f;
        m_samplesView->setField(field);
    });
    bar->addWidget(m_fieldChoice);
    bar->addSpacing(16);
    m_play = new QToolButton(views);
    m_play->setText(tr("Play"));
    m_play->setCheckable(true);
    m_play->setToolTip(tr("Play the sampling trajectory from noise to data (loops)"));
    bar->addWidget(m_play);
    m_trajectory = new QSlider(Qt::Horizontal, views);
    m_trajectory->setToolTip(tr("Sampling step: left is the prior's noise, right the final sample (arrow keys step)"));
    m_trajectory->setEnabled(false);
    bar->addWidget(m_trajectory, 1);
    m_trajectoryLabel = new QLabel(tr("no trajectory"), views);
    m_trajectoryLabel->setMinimumWidth(190);
    bar->addWidget(m_trajectoryLabel);
    grid->addLayout(bar, 2, 0, 1, 2);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

    m_playTimer = new QTimer(this);
    m_playTimer->setInterval(40);
    connect(m_playTimer, &QTimer::timeout, this, [this] {
        const int next = m_trajectory->value() + std::max(1, (m_trajectory->maximum() + 1) / 100);
        m_trajectory->setValue(next > m_trajectory->maximum() ? 0 : next);
    });
    connect(m_play, &QToolButton::toggled, this, [this](bool on) { on ? m_playTimer->start() : m_playTimer->stop(); });
    connect(m_trajectory, &QSlider::valueChanged, this, &ModelLab::showTrajectoryFrame);
    m_xtView->showMessage(tr("x_t"));
    m_x0View->showMessage(tr("predicted x₀"));
    return views;
}

void ModelLab::setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset)
{
    m_dataset = std::move(dataset);
    m_columns->clear();
    const bool table = m_dataset && m_dataset->table && m_dataset->table->cols() >= 1;
    const int index = m_source->findData(QString::fromLatin1(kTableSource));
    if (!table) {
        if (m_source->currentIndex() == index)
            m_source->setCurrentIndex(0);
        return;
    }
    int checked = 0;
    for (const auto& c : m_dataset->table->columns) {
        auto* item = new QListWidgetItem(QString::fromStdString(c), m_columns);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked++ < 2 ? Qt::Checked : Qt::Unchecked);
    }
}

qint64 ModelLab::totalSteps() const { return m_session ? m_session->totalSteps() : 0; }

bool ModelLab::setFamily(const QString& family)
{
    const int i = m_family->findData(family);
    if (i < 0)
        return false;
    m_family->setCurrentIndex(i);
    return true;
}

bool ModelLab::setDataSource(const QString& source)
{
    const int i = m_source->findData(source);
    if (i < 0)
        return false;
    m_source->setCurrentIndex(i);
    return true;
}

void ModelLab::rebuildForms()
{
    const std::string family = m_family->currentData().toString().toStdString();
    nlohmann::json defaults;
    try {
        defaults = hepgen::models::makeModel(family, { 2, 0 })->config();
    } catch (const std::exception& e) {
        Q_EMIT message(tr("Cannot build the settings of %1: %2").arg(QString::fromStdString(family), e.what()), true);
    }
    m_modelForm->setConfig(defaults, family);
    m_formFamily = QString::fromStdString(family);
    m_trainerForm->setConfig(hepgen::training::TrainerConfig().toJson(), "trainer");
    QSettings s;
    for (auto [form, key] : { std::pair { m_modelForm, QStringLiteral("lab/model/") + QString::fromStdString(family) },
             std::pair { m_trainerForm, QStringLiteral("lab/trainer") } }) {
        const auto saved = nlohmann::json::parse(s.value(key).toString().toStdString(), nullptr, false);
        if (saved.is_object())
            for (const auto& [k, value] : saved.items())
                form->setValue(k, value);
    }
}

void ModelLab::rememberSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("lab/source"), m_source->currentData());
    s.setValue(QStringLiteral("lab/family"), m_family->currentData());
    s.setValue(QStringLiteral("lab/events"), m_events->value());
    s.setValue(QStringLiteral("lab/ensemble"), m_ensemble->value());
    if (m_modelForm->invalidFields().isEmpty() && !m_formFamily.isEmpty())
        s.setValue(QStringLiteral("lab/model/") + m_formFamily, QString::fromStdString(m_modelForm->values().dump()));
    if (m_trainerForm->invalidFields().isEmpty())
        s.setValue(QStringLiteral("lab/trainer"), QString::fromStdString(m_trainerForm->values().dump()));
}

void ModelLab::setState(State s)
{
    m_state = s;
    m_current.status = stateText(s);
    if (!m_current.directory.isEmpty())
        m_runs->upsert(m_current);
    updateButtons();
    Q_EMIT stateChanged(s);
}

void ModelLab::updateButtons()
{
    const bool busy = m_jobs && m_jobs->isRunning();
    const bool running = m_state == State::Running;
    const bool trainable = m_session && m_session->canTrain() && m_state == State::Paused;
    m_startButton->setText(m_state == State::Paused ? tr("Resume") : tr("Start"));
    m_startButton->setEnabled(!busy);
    m_stepButton->setEnabled(!busy && (trainable || m_state != State::Paused));
    m_pauseButton->setEnabled(running);
    m_stopButton->setEnabled(running || m_state == State::Paused);
    m_family->setEnabled(!running && m_state != State::Paused);
    m_ensemble->setEnabled(!running && m_state != State::Paused);
    m_modelForm->setEnabled(!running && m_state != State::Paused);
    m_trainerForm->setEnabled(!running && m_state != State::Paused);
    QString text = stateText(m_state);
    if (m_session)
        text += tr(" · step %1 of %2").arg(m_step).arg(m_session->totalSteps());
    if (busy && !running)
        text += tr(" · waiting for “%1”").arg(m_jobs->title());
    m_status->setText(text);
}

QString ModelLab::newRunDirectory(const QString& family) const
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"));
    return QDir(base).filePath(QStringLiteral("runs/%1-%2").arg(stamp, family));
}

bool ModelLab::start()
{
    if (m_state == State::Running)
        return false;
    return launch(0);
}

bool ModelLab::step() { return m_state != State::Running && launch(1); }

void ModelLab::pause()
{
    if (m_state == State::Running)
        m_shared->pauseRequested = true;
}

void ModelLab::stop()
{
    if (m_state == State::Running) {
        m_shared->stopRequested = true;
        m_shared->pauseRequested = true;
    } else if (m_state == State::Paused) {
        setState(State::Finished);
        Q_EMIT message(
            tr("Run stopped at step %1; its checkpoint is in %2").arg(m_step).arg(m_current.directory), false);
    }
}

bool ModelLab::newRunRequest(
    hepgen::training::RunRequest& request, hepgen::data::Table& table, std::vector<float>& reference)
{
    const QStringList bad = m_modelForm->invalidFields() + m_trainerForm->invalidFields();
    if (!bad.isEmpty()) {
        Q_EMIT message(tr("These settings do not parse: %1").arg(bad.join(QStringLiteral(", "))), true);
        return false;
    }
    const QString source = m_source->currentData().toString();
    if (source == QLatin1String(kTableSource)) {
        if (!m_dataset || !m_dataset->table) {
            Q_EMIT message(tr("No table is loaded; open a file or choose a toy."), true);
            return false;
        }
        std::vector<int> picked;
        for (int i = 0; i < m_columns->count(); ++i)
            if (m_columns->item(i)->checkState() == Qt::Checked) {
                request.columns.push_back(m_columns->item(i)->text().toStdString());
                picked.push_back(i);
            }
        if (picked.empty()) {
            Q_EMIT message(tr("Check at least one column to model."), true);
            return false;
        }
        table = *m_dataset->table;
        if (picked.size() >= 2)
            reference = twoColumns(table, picked[0], picked[1], 1500);
        request.dataDescription = m_dataset->source;
    } else {
        table = hepgen::data::generateToy2D(
            hepgen::data::parseToy2DShape(source.toStdString()), static_cast<std::size_t>(m_events->value()), 1);
        request.columns = table.columns;
        reference = twoColumns(table, 0, 1, 1500);
        request.dataDescription = "toy2d:" + source.toStdString();
    }
    request.family = m_family->currentData().toString().toStdString();
    request.config = { { "model", m_modelForm->values() }, { "trainer", m_trainerForm->values() } };
    if (m_ensemble->value() > 1)
        request.config["model"]["ensemble"] = m_ensemble->value();
    request.outputDir = newRunDirectory(m_family->currentData().toString()).toStdString();
    return true;
}

void ModelLab::resetViews(const std::vector<float>& reference, const std::vector<std::string>& columns,
    const std::vector<std::string>& units, const hepgen::training::LabGrid& grid)
{
    auto text = [](const std::vector<std::string>& v, std::size_t i, const char* fallback) {
        return QString::fromStdString(i < v.size() ? v[i] : fallback);
    };
    const bool named = columns.size() >= 2;
    for (auto* view : { m_samplesView, m_xtView, m_x0View }) {
        view->clearMessage();
        view->setReference(reference, 2);
        view->setSamples({}, 2, tr("samples"));
        view->setField(nullptr);
        view->setAxisLabels(named ? text(columns, 0, "") : QStringLiteral("x"), named ? text(units, 0, "") : QString(),
            named ? text(columns, 1, "") : QStringLiteral("y"), named ? text(units, 1, "") : QString());
        view->setRange(grid.xMin, grid.xMax, grid.yMin, grid.yMax);
    }
}

bool ModelLab::launch(qint64 untilStepOffset)
{
    if (!m_jobs || m_jobs->isRunning()) {
        Q_EMIT message(tr("Another job is running; training starts when it has finished."), true);
        return false;
    }
    const bool resume = m_session && m_state == State::Paused && m_session->canTrain();
    auto table = std::make_shared<hepgen::data::Table>();
    hepgen::training::RunRequest request;
    std::vector<float> reference;
    if (!resume) {
        if (!newRunRequest(request, *table, reference))
            return false;
        rememberSettings();
        // A new run: fresh views.
        m_session.reset();
        m_frame.reset();
        m_step = 0;
        m_lossView->clear();
        m_lossView->showMessage(tr("Waiting for the first epoch"));
        m_trajectory->setRange(0, 0);
        std::vector<std::string> units;
        for (const auto& c : request.columns)
            units.push_back(table->units.empty() ? "" : table->units[table->columnIndex(c)]);
        const auto grid = gridAround(reference);
        resetViews(reference, request.columns, units, grid);
        m_shared->request = {};
        m_shared->request.grid = grid;
        m_shared->request.dataEvents.assign(
            reference.begin(), reference.begin() + std::min<std::size_t>(reference.size(), 400));
        m_current = {};
        m_current.directory = QString::fromStdString(request.outputDir);
        m_current.family = QString::fromStdString(request.family);
        m_current.data = QString::fromStdString(request.dataDescription);
        m_current.settings = QString::fromStdString(request.config.dump());
    }
    m_shared->pauseRequested = false;
    m_shared->stopRequested = false;

    auto shared = m_shared;
    auto session = resume ? m_session : nullptr;
    const auto frameRequest = m_shared->request;
    setState(State::Running);
    const QString title = tr("Training %1").arg(m_current.family);
    const bool ok = m_jobs->start(title,
        [this, shared, session, table, request, frameRequest, untilStepOffset](const hepgen::JobControl& job) mutable {
            using Clock = std::chrono::steady_clock;
            if (!session) {
                session = std::make_shared<LabSession>(request, *table);
                QMetaObject::invokeMethod(this, [this, session] {
                    m_session = session;
                    m_runs->upsert(m_current);
                    updateButtons();
                });
            }
            const hepgen::JobControl control([&job](double f, const std::string& text) { job.report(f, text); },
                [&job, shared] { return job.stopRequested() || shared->pauseRequested; });
            const qint64 until = untilStepOffset > 0 ? session->step() + untilStepOffset : 0;
            auto preview = [this, shared, session, frameRequest] {
                if (shared->previewBusy.exchange(true))
                    return false;
                std::shared_ptr<hepgen::models::GenerativeModel> snapshot = session->snapshot();
                QThreadPool::globalInstance()->start([this, shared, session, snapshot, frameRequest] {
                    try {
                        const hepgen::JobControl stopOnClose({}, [shared] { return shared->closing.load(); });
                        auto frame = std::make_shared<LabFrame>(
                            hepgen::training::computeLabFrame(*snapshot, session->run(), frameRequest, stopOnClose));
                        frame->step = session->step();
                        QMetaObject::invokeMethod(this, [this, frame] { showFrame(*frame); });
                    } catch (const hepgen::Cancelled&) {
                    } catch (...) {
                        const QString text = QString::fromStdString(hepgen::currentExceptionMessage());
                        QMetaObject::invokeMethod(
                            this, [this, text] { Q_EMIT message(tr("Preview failed: %1").arg(text), true); });
                    }
                    shared->previewBusy = false;
                });
                return true;
            };
            auto lastPreview = Clock::now() - std::chrono::seconds(1);
            auto lastStep = Clock::now();
            auto finalPreview = [&] {
                // The frame after the last step must be drawn: wait for a preview still in flight.
                while (shared->previewBusy && !shared->closing)
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                if (!shared->closing)
                    preview();
            };
            hepgen::training::StopReason reason = hepgen::training::StopReason::Finished;
            try {
                while (true) {
                    qint64 chunkEnd = session->step() + 10;
                    if (until > 0)
                        chunkEnd = std::min(chunkEnd, until);
                    reason = session->advance(chunkEnd, control, [this](const hepgen::training::EpochMetrics& m) {
                        QMetaObject::invokeMethod(this,
                            [this, m] { onEpoch(m.step, static_cast<int>(m.epoch), m.trainLoss, m.validationLoss); });
                    });
                    const auto now = Clock::now();
                    if (now - lastStep > std::chrono::milliseconds(100)) {
                        const qint64 s = session->step();
                        QMetaObject::invokeMethod(this, [this, s] {
                            m_step = s;
                            updateButtons();
                        });
                        lastStep = now;
                    }
                    if (now - lastPreview > std::chrono::milliseconds(250) && preview())
                        lastPreview = now;
                    if (reason != hepgen::training::StopReason::StepLimit || (until > 0 && session->step() >= until))
                        break;
                }
            } catch (const hepgen::NumericError&) {
                finalPreview();
                session->save(session->directory());
                QMetaObject::invokeMethod(this, [this, s = session->step()] {
                    m_step = s;
                    setState(State::Paused);
                });
                throw;
            }
            finalPreview();
            session->save(session->directory());
            const bool ended = session->finished() || shared->stopRequested;
            QMetaObject::invokeMethod(this, [this, ended, s = session->step()] {
                m_step = s;
                setState(ended ? State::Finished : State::Paused);
            });
        });
    if (!ok) {
        setState(resume ? State::Paused : State::Idle);
        return false;
    }
    return true;
}

void ModelLab::onEpoch(qint64 step, int epoch, double trainLoss, double validationLoss)
{
    m_step = step;
    m_lossView->addEpoch(static_cast<double>(step), trainLoss, validationLoss);
    m_current.steps = step;
    m_current.epochs = epoch;
    m_current.trainLoss = trainLoss;
    m_current.validationLoss = validationLoss;
    m_runs->upsert(m_current);
    updateButtons();
}

void ModelLab::showFrame(const LabFrame& frame)
{
    m_frame = std::make_shared<LabFrame>(frame);
    const int dims = static_cast<int>(frame.dims);
    m_samplesView->clearMessage();
    m_samplesView->setSamples(frame.samples, dims, tr("samples (step %1)").arg(frame.step));
    // Offer this frame's diagnostics, keeping the user's choice.
    const QString chosen = m_fieldChoice->count() > 1 || !m_fieldChoice->currentData().toString().isEmpty()
        ? m_fieldChoice->currentData().toString()
        : QString();
    {
        const QSignalBlocker block(m_fieldChoice);
        m_fieldChoice->clear();
        m_fieldChoice->addItem(tr("no diagnostic"), QString());
        for (const auto& f : frame.fields)
            m_fieldChoice->addItem(QString::fromStdString(f.label), QString::fromStdString(f.name));
        int at = m_fieldChoice->findData(chosen);
        if (at < 0 || (chosen.isEmpty() && m_framesShown == 0))
            at = m_fieldChoice->count() > 1 ? 1 : 0;
        m_fieldChoice->setCurrentIndex(at);
    }
    const hepgen::training::LabField* field = nullptr;
    for (const auto& f : m_frame->fields)
        if (QString::fromStdString(f.name) == m_fieldChoice->currentData().toString())
            field = &f;
    m_samplesView->setField(field);

    const int frames = static_cast<int>(frame.xt.size());
    m_trajectory->setEnabled(frames > 1);
    if (frames <= 1)
        for (auto* view : { m_xtView, m_x0View })
            view->showMessage(tr("%1 samples in one pass: no trajectory").arg(m_current.family));
    {
        // A slider at the end follows new frames to their end; one the user parked elsewhere stays there.
        const QSignalBlocker block(m_trajectory);
        const bool atEnd = m_trajectory->value() >= m_trajectory->maximum();
        m_trajectory->setRange(0, std::max(0, frames - 1));
        if (atEnd && !m_play->isChecked())
            m_trajectory->setValue(std::max(0, frames - 1));
    }
    showTrajectoryFrame(m_trajectory->value());
    ++m_framesShown;
    Q_EMIT frameShown(frame.step);
}

void ModelLab::showTrajectoryFrame(int index)
{
    if (!m_frame || m_frame->xt.empty() || index < 0 || index >= static_cast<int>(m_frame->xt.size())) {
        m_trajectoryLabel->setText(tr("no trajectory"));
        return;
    }
    const int dims = static_cast<int>(m_frame->dims);
    const auto k = static_cast<std::size_t>(index);
    m_xtView->clearMessage();
    m_x0View->clearMessage();
    m_xtView->setSamples(m_frame->xt[k], dims, tr("x_t"));
    m_x0View->setSamples(m_frame->x0[k], dims, tr("predicted x₀"));
    m_trajectoryLabel->setText(tr("frame %1 of %2 · t = %3")
                                   .arg(index + 1)
                                   .arg(m_frame->xt.size())
                                   .arg(QString::number(m_frame->trajectoryTimes[k], 'g', 4)));
}

int ModelLab::showTrajectoryStep(int index)
{
    m_trajectory->setValue(index);
    return m_frame ? static_cast<int>(m_frame->xt.size()) : 0;
}

bool ModelLab::saveRun(const QString& dir)
{
    if (!m_session) {
        Q_EMIT message(tr("There is no run to save yet."), true);
        return false;
    }
    if (!m_jobs || m_jobs->isRunning()) {
        Q_EMIT message(tr("Pause the run (or wait for the current job) before saving."), true);
        return false;
    }
    auto session = m_session;
    const std::string target = dir.toStdString();
    return m_jobs->start(
        tr("Saving run"), [session, target](const hepgen::JobControl&) { session->save(target); },
        [this, dir] { Q_EMIT message(tr("Run saved to %1").arg(dir), false); });
}

bool ModelLab::loadRun(const QString& dir)
{
    if (!m_jobs || m_jobs->isRunning() || m_state == State::Running) {
        Q_EMIT message(tr("Pause the run (or wait for the current job) before loading another."), true);
        return false;
    }
    auto shared = m_shared;
    const std::string path = dir.toStdString();
    return m_jobs->start(tr("Loading run"), [this, shared, path, dir](const hepgen::JobControl&) {
        auto session = std::make_shared<LabSession>(path);
        const auto history = session->run().trainer->history();
        std::shared_ptr<hepgen::models::GenerativeModel> snapshot = session->snapshot();
        // The frame around the samples themselves (a loaded run brings no data): a cheap probe first, samples
        // only (no trajectory, a 2 x 2 grid for the diagnostics).
        hepgen::training::LabFrameRequest request;
        request.trajectory = false;
        request.grid.nx = request.grid.ny = request.vectorGrid = 2;
        auto probe = hepgen::training::computeLabFrame(*snapshot, session->run(), request);
        request = {};
        std::vector<float> xy;
        for (std::size_t i = 0; i + 1 < probe.samples.size(); i += static_cast<std::size_t>(probe.dims))
            xy.insert(xy.end(), { probe.samples[i], probe.samples[i + 1] });
        request.grid = gridAround(xy);
        auto frame = std::make_shared<LabFrame>(hepgen::training::computeLabFrame(*snapshot, session->run(), request));
        frame->step = session->step();
        const auto config = hepgen::training::readRunConfig(path);
        QMetaObject::invokeMethod(this, [this, session, history, frame, request, dir, config] {
            m_session = session;
            m_shared->request = request;
            m_current = {};
            m_current.directory = dir;
            m_current.family = QString::fromStdString(config.family);
            m_current.data = QString::fromStdString(config.extra.value("source", std::string()));
            m_current.settings = QString::fromStdString(config.model.dump());
            m_lossView->clear();
            for (const auto& m : history)
                onEpoch(m.step, static_cast<int>(m.epoch), m.trainLoss, m.validationLoss);
            resetViews({}, session->run().columns, session->run().units, request.grid);
            m_step = frame->step;
            showFrame(*frame);
            setState(State::Finished);
        });
    });
}

void ModelLab::saveWithDialog()
{
    QSettings s;
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Save run into directory"), s.value(QStringLiteral("lab/lastRunDir"), QDir::homePath()).toString());
    if (dir.isEmpty())
        return;
    s.setValue(QStringLiteral("lab/lastRunDir"), dir);
    saveRun(dir);
}

void ModelLab::loadWithDialog()
{
    QSettings s;
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open run directory"), s.value(QStringLiteral("lab/lastRunDir"), QDir::homePath()).toString());
    if (dir.isEmpty())
        return;
    s.setValue(QStringLiteral("lab/lastRunDir"), dir);
    loadRun(dir);
}

} // namespace hepgen::studio
