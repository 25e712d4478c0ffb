#include "HuntWorkspace.h"

#include "HuntBumpPanel.h"
#include "HuntResultsModel.h"
#include "HuntScanPanel.h"
#include "HuntSettingsForm.h"
#include "core/anomaly/Hunt.h"
#include "core/data/Dataset.h"
#include "core/data/Histogram.h"
#include "core/util/Error.h"
#include "widgets/CurveView.h"
#include "widgets/JobRunner.h"
#include "widgets/MassSpectrumView.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace hepgen::studio {

using hepgen::anomaly::MassWindows;

namespace {

/// One edit of the windows (a drag, a typed edge, the sideband mode): undo restores the windows before it.
class WindowsCommand : public QUndoCommand {
public:
    WindowsCommand(std::function<void(const MassWindows&)> apply, MassWindows before, MassWindows after)
        : QUndoCommand(QObject::tr("Move windows to %1").arg(QString::fromStdString(after.describe())))
        , m_apply(std::move(apply))
        , m_before(before)
        , m_after(after)
    {
    }
    void undo() override { m_apply(m_before); }
    void redo() override { m_apply(m_after); }

private:
    std::function<void(const MassWindows&)> m_apply;
    MassWindows m_before, m_after;
};

/// One edit of the signal injection: undo restores the data as they were before it.
class InjectionCommand : public QUndoCommand {
public:
    InjectionCommand(std::function<void(const HuntInjection&)> apply, HuntInjection before, HuntInjection after)
        : QUndoCommand(QObject::tr("Change the signal injection"))
        , m_apply(std::move(apply))
        , m_before(before)
        , m_after(after)
    {
    }
    void undo() override { m_apply(m_before); }
    void redo() override { m_apply(m_after); }

private:
    std::function<void(const HuntInjection&)> m_apply;
    HuntInjection m_before, m_after;
};

QString resultName(const hepgen::anomaly::HuntResult& r)
{
    return QString::fromStdString(r.method)
        + (r.classifier.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(r.classifier)));
}

} // namespace

