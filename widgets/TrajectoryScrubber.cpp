#include "widgets/TrajectoryScrubber.h"

#include "widgets/ShowerView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace hepgen::widgets {

namespace {

QToolButton* toolButton(QWidget* parent, QStyle::StandardPixmap icon, const QString& tip, const char* name)
{
    auto* b = new QToolButton(parent);
    b->setIcon(parent->style()->standardIcon(icon));
    b->setToolTip(tip);
    b->setObjectName(QLatin1String(name));
    b->setAutoRaise(true);
    return b;
}

} // namespace

TrajectoryScrubber::TrajectoryScrubber(QWidget* parent)
    : QWidget(parent)
    , m_view(new ShowerView(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_first(toolButton(this, QStyle::SP_MediaSkipBackward, tr("First frame: the prior noise (Home)"), "first"))
    , m_back(toolButton(this, QStyle::SP_MediaSeekBackward, tr("One frame back (Left; Shift+Left: 10)"), "back"))
    , m_play(toolButton(this, QStyle::SP_MediaPlay, tr("Play / pause (Space)"), "play"))
    , m_forward(
          toolButton(this, QStyle::SP_MediaSeekForward, tr("One frame forward (Right; Shift+Right: 10)"), "forward"))
    , m_last(toolButton(this, QStyle::SP_MediaSkipForward, tr("Last frame: the returned shower (End)"), "last"))
    , m_loop(new QCheckBox(tr("&Loop"), this))
    , m_speed(new QComboBox(this))
    , m_state(new QComboBox(this))
    , m_chooser(new QComboBox(this))
    , m_label(new QLabel(this))
    , m_timer(new QTimer(this))
{
    m_view->setObjectName(QStringLiteral("scrubberView"));
    m_slider->setObjectName(QStringLiteral("frameSlider"));
    m_slider->setToolTip(tr("Sampling step: left the prior noise, right the generated shower"));
    m_slider->setEnabled(false);
    m_loop->setObjectName(QStringLiteral("loop"));
    m_loop->setToolTip(tr("Start again from the noise after the last frame (L)"));
    m_speed->setObjectName(QStringLiteral("speed"));
    m_speed->setToolTip(tr("Playback speed ([ slower, ] faster)"));
    for (int fps : speeds())
        m_speed->addItem(tr("%1 frames/s").arg(fps), fps);
    m_state->setObjectName(QStringLiteral("state"));
    m_state->addItem(tr("state x_t"));
    m_state->addItem(tr("predicted x₀"));
    m_state->setToolTip(tr("Show the sampler's state x_t or the clean shower the network predicts from it (X)"));
    m_chooser->setObjectName(QStringLiteral("showerChooser"));
    m_chooser->setToolTip(tr("Which generated shower of the batch to scrub"));
    m_chooser->setMinimumContentsLength(18);
    m_label->setObjectName(QStringLiteral("frameLabel"));
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setText(tr("No trajectory: sample showers with a generator to record one."));

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    for (QToolButton* b : { m_first, m_back, m_play, m_forward, m_last })
        controls->addWidget(b);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_loop);
    controls->addWidget(m_speed);
    controls->addWidget(m_state);
    controls->addWidget(m_chooser);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(controls);
    layout->addWidget(m_label);

    QSettings s;
    m_fps = s.value(QStringLiteral("showers/scrubber/fps"), 25).toInt();
    m_loop->setChecked(s.value(QStringLiteral("showers/scrubber/loop"), true).toBool());
    updateSpeedBox();

    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (v != m_frame)
            setFrame(v);
    });
    connect(m_first, &QToolButton::clicked, this, [this] { setFrame(0); });
    connect(m_back, &QToolButton::clicked, this, [this] { stepBack(); });
    connect(m_play, &QToolButton::clicked, this, &TrajectoryScrubber::togglePlay);
    connect(m_forward, &QToolButton::clicked, this, [this] { stepForward(); });
    connect(m_last, &QToolButton::clicked, this, [this] { setFrame(frames() - 1); });
    connect(m_loop, &QCheckBox::toggled, this, [this] { rememberSettings(); });
    connect(m_speed, qOverload<int>(&QComboBox::activated), this,
        [this](int i) { setFramesPerSecond(m_speed->itemData(i).toInt()); });
    connect(m_state, qOverload<int>(&QComboBox::activated), this, [this](int i) { setShowPrediction(i == 1); });
    connect(m_chooser, qOverload<int>(&QComboBox::activated), this, &TrajectoryScrubber::setCurrentTrajectory);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_frame + 1 < frames())
            setFrame(m_frame + 1);
        else if (loops())
            setFrame(0);
        else
            pause();
    });

    // Shortcuts while the scrubber (or its view) has focus, so they do not fight other workspaces.
    auto shortcut = [this](const QKeySequence& keys, auto&& f) {
        auto* sc = new QShortcut(keys, this);
        sc->setContext(Qt::WidgetWithChildrenShortcut);
        connect(sc, &QShortcut::activated, this, f);
    };
    shortcut(QKeySequence(Qt::Key_Space), [this] { togglePlay(); });
    shortcut(QKeySequence(Qt::Key_Right), [this] { stepForward(); });
    shortcut(QKeySequence(Qt::Key_Left), [this] { stepBack(); });
    shortcut(QKeySequence(Qt::SHIFT | Qt::Key_Right), [this] { stepForward(10); });
    shortcut(QKeySequence(Qt::SHIFT | Qt::Key_Left), [this] { stepBack(10); });
    shortcut(QKeySequence(Qt::Key_Home), [this] { setFrame(0); });
    shortcut(QKeySequence(Qt::Key_End), [this] { setFrame(frames() - 1); });
    shortcut(QKeySequence(Qt::Key_L), [this] { setLoop(!loops()); });
    shortcut(QKeySequence(Qt::Key_X), [this] { setShowPrediction(!m_showPrediction); });
    shortcut(QKeySequence(Qt::Key_BracketLeft), [this] {
        const auto all = speeds();
        const int i = static_cast<int>(all.indexOf(m_fps));
        setFramesPerSecond(all[std::max(0, i - 1)]);
    });
    shortcut(QKeySequence(Qt::Key_BracketRight), [this] {
        const auto all = speeds();
        const int i = static_cast<int>(all.indexOf(m_fps));
        setFramesPerSecond(all[std::min(static_cast<int>(all.size()) - 1, i + 1)]);
    });
    clear();
}

