// The timestep scrubber's controls on recorded trajectories of known content: it opens on the returned shower,
// the slider, step buttons and keyboard shortcuts move through every frame, play stops at the end or loops,
// the speed changes, x_t / predicted x0 switch, another shower of the batch can be chosen, the frame line
// names the sampler's time and signal-to-noise (DDPM t, EDM sigma, 1-step jump), and a frame update redraws
// the view with the frame's points exactly.
#include "widgets/ShowerView.h"
#include "widgets/TrajectoryScrubber.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>
#include <limits>

using hepgen::showers::ShowerTrajectory;
using hepgen::widgets::TrajectoryScrubber;

namespace {

/// A trajectory of `frames` frames of `points` points: frame k holds x = k + point index, E = 1 + k (x_t) and
/// x = -(k + point index), E = 2 + k (prediction), so every frame and state is recognisable.
ShowerTrajectory makeTrajectory(
    int frames, int points, const std::string& sampler, const std::string& timeName, double energy)
{
    ShowerTrajectory t;
    t.sampler = sampler;
    t.timeName = timeName;
    t.incidentEnergy = energy;
    for (int k = 0; k < frames; ++k) {
        t.times.push_back(frames - 1 - k);
        t.log10Snr.push_back(k + 1 == frames ? std::numeric_limits<double>::infinity() : -2.0 + 0.5 * k);
        std::vector<float> xt, x0;
        for (int p = 0; p < points; ++p) {
            xt.insert(xt.end(), { float(k + p), 0.f, 10.f, float(1 + k) });
            x0.insert(x0.end(), { -float(k + p), 0.f, 10.f, float(2 + k) });
        }
        t.xt.push_back(xt);
        t.x0Pred.push_back(x0);
    }
    return t;
}

} // namespace

