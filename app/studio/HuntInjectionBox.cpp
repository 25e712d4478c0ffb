#include "HuntInjectionBox.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

#include <algorithm>

namespace hepgen::studio {

HuntInjectionBox::HuntInjectionBox(QWidget* parent)
    : QGroupBox(tr("Signal injection"), parent)
{
    auto* form = new QFormLayout(this);
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("As loaded"));
    m_mode->addItem(tr("Number of signal events"));
    m_mode->addItem(tr("S/B in the signal region"));
    m_mode->setToolTip(tr("Re-draw the file's own signal events into its background (labelled data)"));
    m_events = new QSpinBox(this);
    m_events->setRange(0, 100000000);
    m_events->setKeyboardTracking(false);
    m_events->setToolTip(tr("Signal events drawn (without replacement) from the file's signal"));
    m_sOverB = new QDoubleSpinBox(this);
    m_sOverB->setRange(0.0, 100.0);
    m_sOverB->setDecimals(3);
    m_sOverB->setSingleStep(0.1);
    m_sOverB->setSuffix(QStringLiteral(" %"));
    m_sOverB->setKeyboardTracking(false);
    m_sOverB->setToolTip(tr("Signal drawn until S/B in the current signal region is this (moving the windows "
                            "afterwards keeps the events, so the S/B shown then follows the new region)"));
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1000000);
    m_seed->setKeyboardTracking(false);
    m_seed->setToolTip(tr("Seed of the draw: another seed draws other signal events"));
    m_info = new QLabel(this);
    m_info->setWordWrap(true);
    form->addRow(tr("Signal"), m_mode);
    form->addRow(tr("Events"), m_events);
    form->addRow(tr("S/B"), m_sOverB);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(m_info);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &HuntInjectionBox::edited);
    connect(m_events, &QSpinBox::valueChanged, this, &HuntInjectionBox::edited);
    connect(m_sOverB, &QDoubleSpinBox::valueChanged, this, &HuntInjectionBox::edited);
    connect(m_seed, &QSpinBox::valueChanged, this, &HuntInjectionBox::edited);
    showInjection({}, 0, 0);
}

void HuntInjectionBox::showInjection(const HuntInjection& injection, std::size_t background, std::size_t signal)
{
    const QSignalBlocker b1(m_mode), b2(m_events), b3(m_sOverB), b4(m_seed);
    const bool labelled = background + signal > 0;
    m_events->setMaximum(static_cast<int>(std::min<std::size_t>(std::max<std::size_t>(signal, 0), 100000000)));
    m_mode->setCurrentIndex(static_cast<int>(injection.mode));
    m_events->setValue(static_cast<int>(injection.signal));
    m_sOverB->setValue(100 * injection.sOverB);
    m_seed->setValue(static_cast<int>(injection.seed));
    setEnabled(labelled);
    m_events->setEnabled(injection.mode == HuntInjection::Mode::Events);
    m_sOverB->setEnabled(injection.mode == HuntInjection::Mode::SOverB);
    m_seed->setEnabled(injection.mode != HuntInjection::Mode::AsLoaded);
    setToolTip(labelled ? QString() : tr("Needs a labelled table (0 = background, 1 = signal for every event)"));
    m_poolText = labelled
        ? tr("The file holds %L1 background and %L2 signal events; its signal is the pool.").arg(background).arg(signal)
        : tr("The data are not labelled: no injection.");
    m_info->setText(m_poolText);
}

void HuntInjectionBox::showProblem(const QString& problem)
{
    m_info->setText(problem.isEmpty()
            ? m_poolText
            : QStringLiteral("<span style='color:#b2182b'>%1</span>").arg(problem.toHtmlEscaped()));
}

void HuntInjectionBox::edited()
{
    HuntInjection next;
    next.mode = static_cast<HuntInjection::Mode>(m_mode->currentIndex());
    next.signal = static_cast<std::size_t>(m_events->value());
    next.sOverB = m_sOverB->value() / 100.0;
    next.seed = static_cast<std::uint64_t>(m_seed->value());
    Q_EMIT requested(next);
}

} // namespace hepgen::studio
