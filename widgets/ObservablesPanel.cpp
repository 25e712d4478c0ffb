#include "widgets/ObservablesPanel.h"

#include "widgets/ObservableTableModel.h"
#include "widgets/RatioHistogramView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace hepgen::widgets {

namespace {

bool writeText(const QString& path, const QString& text, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = QObject::tr("Could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    QTextStream(&f) << text;
    return true;
}

QString yLabelFor(const hepgen::showers::ObservableComparison& c)
{
    if (c.group == "profile")
        return QObject::tr("fraction of energy");
    if (c.name == "hit energy")
        return QObject::tr("fraction of hits");
    return QObject::tr("fraction of showers");
}

} // namespace

ObservablesPanel::ObservablesPanel(QWidget* parent)
    : QWidget(parent)
    , m_min(new QDoubleSpinBox(this))
    , m_max(new QDoubleSpinBox(this))
    , m_classifier(new QCheckBox(tr("&Classifier test"), this))
    , m_evaluate(new QPushButton(tr("&Evaluate"), this))
    , m_reason(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_choice(new QComboBox(this))
    , m_filter(new QLineEdit(this))
    , m_plot(new RatioHistogramView(this))
    , m_table(new QTableView(this))
    , m_model(new ObservableTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    for (QDoubleSpinBox* s : { m_min, m_max }) {
        s->setRange(0.0, 1e6);
        s->setDecimals(1);
        s->setSuffix(tr(" GeV"));
        s->setKeyboardTracking(false);
    }
    m_min->setObjectName(QStringLiteral("energyMin"));
    m_max->setObjectName(QStringLiteral("energyMax"));
    m_min->setToolTip(tr("Only showers with an incident energy of at least this"));
    m_max->setToolTip(tr("Only showers with an incident energy of at most this"));
    m_classifier->setObjectName(QStringLiteral("classifier"));
    m_classifier->setToolTip(tr("Also train a classifier to tell generated from reference showers on high-level "
                                "features (AUC 0.5: indistinguishable); takes a few seconds"));
    m_evaluate->setObjectName(QStringLiteral("evaluate"));
    m_evaluate->setToolTip(tr("Compare generated with reference showers in this energy range (Ctrl+E)"));
    m_evaluate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_reason->setObjectName(QStringLiteral("reason"));
    m_reason->setStyleSheet(QStringLiteral("color: #a05000"));
    m_reason->setWordWrap(true); // a long reason wraps instead of widening the window
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_choice->setObjectName(QStringLiteral("observableChoice"));
    m_choice->setToolTip(tr("The observable shown in the histograms"));
    m_choice->setMinimumContentsLength(22);
    m_filter->setPlaceholderText(tr("Filter observables (e.g. layer 5, width)"));
    m_filter->setClearButtonEnabled(true);

    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("E&xport"));
    exportButton->setToolTip(tr("Export the figure (PNG/PDF), the table (CSV) or the shown histograms (CSV)"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(exportButton);
    menu->addAction(tr("Figure as PNG or PDF…"), this, [this] { exportWithDialog(0); });
    menu->addAction(tr("Table as CSV…"), this, [this] { exportWithDialog(1); });
    menu->addAction(tr("Shown histograms as CSV…"), this, [this] { exportWithDialog(2); });
    exportButton->setMenu(menu);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_proxy->setFilterKeyColumn(ObservableTableModel::Name);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setObjectName(QStringLiteral("observableTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(22);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("E_inc from"), this));
    top->addWidget(m_min);
    top->addWidget(new QLabel(tr("to"), this));
    top->addWidget(m_max);
    top->addWidget(m_classifier);
    top->addWidget(m_evaluate);
    top->addWidget(exportButton);
    top->addStretch(1);
    auto* second = new QHBoxLayout; // a second row keeps the panel narrow enough for a 1280-pixel window
    second->addWidget(new QLabel(tr("Observable:"), this));
    second->addWidget(m_choice);
    second->addWidget(m_reason, 1);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_summary);
    rightLayout->addWidget(m_filter);
    rightLayout->addWidget(m_table, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_plot);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({ 600, 420 });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addLayout(second);
    layout->addWidget(split, 1);

    QSettings s;
    m_min->setValue(s.value(QStringLiteral("showers/observables/min"), 0.0).toDouble());
    m_max->setValue(s.value(QStringLiteral("showers/observables/max"), 1000.0).toDouble());
    m_classifier->setChecked(s.value(QStringLiteral("showers/observables/classifier"), true).toBool());

    connect(m_evaluate, &QPushButton::clicked, this, [this] {
        rememberSettings();
        Q_EMIT evaluateRequested(energyMin(), energyMax(), classifier());
    });
    connect(m_choice, qOverload<int>(&QComboBox::activated), this, [this](int i) { showRow(i); });
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
            if (current.isValid())
                showRow(m_proxy->mapToSource(current).row());
        });
    setReady(false, tr("Needs reference and generated showers."));
    setEvaluation(nullptr, tr("No comparison yet: choose an energy range and press Evaluate."));
}

const hepgen::showers::ShowerEvaluation* ObservablesPanel::evaluation() const { return m_model->evaluation(); }

void ObservablesPanel::setReady(bool ready, const QString& reason)
{
    m_evaluate->setEnabled(ready);
    m_reason->setText(ready ? QString() : reason);
}

double ObservablesPanel::energyMin() const { return m_min->value(); }
double ObservablesPanel::energyMax() const { return m_max->value(); }

void ObservablesPanel::setEnergyRange(double lo, double hi)
{
    m_min->setValue(lo);
    m_max->setValue(hi);
}

bool ObservablesPanel::classifier() const { return m_classifier->isChecked(); }
void ObservablesPanel::setClassifier(bool on) { m_classifier->setChecked(on); }

void ObservablesPanel::setEvaluation(
    std::shared_ptr<const hepgen::showers::ShowerEvaluation> evaluation, const QString& message)
{
    const QString previous = currentObservable();
    m_model->setEvaluation(evaluation);
    m_shownRow = -1;
    {
        const QSignalBlocker block(m_choice);
        m_choice->clear();
        if (evaluation)
            for (const auto& c : evaluation->observables)
                m_choice->addItem(QString::fromStdString(c.name));
    }
    if (!evaluation) {
        m_summary->setText(message);
        m_plot->clear(message.isEmpty() ? tr("No comparison yet") : message);
        return;
    }
    const auto& e = *evaluation;
    QString text = tr("%1 reference and %2 generated showers with E_inc in [%3, %4] GeV.")
                       .arg(e.nReference)
                       .arg(e.nGenerated)
                       .arg(e.energyMin, 0, 'g', 4)
                       .arg(e.energyMax, 0, 'g', 4);
    if (std::isfinite(e.classifierAuc))
        text += tr(" <b>Classifier AUC %1</b> ± %2 by chance (0.5: indistinguishable), JSD %3 bits, on %4 high-level "
                   "features.")
                    .arg(e.classifierAuc, 0, 'f', 3)
                    .arg(e.classifierAucNullSigma, 0, 'f', 3)
                    .arg(e.classifierJsd, 0, 'f', 3)
                    .arg(e.classifierFeatures);
    else
        text += tr(" Classifier test not run.");
    for (const auto& n : e.notes)
        text += QStringLiteral("<br><i>%1</i>").arg(QString::fromStdString(n).toHtmlEscaped());
    m_summary->setText(text);
    if (e.observables.empty()) {
        m_plot->clear(tr("No observable could be compared"));
        return;
    }
    m_table->resizeColumnsToContents();
    if (previous.isEmpty() || !showObservable(previous))
        showRow(0);
}

bool ObservablesPanel::showObservable(const QString& name)
{
    const int i = m_choice->findText(name);
    if (i < 0)
        return false;
    showRow(i);
    return true;
}

QString ObservablesPanel::currentObservable() const
{
    const auto* c = m_model->comparison(m_shownRow);
    return c ? QString::fromStdString(c->name) : QString();
}

void ObservablesPanel::showRow(int sourceRow)
{
    const auto* c = m_model->comparison(sourceRow);
    if (!c || sourceRow == m_shownRow)
        return;
    m_shownRow = sourceRow;
    {
        const QSignalBlocker block(m_choice);
        m_choice->setCurrentIndex(sourceRow);
    }
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (proxyIndex.isValid() && m_table->currentIndex().row() != proxyIndex.row()) {
        const QSignalBlocker block(m_table->selectionModel());
        m_table->selectRow(proxyIndex.row());
        m_table->scrollTo(proxyIndex);
    }
    const QString unit = QString::fromStdString(c->unit);
    const QString summary = tr("separation power %1\nW1 %2%3")
                                .arg(c->separationPower, 0, 'f', 4)
                                .arg(c->w1, 0, 'g', 4)
                                .arg(unit.isEmpty() ? QString() : QStringLiteral(" ") + unit);
    m_plot->setHistograms(QString::fromStdString(c->name), unit, yLabelFor(*c), c->edges, c->reference, c->generated,
        c->logBins, static_cast<double>(c->nReference), static_cast<double>(c->nGenerated), summary);
}

bool ObservablesPanel::exportTableCsv(const QString& path, QString* error) const
{
    if (!evaluation()) {
        if (error)
            *error = tr("There is no comparison to export yet.");
        return false;
    }
    return writeText(path, m_model->toCsv(), error);
}

bool ObservablesPanel::exportHistogramCsv(const QString& path, QString* error) const
{
    const auto* c = m_model->comparison(m_shownRow);
    if (!c) {
        if (error)
            *error = tr("There is no histogram to export yet.");
        return false;
    }
    QString text = QStringLiteral("# %1 [%2]\nlow_edge,high_edge,reference,generated,ratio\n")
                       .arg(QString::fromStdString(c->name), QString::fromStdString(c->unit));
    const auto& ratio = m_plot->ratio();
    for (std::size_t i = 0; i < c->reference.size(); ++i)
        text += QStringLiteral("%1,%2,%3,%4,%5\n")
                    .arg(c->edges[i], 0, 'g', 10)
                    .arg(c->edges[i + 1], 0, 'g', 10)
                    .arg(c->reference[i], 0, 'g', 10)
                    .arg(c->generated[i], 0, 'g', 10)
                    .arg(i < ratio.size() && std::isfinite(ratio[i]) ? QString::number(ratio[i], 'g', 10) : QString());
    return writeText(path, text, error);
}

void ObservablesPanel::exportWithDialog(int what)
{
    if (what == 0) {
        m_plot->exportWithDialog();
        return;
    }
    QSettings s;
    const QString path = QFileDialog::getSaveFileName(this, what == 1 ? tr("Export table") : tr("Export histograms"),
        s.value(QStringLiteral("dirs/export")).toString(), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
    QString error;
    const bool ok = what == 1 ? exportTableCsv(path, &error) : exportHistogramCsv(path, &error);
    if (!ok)
        QMessageBox::warning(this, tr("Export failed"), error);
}

void ObservablesPanel::rememberSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("showers/observables/min"), m_min->value());
    s.setValue(QStringLiteral("showers/observables/max"), m_max->value());
    s.setValue(QStringLiteral("showers/observables/classifier"), m_classifier->isChecked());
}

} // namespace hepgen::widgets
