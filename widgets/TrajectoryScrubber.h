#pragma once
// The diffusion / flow-matching timestep scrubber: a 3D shower view over every recorded frame of a generated
// shower's sampling trajectory (noise -> shower), with a slider, play / pause / loop at a chosen speed, step
// buttons and keyboard shortcuts, the sampler's time (t or sigma) and signal-to-noise ratio of the frame, a
// toggle between the state x_t and the network's predicted clean shower x0, and a choice of which shower of
// the batch to scrub. A frame refills the view's existing arrays; the colour scale and camera stay fixed over
// the trajectory so frames compare. Never throws.
#include "core/showers/ShowerTrajectory.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace hepgen::widgets {

class ShowerView;

class TrajectoryScrubber : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryScrubber(QWidget* parent = nullptr);

    ShowerView* view() const { return m_view; }
    /// The trajectories to scrub, one per generated shower of a batch; `labels` name them in the chooser
    /// (default: "shower k · E GeV"). Shows the last frame of the first one.
    void setTrajectories(std::vector<hepgen::showers::ShowerTrajectory> trajectories, QStringList labels = {});
    void clear();
    int trajectoryCount() const { return static_cast<int>(m_trajectories.size()); }
    int currentTrajectory() const { return m_current; }
    void setCurrentTrajectory(int index);
    const hepgen::showers::ShowerTrajectory* trajectory() const;

    int frames() const;
    int frame() const { return m_frame; }
    /// Shows frame `index` (clamped to the trajectory).
    void setFrame(int index);
    void stepForward(int frames = 1);
    void stepBack(int frames = 1);

    void play();
    void pause();
    void togglePlay();
    bool isPlaying() const;
    void setLoop(bool on);
    bool loops() const;
    /// Playback speed in frames per second (one of speeds()).
    void setFramesPerSecond(int fps);
    int framesPerSecond() const { return m_fps; }
    static QList<int> speeds() { return { 2, 5, 10, 25, 50, 100 }; }

    /// Shows the predicted clean shower x0 instead of the state x_t.
    void setShowPrediction(bool x0);
    bool showsPrediction() const { return m_showPrediction; }
    /// The line under the slider: frame, sampler time, signal-to-noise, points, which state.
    QString frameText() const;

Q_SIGNALS:
    void frameChanged(int frame);
    void playingChanged(bool playing);

private:
    void showFrame();
    void updateSpeedBox();
    void rememberSettings() const;

    std::vector<hepgen::showers::ShowerTrajectory> m_trajectories;
    int m_current = -1;
    int m_frame = 0;
    int m_fps = 25;
    bool m_showPrediction = false;

    ShowerView* m_view;
    QSlider* m_slider;
    QToolButton *m_first, *m_back, *m_play, *m_forward, *m_last;
    QCheckBox* m_loop;
    QComboBox* m_speed;
    QComboBox* m_state;
    QComboBox* m_chooser;
    QLabel* m_label;
    QTimer* m_timer;
};

} // namespace hepgen::widgets
