#include "MapsWorkspace.h"

#include "HuntWorkspace.h"
#include "MapSlicePanel.h"
#include "MapSourceModel.h"
#include "MapWorker.h"
#include "ModelLab.h"
#include "RunListModel.h"

#include "core/anomaly/Hunt.h"
#include "core/anomaly/MassWindows.h"
#include "core/data/Dataset.h"
#include "core/maps/Contours.h"
#include "core/maps/HuntMapModel.h"
#include "core/maps/MapCompute.h"
#include "core/maps/MapModels.h"
#include "core/maps/Surrogate.h"
#include "core/util/Error.h"
#include "widgets/JobRunner.h"
#include "widgets/MapView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace hepgen::studio {

using hepgen::maps::MapKind;

namespace {

QString kindTitle(MapKind kind)
{
    switch (kind) {
    case MapKind::Score: return QObject::tr("Anomaly / classifier score");
    case MapKind::LogDensity: return QObject::tr("Log-density log p(x | m)");
    case MapKind::DensityRatio: return QObject::tr("Density ratio (ANODE score)");
    case MapKind::OutOfDistribution: return QObject::tr("Distance to the data");
    }
    return {};
}

QString withUnit(const hepgen::maps::MapAxis& a, double v)
{
    const QString n = QString::number(v, 'g', 4);
    return a.unit.empty() ? n : QStringLiteral("%1 %2").arg(n, QString::fromStdString(a.unit));
}

} // namespace

MapsWorkspace::MapsWorkspace(hepgen::widgets::JobRunner* jobs, ModelLab* lab, HuntWorkspace* hunt, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_lab(lab)
    , m_hunt(hunt)
    , m_sources(new MapSourceModel(this))
    , m_worker(new MapWorker(this))
{
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(buildControls());
    split->addWidget(buildViews());
    split->setStretchFactor(1, 1);
    split->setSizes({ 380, 900 });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(m_worker, &MapWorker::computed, this, &MapsWorkspace::showResult);
    connect(m_worker, &MapWorker::failed, this, [this](quint64 id, const QString& text) {
        if (id < m_shownId)
            return;
        showProblem(text);
        Q_EMIT message(tr("Map failed: %1").arg(text), true);
    });
    connect(
        m_worker, &MapWorker::progress, this, [this](double f) { m_progress->setValue(static_cast<int>(f * 100)); });
    connect(m_worker, &MapWorker::busyChanged, this, [this](bool busy) { m_progress->setVisible(busy); });
    if (m_lab) {
        auto* runs = m_lab->runs();
        connect(runs, &QAbstractItemModel::rowsInserted, this, &MapsWorkspace::refreshSources);
        connect(runs, &QAbstractItemModel::dataChanged, this, &MapsWorkspace::refreshSources);
        connect(runs, &QAbstractItemModel::modelReset, this, &MapsWorkspace::refreshSources);
    }
    if (m_hunt)
        connect(m_hunt, &HuntWorkspace::huntFinished, this, &MapsWorkspace::refreshSources);

    auto shortcut = [this](const QKeySequence& keys, auto slot) {
        new QShortcut(keys, this, slot, Qt::WidgetWithChildrenShortcut);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), [this] { m_exportImage->click(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E), [this] { m_exportValues->click(); });
    shortcut(QKeySequence(Qt::Key_F5), [this] {
        m_sources->unload(m_source->currentIndex());
        onSourceChanged();
    });

    QSettings s;
    const QSignalBlocker b1(m_grid), b2(m_pdEvents), b3(m_points), b4(m_contours), b5(m_sideChoice), b6(m_colourBy),
        b7(m_surrogateEpochs);
    m_grid->setValue(s.value(QStringLiteral("maps/grid"), 200).toInt());
    m_pdEvents->setValue(s.value(QStringLiteral("maps/pdEvents"), 32).toInt());
    m_points->setChecked(s.value(QStringLiteral("maps/points"), true).toBool());
    m_contours->setChecked(s.value(QStringLiteral("maps/contours"), true).toBool());
    m_sideChoice->setCurrentIndex(s.value(QStringLiteral("maps/side"), 0).toInt());
    m_colourBy->setCurrentIndex(s.value(QStringLiteral("maps/colourBy"), 0).toInt());
    m_surrogateEpochs->setValue(s.value(QStringLiteral("maps/surrogateEpochs"), 30).toInt());
    refreshSources();
    onSourceChanged();
}

MapsWorkspace::~MapsWorkspace()
{
    rememberSettings();
    m_worker->cancel();
}

void MapsWorkspace::setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset)
{
    m_dataset = std::move(dataset);
    onSourceChanged();
}