HuntWorkspace::HuntWorkspace(hepgen::widgets::JobRunner* jobs, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_windows(std::make_unique<MassWindows>())
    , m_undo(new QUndoStack(this))
    , m_model(new HuntResultsModel(this))
{
    auto* left = new QTabWidget(this);
    auto* setup = new QWidget(left);
    buildSetupPage(setup);
    left->addTab(setup, tr("Setup"));
    m_settings = new HuntSettingsForm(left);
    left->addTab(m_settings, tr("Settings"));
    left->setTabToolTip(1, tr("Every other setting of the hunt: flows, classifiers, oversampling, R-ANODE's w, …"));

    m_spectrum = new hepgen::widgets::MassSpectrumView(this);
    m_tableView = new QTableView(this);
    m_tableView->setModel(m_model);
    m_tableView->verticalHeader()->hide();
    m_tableView->setWordWrap(false);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tableView->setToolTip(tr("One row per run; pick a row for its notes and its bump hunt"));
    m_notes = new QPlainTextEdit(this);
    m_notes->setReadOnly(true);
    m_notes->setPlaceholderText(tr("Notes of the chosen run"));
    m_notes->setToolTip(tr("What the method reports about the chosen run (templates, fitted fractions, stage times)"));
    m_roc = new hepgen::widgets::CurveView(this);
    m_roc->setAxisLabels(tr("signal efficiency ε_S"), {}, tr("background rejection 1/ε_B"), {});
    m_roc->setLogY(true);
    m_sic = new hepgen::widgets::CurveView(this);
    m_sic->setAxisLabels(tr("signal efficiency ε_S"), {}, tr("SIC = ε_S/√ε_B"), {});
    auto* tableRow = new QSplitter(Qt::Horizontal, this);
    tableRow->addWidget(m_tableView);
    tableRow->addWidget(m_notes);
    tableRow->setStretchFactor(0, 3);
    tableRow->setStretchFactor(1, 2);
    auto* curves = new QSplitter(Qt::Horizontal, this);
    curves->addWidget(m_roc);
    curves->addWidget(m_sic);
    auto* comparison = new QSplitter(Qt::Vertical, this);
    comparison->addWidget(tableRow);
    comparison->addWidget(curves);
    comparison->setStretchFactor(0, 1);
    comparison->setStretchFactor(1, 2);
    comparison->setSizes({ 2000, 3000 }); // five result rows fit without a scroll bar

    m_bump = new HuntBumpPanel(m_jobs, this);
    m_scans = new HuntScanPanel(
        m_jobs,
        [this](std::shared_ptr<const hepgen::data::Table>& table, hepgen::anomaly::HuntConfig& config, QString& why) {
            why = runBlockedReason();
            if (!why.isEmpty())
                return false;
            table = m_table;
            return buildConfig(config, why);
        },
        this);
    m_resultsTabs = new QTabWidget(this);
    m_resultsTabs->addTab(comparison, tr("Comparison"));
    m_resultsTabs->addTab(m_bump, tr("Bump hunt"));
    m_resultsTabs->addTab(m_scans, tr("Scans"));
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_spectrum);
    right->addWidget(m_resultsTabs);
    right->setStretchFactor(0, 2);
    right->setStretchFactor(1, 3);
    // Stretch factors only share space beyond the size hints, and the results' hints are large: without
    // initial sizes the spectrum got a strip of ~130 px; a third of the height leaves the bump-hunt page room for its
    // pulls. Sizes are relative (spread over the real height).
    right->setSizes({ 1000, 2000 });
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);

    // Edits: drags and spin boxes become undoable commands.
    connect(m_spectrum, &hepgen::widgets::MassSpectrumView::windowsEdited, this,
        [this](const MassWindows& before, const MassWindows& after) {
            m_undo->push(new WindowsCommand([this](const MassWindows& w) { applyWindows(w); }, before, after));
        });
    connect(m_spectrum, &hepgen::widgets::MassSpectrumView::windowsDragged, this, [this](const MassWindows& w) {
        *m_windows = w;
        refresh();
    });
    connect(m_settings, &HuntSettingsForm::edited, this, &HuntWorkspace::refresh);
    connect(
        m_tableView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& index) {
            if (index.isValid())
                selectResult(index.row());
        });
    connect(m_bump, &HuntBumpPanel::message, this, &HuntWorkspace::message);
    connect(m_scans, &HuntScanPanel::message, this, &HuntWorkspace::message);
    connect(m_jobs, &hepgen::widgets::JobRunner::runningChanged, this, &HuntWorkspace::refresh);
    auto shortcut = [this](const QKeySequence& keys, auto fn) {
        auto* s = new QShortcut(keys, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, fn);
    };
    shortcut(QKeySequence::Undo, [this] { m_undo->undo(); });
    shortcut(QKeySequence::Redo, [this] { m_undo->redo(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_R), [this] { run(); });

    QSettings s;
    setMethod(s.value(QStringLiteral("hunt/method"), QStringLiteral("cathode")).toString());
    m_classifier->setCurrentIndex(std::max(0, m_classifier->findData(s.value(QStringLiteral("hunt/classifier")))));
    const QByteArray stored = s.value(QStringLiteral("hunt/settings")).toByteArray();
    if (!stored.isEmpty()) {
        try {
            m_settings->setValues(nlohmann::json::parse(stored.toStdString()));
        } catch (const std::exception&) {
            m_settings->resetToDefaults(); // settings of an older version: start from the defaults
        }
    }
    applyWindows(*m_windows);
    showInjection();
}

HuntWorkspace::~HuntWorkspace()
{
    QSettings s;
    s.setValue(QStringLiteral("hunt/method"), m_method->currentData());
    s.setValue(QStringLiteral("hunt/classifier"), m_classifier->currentData());
    s.setValue(QStringLiteral("hunt/settings"), QByteArray::fromStdString(m_settings->values().dump()));
}

