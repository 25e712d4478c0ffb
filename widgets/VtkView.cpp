#include "widgets/VtkView.h"

#include <QGuiApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

// GL constants used below, without pulling a GL header that fights Qt's.
#ifndef GL_DRAW_FRAMEBUFFER
#define GL_DRAW_FRAMEBUFFER 0x8CA9
#endif
#ifndef GL_COLOR_BUFFER_BIT
#define GL_COLOR_BUFFER_BIT 0x00004000
#endif
#ifndef GL_NEAREST
#define GL_NEAREST 0x2600
#endif
#ifndef GL_LEQUAL
#define GL_LEQUAL 0x0203
#endif
#ifndef GL_SCISSOR_TEST
#define GL_SCISSOR_TEST 0x0C11
#endif

namespace hepgen::widgets {

void VtkView::setDefaultSurfaceFormat()
{
    QSurfaceFormat fmt;
    fmt.setRenderableType(QSurfaceFormat::OpenGL);
    fmt.setVersion(3, 2);
    fmt.setProfile(QSurfaceFormat::CoreProfile);
    fmt.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    fmt.setRedBufferSize(8);
    fmt.setGreenBufferSize(8);
    fmt.setBlueBufferSize(8);
    fmt.setAlphaBufferSize(8);
    fmt.setDepthBufferSize(24);
    fmt.setStencilBufferSize(0);
    fmt.setSamples(0);
    QSurfaceFormat::setDefaultFormat(fmt);
}

VtkView::VtkView(QWidget* parent)
    : QOpenGLWidget(parent)
    , m_window(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New())
    , m_interactor(vtkSmartPointer<vtkGenericRenderWindowInteractor>::New())
    , m_renderer(vtkSmartPointer<vtkRenderer>::New())
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(160, 120);

    m_window->SetReadyForRendering(false);
    m_window->SetFrameBlitModeToNoBlit();
    // No multisampling: VTK asks for 8 samples by default, which software OpenGL (llvmpipe) pays for in every pixel.
    m_window->SetMultiSamples(0);
    m_window->AddRenderer(m_renderer);
    m_renderer->SetBackground(0.10, 0.11, 0.14);

    m_interactor->SetRenderWindow(m_window);
    m_interactor->EnableRenderOff(); // Qt decides when to paint
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    m_interactor->SetInteractorStyle(style);
    m_window->SetInteractor(m_interactor);

    // VTK asks for the GL context through events; answer with Qt's context (recipe in DESIGN.md).
    auto cb = vtkSmartPointer<vtkCallbackCommand>::New();
    cb->SetClientData(this);
    cb->SetCallback([](vtkObject* caller, unsigned long id, void* client, void* data) {
        static_cast<VtkView*>(client)->onWindowEvent(caller, id, data);
    });
    m_window->AddObserver(vtkCommand::WindowMakeCurrentEvent, cb);
    m_window->AddObserver(vtkCommand::WindowIsCurrentEvent, cb);
    m_window->AddObserver(vtkCommand::WindowFrameEvent, cb);

    // VTK interactor timers (used by some interactor styles) are driven from Qt.
    m_interactorTimer.setInterval(10);
    connect(&m_interactorTimer, &QTimer::timeout, this,
        [this] { m_interactor->InvokeEvent(vtkCommand::TimerEvent, nullptr); });
}

vtkRenderer* VtkView::renderer() const { return m_renderer; }
vtkGenericOpenGLRenderWindow* VtkView::renderWindow() const { return m_window; }

VtkView::~VtkView() { finalize(); }

void VtkView::onWindowEvent(vtkObject*, unsigned long eventId, void* callData)
{
    switch (eventId) {
    case vtkCommand::WindowMakeCurrentEvent:
        // Not QOpenGLWidget::makeCurrent(): that rebinds Qt's FBO behind VTK's back.
        if (context())
            context()->makeCurrent(context()->surface());
        break;
    case vtkCommand::WindowIsCurrentEvent:
        *static_cast<bool*>(callData) = context() && QOpenGLContext::currentContext() == context();
        break;
    case vtkCommand::WindowFrameEvent:
        if (!m_painting)
            update();
        break;
    default: break;
    }
}

void VtkView::initializeGL()
{
    if (m_initialised)
        finalize();
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkView::finalize, Qt::UniqueConnection);
    if (auto* state = m_window->GetState())
        state->Reset();
    m_window->SetOwnContext(0);
    m_window->SetReadyForRendering(true);
    m_window->OpenGLInitContext();
    m_interactor->Initialize();
    m_initialised = true;
    updateSize();
}