std::shared_ptr<const hepgen::data::Table> MapsWorkspace::table() const
{
    if (!m_dataset || !m_dataset->table)
        return nullptr;
    // Shares the data set's lifetime: the worker keeps it alive while another set is loaded.
    return std::shared_ptr<const hepgen::data::Table>(m_dataset, &*m_dataset->table);
}

void MapsWorkspace::refreshSources()
{
    if (m_lab) {
        const RunListModel* runs = m_lab->runs();
        for (int r = 0; r < runs->rowCount(); ++r) {
            const RunEntry& e = runs->entry(r);
            MapSource s;
            s.origin = MapSource::Origin::Run;
            s.directory = e.directory;
            s.name = tr("Run: %1 · %2").arg(e.family, QFileInfo(e.directory).fileName());
            s.detail = tr("Model-lab run in %1 (%2, %3 steps, %4)").arg(e.directory, e.data).arg(e.steps).arg(e.status);
            m_sources->upsert(std::move(s));
        }
    }
    if (m_hunt) // results only accumulate there, so each is listed once under its number
        for (int i = 0; i < m_hunt->resultCount(); ++i) {
            const auto& r = m_hunt->result(i);
            if (!r.model)
                continue;
            MapSource s;
            s.origin = MapSource::Origin::Hunt;
            const QString what = QString::fromStdString(r.method)
                + (r.classifier.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(r.classifier)));
            s.name = tr("Hunt %1: %2").arg(i + 1).arg(what);
            s.detail = tr("The %1 hunt's %2 fold models; AUC %3, max SIC %4")
                           .arg(what)
                           .arg(r.model->folds())
                           .arg(r.auc, 0, 'f', 3)
                           .arg(r.maxSic, 0, 'f', 1);
            if (m_sources->find(s.name) < 0) {
                s.model = std::make_shared<hepgen::maps::HuntMapModel>(
                    r.model, s.name.toStdString(), featureUnits(r.model->features()));
                m_sources->upsert(std::move(s));
            }
        }
    updateButtons();
}

std::vector<std::string> MapsWorkspace::featureUnits(const std::vector<std::string>& features) const
{
    std::vector<std::string> units;
    if (!m_dataset || !m_dataset->table || m_dataset->table->units.size() != m_dataset->table->columns.size())
        return units;
    const auto& t = *m_dataset->table;
    for (const auto& f : features) {
        const auto it = std::find(t.columns.begin(), t.columns.end(), f);
        units.push_back(it == t.columns.end() ? std::string() : t.units[std::size_t(it - t.columns.begin())]);
    }
    return units;
}

std::shared_ptr<hepgen::maps::MapModel> MapsWorkspace::selectedModel(QString* problem)
{
    return m_sources->model(m_source->currentIndex(), problem);
}

bool MapsWorkspace::selectSource(const QString& key)
{
    const int row = m_sources->find(key);
    if (row < 0)
        return false;
    if (m_source->currentIndex() == row)
        onSourceChanged();
    else
        m_source->setCurrentIndex(row);
    return m_model != nullptr;
}

