// hepgen-studio [FILE] [--view train|showers|hunt|maps] [--hunt METHOD[:CLASSIFIER],...] [--hunt-page PAGE]
//               [--screenshot PNG]
#include "HuntBatch.h"
#include "HuntWorkspace.h"
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
    const QCommandLineOption hunt(QStringLiteral("hunt"),
        QStringLiteral("Anomaly hunt: after loading, run these hunts one after the other (comma-separated METHOD or "
                       "METHOD:CLASSIFIER, e.g. supervised:bdt,iad,cwola), each with its bump hunt; with "
                       "--screenshot the picture is taken after the last"),
        QStringLiteral("HUNTS"));
    const QCommandLineOption huntPage(QStringLiteral("hunt-page"),
        QStringLiteral("Anomaly hunt: the results page to show: table, bump or scans"), QStringLiteral("PAGE"));
    parser.addOption(view);
    parser.addOption(binning);
    parser.addOption(hunt);
    parser.addOption(huntPage);
    parser.addOption(screenshot);
    parser.process(app);
    const QStringList pages { QStringLiteral("table"), QStringLiteral("bump"), QStringLiteral("scans") };
    const int page = parser.isSet(huntPage) ? int(pages.indexOf(parser.value(huntPage))) : 0;
    if (page < 0) {
        std::fprintf(stderr, "hepgen-studio: unknown hunt page '%s' (use table, bump or scans)\n",
            qPrintable(parser.value(huntPage)));
        return 2;
    }

    hepgen::initialiseRuntime();
    hepgen::studio::MainWindow window;
    if (parser.isSet(view) && !window.setWorkspace(parser.value(view))) {
        std::fprintf(stderr, "hepgen-studio: unknown workspace '%s' (use train, showers, hunt or maps)\n",
            qPrintable(parser.value(view)));
        return 2;
    }
    if (parser.isSet(hunt) || parser.isSet(huntPage)) {
        window.setWorkspace(QStringLiteral("hunt"));
        window.huntWorkspace()->showResultsPage(page);
    }
    const QString shotPath = parser.value(screenshot);
    window.setBatchMode(!shotPath.isEmpty());
    window.show();

    int exitCode = 0;
    const auto takeScreenshot = [&] {
        // After the event loop has painted the result.
        QTimer::singleShot(300, &app, [&] {
            const bool ok = window.screenshot().save(shotPath);
            if (!ok)
                std::fprintf(stderr, "hepgen-studio: could not write %s\n", qPrintable(shotPath));
            app.exit(ok ? exitCode : 1);
        });
    };
    const QStringList hunts = parser.value(hunt).split(',', Qt::SkipEmptyParts);
    auto* batch = new hepgen::studio::HuntBatch(window.huntWorkspace(), window.jobs(), hunts, &window);
    QObject::connect(batch, &hepgen::studio::HuntBatch::finished, &app, [&](bool ok, const QString& text) {
        std::fprintf(stderr, "hepgen-studio: %s\n", qPrintable(text));
        window.huntWorkspace()->showResultsPage(page);
        if (!ok)
            exitCode = 1;
        if (!shotPath.isEmpty())
            takeScreenshot();
    });
    QObject::connect(&window, &hepgen::studio::MainWindow::loadFinished, &app, [&](bool loaded) {
        if (loaded && !hunts.isEmpty()) {
            batch->start();
            return;
        }
        if (!loaded && !hunts.isEmpty())
            exitCode = 1;
        // Save once loading has ended (well or badly: an error dialog is worth a screenshot too).
        if (!shotPath.isEmpty())
            takeScreenshot();
    });

    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        hepgen::data::ReadOptions options;
        options.binningXml = parser.value(binning).toStdString();
        window.openFile(files.front(), options);
    } else
        window.loadDemo(QString::fromStdString(hepgen::data::demoDatasets().front().name));
    return app.exec();
}
