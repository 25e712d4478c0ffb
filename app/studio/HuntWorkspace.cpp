#include "HuntWorkspace.h"

#include "HuntResultsModel.h"
#include "core/anomaly/Hunt.h"
#include "core/data/Dataset.h"
#include "core/data/Histogram.h"
#include "widgets/CurveView.h"
#include "widgets/JobRunner.h"
#include "widgets/MassSpectrumView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
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

QDoubleSpinBox* massBox(QWidget* parent, const QString& tip)
{
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(0, 100);
    box->setDecimals(3);
    box->setSingleStep(0.05);
    box->setSuffix(QStringLiteral(" TeV"));
    box->setKeyboardTracking(false); // one edit per finished value, not per keystroke
    box->setToolTip(tip);
    return box;
}

} // namespace

HuntWorkspace::HuntWorkspace(hepgen::widgets::JobRunner* jobs, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_windows(std::make_unique<MassWindows>())
    , m_undo(new QUndoStack(this))
    , m_model(new HuntResultsModel(this))
{
    auto* controls = new QWidget(this);
    auto* cv = new QVBoxLayout(controls);

    auto* windows = new QGroupBox(tr("Windows"), controls);
    auto* wf = new QFormLayout(windows);
    m_massColumn = new QComboBox(windows);
    m_massColumn->setToolTip(tr("The resonance mass the windows are placed on"));
    m_srLow = massBox(windows, tr("Lower edge of the signal region"));
    m_srHigh = massBox(windows, tr("Upper edge of the signal region"));
    m_sbRest = new QCheckBox(tr("Sidebands: the rest of the spectrum"), windows);
    m_sbRest->setToolTip(tr("Off: sidebands between the edges below (adjacent to the signal region)"));
    m_sbLow = massBox(windows, tr("Lower edge of the lower sideband"));
    m_sbHigh = massBox(windows, tr("Upper edge of the upper sideband"));
    m_snap = new QCheckBox(tr("Snap to bin edges"), windows);
    m_bins = new QSpinBox(windows);
    m_bins->setRange(10, 1000);
    m_bins->setValue(100);
    m_bins->setToolTip(tr("Bins of the spectrum"));
    auto* undoRow = new QHBoxLayout;
    auto* undo = new QPushButton(tr("Undo"), windows);
    auto* redo = new QPushButton(tr("Redo"), windows);
    undo->setToolTip(tr("Undo the last window edit (Ctrl+Z)"));
    redo->setToolTip(tr("Redo (Ctrl+Shift+Z)"));
    undoRow->addWidget(undo);
    undoRow->addWidget(redo);
    wf->addRow(tr("Mass"), m_massColumn);
    wf->addRow(tr("SR from"), m_srLow);
    wf->addRow(tr("SR to"), m_srHigh);
    wf->addRow(m_sbRest);
    wf->addRow(tr("SB from"), m_sbLow);
    wf->addRow(tr("SB to"), m_sbHigh);
    wf->addRow(m_snap);
    wf->addRow(tr("Bins"), m_bins);
    wf->addRow(undoRow);
    cv->addWidget(windows);
    m_counts = new QLabel(controls);
    m_counts->setWordWrap(true);
    cv->addWidget(m_counts);

    auto* method = new QGroupBox(tr("Method"), controls);
    auto* mf = new QFormLayout(method);
    m_method = new QComboBox(method);
    for (const auto& m : hepgen::anomaly::huntMethods())
        m_method->addItem(QString::fromStdString(m), QString::fromStdString(m));
    m_method->setToolTip(tr("supervised and iad are the references (they read truth labels); cwola, anode, cathode, "
                            "lacathode and ranode are weakly supervised"));
    m_classifier = new QComboBox(method);
    m_classifier->addItem(tr("MLP ensemble"), QStringLiteral("mlp"));
    m_classifier->addItem(tr("Boosted trees (XGBoost)"), QStringLiteral("bdt"));
    m_folds = new QSpinBox(method);
    m_folds->setRange(2, 10);
    m_folds->setValue(5);
    m_folds->setToolTip(tr("k of the k-fold: every SR event is scored by a model that did not train on it"));
    m_seed = new QSpinBox(method);
    m_seed->setRange(0, 1000000);
    m_seed->setValue(1);
    m_seed->setToolTip(tr("Seed of folds, training and sampling: the same seed gives the same result"));
    mf->addRow(tr("Method"), m_method);
    mf->addRow(tr("Classifier"), m_classifier);
    mf->addRow(tr("Folds"), m_folds);
    mf->addRow(tr("Seed"), m_seed);
    cv->addWidget(method);
    m_problems = new QLabel(controls);
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #b2182b"));
    cv->addWidget(m_problems);
    m_run = new QPushButton(tr("Run hunt"), controls);
    m_run->setToolTip(tr("Run the chosen method (Ctrl+R)"));
    cv->addWidget(m_run);
    m_export = new QPushButton(tr("Export scores and table…"), controls);
    m_export->setToolTip(tr("Per-event scores of the last run (CSV or HDF5) and the comparison table (CSV)"));
    m_export->setEnabled(false);
    cv->addWidget(m_export);
    cv->addStretch(1);

    m_spectrum = new hepgen::widgets::MassSpectrumView(this);
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_roc = new hepgen::widgets::CurveView(this);
    m_roc->setAxisLabels(tr("signal efficiency ε_S"), {}, tr("background rejection 1/ε_B"), {});
    m_roc->setLogY(true);
    m_sic = new hepgen::widgets::CurveView(this);
    m_sic->setAxisLabels(tr("signal efficiency ε_S"), {}, tr("SIC = ε_S/√ε_B"), {});
    auto* curves = new QSplitter(Qt::Horizontal, this);
    curves->addWidget(m_roc);
    curves->addWidget(m_sic);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_spectrum);
    right->addWidget(m_table);
    right->addWidget(curves);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    right->setStretchFactor(2, 2);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(controls);
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
    auto fromBoxes = [this] {
        MassWindows w = *m_windows;
        w.srLow = m_srLow->value();
        w.srHigh = m_srHigh->value();
        w.sbLow = m_sbRest->isChecked() ? -INFINITY : m_sbLow->value();
        w.sbHigh = m_sbRest->isChecked() ? INFINITY : m_sbHigh->value();
        editWindows(w);
    };
    for (auto* box : { m_srLow, m_srHigh, m_sbLow, m_sbHigh })
        connect(box, &QDoubleSpinBox::valueChanged, this, fromBoxes);
    connect(m_sbRest, &QCheckBox::toggled, this, fromBoxes);
    connect(m_snap, &QCheckBox::toggled, m_spectrum, &hepgen::widgets::MassSpectrumView::setSnapToBins);
    connect(m_bins, &QSpinBox::valueChanged, this, &HuntWorkspace::rebuildSpectrum);
    connect(m_massColumn, &QComboBox::currentIndexChanged, this, [this] {
        rebuildSpectrum();
        refresh();
    });
    connect(undo, &QPushButton::clicked, m_undo, &QUndoStack::undo);
    connect(redo, &QPushButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QPushButton::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QPushButton::setEnabled);
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(m_method, &QComboBox::currentIndexChanged, this, &HuntWorkspace::refresh);
    connect(m_folds, &QSpinBox::valueChanged, this, &HuntWorkspace::refresh);
    connect(m_run, &QPushButton::clicked, this, [this] { run(); });
    connect(m_export, &QPushButton::clicked, this, &HuntWorkspace::exportScores);
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
    applyWindows(*m_windows);
}

