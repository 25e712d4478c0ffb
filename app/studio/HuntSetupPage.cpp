// HuntWorkspace's setup page: the windows, the signal injection, the method and its classifier, the Run button.
#include "HuntWorkspace.h"

#include "HuntSettingsForm.h"
#include "core/anomaly/Hunt.h"
#include "widgets/MassSpectrumView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QUndoStack>
#include <QVBoxLayout>

namespace hepgen::studio {

using hepgen::anomaly::MassWindows;

namespace {

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

void HuntWorkspace::buildSetupPage(QWidget* page)
{
    auto* cv = new QVBoxLayout(page);
    auto* windows = new QGroupBox(tr("Windows"), page);
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
    m_snap->setToolTip(tr("Dragged edges land on the spectrum's bin edges"));
    m_bins = new QSpinBox(windows);
    m_bins->setRange(10, 1000);
    m_bins->setValue(100);
    m_bins->setToolTip(tr("Bins of the spectrum"));
    auto* undoRow = new QHBoxLayout;
    auto* undo = new QPushButton(tr("Undo"), windows);
    auto* redo = new QPushButton(tr("Redo"), windows);
    undo->setToolTip(tr("Undo the last edit of the windows or the injection (Ctrl+Z)"));
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

    m_injectionBox = new HuntInjectionBox(page);
    cv->addWidget(m_injectionBox);

    m_counts = new QLabel(page);
    m_counts->setWordWrap(true);
    cv->addWidget(m_counts);

    auto* method = new QGroupBox(tr("Method"), page);
    auto* mf = new QFormLayout(method);
    m_method = new QComboBox(method);
    for (const auto& m : hepgen::anomaly::huntMethods())
        m_method->addItem(QString::fromStdString(m), QString::fromStdString(m));
    m_method->setToolTip(tr("supervised and iad are the references (they read truth labels); cwola, anode, cathode, "
                            "lacathode and ranode are weakly supervised"));
    m_classifier = new QComboBox(method);
    m_classifier->addItem(tr("MLP ensemble"), QStringLiteral("mlp"));
    m_classifier->addItem(tr("Boosted trees (XGBoost)"), QStringLiteral("bdt"));
    m_classifier->setToolTip(tr("The classifier of the classifier-based methods"));
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
    m_problems = new QLabel(page);
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #b2182b"));
    cv->addWidget(m_problems);
    m_run = new QPushButton(tr("Run hunt"), page);
    m_run->setToolTip(tr("Run the chosen method (Ctrl+R)"));
    cv->addWidget(m_run);
    m_export = new QPushButton(tr("Export scores and table…"), page);
    m_export->setToolTip(tr("Per-event scores of the chosen run (CSV or HDF5) and the comparison table (CSV)"));
    m_export->setEnabled(false);
    cv->addWidget(m_export);
    cv->addStretch(1);

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
    connect(m_snap, &QCheckBox::toggled, this, [this](bool on) { m_spectrum->setSnapToBins(on); });
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
    connect(m_injectionBox, &HuntInjectionBox::requested, this, &HuntWorkspace::injectionRequested);
    connect(m_method, &QComboBox::currentIndexChanged, this, &HuntWorkspace::refresh);
    connect(m_classifier, &QComboBox::currentIndexChanged, this, &HuntWorkspace::refresh);
    connect(m_folds, &QSpinBox::valueChanged, this, &HuntWorkspace::refresh);
    connect(m_run, &QPushButton::clicked, this, [this] { run(); });
    connect(m_export, &QPushButton::clicked, this, &HuntWorkspace::exportScores);
}

} // namespace hepgen::studio