bool MapsWorkspace::openModelDirectory(const QString& dir)
{
    MapSource s;
    s.directory = QDir(dir).absolutePath();
    s.origin = hepgen::maps::isSurrogateDirectory(s.directory.toStdString()) ? MapSource::Origin::Surrogate
                                                                             : MapSource::Origin::Directory;
    s.name = tr("%1: %2").arg(s.origin == MapSource::Origin::Surrogate ? tr("Surrogate") : tr("Directory"),
        QFileInfo(s.directory).fileName());
    s.detail = s.directory;
    const int row = m_sources->upsert(std::move(s));
    m_sources->unload(row);
    QString problem;
    if (!m_sources->model(row, &problem)) {
        Q_EMIT message(tr("Cannot map %1: %2").arg(dir, problem), true);
        m_source->setCurrentIndex(row);
        return false;
    }
    m_source->setCurrentIndex(row);
    onSourceChanged();
    return true;
}

void MapsWorkspace::addModel(std::shared_ptr<hepgen::maps::MapModel> model)
{
    MapSource s;
    s.origin = MapSource::Origin::Given;
    s.name = QString::fromStdString(model->name());
    s.detail = s.name;
    s.model = std::move(model);
    const int row = m_sources->upsert(std::move(s));
    if (m_source->currentIndex() == row)
        onSourceChanged();
    else
        m_source->setCurrentIndex(row);
}

void MapsWorkspace::onSourceChanged()
{
    QString problem;
    m_model = selectedModel(&problem);
    {
        const QSignalBlocker bk(m_kind), bx(m_x), by(m_y);
        const QVariant previousKind = m_kind->currentData();
        const QString px = m_x->currentText(), py = m_y->currentText();
        m_kind->clear();
        m_x->clear();
        m_y->clear();
        if (m_model) {
            std::vector<MapKind> kinds = m_model->kinds();
            if (m_model->offers(MapKind::LogDensity) && !m_model->offers(MapKind::DensityRatio))
                kinds.push_back(MapKind::DensityRatio); // with a background density chosen below
            kinds.push_back(MapKind::OutOfDistribution);
            for (MapKind k : kinds)
                m_kind->addItem(kindTitle(k), static_cast<int>(k));
            const int keep = m_kind->findData(previousKind);
            m_kind->setCurrentIndex(keep >= 0 ? keep : 0);
            for (const auto& in : m_model->inputs()) {
                m_x->addItem(QString::fromStdString(in));
                m_y->addItem(QString::fromStdString(in));
            }
            m_x->setCurrentIndex(std::max(0, m_x->findText(px)));
            const int ky = m_y->findText(py);
            m_y->setCurrentIndex(ky >= 0 && py != m_x->currentText() ? ky : std::min(1, m_y->count() - 1));
        }
    }
    if (!m_model) {
        m_slices->setInputs({});
        showProblem(problem);
        updateButtons();
        return;
    }
    // The slice rows: ranges and medians from the data where it has the column.
    const auto data = table();
    const auto inputs = m_model->inputs();
    const auto units = m_model->units();
    const auto& conds = m_model->conditions();
    std::vector<MapSlicePanel::Input> rows;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        MapSlicePanel::Input in;
        in.name = QString::fromStdString(inputs[i]);
        in.unit = i < units.size() ? QString::fromStdString(units[i]) : QString();
        in.condition = std::find(conds.begin(), conds.end(), inputs[i]) != conds.end();
        in.lo = -1;
        in.hi = 1;
        in.defaultValue = 0;
        if (data && std::find(data->columns.begin(), data->columns.end(), inputs[i]) != data->columns.end()) {
            try {
                const auto [lo, hi] = hepgen::maps::defaultRange(*data, inputs[i]);
                in.lo = lo;
                in.hi = hi;
                in.defaultValue = hepgen::maps::dataMedians(*data, { inputs[i] }).at(inputs[i]);
            } catch (const hepgen::Error&) {
            }
        }
        rows.push_back(in);
    }
    m_slices->setInputs(rows);
    m_slices->setPartialDependence(m_pd->isChecked());
    m_slices->setAxes(m_x->currentText(), m_y->currentText());
    fillRanges(true);
    onKindChanged();
}