void HuntWorkspace::setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset)
{
    m_dataset = std::move(dataset);
    m_table.reset();
    m_background.reset();
    m_pool.reset();
    m_injection = {};
    m_undo->clear(); // edits of other data cannot be undone on these
    if (m_dataset && m_dataset->table) {
        // The table lives as long as the dataset: alias it.
        m_table = std::shared_ptr<const hepgen::data::Table>(m_dataset, &*m_dataset->table);
        if (!m_table->labels.empty() && std::all_of(m_table->labels.begin(), m_table->labels.end(), [](std::int8_t l) {
                return l == 0 || l == 1;
            })) {
            auto [background, pool] = hepgen::anomaly::splitByLabel(*m_table);
            m_background = std::make_shared<const hepgen::data::Table>(std::move(background));
            m_pool = std::make_shared<const hepgen::data::Table>(std::move(pool));
        }
    }
    const QSignalBlocker block(m_massColumn);
    m_massColumn->clear();
    if (m_table)
        for (const auto& c : m_table->columns)
            m_massColumn->addItem(QString::fromStdString(c));
    const int mjj = m_massColumn->findText(QStringLiteral("mjj"));
    if (mjj >= 0)
        m_massColumn->setCurrentIndex(mjj);
    showInjection();
    rebuildSpectrum();
    refresh();
}

QString HuntWorkspace::massUnit() const
{
    const int i = m_massColumn->currentIndex();
    return m_table && i >= 0 && m_table->units.size() > std::size_t(i)
        ? QString::fromStdString(m_table->units[std::size_t(i)])
        : QString();
}

void HuntWorkspace::rebuildSpectrum()
{
    if (!m_table || m_massColumn->currentIndex() < 0) {
        m_spectrum->showMessage(tr("Load a dijet table (File › Demo data › Dijet toy, or an LHCO / CATHODE file)"));
        return;
    }
    std::vector<float> mass = m_table->column(static_cast<std::size_t>(m_massColumn->currentIndex()));
    mass.erase(std::remove_if(mass.begin(), mass.end(), [](float v) { return !std::isfinite(v); }), mass.end());
    if (mass.empty()) {
        m_spectrum->showMessage(tr("No finite masses in this column"));
        return;
    }
    // The range that holds 99.9 % of the events: a few far outliers must not squeeze the spectrum.
    std::vector<float> sorted(mass);
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted[static_cast<std::size_t>(0.0005 * static_cast<double>(sorted.size() - 1))];
    const double hi = sorted[static_cast<std::size_t>(0.9995 * static_cast<double>(sorted.size() - 1))];
    m_spectrum->setSpectrum(
        hepgen::data::histogram(mass, static_cast<std::size_t>(m_bins->value()), lo, hi > lo ? hi : lo + 1),
        massUnit());
    m_spectrum->setWindows(*m_windows);
}

MassWindows HuntWorkspace::windows() const { return *m_windows; }

void HuntWorkspace::editWindows(const MassWindows& windows)
{
    const MassWindows before = *m_windows;
    if (before.srLow == windows.srLow && before.srHigh == windows.srHigh && before.sbLow == windows.sbLow
        && before.sbHigh == windows.sbHigh)
        return;
    m_undo->push(new WindowsCommand([this](const MassWindows& w) { applyWindows(w); }, before, windows));
}

void HuntWorkspace::applyWindows(const MassWindows& w)
{
    *m_windows = w;
    for (auto* box : { m_srLow, m_srHigh, m_sbLow, m_sbHigh })
        box->blockSignals(true);
    m_sbRest->blockSignals(true);
    m_srLow->setValue(w.srLow);
    m_srHigh->setValue(w.srHigh);
    const bool rest = !std::isfinite(w.sbLow) && !std::isfinite(w.sbHigh);
    m_sbRest->setChecked(rest);
    m_sbLow->setEnabled(!rest);
    m_sbHigh->setEnabled(!rest);
    if (std::isfinite(w.sbLow))
        m_sbLow->setValue(w.sbLow);
    else if (m_sbLow->value() == 0)
        m_sbLow->setValue(w.srLow - 0.4);
    if (std::isfinite(w.sbHigh))
        m_sbHigh->setValue(w.sbHigh);
    else if (m_sbHigh->value() == 0)
        m_sbHigh->setValue(w.srHigh + 0.4);
    for (auto* box : { m_srLow, m_srHigh, m_sbLow, m_sbHigh })
        box->blockSignals(false);
    m_sbRest->blockSignals(false);
    m_spectrum->setWindows(w);
    refresh();
}

