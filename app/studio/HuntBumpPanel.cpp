#include "HuntBumpPanel.h"

#include "core/anomaly/BumpHunt.h"
#include "core/anomaly/Hunt.h"
#include "core/util/Error.h"
#include "widgets/BumpHuntView.h"
#include "widgets/JobRunner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace hepgen::studio {

namespace {

bool labelled(const hepgen::anomaly::HuntResult& r)
{
    return !r.events.label.empty()
        && std::none_of(r.events.label.begin(), r.events.label.end(), [](std::int8_t l) { return l < 0; });
}

} // namespace

HuntBumpPanel::HuntBumpPanel(hepgen::widgets::JobRunner* jobs, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
{
    m_backgroundOnly = new QCheckBox(tr("Background only (sculpting check)"), this);
    m_backgroundOnly->setToolTip(tr("Repeat the bump hunt on the truth-background events alone: a score that "
                                    "learned the mass carves a bump there (labelled data only)"));
    m_pulls = new QComboBox(this);
    m_pulls->setToolTip(tr("The score cut whose pulls the lower panel shows"));
    m_pulls->setSizeAdjustPolicy(QComboBox::AdjustToContents); // "ε = 0.1 %" was cut off
    m_binWidth = new QDoubleSpinBox(this);
    m_binWidth->setRange(0.01, 0.5);
    m_binWidth->setDecimals(3);
    m_binWidth->setSingleStep(0.01);
    m_binWidth->setValue(0.05);
    m_binWidth->setSuffix(QStringLiteral(" TeV"));
    m_binWidth->setKeyboardTracking(false);
    m_binWidth->setToolTip(tr("Bin width of the fitted spectrum (the SR is split into whole bins)"));
    m_fitLow = new QDoubleSpinBox(this);
    m_fitLow->setRange(0.0, 20.0);
    m_fitLow->setDecimals(2);
    m_fitLow->setSingleStep(0.05);
    m_fitLow->setValue(3.0);
    m_fitLow->setSuffix(QStringLiteral(" TeV"));
    m_fitLow->setKeyboardTracking(false);
    m_fitLow->setToolTip(tr("Lowest mass in the fit: keep it above the trigger turn-on, where the dijet "
                            "function does not describe the spectrum"));
    m_exportFigure = new QPushButton(tr("Export figure…"), this);
    m_exportFigure->setToolTip(tr("Spectra, fits and pulls as PNG or PDF"));
    m_exportNumbers = new QPushButton(tr("Export numbers…"), this);
    m_exportNumbers->setToolTip(tr("Every bin of every cut (observed, fit, pull) and the significances, as CSV"));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_view = new hepgen::widgets::BumpHuntView(this);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_backgroundOnly);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Pulls of"), this));
    controls->addWidget(m_pulls);
    controls->addWidget(new QLabel(tr("Bins"), this));
    controls->addWidget(m_binWidth);
    controls->addWidget(new QLabel(tr("Fit from"), this));
    controls->addWidget(m_fitLow);
    controls->addStretch(1);
    auto* summaryRow = new QHBoxLayout; // the exports beside the summary keep the panel narrow
    summaryRow->addWidget(m_summary, 1);
    summaryRow->addWidget(m_exportFigure, 0, Qt::AlignTop);
    summaryRow->addWidget(m_exportNumbers, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(controls);
    layout->addLayout(summaryRow);
    layout->addWidget(m_view, 1);

    QSettings s;
    m_binWidth->setValue(s.value(QStringLiteral("hunt/bump/binWidth"), 0.05).toDouble());
    m_fitLow->setValue(s.value(QStringLiteral("hunt/bump/fitLow"), 3.0).toDouble());
    connect(m_backgroundOnly, &QCheckBox::toggled, this, &HuntBumpPanel::recompute);
    connect(m_binWidth, &QDoubleSpinBox::valueChanged, this, &HuntBumpPanel::recompute);
    connect(m_fitLow, &QDoubleSpinBox::valueChanged, this, &HuntBumpPanel::recompute);
    connect(m_pulls, &QComboBox::currentIndexChanged, m_view, &hepgen::widgets::BumpHuntView::setPullsStep);
    connect(m_exportFigure, &QPushButton::clicked, this, [this] { exportWithDialog(false); });
    connect(m_exportNumbers, &QPushButton::clicked, this, [this] { exportWithDialog(true); });
    if (m_jobs) {
        connect(m_jobs, &hepgen::widgets::JobRunner::runningChanged, this, [this](bool running) {
            if (!running && m_pending)
                recompute();
        });
        const auto ended = [this](const QString& title, const QString& why) {
            if (title == tr("Bump hunt"))
                m_summary->setText(tr("The bump hunt did not finish: %1").arg(why));
        };
        connect(m_jobs, &hepgen::widgets::JobRunner::failed, this, ended);
        connect(m_jobs, &hepgen::widgets::JobRunner::cancelled, this,
            [ended](const QString& title) { ended(title, QObject::tr("cancelled")); });
    }
    setResult(nullptr, {});
}

HuntBumpPanel::~HuntBumpPanel()
{
    QSettings s;
    s.setValue(QStringLiteral("hunt/bump/binWidth"), m_binWidth->value());
    s.setValue(QStringLiteral("hunt/bump/fitLow"), m_fitLow->value());
}

void HuntBumpPanel::setResult(std::shared_ptr<const hepgen::anomaly::HuntResult> result, const QString& unit)
{
    m_result = std::move(result);
    m_unit = unit;
    const bool hasLabels = m_result && labelled(*m_result);
    m_backgroundOnly->setEnabled(hasLabels);
    if (!hasLabels) {
        const QSignalBlocker block(m_backgroundOnly);
        m_backgroundOnly->setChecked(false);
    }
    m_backgroundOnly->setToolTip(hasLabels ? tr("Repeat the bump hunt on the truth-background events alone: a score "
                                                "that learned the mass carves a bump there")
                                           : tr("The sculpting check needs truth labels"));
    recompute();
}

void HuntBumpPanel::setBackgroundOnly(bool on) { m_backgroundOnly->setChecked(on); }

bool HuntBumpPanel::backgroundOnly() const { return m_backgroundOnly->isChecked(); }

void HuntBumpPanel::recompute()
{
    m_exportFigure->setEnabled(false);
    m_exportNumbers->setEnabled(false);
    if (!m_result) {
        m_pending = false;
        m_summary->setText(tr("Pick a finished hunt in the results table."));
        m_view->setSteps({}, {}, m_unit, tr("Run a hunt, then pick it in the results table"));
        return;
    }
    if (!m_jobs || m_jobs->isRunning()) {
        m_pending = true;
        m_summary->setText(
            tr("The bump hunt is fitted when “%1” has finished.").arg(m_jobs ? m_jobs->title() : QString()));
        return;
    }
    m_pending = false;
    auto result = m_result;
    hepgen::anomaly::BumpHuntConfig config;
    config.binWidth = m_binWidth->value();
    config.fitLow = m_fitLow->value();
    const bool backgroundOnly = m_backgroundOnly->isChecked();
    auto steps = std::make_shared<std::vector<hepgen::anomaly::BumpHuntStep>>();
    auto problem = std::make_shared<QString>();
    m_summary->setText(tr("Fitting…"));
    m_jobs->start(
        tr("Bump hunt"),
        [result, config, backgroundOnly, steps, problem](const hepgen::JobControl& job) {
            try {
                *steps = hepgen::anomaly::bumpHunt(result->events, result->windows, config, backgroundOnly);
            } catch (const hepgen::ConfigError& e) {
                *problem = QString::fromUtf8(e.what()); // e.g. a fit range that does not reach around the SR
            }
            job.report(1.0);
        },
        [this, result, backgroundOnly, steps, problem] {
            if (result != m_result || backgroundOnly != m_backgroundOnly->isChecked()) {
                recompute(); // the choice changed while fitting
                return;
            }
            const QString empty = problem->isEmpty() ? tr("No cut left enough events for a fit") : *problem;
            m_view->setSteps(*steps, result->windows, m_unit, empty);
            {
                const QSignalBlocker block(m_pulls);
                m_pulls->clear();
                for (const auto& s : *steps)
                    m_pulls->addItem(tr("ε = %1 %").arg(100.0 * s.efficiency, 0, 'g', 3));
                m_pulls->setCurrentIndex(m_view->pullsStep());
            }
            QStringList parts;
            double largest = 0;
            for (const auto& s : *steps) {
                parts << (std::isfinite(s.fit.significance)
                        ? tr("ε = %1 %: Z = %2 σ").arg(100.0 * s.efficiency, 0, 'g', 3).arg(s.fit.significance, 0, 'f', 2)
                        : tr("ε = %1 %: the fit failed").arg(100.0 * s.efficiency, 0, 'g', 3));
                largest = std::max(largest, s.fit.significance);
            }
            const QString what = backgroundOnly ? tr("Background only (sculpting check)") : tr("Local significance");
            QString text = parts.isEmpty() ? empty : tr("%1: %2.").arg(what, parts.join(QStringLiteral(" · ")));
            if (backgroundOnly && !parts.isEmpty())
                text += largest < 2.0 ? tr(" No cut carves a bump (all < 2 σ).")
                                      : tr(" The score sculpts the spectrum: a bump appears on background alone.");
            m_summary->setText(text);
            m_exportFigure->setEnabled(!steps->empty());
            m_exportNumbers->setEnabled(!steps->empty());
            Q_EMIT updated();
        });
}

bool HuntBumpPanel::exportTo(const QString& path, QString* error) const
{
    if (QFileInfo(path).suffix().toLower() != QLatin1String("csv"))
        return m_view->exportTo(path, error);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = tr("Could not write %1.").arg(path);
        return false;
    }
    f.write(m_view->toCsv().toUtf8());
    return true;
}

void HuntBumpPanel::exportWithDialog(bool numbers)
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("dirs/export")).toString();
    const QString path = numbers
        ? QFileDialog::getSaveFileName(this, tr("Export bump-hunt numbers"), dir + "/bump-hunt.csv", tr("CSV (*.csv)"))
        : QFileDialog::getSaveFileName(
            this, tr("Export bump-hunt figure"), dir + "/bump-hunt.png", tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
    QString error;
    if (exportTo(path, &error))
        Q_EMIT message(tr("Bump hunt written to %1").arg(path), false);
    else
        Q_EMIT message(tr("Export failed: %1").arg(error), true);
}

} // namespace hepgen::studio