void MapsWorkspace::onKindChanged()
{
    const bool ratio = m_kind->currentData().toInt() == static_cast<int>(MapKind::DensityRatio) && m_model
        && !m_model->offers(MapKind::DensityRatio);
    m_background->setVisible(ratio);
    m_backgroundLabel->setVisible(ratio);
    if (ratio && m_background->currentIndex() == m_source->currentIndex()) {
        // Offer another density model by default.
        for (int r = 0; r < m_sources->rowCount(); ++r)
            if (r != m_source->currentIndex()) {
                const QSignalBlocker block(m_background);
                m_background->setCurrentIndex(r);
                break;
            }
    }
    updateButtons();
    requestMap(true);
}

void MapsWorkspace::onAxesChanged()
{
    m_slices->setAxes(m_x->currentText(), m_y->currentText());
    fillRanges(true);
    requestMap(true);
}

void MapsWorkspace::fillRanges(bool fromData)
{
    const auto data = table();
    const QSignalBlocker b1(m_xLo), b2(m_xHi), b3(m_yLo), b4(m_yHi);
    auto fill = [&](const QString& feature, QDoubleSpinBox* lo, QDoubleSpinBox* hi) {
        const std::string f = feature.toStdString();
        std::pair<double, double> r { -4.0, 4.0 };
        if (fromData && data && std::find(data->columns.begin(), data->columns.end(), f) != data->columns.end()) {
            try {
                r = hepgen::maps::defaultRange(*data, f);
            } catch (const hepgen::Error&) {
            }
        } else if (!fromData) {
            return;
        }
        const double span = r.second - r.first;
        const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(std::max(span, 1e-9) / 1000))), 0, 8);
        for (auto* b : { lo, hi }) {
            b->setDecimals(decimals);
            b->setSingleStep(span / 20);
        }
        lo->setValue(r.first);
        hi->setValue(r.second);
    };
    fill(m_x->currentText(), m_xLo, m_xHi);
    fill(m_y->currentText(), m_yLo, m_yHi);
}

void MapsWorkspace::requestMap(bool structural)
{
    updateOverlay();
    updateBand();
    if (!m_model) {
        QString problem;
        selectedModel(&problem);
        showProblem(problem.isEmpty() ? tr("Choose a model to map.") : problem);
        return;
    }
    hepgen::maps::MapRequest request;
    request.kind = static_cast<MapKind>(m_kind->currentData().toInt());
    request.x = m_x->currentText().toStdString();
    request.y = m_y->currentText().toStdString();
    request.xRange = std::make_pair(m_xLo->value(), m_xHi->value());
    request.yRange = std::make_pair(m_yLo->value(), m_yHi->value());
    request.xBins = request.yBins = m_grid->value();
    request.slices = m_slices->values();
    request.partialDependence = m_pd->isChecked();
    request.pdEvents = m_pdEvents->value();
    std::shared_ptr<hepgen::maps::MapModel> model = m_model;
    if (request.kind == MapKind::DensityRatio && !m_model->offers(MapKind::DensityRatio)) {
        QString problem;
        if (m_background->currentIndex() == m_source->currentIndex()) {
            showProblem(tr("Choose the background density the selected model's density is divided by (another "
                           "model)."));
            return;
        }
        auto background = m_sources->model(m_background->currentIndex(), &problem);
        if (!background) {
            showProblem(problem);
            return;
        }
        try {
            model = hepgen::maps::densityRatioModel(m_model, background);
        } catch (const hepgen::Error& e) {
            showProblem(QString::fromUtf8(e.what()));
            return;
        }
    }
    const auto data = table();
    const std::string problem = hepgen::maps::requestProblem(*model, request, data.get());
    if (!problem.empty()) {
        m_worker->cancel();
        showProblem(QString::fromStdString(problem));
        return;
    }
    MapWorker::Task task { model, request, data, false };
    if (m_sideChoice->currentIndex() == 1 && request.kind != MapKind::OutOfDistribution) {
        auto ood = request;
        ood.kind = MapKind::OutOfDistribution;
        task.withSupport = hepgen::maps::requestProblem(*model, ood, data.get()).empty();
    }
    m_problem.clear();
    m_status->setText(tr("Computing…"));
    m_worker->submit(std::move(task), structural);
}