bool HuntWorkspace::editInjection(const HuntInjection& injection)
{
    if (injection == m_injection)
        return true;
    QString problem;
    if (injection.mode != HuntInjection::Mode::AsLoaded) {
        if (!m_pool) {
            problem = tr("Signal injection needs a table with a 0/1 truth label for every event.");
        } else {
            // The checks injectSignal() makes, on counts only (the draw itself happens in applyInjection).
            const std::string massColumn = m_massColumn->currentText().toStdString();
            try {
                if (injection.mode == HuntInjection::Mode::Events && injection.signal > m_pool->rows())
                    problem = tr("The file holds only %L1 signal events.").arg(m_pool->rows());
                if (injection.mode == HuntInjection::Mode::SOverB) {
                    const auto bSr = hepgen::anomaly::countWindows(*m_windows, *m_background, massColumn).sr;
                    const auto sSr = hepgen::anomaly::countWindows(*m_windows, *m_pool, massColumn).sr;
                    const auto need = static_cast<std::size_t>(std::llround(injection.sOverB * double(bSr)));
                    if (need > sSr)
                        problem = tr("S/B = %1 % needs %L2 signal events in the signal region; the file holds %L3 "
                                     "there.")
                                      .arg(100 * injection.sOverB, 0, 'g', 4)
                                      .arg(need)
                                      .arg(sSr);
                }
            } catch (const std::exception& e) {
                problem = QString::fromUtf8(e.what());
            }
        }
    }
    if (!problem.isEmpty()) {
        showInjection(); // the controls go back to what is applied
        m_injectionBox->showProblem(problem);
        return false;
    }
    m_undo->push(new InjectionCommand([this](const HuntInjection& i) { applyInjection(i); }, m_injection, injection));
    return true;
}

void HuntWorkspace::applyInjection(const HuntInjection& injection)
{
    m_injection = injection;
    if (m_dataset && m_dataset->table) {
        if (injection.mode == HuntInjection::Mode::AsLoaded || !m_pool) {
            m_table = std::shared_ptr<const hepgen::data::Table>(m_dataset, &*m_dataset->table);
        } else {
            QApplication::setOverrideCursor(Qt::WaitCursor);
            try {
                hepgen::anomaly::Injection inj;
                inj.seed = injection.seed;
                if (injection.mode == HuntInjection::Mode::Events)
                    inj.signal = injection.signal;
                else
                    inj.sOverB = injection.sOverB; // 0 %: by number, none
                m_table = std::make_shared<const hepgen::data::Table>(hepgen::anomaly::injectSignal(
                    *m_background, *m_pool, inj, *m_windows, m_massColumn->currentText().toStdString()));
            } catch (const std::exception& e) {
                Q_EMIT message(tr("Signal injection failed: %1").arg(e.what()), true);
            }
            QApplication::restoreOverrideCursor();
        }
    }
    showInjection();
    rebuildSpectrum();
    refresh();
}

void HuntWorkspace::showInjection()
{
    m_injectionBox->showInjection(m_injection, m_background ? m_background->rows() : 0, m_pool ? m_pool->rows() : 0);
}

void HuntWorkspace::injectionRequested(HuntInjection next)
{
    // Switching to a mode starts from what the data hold now, so they do not jump.
    if (next.mode != m_injection.mode && m_pool && m_table) {
        if (next.mode == HuntInjection::Mode::Events)
            next.signal = static_cast<std::size_t>(std::count(m_table->labels.begin(), m_table->labels.end(), 1));
        const auto c = hepgen::anomaly::countWindows(*m_windows, *m_table, m_massColumn->currentText().toStdString());
        if (next.mode == HuntInjection::Mode::SOverB && std::isfinite(c.sOverB()))
            next.sOverB = std::round(1e5 * c.sOverB()) / 1e5; // what the S/B box can show
    }
    editInjection(next);
}

bool HuntWorkspace::setMethod(const QString& method)
{
    const int i = m_method->findData(method);
    if (i < 0)
        return false;
    m_method->setCurrentIndex(i);
    return true;
}

bool HuntWorkspace::setClassifier(const QString& classifier)
{
    const int i = m_classifier->findData(classifier);
    if (i < 0)
        return false;
    m_classifier->setCurrentIndex(i);
    return true;
}

