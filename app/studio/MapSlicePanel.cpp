#include "MapSlicePanel.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

#include <algorithm>
#include <cmath>

namespace hepgen::studio {

namespace {

constexpr int kSteps = 1000; ///< slider positions over an input's range

int decimalsFor(double span)
{
    // Enough decimals for a thousandth of the range.
    const int d = static_cast<int>(std::ceil(-std::log10(std::max(span, 1e-12) / kSteps)));
    return std::clamp(d, 0, 8);
}

} // namespace

MapSlicePanel::MapSlicePanel(QWidget* parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
    , m_empty(new QLabel(tr("No other inputs: the map shows every input the model reads.")))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_empty->setWordWrap(true);
    m_grid->addWidget(m_empty, 0, 0, 1, 3);
}

void MapSlicePanel::setInputs(const std::vector<Input>& inputs)
{
    std::map<QString, double> kept;
    for (const auto& r : m_rows) {
        kept[r.input.name] = r.spin->value();
        delete r.label;
        delete r.slider;
        delete r.spin;
    }
    m_rows.clear();
    int line = 1;
    for (const auto& in : inputs) {
        Row r;
        r.input = in;
        r.label = new QLabel(in.unit.isEmpty() ? in.name : QStringLiteral("%1 [%2]").arg(in.name, in.unit));
        r.slider = new QSlider(Qt::Horizontal);
        r.slider->setRange(0, kSteps);
        r.spin = new QDoubleSpinBox;
        const double span = in.hi - in.lo;
        r.spin->setDecimals(decimalsFor(span));
        r.spin->setRange(in.lo - 10 * span, in.hi + 10 * span);
        r.spin->setSingleStep(span / 100);
        r.spin->setKeyboardTracking(false);
        const QString tip = in.condition
            ? tr("%1 is a condition of the model: the map is drawn at this value (also under partial dependence).")
                  .arg(in.name)
            : tr("%1 is held at this value (the data's median by default); drag or type to move the slice.")
                  .arg(in.name);
        for (QWidget* w : std::initializer_list<QWidget*> { r.label, r.slider, r.spin })
            w->setToolTip(tip);
        m_grid->addWidget(r.label, line, 0);
        m_grid->addWidget(r.slider, line, 1);
        m_grid->addWidget(r.spin, line, 2);
        ++line;
        const QString name = in.name;
        connect(r.slider, &QSlider::valueChanged, this, [this, name](int pos) {
            const Row* rr = row(name);
            const QSignalBlocker block(rr->spin);
            rr->spin->setValue(rr->input.lo + (rr->input.hi - rr->input.lo) * pos / kSteps);
            Q_EMIT changed();
        });
        connect(r.spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this, name](double v) {
            const Row* rr = row(name);
            const QSignalBlocker block(rr->slider);
            const double span = rr->input.hi - rr->input.lo;
            rr->slider->setValue(span > 0 ? static_cast<int>(std::lround((v - rr->input.lo) / span * kSteps)) : 0);
            Q_EMIT changed();
        });
        m_rows.push_back(r);
        const auto k = kept.find(in.name);
        const double v = k != kept.end() ? k->second : in.defaultValue;
        const QSignalBlocker blockSpin(r.spin), blockSlider(r.slider);
        r.spin->setValue(v);
        r.slider->setValue(span > 0 ? static_cast<int>(std::lround((v - in.lo) / span * kSteps)) : 0);
    }
    updateEnabled();
}

const MapSlicePanel::Row* MapSlicePanel::row(const QString& name) const
{
    for (const auto& r : m_rows)
        if (r.input.name == name)
            return &r;
    return nullptr;
}

void MapSlicePanel::setAxes(const QString& x, const QString& y)
{
    m_x = x;
    m_y = y;
    updateEnabled();
}

void MapSlicePanel::setPartialDependence(bool on)
{
    m_partialDependence = on;
    updateEnabled();
}

void MapSlicePanel::updateEnabled()
{
    int shown = 0;
    for (const auto& r : m_rows) {
        const bool onAxis = r.input.name == m_x || r.input.name == m_y;
        const bool averaged = m_partialDependence && !r.input.condition;
        for (QWidget* w : std::initializer_list<QWidget*> { r.label, r.slider, r.spin }) {
            w->setVisible(!onAxis);
            w->setEnabled(!averaged);
        }
        shown += onAxis ? 0 : 1;
    }
    m_empty->setVisible(shown == 0);
}

std::map<std::string, double> MapSlicePanel::values() const
{
    std::map<std::string, double> out;
    for (const auto& r : m_rows) {
        if (r.input.name == m_x || r.input.name == m_y)
            continue;
        if (m_partialDependence && !r.input.condition)
            continue;
        out[r.input.name.toStdString()] = r.spin->value();
    }
    return out;
}

bool MapSlicePanel::setValue(const QString& name, double value)
{
    const Row* r = row(name);
    if (!r)
        return false;
    r->spin->setValue(value);
    return true;
}

double MapSlicePanel::value(const QString& name) const
{
    const Row* r = row(name);
    return r ? r->spin->value() : std::nan("");
}

void MapSlicePanel::resetToDefaults()
{
    for (const auto& r : m_rows) {
        const QSignalBlocker block(r.spin);
        r.spin->setValue(r.input.defaultValue);
        const double span = r.input.hi - r.input.lo;
        const QSignalBlocker blockSlider(r.slider);
        r.slider->setValue(
            span > 0 ? static_cast<int>(std::lround((r.input.defaultValue - r.input.lo) / span * kSteps)) : 0);
    }
    Q_EMIT changed();
}

QSlider* MapSlicePanel::slider(const QString& name) const
{
    const Row* r = row(name);
    return r ? r->slider : nullptr;
}

} // namespace hepgen::studio