void MapsWorkspace::showProblem(const QString& text)
{
    m_problem = text;
    m_map.reset();
    m_side.reset();
    m_mainView->clearMap(text);
    m_sideView->clearMap(text);
    m_status->setText(text);
    updateButtons();
}

QString MapsWorkspace::problem() const { return m_problem; }

void MapsWorkspace::showResult(
    quint64 id, std::shared_ptr<const hepgen::maps::MapResult> map, std::shared_ptr<const hepgen::maps::MapResult> side)
{
    if (id < m_shownId || !map)
        return;
    m_shownId = id;
    m_map = std::move(map);
    m_side = std::move(side);
    using Scale = hepgen::widgets::MapView::Scale;
    const Scale scale = hepgen::maps::divergingKind(m_map->kind) ? Scale::Diverging
        : m_map->kind == MapKind::LogDensity                     ? Scale::LogDensity
                                                                 : Scale::Sequential;
    const QString label = QString::fromStdString(m_map->label);
    m_mainView->setMap(m_map->x, m_map->y, m_map->value, label, scale);
    if (m_sideChoice->currentIndex() == 1) {
        if (m_side)
            m_sideView->setMap(
                m_side->x, m_side->y, m_side->value, QString::fromStdString(m_side->label), Scale::Sequential);
        else if (m_map->kind == MapKind::OutOfDistribution)
            m_sideView->clearMap(tr("The left map already shows the distance to the data."));
        else
            m_sideView->clearMap(tr("The distance to the data needs the data the model reads: load them."));
    } else if (m_map->hasUncertainty()) {
        m_sideView->setMap(m_map->x, m_map->y, m_map->uncertainty,
            tr("± %1").arg(QString::fromStdString(m_map->uncertaintyLabel)), Scale::Sequential);
    } else {
        m_sideView->clearMap(tr("This model has a single answer (no ensemble members, folds or posterior draws): no "
                                "spread to show. Show the distance to the data, train a surrogate, or train an "
                                "ensemble in the model lab."));
    }
    std::vector<hepgen::maps::ContourSegment> lines;
    if (m_contours->isChecked())
        for (double level : hepgen::maps::contourLevels(m_map->value, 6)) {
            const auto s = hepgen::maps::contourSegments(m_map->x, m_map->y, m_map->value, level);
            lines.insert(lines.end(), s.begin(), s.end());
        }
    m_mainView->setContours(lines);
    if (m_sideView->hasMap())
        m_sideView->setContours(lines);
    updateOverlay();
    updateBand();
    QString text = tr("%1 of %2: %3 × %4 bins%5 in %6 ms")
                       .arg(label, QString::fromStdString(m_map->model))
                       .arg(m_map->x.bins)
                       .arg(m_map->y.bins)
                       .arg(m_map->partialDependence ? tr(", averaged over %1 events").arg(m_map->pdEvents) : QString())
                       .arg(std::lround(1000 * (m_map->seconds + (m_side ? m_side->seconds : 0.0))));
    if (m_map->nonFinite > 0)
        text += tr("; %1 grid points where the model gave no finite value are left blank").arg(m_map->nonFinite);
    m_status->setText(text);
    ++m_mapsShown;
    updateButtons();
    Q_EMIT mapShown();
}