bool HuntWorkspace::buildConfig(hepgen::anomaly::HuntConfig& config, QString& why) const
{
    const QStringList bad = m_settings->invalidFields();
    if (!bad.isEmpty()) {
        why = tr("These settings do not parse: %1.").arg(bad.join(QStringLiteral(", ")));
        return false;
    }
    nlohmann::json j = m_settings->values();
    j["method"] = m_method->currentData().toString().toStdString();
    j["classifier"] = m_classifier->currentData().toString().toStdString();
    j["folds"] = m_folds->value();
    j["seed"] = m_seed->value();
    j["mass_column"] = m_massColumn->currentText().toStdString();
    j["sr"] = { m_windows->srLow, m_windows->srHigh };
    if (!m_windows->sidebandIsEverythingElse())
        j["sb"] = { m_windows->sbLow, m_windows->sbHigh };
    try {
        config = hepgen::anomaly::HuntConfig::read(j);
        config.windows = *m_windows; // infinite sideband edges as they are
    } catch (const std::exception& e) {
        why = QString::fromUtf8(e.what());
        return false;
    }
    return true;
}

QString HuntWorkspace::runBlockedReason() const
{
    if (!m_table)
        return tr("Load a dijet table first.");
    if (m_massColumn->currentIndex() < 0)
        return tr("Choose the mass column.");
    if (m_jobs && m_jobs->isRunning())
        return tr("Waiting for “%1” to finish.").arg(m_jobs->title());
    const auto needs = hepgen::anomaly::methodNeeds(m_method->currentData().toString().toStdString(), m_folds->value());
    const auto problems
        = hepgen::anomaly::validateWindows(*m_windows, *m_table, needs, m_massColumn->currentText().toStdString());
    QStringList lines;
    for (const auto& p : problems)
        lines << QString::fromStdString(p);
    if (lines.isEmpty()) {
        hepgen::anomaly::HuntConfig c;
        QString why;
        if (!buildConfig(c, why))
            lines << tr("Settings: %1").arg(why);
    }
    return lines.join('\n');
}

void HuntWorkspace::refresh()
{
    const QString method = m_method->currentData().toString();
    m_classifier->setEnabled(hepgen::anomaly::usesClassifier(method.toStdString()));
    m_settings->setMethod(method, m_classifier->currentData().toString());
    if (m_table && m_massColumn->currentIndex() >= 0) {
        try {
            const auto c
                = hepgen::anomaly::countWindows(*m_windows, *m_table, m_massColumn->currentText().toStdString());
            QString text = tr("SB: %L1 events · SR: %L2 events").arg(c.sb).arg(c.sr);
            if (c.labelled)
                text += tr(" · S/B in the SR: %1 % (%L2 signal)").arg(100 * c.sOverB(), 0, 'f', 3).arg(c.srSignal);
            m_counts->setText(text);
        } catch (const std::exception& e) {
            m_counts->setText(QString::fromUtf8(e.what()));
        }
    } else {
        m_counts->setText(tr("No data"));
    }
    const QString reason = runBlockedReason();
    m_run->setEnabled(reason.isEmpty());
    m_problems->setText(reason.isEmpty() ? QString() : tr("Cannot run: %1").arg(reason));
    m_run->setToolTip(reason.isEmpty() ? tr("Run the chosen method (Ctrl+R)") : reason);
    const auto it = m_lastSeconds.find(method + '/' + m_classifier->currentData().toString());
    m_scans->setSecondsPerHunt(it == m_lastSeconds.end() ? 0.0 : it->second);
}

bool HuntWorkspace::run()
{
    const QString reason = runBlockedReason();
    hepgen::anomaly::HuntConfig config;
    QString why;
    if (!reason.isEmpty() || !buildConfig(config, why)) {
        Q_EMIT message(tr("The hunt cannot run: %1").arg(reason.isEmpty() ? why : reason), true);
        return false;
    }
    auto table = m_table;
    auto result = std::make_shared<hepgen::anomaly::HuntResult>();
    return m_jobs->start(
        tr("Anomaly hunt: %1").arg(QString::fromStdString(config.method)),
        [table, config, result](
            const hepgen::JobControl& job) { *result = hepgen::anomaly::runHunt(*table, config, job); },
        [this, result] { addResult(result); });
}

