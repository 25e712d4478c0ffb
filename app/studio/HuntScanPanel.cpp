#include "HuntScanPanel.h"

#include "core/anomaly/Scans.h"
#include "core/data/Table.h"
#include "core/util/Error.h"
#include "core/util/Job.h"
#include "widgets/CurveView.h"
#include "widgets/JobRunner.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <cmath>

namespace hepgen::studio {

using hepgen::anomaly::SOverBScanPoint;
using hepgen::anomaly::WindowScanPoint;

namespace {

QDoubleSpinBox* massBox(QWidget* parent, double value, const QString& tip)
{
    auto* b = new QDoubleSpinBox(parent);
    b->setRange(0.0, 20.0);
    b->setDecimals(2);
    b->setSingleStep(0.05);
    b->setValue(value);
    b->setSuffix(QStringLiteral(" TeV"));
    b->setToolTip(tip);
    return b;
}

/// "0.2, 0.5, 1" (percent) -> {0.002, 0.005, 0.01}; empty on any bad number.
std::vector<double> parsePercentList(const QString& text)
{
    std::vector<double> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = QLocale::c().toDouble(part.trimmed(), &ok);
        if (!ok || !(v > 0) || !std::isfinite(v))
            return {};
        out.push_back(v / 100.0);
    }
    return out;
}

QString number(double v, int precision = 4)
{
    return std::isfinite(v) ? QString::number(v, 'g', precision) : QString();
}

} // namespace

