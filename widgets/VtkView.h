#pragma once
// The reusable 3D view: our own QOpenGLWidget driving a vtkGenericOpenGLRenderWindow (VTK's
// QVTKOpenGLNativeWidget is built for Qt5 on Debian 12). Mouse rotate/zoom/pan through a
// trackball camera, resize and high-DPI handled. Screenshots: use grabFramebuffer().
#include <QOpenGLWidget>
#include <QTimer>

#include <vtkNew.h>
#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderer;
class vtkObject;

namespace hepgen::widgets {

class VtkView : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkView(QWidget* parent = nullptr);
    ~VtkView() override;

    /// The renderer that holds the scene; add actors to it, then call render().
    vtkRenderer* renderer() const;
    vtkGenericOpenGLRenderWindow* renderWindow() const;
    /// Schedules a repaint of the scene.
    void render();
    /// Resets the camera to show everything in the scene.
    void resetCamera();

    /// The surface format VTK needs; set it as default before constructing QApplication.
    static void setDefaultSurfaceFormat();

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void enterEvent(QEnterEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    void onWindowEvent(vtkObject* caller, unsigned long eventId, void* callData);
    void updateSize();
    void finalize();
    void forwardMouse(QMouseEvent* e, unsigned long eventId);

    vtkSmartPointer<vtkGenericOpenGLRenderWindow> m_window;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> m_interactor;
    vtkSmartPointer<vtkRenderer> m_renderer;
    QTimer m_interactorTimer;
    bool m_painting = false;
    bool m_initialised = false;
};

} // namespace hepgen::widgets