class TestShowerScrubber : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config")); }

    void opensOnTheReturnedShowerAndSteps()
    {
        TrajectoryScrubber s;
        s.resize(700, 500);
        s.show();
        QVERIFY(QTest::qWaitForWindowExposed(&s));
        QVERIFY(!s.findChild<QSlider*>("frameSlider")->isEnabled()); // nothing to scrub yet
        s.setTrajectories({ makeTrajectory(11, 5, "ddpm", "t", 50.0) });
        QCOMPARE(s.frames(), 11);
        QCOMPARE(s.frame(), 10);
        QCOMPARE(s.view()->hits(), s.trajectory()->xt.back()); // exactly the returned shower
        auto* slider = s.findChild<QSlider*>("frameSlider");
        QVERIFY(slider->isEnabled());
        slider->setValue(3);
        QCOMPARE(s.frame(), 3);
        QCOMPARE(s.view()->hits(), s.trajectory()->xt[3]);
        QTest::mouseClick(s.findChild<QToolButton*>("forward"), Qt::LeftButton);
        QCOMPARE(s.frame(), 4);
        QTest::mouseClick(s.findChild<QToolButton*>("back"), Qt::LeftButton);
        QTest::mouseClick(s.findChild<QToolButton*>("back"), Qt::LeftButton);
        QCOMPARE(s.frame(), 2);
        QTest::mouseClick(s.findChild<QToolButton*>("first"), Qt::LeftButton);
        QCOMPARE(s.frame(), 0);
        QCOMPARE(slider->value(), 0);
        QTest::mouseClick(s.findChild<QToolButton*>("last"), Qt::LeftButton);
        QCOMPARE(s.frame(), 10);
        s.stepForward(); // clamped
        QCOMPARE(s.frame(), 10);
        QVERIFY(s.frameText().contains("frame 10 / 10"));
        QVERIFY(s.frameText().contains("the returned shower"));
        QVERIFY(s.frameText().contains("+∞"));
        s.setFrame(0);
        QVERIFY(s.frameText().contains("the prior noise"));
        QVERIFY(s.frameText().contains("t = 10"));
        QVERIFY(s.frameText().contains("log₁₀ SNR = -2.00"));
    }

    void keyboardShortcuts()
    {
        TrajectoryScrubber s;
        s.resize(700, 500);
        s.show();
        QVERIFY(QTest::qWaitForWindowExposed(&s));
        s.setTrajectories({ makeTrajectory(30, 3, "ddim", "t", 20.0) });
        // Xvfb has no window manager: activate the window ourselves so that it takes the keyboard focus.
        QApplication::setActiveWindow(&s);
        QTRY_COMPARE(QApplication::activeWindow(), &s);
        s.view()->setFocus();
        QTRY_VERIFY(s.view()->hasFocus());
        QTest::keyClick(s.view(), Qt::Key_Home);
        QCOMPARE(s.frame(), 0);
        QTest::keyClick(s.view(), Qt::Key_Right);
        QCOMPARE(s.frame(), 1);
        QTest::keyClick(s.view(), Qt::Key_Right, Qt::ShiftModifier);
        QCOMPARE(s.frame(), 11);
        QTest::keyClick(s.view(), Qt::Key_Left);
        QCOMPARE(s.frame(), 10);
        QTest::keyClick(s.view(), Qt::Key_Left, Qt::ShiftModifier);
        QCOMPARE(s.frame(), 0);
        QTest::keyClick(s.view(), Qt::Key_End);
        QCOMPARE(s.frame(), 29);
        QTest::keyClick(s.view(), Qt::Key_X);
        QVERIFY(s.showsPrediction());
        QCOMPARE(s.view()->hits(), s.trajectory()->x0Pred[29]);
        QTest::keyClick(s.view(), Qt::Key_X);
        QVERIFY(!s.showsPrediction());
        const bool loop = s.loops();
        QTest::keyClick(s.view(), Qt::Key_L);
        QCOMPARE(s.loops(), !loop);
        s.setFramesPerSecond(25);
        QTest::keyClick(s.view(), Qt::Key_BracketRight);
        QCOMPARE(s.framesPerSecond(), 50);
        QTest::keyClick(s.view(), Qt::Key_BracketLeft);
        QTest::keyClick(s.view(), Qt::Key_BracketLeft);
        QCOMPARE(s.framesPerSecond(), 10);
        QCOMPARE(s.findChild<QComboBox*>("speed")->currentData().toInt(), 10);
        QTest::keyClick(s.view(), Qt::Key_Space);
        QVERIFY(s.isPlaying());
        QTest::keyClick(s.view(), Qt::Key_Space);
        QVERIFY(!s.isPlaying());
    }

    void playStopsAtTheEndOrLoops()
    {
        TrajectoryScrubber s;
        s.show();
        QVERIFY(QTest::qWaitForWindowExposed(&s));
        s.setTrajectories({ makeTrajectory(8, 2, "euler", "t", 30.0) });
        s.setFramesPerSecond(100);
        s.setLoop(false);
        QSignalSpy frames(&s, &TrajectoryScrubber::frameChanged);
        s.play(); // from the end it starts again at the noise
        QCOMPARE(s.frame(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!s.isPlaying(), 5000);
        QCOMPARE(s.frame(), 7);
        QVERIFY(frames.count() >= 8);
        s.setLoop(true);
        s.setFrame(5);
        s.play();
        QTRY_VERIFY_WITH_TIMEOUT(s.frame() < 5, 5000); // wrapped around
        QVERIFY(s.isPlaying());
        s.pause();
        QVERIFY(!s.isPlaying());
    }

    void predictionChoiceAndBatch()
    {
        TrajectoryScrubber s;
        s.show();
        QVERIFY(QTest::qWaitForWindowExposed(&s));
        std::vector<ShowerTrajectory> batch { makeTrajectory(5, 2, "edm-heun", "sigma", 10.0),
            makeTrajectory(2, 4, "consistency", "sigma", 90.0) };
        s.setTrajectories(batch);
        auto* chooser = s.findChild<QComboBox*>("showerChooser");
        QCOMPARE(chooser->count(), 2);
        QVERIFY(chooser->itemText(1).contains("90.0 GeV"));
        s.setFrame(2);
        QVERIFY(s.frameText().contains("σ = 2"));
        s.setShowPrediction(true);
        QCOMPARE(s.view()->hits(), batch[0].x0Pred[2]);
        QCOMPARE(s.findChild<QComboBox*>("state")->currentIndex(), 1);
        s.setShowPrediction(false);
        s.setCurrentTrajectory(1);
        QCOMPARE(s.frames(), 2);
        QCOMPARE(s.frame(), 1);
        QCOMPARE(s.view()->hits(), batch[1].xt[1]);
        QVERIFY(s.frameText().contains("1-step: a single jump"));
        QVERIFY(s.frameText().contains("4 points"));
        s.setFrame(0);
        QCOMPARE(s.view()->hits(), batch[1].xt[0]);
        // The colour scale is the returned shower's for every frame.
        QCOMPARE(s.view()->colourRange().first, std::log10(2.0));
    }

    void postProcessedLastFrameIsNamed()
    {
        TrajectoryScrubber s;
        ShowerTrajectory t = makeTrajectory(6, 3, "ddpm", "t", 40.0);
        t.postProcessed = true;
        t.xt.back().resize(8); // the projection merged points
        t.x0Pred.back() = t.xt.back();
        s.setTrajectories({ t });
        QVERIFY(s.frameText().contains("post-processed onto cells"));
        QVERIFY(s.frameText().contains("2 points"));
        s.setFrame(4);
        QVERIFY(s.frameText().contains("the sampler's end state"));
    }

    void emptyInputIsHandled()
    {
        TrajectoryScrubber s;
        s.setTrajectories({});
        QCOMPARE(s.frames(), 0);
        s.setFrame(3);
        s.play();
        QVERIFY(!s.isPlaying());
        ShowerTrajectory empty;
        s.setTrajectories({ empty });
        QCOMPARE(s.frames(), 0);
        QVERIFY(!s.findChild<QSlider*>("frameSlider")->isEnabled());
        s.clear();
        QCOMPARE(s.trajectoryCount(), 0);
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "xcb");
    hepgen::widgets::ShowerView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestShowerScrubber test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_shower_scrubber.moc"