QString MapsWorkspace::massColumn() const
{
    const auto data = table();
    if (m_model)
        for (const auto& c : m_model->conditions())
            if (c == "mjj")
                return QStringLiteral("mjj");
    if (data && std::find(data->columns.begin(), data->columns.end(), "mjj") != data->columns.end())
        return QStringLiteral("mjj");
    return {};
}

void MapsWorkspace::updateBand()
{
    const QString mass = massColumn();
    const bool onX = !mass.isEmpty() && m_x->currentText() == mass;
    const bool onY = !mass.isEmpty() && m_y->currentText() == mass;
    const auto windows = m_hunt ? m_hunt->windows() : hepgen::anomaly::MassWindows {};
    for (auto* view : { m_mainView, m_sideView }) {
        if ((onX || onY) && view->hasMap())
            view->setBand(onY, windows.srLow, windows.srHigh, tr("SR"));
        else
            view->setBand(false, 0, 0, {});
    }
}

void MapsWorkspace::updateOverlay()
{
    const auto data = table();
    const std::string x = m_x->currentText().toStdString(), y = m_y->currentText().toStdString();
    std::vector<hepgen::widgets::MapOverlayGroup> groups;
    const bool have = data && m_points->isChecked() && m_map
        && std::find(data->columns.begin(), data->columns.end(), x) != data->columns.end()
        && std::find(data->columns.begin(), data->columns.end(), y) != data->columns.end();
    if (have) {
        const std::size_t cx = data->columnIndex(x), cy = data->columnIndex(y);
        const int mode = m_colourBy->currentIndex();
        const QString mass = massColumn();
        const bool byRegion = mode == 0 && !mass.isEmpty();
        const bool byLabel = mode == 1 && data->labels.size() == data->rows();
        const auto windows = m_hunt ? m_hunt->windows() : hepgen::anomaly::MassWindows {};
        const std::size_t cm = byRegion ? data->columnIndex(mass.toStdString()) : 0;
        if (byRegion)
            groups = { { tr("SB"), QColor(255, 255, 255, 170), {} }, { tr("SR"), QColor(255, 60, 60, 210), {} },
                { tr("outside"), QColor(170, 170, 170, 120), {} } };
        else if (byLabel)
            groups = { { tr("background"), QColor(255, 255, 255, 170), {} },
                { tr("signal"), QColor(255, 60, 60, 220), {} }, { tr("unlabelled"), QColor(170, 170, 170, 120), {} } };
        else
            groups = { { tr("data"), QColor(255, 255, 255, 170), {} } };
        for (std::size_t r : hepgen::maps::sampleEvents(data->rows(), 2000, 7)) {
            std::size_t g = 0;
            if (byRegion) {
                const auto region = windows.regionOf(data->at(r, cm));
                g = region == hepgen::anomaly::Region::Sideband ? 0 : region == hepgen::anomaly::Region::Signal ? 1 : 2;
            } else if (byLabel) {
                g = data->labels[r] == 0 ? 0 : data->labels[r] == 1 ? 1 : 2;
            }
            groups[g].xy.push_back(data->at(r, cx));
            groups[g].xy.push_back(data->at(r, cy));
        }
        groups.erase(
            std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.xy.empty(); }), groups.end());
    }
    m_mainView->setOverlay(groups);
    m_sideView->setOverlay(m_sideView->hasMap() ? groups : std::vector<hepgen::widgets::MapOverlayGroup> {});
}

void MapsWorkspace::updateButtons()
{
    const bool score = m_model && m_model->offers(MapKind::Score);
    m_surrogate->setEnabled(score && table() && m_jobs && !m_jobs->isRunning());
    m_surrogate->setToolTip(score ? tr("Train a Bayesian flow-matching surrogate of the selected model's score on the "
                                       "loaded data (a job: progress and Cancel in the status bar)")
                                  : tr("The selected model has no classifier score to build a surrogate of."));
    m_exportImage->setEnabled(m_map != nullptr);
    m_exportValues->setEnabled(m_map != nullptr);
}