void TrajectoryScrubber::setTrajectories(
    std::vector<hepgen::showers::ShowerTrajectory> trajectories, QStringList labels)
{
    pause();
    m_trajectories = std::move(trajectories);
    {
        const QSignalBlocker block(m_chooser);
        m_chooser->clear();
        for (std::size_t i = 0; i < m_trajectories.size(); ++i) {
            const int k = static_cast<int>(i);
            m_chooser->addItem(k < labels.size()
                    ? labels[k]
                    : tr("shower %1 · %2 GeV").arg(k).arg(m_trajectories[i].incidentEnergy, 0, 'f', 1));
        }
    }
    m_current = -1;
    if (m_trajectories.empty()) {
        clear();
        return;
    }
    setCurrentTrajectory(0);
}

void TrajectoryScrubber::clear()
{
    pause();
    m_trajectories.clear();
    m_chooser->clear();
    m_current = -1;
    m_frame = 0;
    m_view->clearHits();
    m_view->setCaption(QString());
    for (QWidget* w :
        std::initializer_list<QWidget*> { m_slider, m_first, m_back, m_play, m_forward, m_last, m_chooser, m_state })
        w->setEnabled(false);
    m_label->setText(tr("No trajectory: sample showers with a generator to record one."));
}

const hepgen::showers::ShowerTrajectory* TrajectoryScrubber::trajectory() const
{
    return m_current >= 0 && m_current < trajectoryCount() ? &m_trajectories[static_cast<std::size_t>(m_current)]
                                                           : nullptr;
}

int TrajectoryScrubber::frames() const
{
    const auto* t = trajectory();
    return t ? static_cast<int>(t->frames()) : 0;
}

void TrajectoryScrubber::setCurrentTrajectory(int index)
{
    if (index < 0 || index >= trajectoryCount())
        return;
    m_current = index;
    {
        const QSignalBlocker block(m_chooser);
        m_chooser->setCurrentIndex(index);
    }
    const auto& t = m_trajectories[static_cast<std::size_t>(index)];
    const bool usable = t.frames() > 0;
    for (QWidget* w :
        std::initializer_list<QWidget*> { m_slider, m_first, m_back, m_play, m_forward, m_last, m_chooser, m_state })
        w->setEnabled(usable);
    if (!usable) {
        m_view->clearHits();
        m_label->setText(tr("This trajectory recorded no frames."));
        return;
    }
    // One colour scale for every frame: the energies of the returned shower (the last frame), so noise frames
    // show how far they are from it.
    const auto& last = t.xt.back();
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = 3; i < last.size(); i += 4)
        if (last[i] > 0) {
            lo = std::min(lo, std::log10(static_cast<double>(last[i])));
            hi = std::max(hi, std::log10(static_cast<double>(last[i])));
        }
    if (lo <= hi)
        m_view->setColourRange(lo, std::max(hi, lo + 0.1));
    else
        m_view->setAutoColourRange();
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, static_cast<int>(t.frames()) - 1);
        m_slider->setPageStep(std::max(1, static_cast<int>(t.frames()) / 10));
    }
    m_frame = -1;
    setFrame(static_cast<int>(t.frames()) - 1);
}

