// Timestep-scrubber frame time under Xvfb's software OpenGL (llvmpipe) as CI runs it; issue #5 sets p95 < 16 ms for
// update + render. Measured as the app works: move the scrubber to a frame (refill the VTK arrays of a 6000-point
// frame), schedule the view's update, let the event loop paint and composite it, wait for the renderer (glFinish).
// Then update + render alone, as the goal reads: move to a frame, VTK renders the scene into its framebuffer, glFinish
// (no blit into the widget, no readback, no compositing).
// References in the same run: grabFramebuffer() with and without the update (a certain render plus a readback) and
// the grab of an empty scene (the floor: clear, blit, readback), and the app's path for an empty scene (the floor of
// the app's path: clear, blit, and Qt compositing the view into the window).
//
// The trajectory: 6000 hits (the hits of simulated 100 GeV photon showers, pooled until there are 6000, so the
// colour and size spread is a real shower's) noised by the DDPM forward process x_t = sqrt(abar_t) x0 +
// sqrt(1 - abar_t) eps, per coordinate in the hits' own scale, over 200 frames (linear beta schedule). Only the
// number of points matters for the timing, not whether a network made the frames.
//
//   cmake --build build --target bench_scrubber
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/tests/bench/bench_scrubber
#include "core/showers/ShowerSimulator.h"
#include "widgets/ShowerView.h"
#include "widgets/TrajectoryScrubber.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkOpenGLState.h>
#include <vtkProp.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace {

constexpr std::size_t kPoints = 6000;
constexpr int kFrames = 200;

hepgen::showers::ShowerTrajectory makeTrajectory(hepgen::data::CalorimeterGeometry& geometry)
{
    hepgen::showers::ShowerSimOptions o;
    o.showers = 8;
    o.energyMin = o.energyMax = 100.0;
    o.seed = 7;
    const auto s = hepgen::showers::simulateShowers(o);
    geometry = s.geometry;
    std::vector<float> x0(s.points.begin(), s.points.begin() + std::min(s.points.size(), 4 * kPoints));
    while (x0.size() < 4 * kPoints) // repeat the hits if 8 showers hold fewer than 6000
        x0.insert(x0.end(), s.points.begin(), s.points.begin() + std::min(s.points.size(), 4 * kPoints - x0.size()));
    double scale[4] = { 0, 0, 0, 0 };
    for (std::size_t i = 0; i < x0.size(); ++i)
        scale[i % 4] += static_cast<double>(x0[i]) * x0[i];
    for (double& v : scale)
        v = std::sqrt(v / kPoints);

    hepgen::showers::ShowerTrajectory t;
    t.sampler = "ddpm";
    t.timeName = "t";
    t.incidentEnergy = 100.0;
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    std::vector<double> abar(kFrames);
    double a = 1.0;
    for (int k = 0; k < kFrames; ++k) { // beta from 1e-4 to 0.02 over kFrames steps, abar at step k
        a *= 1.0 - (1e-4 + (0.02 - 1e-4) * k / (kFrames - 1.0));
        abar[static_cast<std::size_t>(k)] = a;
    }
    for (int f = 0; f < kFrames; ++f) { // frame 0 = pure noise (t = T), last = data
        const double ab = f + 1 == kFrames ? 1.0 : abar[static_cast<std::size_t>(kFrames - 1 - f)];
        std::vector<float> xt(x0.size());
        for (std::size_t i = 0; i < x0.size(); ++i)
            xt[i] = static_cast<float>(std::sqrt(ab) * x0[i] + std::sqrt(1.0 - ab) * scale[i % 4] * normal(rng));
        t.times.push_back(kFrames - 1 - f);
        t.log10Snr.push_back(ab >= 1.0 ? INFINITY : std::log10(ab / (1.0 - ab)));
        t.x0Pred.push_back(x0);
        t.xt.push_back(std::move(xt));
    }
    return t;
}

struct Stats {
    double p50, p95, max;
};