HuntScanPanel::HuntScanPanel(hepgen::widgets::JobRunner* jobs, Source source, QWidget* parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_source(std::move(source))
{
    m_kind = new QComboBox(this);
    m_kind->addItem(tr("Sliding window"));
    m_kind->addItem(tr("S/B"));
    m_kind->setToolTip(tr("Sliding window: the signal region moves across the spectrum, one hunt and bump hunt per "
                          "window. S/B: the file's signal re-injected at several S/B, one hunt per S/B and seed."));
    m_pages = new QStackedWidget(this);

    auto* windows = new QWidget(m_pages);
    auto* wf = new QHBoxLayout(windows);
    wf->setContentsMargins(0, 0, 0, 0);
    m_from = massBox(windows, 3.1, tr("Lower edge of the first signal region"));
    m_to = massBox(windows, 4.5, tr("No signal region reaches beyond this mass"));
    m_width = massBox(windows, 0.4, tr("Width of every signal region"));
    m_step = massBox(windows, 0.2, tr("Shift from one window to the next"));
    m_efficiency = new QComboBox(windows);
    for (double e : { 0.1, 0.01, 0.001 })
        m_efficiency->addItem(QStringLiteral("%1 %").arg(100 * e, 0, 'g', 3), e);
    m_efficiency->setCurrentIndex(1);
    m_efficiency->setToolTip(tr("The score cut whose local significance is plotted first (all cuts are computed "
                                "and exported)"));
    wf->addWidget(new QLabel(tr("SR from"), windows));
    wf->addWidget(m_from);
    wf->addWidget(new QLabel(tr("to"), windows));
    wf->addWidget(m_to);
    wf->addWidget(new QLabel(tr("width"), windows));
    wf->addWidget(m_width);
    wf->addWidget(new QLabel(tr("step"), windows));
    wf->addWidget(m_step);
    wf->addWidget(new QLabel(tr("cut"), windows));
    wf->addWidget(m_efficiency);
    m_pages->addWidget(windows);

    auto* sOverB = new QWidget(m_pages);
    auto* sf = new QHBoxLayout(sOverB);
    sf->setContentsMargins(0, 0, 0, 0);
    m_sOverB = new QLineEdit(QStringLiteral("0.2, 0.5, 1"), sOverB);
    m_sOverB->setToolTip(tr("Injected S/B in the signal region, in percent, comma-separated"));
    m_seeds = new QSpinBox(sOverB);
    m_seeds->setRange(1, 20);
    m_seeds->setValue(2);
    m_seeds->setToolTip(tr("Injections (and hunts) per S/B, with seeds seed, seed+1, …: the band is the standard "
                           "error of their mean"));
    sf->addWidget(new QLabel(tr("S/B [%]"), sOverB));
    sf->addWidget(m_sOverB, 1);
    sf->addWidget(new QLabel(tr("seeds"), sOverB));
    sf->addWidget(m_seeds);
    m_pages->addWidget(sOverB);

    m_estimate = new QLabel(this);
    m_run = new QPushButton(tr("Run scan"), this);
    m_run->setToolTip(tr("Run the scan with the method and settings of the Setup page (progress and Cancel in the "
                         "status bar)"));
    m_exportFigure = new QPushButton(tr("Export figure…"), this);
    m_exportNumbers = new QPushButton(tr("Export numbers…"), this);
    m_exportNumbers->setToolTip(tr("The scan's points as CSV"));
    m_view = new hepgen::widgets::CurveView(this);

    m_estimate->setWordWrap(true);
    auto* row2 = new QHBoxLayout; // the scan kind below its settings keeps the panel narrow
    row2->addWidget(m_kind);
    row2->addWidget(m_estimate, 1);
    row2->addWidget(m_run);
    row2->addWidget(m_exportFigure);
    row2->addWidget(m_exportNumbers);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_pages);
    layout->addLayout(row2);
    layout->addWidget(m_view, 1);

    QSettings s;
    m_kind->setCurrentIndex(s.value(QStringLiteral("hunt/scan/kind"), 0).toInt());
    m_pages->setCurrentIndex(m_kind->currentIndex());
    m_sOverB->setText(s.value(QStringLiteral("hunt/scan/sOverB"), m_sOverB->text()).toString());
    m_seeds->setValue(s.value(QStringLiteral("hunt/scan/seeds"), m_seeds->value()).toInt());
    connect(m_kind, &QComboBox::currentIndexChanged, m_pages, &QStackedWidget::setCurrentIndex);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &HuntScanPanel::updateEstimate);
    for (auto* b : { m_from, m_to, m_width, m_step })
        connect(b, &QDoubleSpinBox::valueChanged, this, &HuntScanPanel::updateEstimate);
    connect(m_sOverB, &QLineEdit::textChanged, this, &HuntScanPanel::updateEstimate);
    connect(m_seeds, &QSpinBox::valueChanged, this, &HuntScanPanel::updateEstimate);
    connect(m_efficiency, &QComboBox::currentIndexChanged, this, &HuntScanPanel::redraw);
    connect(m_run, &QPushButton::clicked, this, [this] { run(); });
    connect(m_exportFigure, &QPushButton::clicked, m_view, &hepgen::widgets::CurveView::exportWithDialog);
    connect(m_exportNumbers, &QPushButton::clicked, this, [this] {
        QSettings settings;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export scan"),
            settings.value(QStringLiteral("dirs/export")).toString() + "/scan.csv", tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        settings.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
            Q_EMIT message(tr("Export failed: could not write %1").arg(path), true);
            return;
        }
        f.write(toCsv().toUtf8());
        Q_EMIT message(tr("Scan written to %1").arg(path), false);
    });
    if (m_jobs)
        connect(m_jobs, &hepgen::widgets::JobRunner::runningChanged, this,
            [this](bool running) { m_run->setEnabled(!running); });
    m_view->showMessage(tr("No scan yet"));
    updateEstimate();
}

HuntScanPanel::~HuntScanPanel()
{
    QSettings s;
    s.setValue(QStringLiteral("hunt/scan/kind"), m_kind->currentIndex());
    s.setValue(QStringLiteral("hunt/scan/sOverB"), m_sOverB->text());
    s.setValue(QStringLiteral("hunt/scan/seeds"), m_seeds->value());
}

void HuntScanPanel::setKind(Kind kind) { m_kind->setCurrentIndex(kind == Kind::Windows ? 0 : 1); }

void HuntScanPanel::setWindowScan(double from, double to, double width, double step)
{
    m_from->setValue(from);
    m_to->setValue(to);
    m_width->setValue(width);
    m_step->setValue(step);
}

void HuntScanPanel::setSOverBScan(const std::vector<double>& sOverB, int seeds)
{
    QStringList parts;
    for (double s : sOverB)
        parts << QString::number(100 * s, 'g', 6);
    m_sOverB->setText(parts.join(QStringLiteral(", ")));
    m_seeds->setValue(seeds);
}