void TrajectoryScrubber::setFrame(int index)
{
    const int n = frames();
    if (n == 0)
        return;
    index = std::clamp(index, 0, n - 1);
    const bool changed = index != m_frame;
    m_frame = index;
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(index);
    }
    showFrame();
    if (changed)
        Q_EMIT frameChanged(index);
}

void TrajectoryScrubber::stepForward(int frames) { setFrame(m_frame + frames); }
void TrajectoryScrubber::stepBack(int frames) { setFrame(m_frame - frames); }

void TrajectoryScrubber::showFrame()
{
    const auto* t = trajectory();
    if (!t)
        return;
    const auto f = static_cast<std::size_t>(m_frame);
    const auto& points = m_showPrediction && f < t->x0Pred.size() ? t->x0Pred[f] : t->xt[f];
    m_view->setHits(points);
    m_view->setCaption(tr("%1 · %2").arg(m_chooser->currentText(), m_showPrediction ? tr("predicted x₀") : tr("x_t")));
    m_label->setText(frameText());
}

QString TrajectoryScrubber::frameText() const
{
    const auto* t = trajectory();
    if (!t || t->frames() == 0)
        return tr("No trajectory.");
    const auto f = static_cast<std::size_t>(m_frame);
    const std::size_t last = t->frames() - 1;
    QString where;
    if (f == 0)
        where = tr("the prior noise");
    else if (f == last)
        where = t->postProcessed ? tr("the returned shower, post-processed onto cells") : tr("the returned shower");
    else if (t->postProcessed && f + 1 == last)
        where = tr("the sampler's end state");
    QString time;
    if (f < t->times.size()) {
        const QString name = t->timeName == "sigma" ? QStringLiteral("σ") : QString::fromStdString(t->timeName);
        time = QStringLiteral("%1 = %2").arg(name).arg(t->times[f], 0, 'g', 4);
    }
    QString snr;
    if (f < t->log10Snr.size())
        snr = std::isinf(t->log10Snr[f]) ? tr("log₁₀ SNR = +∞ (data)")
                                         : tr("log₁₀ SNR = %1").arg(t->log10Snr[f], 0, 'f', 2);
    QStringList parts { tr("frame %1 / %2").arg(f).arg(last) };
    // A 1-step sampler: noise, then the shower (and, after a generator's post-processing, that shower on cells).
    if (t->frames() == (t->postProcessed ? 3u : 2u))
        parts << tr("1-step: a single jump");
    parts << QString::fromStdString(t->sampler);
    if (!time.isEmpty())
        parts << time;
    if (!snr.isEmpty())
        parts << snr;
    parts << tr("%1 points").arg(t->points(f));
    parts << (m_showPrediction ? tr("predicted x₀") : tr("x_t"));
    if (!where.isEmpty())
        parts << where;
    return parts.join(QStringLiteral(" · "));
}

void TrajectoryScrubber::play()
{
    if (frames() < 2 || isPlaying())
        return;
    if (m_frame + 1 >= frames())
        setFrame(0); // from the end, play again from the noise
    m_timer->start(1000 / std::max(1, m_fps));
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    Q_EMIT playingChanged(true);
}

void TrajectoryScrubber::pause()
{
    if (!m_timer->isActive())
        return;
    m_timer->stop();
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    Q_EMIT playingChanged(false);
}

void TrajectoryScrubber::togglePlay() { isPlaying() ? pause() : play(); }
bool TrajectoryScrubber::isPlaying() const { return m_timer->isActive(); }

void TrajectoryScrubber::setLoop(bool on) { m_loop->setChecked(on); }
bool TrajectoryScrubber::loops() const { return m_loop->isChecked(); }

void TrajectoryScrubber::setFramesPerSecond(int fps)
{
    m_fps = std::clamp(fps, 1, 1000);
    if (m_timer->isActive())
        m_timer->setInterval(1000 / m_fps);
    updateSpeedBox();
    rememberSettings();
}

void TrajectoryScrubber::updateSpeedBox()
{
    const int i = m_speed->findData(m_fps);
    if (i >= 0)
        m_speed->setCurrentIndex(i);
}

void TrajectoryScrubber::setShowPrediction(bool x0)
{
    m_showPrediction = x0;
    m_state->setCurrentIndex(x0 ? 1 : 0);
    showFrame();
}

void TrajectoryScrubber::rememberSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("showers/scrubber/fps"), m_fps);
    s.setValue(QStringLiteral("showers/scrubber/loop"), m_loop->isChecked());
}

} // namespace hepgen::widgets