HuntWorkspace::~HuntWorkspace()
{
    QSettings s;
    s.setValue(QStringLiteral("hunt/method"), m_method->currentData());
    s.setValue(QStringLiteral("hunt/classifier"), m_classifier->currentData());
}

void HuntWorkspace::setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset)
{
    m_dataset = std::move(dataset);
    const QSignalBlocker block(m_massColumn);
    m_massColumn->clear();
    if (m_dataset && m_dataset->table)
        for (const auto& c : m_dataset->table->columns)
            m_massColumn->addItem(QString::fromStdString(c));
    const int mjj = m_massColumn->findText(QStringLiteral("mjj"));
    if (mjj >= 0)
        m_massColumn->setCurrentIndex(mjj);
    rebuildSpectrum();
    refresh();
}

void HuntWorkspace::rebuildSpectrum()
{
    if (!m_dataset || !m_dataset->table || m_massColumn->currentIndex() < 0) {
        m_spectrum->showMessage(tr("Load a dijet table (File › Demo data › Dijet toy, or an LHCO / CATHODE file)"));
        return;
    }
    const auto& t = *m_dataset->table;
    std::vector<float> mass = t.column(static_cast<std::size_t>(m_massColumn->currentIndex()));
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
    const auto unitIndex = static_cast<std::size_t>(m_massColumn->currentIndex());
    const QString unit = t.units.size() > unitIndex ? QString::fromStdString(t.units[unitIndex]) : QString();
    m_spectrum->setSpectrum(
        hepgen::data::histogram(mass, static_cast<std::size_t>(m_bins->value()), lo, hi > lo ? hi : lo + 1), unit);
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

QString HuntWorkspace::runBlockedReason() const
{
    if (!m_dataset || !m_dataset->table)
        return tr("Load a dijet table first.");
    if (m_massColumn->currentIndex() < 0)
        return tr("Choose the mass column.");
    if (m_jobs && m_jobs->isRunning())
        return tr("Waiting for “%1” to finish.").arg(m_jobs->title());
    const auto needs = hepgen::anomaly::methodNeeds(m_method->currentData().toString().toStdString(), m_folds->value());
    const auto problems = hepgen::anomaly::validateWindows(
        *m_windows, *m_dataset->table, needs, m_massColumn->currentText().toStdString());
    QStringList lines;
    for (const auto& p : problems)
        lines << QString::fromStdString(p);
    return lines.join('\n');
}

void HuntWorkspace::refresh()
{
    const bool classifier = hepgen::anomaly::usesClassifier(m_method->currentData().toString().toStdString());
    m_classifier->setEnabled(classifier);
    if (m_dataset && m_dataset->table && m_massColumn->currentIndex() >= 0) {
        try {
            const auto c = hepgen::anomaly::countWindows(
                *m_windows, *m_dataset->table, m_massColumn->currentText().toStdString());
            QString text = tr("SB: %L1 events · SR: %L2 events").arg(c.sb).arg(c.sr);
            if (c.labelled)
                text += tr(" · S/B in the SR: %1 % (%L2 signal)").arg(100 * c.sOverB(), 0, 'f', 2).arg(c.srSignal);
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
}

bool HuntWorkspace::run()
{
    const QString reason = runBlockedReason();
    if (!reason.isEmpty()) {
        Q_EMIT message(tr("The hunt cannot run: %1").arg(reason), true);
        return false;
    }
    hepgen::anomaly::HuntConfig config;
    config.method = m_method->currentData().toString().toStdString();
    config.classifier = m_classifier->currentData().toString().toStdString();
    config.windows = *m_windows;
    config.massColumn = m_massColumn->currentText().toStdString();
    config.folds = m_folds->value();
    config.seed = static_cast<std::uint64_t>(m_seed->value());
    auto dataset = m_dataset;
    auto result = std::make_shared<hepgen::anomaly::HuntResult>();
    return m_jobs->start(
        tr("Anomaly hunt: %1").arg(QString::fromStdString(config.method)),
        [dataset, config, result](
            const hepgen::JobControl& job) { *result = hepgen::anomaly::runHunt(*dataset->table, config, job); },
        [this, result] { addResult(result); });
}

void HuntWorkspace::addResult(std::shared_ptr<hepgen::anomaly::HuntResult> result)
{
    m_results.push_back(result);
    m_model->add(result);
    m_table->resizeColumnsToContents();
    const QString name = QString::fromStdString(result->method)
        + (result->classifier.empty() ? QString()
                                      : QStringLiteral(" (%1)").arg(QString::fromStdString(result->classifier)));
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
    for (const auto& n : result->notes)
        Q_EMIT message(QString::fromStdString(n), false);
    Q_EMIT message(tr("%1: AUC %2, max SIC %3 in %4 s")
                       .arg(name)
                       .arg(result->auc, 0, 'f', 3)
                       .arg(result->maxSic, 0, 'f', 2)
                       .arg(result->seconds, 0, 'f', 1),
        false);
    Q_EMIT huntFinished();
}

void HuntWorkspace::exportScores()
{
    if (m_results.empty())
        return;
    QSettings s;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export scores"),
        s.value(QStringLiteral("hunt/exportDir"), QDir::homePath()).toString() + "/scores.csv",
        tr("CSV (*.csv);;HEPGen HDF5 (*.h5)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("hunt/exportDir"), QFileInfo(path).absolutePath());
    try {
        hepgen::anomaly::writeScores(*m_results.back(), path.toStdString());
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