QString MapsWorkspace::readoutAt(double x, double y) const
{
    if (!m_map)
        return {};
    const auto v = m_map->lookup(x, y);
    if (!v)
        return tr("outside the map");
    QString text
        = QStringLiteral("%1 = %2, %3 = %4: %5 %6")
              .arg(QString::fromStdString(m_map->x.feature), withUnit(m_map->x, x),
                  QString::fromStdString(m_map->y.feature), withUnit(m_map->y, y), QString::fromStdString(m_map->label),
                  std::isfinite(v->first) ? QString::number(v->first, 'g', 4) : tr("no value"));
    if (std::isfinite(v->second))
        text += QStringLiteral(" ± %1 (%2)")
                    .arg(QString::number(v->second, 'g', 3), QString::fromStdString(m_map->uncertaintyLabel));
    if (m_side) {
        if (const auto d = m_side->lookup(x, y))
            text += tr("; distance to the data %1").arg(QString::number(d->first, 'g', 3));
    }
    return text;
}

QString MapsWorkspace::readout() const { return m_readout; }

void MapsWorkspace::onHover(double x, double y)
{
    if (!std::isfinite(x) || !std::isfinite(y) || !m_map) {
        QToolTip::hideText();
        return;
    }
    m_readout = readoutAt(x, y);
    m_readoutLabel->setText(m_readout);
    if (auto* view = qobject_cast<QWidget*>(sender()))
        QToolTip::showText(QCursor::pos(), m_readout, view);
}

bool MapsWorkspace::setKind(MapKind kind)
{
    const int i = m_kind->findData(static_cast<int>(kind));
    if (i < 0) {
        showProblem(tr("The selected model has no %1 map.").arg(kindTitle(kind).toLower()));
        return false;
    }
    m_kind->setCurrentIndex(i);
    return true;
}

bool MapsWorkspace::setAxes(const QString& x, const QString& y)
{
    const int ix = m_x->findText(x), iy = m_y->findText(y);
    if (ix < 0 || iy < 0) {
        const QString missing = ix < 0 ? x : y;
        QStringList inputs;
        for (int i = 0; i < m_x->count(); ++i)
            inputs << m_x->itemText(i);
        showProblem(m_model
                ? tr("The model '%1' does not read '%2'; it reads: %3.")
                      .arg(QString::fromStdString(m_model->name()), missing, inputs.join(QStringLiteral(", ")))
                : tr("Choose a model to map."));
        return false;
    }
    {
        const QSignalBlocker bx(m_x), by(m_y);
        m_x->setCurrentIndex(ix);
        m_y->setCurrentIndex(iy);
    }
    onAxesChanged();
    return true;
}

bool MapsWorkspace::setSlice(const QString& input, double value) { return m_slices->setValue(input, value); }

void MapsWorkspace::setPartialDependence(bool on, int events)
{
    {
        const QSignalBlocker block(m_pdEvents);
        m_pdEvents->setValue(events);
    }
    if (m_pd->isChecked() == on)
        requestMap(true);
    else
        m_pd->setChecked(on);
}

void MapsWorkspace::setGrid(int bins) { m_grid->setValue(bins); }

void MapsWorkspace::setSideShowsDistance(bool on) { m_sideChoice->setCurrentIndex(on ? 1 : 0); }

void MapsWorkspace::setOverlay(bool points, bool contours)
{
    m_points->setChecked(points);
    m_contours->setChecked(contours);
}

bool MapsWorkspace::setRatioBackground(const QString& key)
{
    const int row = m_sources->find(key);
    if (row < 0)
        return false;
    m_background->setCurrentIndex(row);
    return true;
}

} // namespace hepgen::studio