void HuntScanPanel::setSecondsPerHunt(double seconds)
{
    m_secondsPerHunt = seconds;
    updateEstimate();
}

int HuntScanPanel::huntsPerScan() const
{
    if (m_kind->currentIndex() == 1)
        return int(parsePercentList(m_sOverB->text()).size()) * m_seeds->value();
    const double span = m_to->value() - m_from->value() - m_width->value();
    return span < -1e-9 || m_step->value() <= 0 ? 0 : int(std::floor(span / m_step->value() + 1e-6)) + 1;
}

void HuntScanPanel::updateEstimate()
{
    const int n = huntsPerScan();
    QString text = n == 0 ? tr("No hunt fits these settings.") : tr("%n hunt(s)", "", n);
    if (n > 0 && m_secondsPerHunt > 0)
        text += tr(", about %1 at %2 per hunt (the last run of this method)")
                    .arg(QString::fromStdString(hepgen::EtaEstimator::format(n * m_secondsPerHunt)),
                        QString::fromStdString(hepgen::EtaEstimator::format(m_secondsPerHunt)));
    else if (n > 0)
        text += tr(" (run the method once to see what a scan costs)");
    m_estimate->setText(text);
}

bool HuntScanPanel::run()
{
    std::shared_ptr<const hepgen::data::Table> table;
    hepgen::anomaly::HuntConfig config;
    QString why;
    if (!m_source || !m_source(table, config, why)) {
        Q_EMIT message(tr("The scan cannot run: %1").arg(why), true);
        return false;
    }
    if (!m_jobs || m_jobs->isRunning()) {
        Q_EMIT message(tr("The scan cannot run while another job runs."), true);
        return false;
    }
    const bool windows = m_kind->currentIndex() == 0;
    hepgen::anomaly::WindowScanConfig windowScan;
    hepgen::anomaly::SOverBScanConfig sOverBScan;
    try {
        if (windows) {
            windowScan = hepgen::anomaly::WindowScanConfig::read({ { "from", m_from->value() }, { "to", m_to->value() },
                { "width", m_width->value() }, { "step", m_step->value() } });
            windowScan.windows(config.windows); // says so now when no window fits
        } else {
            const auto list = parsePercentList(m_sOverB->text());
            if (list.empty())
                throw hepgen::ConfigError("Give the S/B values in percent, e.g. 0.2, 0.5, 1.");
            sOverBScan
                = hepgen::anomaly::SOverBScanConfig::read({ { "s_over_b", list }, { "seeds", m_seeds->value() } });
        }
    } catch (const std::exception& e) {
        Q_EMIT message(tr("The scan cannot run: %1").arg(QString::fromUtf8(e.what())), true);
        return false;
    }
    m_windowPoints.clear();
    m_sOverBPoints.clear();
    m_shown = windows ? Kind::Windows : Kind::SOverB;
    redraw();
    QPointer<HuntScanPanel> self(this);
    // Points travel to the UI thread as copies, queued: the worker never touches a widget.
    // (A queued call to an object deleted meanwhile is dropped; JobRunner waits for the worker at shutdown.)
    const auto onWindow = [self](const WindowScanPoint& p) {
        if (HuntScanPanel* panel = self.data())
            QMetaObject::invokeMethod(
                panel,
                [self, p] {
                    if (self) {
                        self->m_windowPoints.push_back(p);
                        self->redraw();
                    }
                },
                Qt::QueuedConnection);
    };
    const auto onSOverB = [self](const SOverBScanPoint& p) {
        if (HuntScanPanel* panel = self.data())
            QMetaObject::invokeMethod(
                panel,
                [self, p] {
                    if (self) {
                        self->m_sOverBPoints.push_back(p);
                        self->redraw();
                    }
                },
                Qt::QueuedConnection);
    };
    const QString title = windows ? tr("Sliding-window scan: %1").arg(QString::fromStdString(config.method))
                                  : tr("S/B scan: %1").arg(QString::fromStdString(config.method));
    return m_jobs->start(
        title,
        [table, config, windows, windowScan, sOverBScan, onWindow, onSOverB](const hepgen::JobControl& job) {
            if (windows)
                hepgen::anomaly::scanWindows(*table, config, windowScan, job, onWindow);
            else
                hepgen::anomaly::scanSOverB(*table, config, sOverBScan, job, onSOverB);
        },
        [self] {
            // On the UI thread; queued once more so that it comes after the last point.
            if (HuntScanPanel* panel = self.data())
                QMetaObject::invokeMethod(
                    panel,
                    [self] {
                        if (self)
                            Q_EMIT self->scanFinished();
                    },
                    Qt::QueuedConnection);
        });
}