void VtkView::finalize()
{
    if (!m_initialised)
        return;
    m_initialised = false;
    if (context()) {
        makeCurrent();
        m_window->Finalize();
        doneCurrent();
    }
    m_window->SetReadyForRendering(false);
}

void VtkView::updateSize()
{
    const qreal dpr = devicePixelRatioF();
    const int w = qRound(width() * dpr), h = qRound(height() * dpr);
    m_window->SetSize(w, h);
    m_interactor->UpdateSize(w, h);
    m_window->SetDPI(qRound(72 * dpr));
}

void VtkView::resizeGL(int, int) { updateSize(); }

void VtkView::paintGL()
{
    if (!m_initialised)
        return;
    m_painting = true;
    auto* state = m_window->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL); // Qt leaves GL_LESS, VTK expects GL_LEQUAL
    m_window->Render();
    state->Pop();

    // Copy VTK's display framebuffer into the widget's framebuffer object.
    auto* f = context()->functions();
    const int w = m_window->GetSize()[0], h = m_window->GetSize()[1];
    state->PushDrawFramebufferBinding();
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    f->glDisable(GL_SCISSOR_TEST);
    m_window->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    state->PopDrawFramebufferBinding();

    // Force an opaque alpha channel so compositors do not blend the view with what lies behind.
    f->glColorMask(false, false, false, true);
    f->glClearColor(0.f, 0.f, 0.f, 1.f);
    f->glClear(GL_COLOR_BUFFER_BIT);
    f->glColorMask(true, true, true, true);
    m_painting = false;
}

void VtkView::render() { update(); }

void VtkView::resetCamera()
{
    m_renderer->ResetCamera();
    update();
}

void VtkView::forwardMouse(QMouseEvent* e, unsigned long eventId)
{
    const qreal dpr = devicePixelRatioF();
    const QPointF p = e->position();
    // VTK's origin is bottom-left, Qt's top-left.
    m_interactor->SetEventInformationFlipY(qRound(p.x() * dpr), qRound(p.y() * dpr),
        (e->modifiers() & Qt::ControlModifier) ? 1 : 0, (e->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    m_interactor->SetAltKey((e->modifiers() & Qt::AltModifier) ? 1 : 0);
    m_interactor->InvokeEvent(eventId, e);
    update();
}

void VtkView::mousePressEvent(QMouseEvent* e)
{
    m_interactorTimer.start();
    switch (e->button()) {
    case Qt::LeftButton: forwardMouse(e, vtkCommand::LeftButtonPressEvent); break;
    case Qt::MiddleButton: forwardMouse(e, vtkCommand::MiddleButtonPressEvent); break;
    case Qt::RightButton: forwardMouse(e, vtkCommand::RightButtonPressEvent); break;
    default: break;
    }
}

void VtkView::mouseReleaseEvent(QMouseEvent* e)
{
    switch (e->button()) {
    case Qt::LeftButton: forwardMouse(e, vtkCommand::LeftButtonReleaseEvent); break;
    case Qt::MiddleButton: forwardMouse(e, vtkCommand::MiddleButtonReleaseEvent); break;
    case Qt::RightButton: forwardMouse(e, vtkCommand::RightButtonReleaseEvent); break;
    default: break;
    }
    if (e->buttons() == Qt::NoButton)
        m_interactorTimer.stop();
}

void VtkView::mouseMoveEvent(QMouseEvent* e) { forwardMouse(e, vtkCommand::MouseMoveEvent); }

void VtkView::wheelEvent(QWheelEvent* e)
{
    const qreal dpr = devicePixelRatioF();
    const QPointF p = e->position();
    m_interactor->SetEventInformationFlipY(qRound(p.x() * dpr), qRound(p.y() * dpr));
    const int delta = e->angleDelta().y();
    if (delta > 0)
        m_interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent, e);
    else if (delta < 0)
        m_interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, e);
    e->accept();
    update();
}

void VtkView::keyPressEvent(QKeyEvent* e)
{
    // 'r' resets the camera, as in every VTK viewer; other keys stay with Qt (shortcuts).
    if (e->key() == Qt::Key_R && e->modifiers() == Qt::NoModifier) {
        resetCamera();
        return;
    }
    QOpenGLWidget::keyPressEvent(e);
}

void VtkView::enterEvent(QEnterEvent* e)
{
    m_interactor->InvokeEvent(vtkCommand::EnterEvent, e);
    QOpenGLWidget::enterEvent(e);
}

void VtkView::leaveEvent(QEvent* e)
{
    m_interactor->InvokeEvent(vtkCommand::LeaveEvent, e);
    QOpenGLWidget::leaveEvent(e);
}

} // namespace hepgen::widgets