void HuntWorkspace::addResult(std::shared_ptr<hepgen::anomaly::HuntResult> result)
{
    m_results.push_back(result);
    m_model->add(result);
    m_tableView->resizeColumnsToContents();
    m_lastSeconds[QString::fromStdString(result->method) + '/'
        + QString::fromStdString(
            result->classifier.empty() ? m_classifier->currentData().toString().toStdString() : result->classifier)]
        = result->seconds;
    const QString name = resultName(*result);
    std::vector<double> rejection;
    std::vector<double> epsS;
    for (std::size_t i = 0; i < result->rocEpsS.size(); ++i)
        if (result->rocEpsB[i] > 0) {
            epsS.push_back(result->rocEpsS[i]);
            rejection.push_back(1.0 / result->rocEpsB[i]);
        }
    if (!epsS.empty())
        m_roc->addCurve(name, epsS, rejection);
    std::vector<double> sx, sy;
    for (const auto& [e, s] : result->sicCurve) {
        sx.push_back(e);
        sy.push_back(s);
    }
    if (!sx.empty())
        m_sic->addCurve(name, sx, sy);
    m_export->setEnabled(true);
    selectResult(resultCount() - 1);
    Q_EMIT message(tr("%1: AUC %2, max SIC %3 in %4 s")
                       .arg(name)
                       .arg(result->auc, 0, 'f', 3)
                       .arg(result->maxSic, 0, 'f', 2)
                       .arg(result->seconds, 0, 'f', 1),
        false);
    refresh();
    Q_EMIT huntFinished();
}

void HuntWorkspace::selectResult(int i)
{
    if (i < 0 || i >= resultCount())
        return;
    const auto& r = m_results[std::size_t(i)];
    if (m_tableView->currentIndex().row() != i) {
        const QSignalBlocker block(m_tableView->selectionModel());
        m_tableView->selectRow(i);
    }
    QStringList lines { tr("%1 — %2").arg(resultName(*r), QString::fromStdString(r->windows.describe())) };
    for (const auto& n : r->notes)
        lines << QStringLiteral("• ") + QString::fromStdString(n);
    if (!r->stages.empty()) {
        QStringList stages;
        for (const auto& s : r->stages)
            stages << QStringLiteral("%1 %2 s").arg(QString::fromStdString(s.stage)).arg(s.seconds, 0, 'f', 1);
        lines << tr("• Time by stage: %1 (total %2 s).")
                     .arg(stages.join(QStringLiteral(", ")))
                     .arg(r->seconds, 0, 'f', 1);
    }
    m_notes->setPlainText(lines.join('\n'));
    m_bump->setResult(r, massUnit());
}

void HuntWorkspace::showResultsPage(int page) { m_resultsTabs->setCurrentIndex(page); }

void HuntWorkspace::exportScores()
{
    const int row = m_tableView->currentIndex().isValid() ? m_tableView->currentIndex().row() : resultCount() - 1;
    if (row < 0 || row >= resultCount())
        return;
    QSettings s;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export scores"),
        s.value(QStringLiteral("hunt/exportDir"), QDir::homePath()).toString() + "/scores.csv",
        tr("CSV (*.csv);;HEPGen HDF5 (*.h5)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("hunt/exportDir"), QFileInfo(path).absolutePath());
    try {
        hepgen::anomaly::writeScores(*m_results[std::size_t(row)], path.toStdString());
        QFile table(QFileInfo(path).absoluteDir().filePath(QFileInfo(path).completeBaseName() + "-table.csv"));
        if (!table.open(QIODevice::WriteOnly | QIODevice::Text))
            throw std::runtime_error(("cannot write " + table.fileName()).toStdString());
        table.write(m_model->toCsv().toUtf8());
        Q_EMIT message(tr("Scores written to %1, the table to %2").arg(path, table.fileName()), false);
    } catch (const std::exception& e) {
        Q_EMIT message(tr("Export failed: %1").arg(e.what()), true);
    }
}

} // namespace hepgen::studio