int HuntScanPanel::pointCount() const
{
    return int(m_shown == Kind::Windows ? m_windowPoints.size() : m_sOverBPoints.size());
}

void HuntScanPanel::redraw()
{
    m_view->clearCurves();
    if (m_shown == Kind::Windows) {
        m_view->setLogY(false);
        m_view->setAxisLabels(tr("signal-region centre"), QStringLiteral("TeV"), tr("local significance Z"), {});
        std::vector<double> efficiencies { m_efficiency->currentData().toDouble() };
        for (double e : { 1.0, 0.1, 0.01, 0.001 })
            if (std::abs(e - efficiencies.front()) > 1e-12)
                efficiencies.push_back(e);
        for (double e : efficiencies) {
            std::vector<double> x, z;
            for (const auto& p : m_windowPoints) {
                const double v = p.significanceAt(e);
                if (std::isfinite(v)) {
                    x.push_back(0.5 * (p.windows.srLow + p.windows.srHigh));
                    z.push_back(v);
                }
            }
            if (!x.empty())
                m_view->addCurve(tr("cut ε = %1 %").arg(100 * e, 0, 'g', 3), x, z, true);
        }
        if (m_view->curveCount() > 0)
            m_view->addReferenceLine(tr("Z = 2"), 2.0);
    } else {
        m_view->setLogY(false);
        m_view->setAxisLabels(tr("injected S/B in the SR"), QStringLiteral("%"), tr("max SIC"), {});
        std::vector<double> x, y, e;
        for (const auto& p : m_sOverBPoints)
            if (std::isfinite(p.meanMaxSic)) {
                x.push_back(100 * p.sOverB);
                y.push_back(p.meanMaxSic);
                e.push_back(p.errorMaxSic);
            }
        if (!x.empty())
            m_view->addBand(tr("mean max SIC ± standard error"), x, y, e);
    }
    if (m_view->curveCount() == 0)
        m_view->showMessage(m_jobs && m_jobs->isRunning() ? tr("Scanning…") : tr("No scan yet"));
    m_exportNumbers->setEnabled(pointCount() > 0);
    m_exportFigure->setEnabled(m_view->curveCount() > 0);
}

QString HuntScanPanel::toCsv() const
{
    QString out;
    if (m_shown == Kind::Windows) {
        out = QStringLiteral("sr_low,sr_high,n_sr,n_sb,s_over_b,auc,max_sic,z_100,z_10,z_1,z_0.1,seconds,problem\n");
        for (const auto& p : m_windowPoints) {
            out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7")
                       .arg(p.windows.srLow)
                       .arg(p.windows.srHigh)
                       .arg(p.nSr)
                       .arg(p.nSb)
                       .arg(number(p.sOverB), number(p.auc), number(p.maxSic));
            for (double e : { 1.0, 0.1, 0.01, 0.001 })
                out += QLatin1Char(',') + number(p.significanceAt(e));
            QString problem = QString::fromStdString(p.problem);
            problem.replace(QLatin1Char('"'), QLatin1String("\"\""));
            out += QStringLiteral(",%1,\"%2\"\n").arg(p.seconds, 0, 'f', 1).arg(problem);
        }
    } else {
        out = QStringLiteral("s_over_b,seed,max_sic,auc,max_sic_mean,max_sic_error,seconds\n");
        for (const auto& p : m_sOverBPoints)
            for (std::size_t i = 0; i < p.seeds.size(); ++i)
                out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                           .arg(p.sOverB, 0, 'g', 6)
                           .arg(p.seeds[i])
                           .arg(number(p.maxSic[i]), number(p.auc[i]), number(p.meanMaxSic), number(p.errorMaxSic))
                           .arg(p.seconds, 0, 'f', 1);
    }
    return out;
}

} // namespace hepgen::studio
