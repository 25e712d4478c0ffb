// hepgen-studio [FILE] [--view train|showers|hunt|maps] [--screenshot PNG]
#include "MainWindow.h"

#include "core/data/Demos.h"
#include "core/util/Runtime.h"
#include "widgets/VtkView.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv)
{
    Q_INIT_RESOURCE(resources); // the .qrc lives in a static library: register it explicitly
    // VTK 9.1 calls glewInit, which fails on Wayland: use X11 (XWayland on Wayland desktops).
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "xcb");
    hepgen::widgets::VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("HEPGen"));
    QApplication::setApplicationName(QStringLiteral("HEPGen Studio"));
    QApplication::setApplicationVersion(QStringLiteral(HEPGEN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train and inspect generative models on particle-physics data."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Data file to open (default: the built-in demo)"));
    const QCommandLineOption view(QStringLiteral("view"),
        QStringLiteral("Workspace to show: train, showers, hunt, maps"), QStringLiteral("WORKSPACE"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Render the window after loading, save it as PNG and exit"), QStringLiteral("PNG"));
    const QCommandLineOption binning(QStringLiteral("binning"),
        QStringLiteral("CaloChallenge files: the binning_dataset_*.xml to read FILE with"), QStringLiteral("XML"));
    parser.addOption(view);
    parser.addOption(binning);
    parser.addOption(screenshot);
    parser.process(app);

    hepgen::initialiseRuntime();
    hepgen::studio::MainWindow window;
    if (parser.isSet(view) && !window.setWorkspace(parser.value(view))) {
        std::fprintf(stderr, "hepgen-studio: unknown workspace '%s' (use train, showers, hunt or maps)\n",
            qPrintable(parser.value(view)));
        return 2;
    }
    const QString shotPath = parser.value(screenshot);
    window.setBatchMode(!shotPath.isEmpty());
    window.show();

    if (!shotPath.isEmpty()) {
        // Save once loading has ended (well or badly: an error dialog is worth a screenshot too),
        // after the event loop has painted the result.
        QObject::connect(&window, &hepgen::studio::MainWindow::loadFinished, &app, [&](bool) {
            QTimer::singleShot(300, &app, [&] {
                const bool ok = window.screenshot().save(shotPath);
                if (!ok)
                    std::fprintf(stderr, "hepgen-studio: could not write %s\n", qPrintable(shotPath));
                app.exit(ok ? 0 : 1);
            });
        });
    }

    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        hepgen::data::ReadOptions options;
        options.binningXml = parser.value(binning).toStdString();
        window.openFile(files.front(), options);
    } else
        window.loadDemo(QString::fromStdString(hepgen::data::demoDatasets().front().name));
    return app.exec();
}