Stats stats(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    auto q = [&](double p) { return ms[static_cast<std::size_t>(p * (ms.size() - 1))]; };
    return { q(0.5), q(0.95), ms.back() };
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "xcb");
    hepgen::widgets::ShowerView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);

    hepgen::data::CalorimeterGeometry geometry;
    auto trajectory = makeTrajectory(geometry);
    hepgen::widgets::TrajectoryScrubber scrubber;
    scrubber.resize(900, 700);
    scrubber.show();
    scrubber.view()->setCalorimeter(geometry, 60.0);
    scrubber.setTrajectories({ trajectory });
    for (int i = 0; i < 20; ++i) // warm up: shader compilation, first uploads
        QApplication::processEvents();
    auto* view = scrubber.view();
    auto glFinish = [view] {
        view->makeCurrent();
        view->context()->functions()->glFinish();
        view->doneCurrent();
    };
    QElapsedTimer timer;

    // Per frame of 3 passes over the trajectory: the scrubber moves to the frame, then `draw`.
    const auto timeFrames = [&](const auto& draw) {
        std::vector<double> ms;
        for (int pass = 0; pass < 3; ++pass)
            for (int f = 0; f < kFrames; ++f) {
                timer.start();
                scrubber.setFrame(f);
                draw();
                ms.push_back(timer.nsecsElapsed() / 1e6);
            }
        return ms;
    };

    // 1. The app's path: the scrubber moves to a frame (refilling the arrays), the view is scheduled for an update,
    //    the event loop paints it (VTK's Render, the blit) and Qt composites it into the window; glFinish waits for
    //    the software renderer. (repaint() alone may return before anything is drawn.)
    const std::vector<double> appPath = timeFrames([&] {
        view->update();
        QApplication::processEvents();
        glFinish();
    });

    // 2. Update + render: the frame's arrays refilled and the scene rendered by VTK into its own framebuffer, as
    //    paintGL does before its blit; glFinish waits for llvmpipe. (The Frame event schedules a repaint that is
    //    never processed here.)
    const std::vector<double> updateRender = timeFrames([&] {
        view->makeCurrent();
        auto* state = view->renderWindow()->GetState();
        state->Reset();
        state->Push();
        view->renderWindow()->Render();
        state->Pop();
        view->context()->functions()->glFinish();
        view->doneCurrent();
    });
    QApplication::processEvents();

    // 3. References: grabFramebuffer() renders the frame certainly and reads it back (with and without the update),
    //    and the same grab of an empty scene (every prop hidden) is the floor: clear, blit and readback alone.
    std::vector<double> withUpdate, renderOnly, empty, emptyAppPath;
    std::size_t litPixels = 0;
    for (int f = 0; f < kFrames; ++f) {
        timer.start();
        scrubber.setFrame(f);
        const QImage image = view->grabFramebuffer();
        withUpdate.push_back(timer.nsecsElapsed() / 1e6);
        timer.start();
        view->grabFramebuffer();
        renderOnly.push_back(timer.nsecsElapsed() / 1e6);
        if (f + 1 == kFrames) // the shower itself: count the pixels that are not background
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    litPixels += image.pixelColor(x, y) != image.pixelColor(0, 0) ? 1 : 0;
    }
    {
        auto* props = view->renderer()->GetViewProps();
        std::vector<vtkProp*> hidden;
        props->InitTraversal();
        while (auto* p = props->GetNextProp())
            if (p->GetVisibility()) {
                p->SetVisibility(0);
                hidden.push_back(p);
            }
        for (int f = 0; f < kFrames; ++f) {
            timer.start();
            view->grabFramebuffer();
            empty.push_back(timer.nsecsElapsed() / 1e6);
        }
        for (int f = 0; f < kFrames; ++f) {
            timer.start();
            view->update();
            QApplication::processEvents();
            glFinish();
            emptyAppPath.push_back(timer.nsecsElapsed() / 1e6);
        }
        for (auto* p : hidden)
            p->SetVisibility(1);
    }

    const Stats a = stats(appPath), ur = stats(updateRender), u = stats(withUpdate), r = stats(renderOnly),
                e = stats(empty), ea = stats(emptyAppPath);
    view->makeCurrent();
    const auto* renderer = reinterpret_cast<const char*>(view->context()->functions()->glGetString(0x1F01));
    std::printf("scrubber frame, %zu points, %d frames x 3, %dx%d px (%zu not background in the last frame), "
                "renderer %s\n",
        kPoints, kFrames, view->width(), view->height(), litPixels, renderer ? renderer : "?");
    view->doneCurrent();
    std::printf("  update + paint + composite:  p50 %6.2f ms, p95 %6.2f ms, max %6.2f ms  (goal p95 < 16 ms: %s)\n",
        a.p50, a.p95, a.max, a.p95 < 16.0 ? "met" : "NOT met");
    std::printf("  update + render:             p50 %6.2f ms, p95 %6.2f ms, max %6.2f ms  (goal p95 < 16 ms: %s)\n",
        ur.p50, ur.p95, ur.max, ur.p95 < 16.0 ? "met" : "NOT met");
    std::printf("  update + render + readback:  p50 %6.2f ms, p95 %6.2f ms\n", u.p50, u.p95);
    std::printf("  render + readback:           p50 %6.2f ms, p95 %6.2f ms\n", r.p50, r.p95);
    std::printf("  empty scene, grab:           p50 %6.2f ms, p95 %6.2f ms\n", e.p50, e.p95);
    std::printf("  empty scene, paint + composite: p50 %6.2f ms, p95 %6.2f ms\n", ea.p50, ea.p95);
    return 0;
}
