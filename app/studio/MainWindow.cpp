#include "MainWindow.h"

#include "HuntWorkspace.h"
#include "MapsWorkspace.h"
#include "ModelLab.h"
#include "ShowerWorkspace.h"

#include "DataPanel.h"
#include "GenerateDialog.h"
#include "LogPanel.h"

#include "core/data/Demos.h"
#include "core/data/NumpyReader.h"
#include "core/data/Summary.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "widgets/JobRunner.h"
#include "widgets/JobStatusWidget.h"
#include "widgets/LibraryVersions.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QOpenGLWidget>
#include <QPainter>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include <unistd.h>

namespace hepgen::studio {

namespace {

constexpr int kMaxRecent = 10;

struct WorkspaceInfo {
    const char* key;
    const char* title;
    const char* purpose;
};

constexpr WorkspaceInfo kWorkspaces[] = {
    { "train", "Model lab",
        "Train GANs, VAEs, normalizing flows, diffusion and flow-matching models interactively and watch losses and "
        "samples evolve.",
    },
    { "showers", "Showers",
        "Generate calorimeter showers as 3D point clouds and scrub through the diffusion trajectory from noise to "
        "shower.",
    },
    { "hunt", "Anomaly hunt",
        "Place sideband and signal-region windows on the dijet mass spectrum and run CWoLa, ANODE, CATHODE, LaCATHODE "
        "and "
        "R-ANODE against the idealised and supervised references.",
    },
    { "maps", "Maps", "Anomaly-score, density and uncertainty maps over any pair of features." },
};

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_jobs(new hepgen::widgets::JobRunner(this))
    , m_workspaces(new QTabWidget(this))
    , m_dataPanel(new DataPanel(this))
    , m_log(new LogPanel(this))
{
    setWindowTitle(tr("HEPGen Studio"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/hepgen.svg")));
    setAcceptDrops(true);
    resize(1280, 800);

    for (const auto& w : kWorkspaces) {
        QWidget* page = nullptr;
        if (QLatin1String(w.key) == QLatin1String("train"))
            page = m_lab = new ModelLab(m_jobs, this);
        else if (QLatin1String(w.key) == QLatin1String("hunt"))
            page = m_hunt = new HuntWorkspace(m_jobs, this);
        else if (QLatin1String(w.key) == QLatin1String("showers"))
            page = m_showers = new ShowerWorkspace(m_jobs, this);
        else if (QLatin1String(w.key) == QLatin1String("maps"))
            page = m_maps = new MapsWorkspace(m_jobs, m_lab, m_hunt, this);
        page->setToolTip(tr(w.purpose));
        m_workspaces->addTab(page, tr(w.title));
        m_workspaces->setTabToolTip(m_workspaces->count() - 1, tr(w.purpose));
    }
    auto toLog = [this](const QString& text, bool warning) {
        m_log->log(warning ? LogPanel::Level::Warning : LogPanel::Level::Info, text);
        if (warning)
            statusBar()->showMessage(text, 8000);
    };
    connect(m_lab, &ModelLab::message, this, toLog);
    connect(m_hunt, &HuntWorkspace::message, this, toLog);
    connect(m_showers, &ShowerWorkspace::message, this, toLog);
    connect(m_maps, &MapsWorkspace::message, this, toLog);
    m_workspaces->setDocumentMode(true);
    setCentralWidget(m_workspaces);

    auto* dataDock = new QDockWidget(tr("Data"), this);
    dataDock->setObjectName(QStringLiteral("DataDock"));
    dataDock->setWidget(m_dataPanel);
    addDockWidget(Qt::LeftDockWidgetArea, dataDock);
    auto* logDock = new QDockWidget(tr("Messages"), this);
    logDock->setObjectName(QStringLiteral("MessagesDock"));
    logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    resizeDocks({ dataDock }, { 420 }, Qt::Horizontal);
    resizeDocks({ logDock }, { 150 }, Qt::Vertical);

    statusBar()->addPermanentWidget(new hepgen::widgets::JobStatusWidget(m_jobs, this));
    connect(m_jobs, &hepgen::widgets::JobRunner::started, this,
        [this](const QString& title) { m_log->log(LogPanel::Level::Info, tr("%1 …").arg(title)); });
    connect(m_jobs, &hepgen::widgets::JobRunner::finished, this, [this](const QString& title, double seconds) {
        m_log->log(LogPanel::Level::Info, tr("%1: done in %2 s.").arg(title).arg(seconds, 0, 'f', 1));
        statusBar()->showMessage(tr("%1: done").arg(title), 5000);
    });
    connect(m_jobs, &hepgen::widgets::JobRunner::cancelled, this, [this](const QString& title) {
        m_log->log(LogPanel::Level::Warning, tr("%1: cancelled.").arg(title));
        statusBar()->showMessage(tr("%1: cancelled").arg(title), 5000);
        Q_EMIT loadFinished(false);
    });
    connect(m_jobs, &hepgen::widgets::JobRunner::failed, this, [this](const QString& title, const QString& message) {
        showError(title, message);
        Q_EMIT loadFinished(false);
    });
    connect(m_dataPanel, &DataPanel::openRequested, this, &MainWindow::openWithDialog);
    connect(m_dataPanel, &DataPanel::demoRequested, this, &MainWindow::loadDemo);

    buildMenus();
    restoreSettings();
    m_log->log(
        LogPanel::Level::Info, tr("HEPGen Studio %1 ready.").arg(QString::fromStdString(hepgen::hepgenVersion())));
}

MainWindow::~MainWindow() { m_jobs->cancelAndWait(); }

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openWithDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a data file"));
    m_recentMenu = file->addMenu(tr("Open &recent"));
    QAction* gen = file->addAction(tr("&Generate…"), this, &MainWindow::generateWithDialog);
    gen->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    gen->setObjectName(QStringLiteral("actionGenerate"));
    QAction* save = file->addAction(tr("&Save data as…"), this, &MainWindow::saveWithDialog);
    save->setShortcut(QKeySequence::SaveAs);
    save->setObjectName(QStringLiteral("actionSaveAs"));
    QMenu* demos = file->addMenu(tr("&Demo data"));
    for (const auto& demo : hepgen::data::demoDatasets()) {
        QAction* a = demos->addAction(QString::fromStdString(demo.title));
        a->setToolTip(QString::fromStdString(demo.description));
        const QString name = QString::fromStdString(demo.name);
        connect(a, &QAction::triggered, this, [this, name] { loadDemo(name); });
    }
    demos->setToolTipsVisible(true);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    rebuildRecentMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_workspaces->count(); ++i) {
        QAction* a = view->addAction(m_workspaces->tabText(i), this, [this, i] { m_workspaces->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About HEPGen Studio"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("actionAbout"));
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_workspaces->setCurrentIndex(s.value(QStringLiteral("window/workspace"), 0).toInt());
}

void MainWindow::closeEvent(QCloseEvent* e)
{
    if (m_jobs->isRunning()) {
        const auto answer = QMessageBox::question(
            this, tr("A job is running"), tr("“%1” is still running. Cancel it and quit?").arg(m_jobs->title()));
        if (answer != QMessageBox::Yes) {
            e->ignore();
            return;
        }
        m_jobs->cancelAndWait();
    }
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/workspace"), m_workspaces->currentIndex());
    e->accept();
}

bool MainWindow::setWorkspace(const QString& name)
{
    for (int i = 0; i < static_cast<int>(std::size(kWorkspaces)); ++i) {
        if (name == QLatin1String(kWorkspaces[i].key)) {
            m_workspaces->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

QStringList MainWindow::recentFiles() const { return QSettings().value(QStringLiteral("recentFiles")).toStringList(); }

void MainWindow::addRecentFile(const QString& path)
{
    QStringList files = recentFiles();
    const QString abs = QFileInfo(path).absoluteFilePath();
    files.removeAll(abs);
    files.prepend(abs);
    while (files.size() > kMaxRecent)
        files.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        QAction* a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(files[i]).fileName()));
        a->setToolTip(files[i]);
        const QString path = files[i];
        connect(a, &QAction::triggered, this, [this, path] { openFile(path); });
    }
    m_recentMenu->setToolTipsVisible(true);
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::openWithDialog()
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("dirs/open")).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open data"), dir,
        tr("Data files (*.h5 *.hdf5 *.hdf *.npy *.npz);;HDF5 (*.h5 *.hdf5 *.hdf);;NumPy (*.npy *.npz);;All files (*)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("dirs/open"), QFileInfo(path).absolutePath());
    openFile(path);
}

bool MainWindow::completeReadOptions(const QString& path, hepgen::data::ReadOptions& options)
{
    if (m_batch)
        return true; // nobody to ask: the reader explains what is missing
    hepgen::data::FileFormat format;
    try {
        format = hepgen::data::detectFormat(path.toStdString());
    } catch (...) {
        return true; // the load job reports the problem
    }
    QSettings s;
    if (format == hepgen::data::FileFormat::CaloChallenge && options.binningXml.empty()
        && QMessageBox::question(this, tr("CaloChallenge binning"),
               tr("%1 is a CaloChallenge file. Use the bundled binning that matches its number of "
                  "voxels (data sets 1, 2, 3)?\n\nChoose No to pick a binning XML yourself.")
                   .arg(QFileInfo(path).fileName()))
            == QMessageBox::No) {
        const QString xml = QFileDialog::getOpenFileName(this, tr("Binning XML for %1").arg(QFileInfo(path).fileName()),
            s.value(QStringLiteral("dirs/binning"), QFileInfo(path).absolutePath()).toString(),
            tr("CaloChallenge binning (binning_dataset_*.xml);;XML (*.xml)"));
        if (xml.isEmpty()) {
            m_log->log(LogPanel::Level::Warning,
                tr("%1 is a CaloChallenge file; it needs its binning XML to be read.").arg(path));
            return false;
        }
        s.setValue(QStringLiteral("dirs/binning"), QFileInfo(xml).absolutePath());
        options.binningXml = xml.toStdString();
    }
    if (format == hepgen::data::FileFormat::Npz && options.npzMember.empty()) {
        QStringList names;
        try {
            for (const auto& n : hepgen::data::npzArrayNames(path.toStdString()))
                names << QString::fromStdString(n);
        } catch (...) {
            return true;
        }
        if (names.size() > 1) {
            bool ok = false;
            const QString member = QInputDialog::getItem(this, tr("Choose an array"),
                tr("%1 holds several arrays. Which one holds the events?").arg(QFileInfo(path).fileName()), names, 0,
                false, &ok);
            if (!ok)
                return false;
            options.npzMember = member.toStdString();
        }
    }
    return true;
}

void MainWindow::openFile(const QString& path, hepgen::data::ReadOptions options)
{
    if (m_jobs->isRunning()) {
        showError(tr("Busy"), tr("“%1” is still running; wait for it or cancel it first.").arg(m_jobs->title()));
        return;
    }
    if (!completeReadOptions(path, options))
        return;
    // A table may take a quarter of the physical memory; a larger file opens with its first events
    // (read lazily), and the Data panel says so.
    if (options.maxEvents == 0) {
        const double memory
            = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
        options.maxEvents = static_cast<std::size_t>(std::max(1e6, 0.25 * memory / (4.0 * 16.0))); // ~16 float columns
    }
    auto result = std::make_shared<hepgen::data::Dataset>();
    const std::string file = path.toStdString();
    m_jobs->start(
        tr("Loading %1").arg(QFileInfo(path).fileName()),
        [result, file, options](const hepgen::JobControl&) { *result = hepgen::data::readDataset(file, options); },
        [this, result, path] {
            addRecentFile(path);
            setDataset(result);
        });
}

void MainWindow::generateWithDialog()
{
    GenerateDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    dialog.saveSettings();
    try {
        generate(dialog.request());
    } catch (...) {
        showError(tr("Generate"), QString::fromStdString(hepgen::currentExceptionMessage()));
    }
}

void MainWindow::generate(const hepgen::data::GeneratorRequest& request)
{
    static const char* kNames[] = { "dijet", "showers", "toy2d" };
    const QString name = QString::fromLatin1(kNames[static_cast<int>(request.kind)]);
    auto result = std::make_shared<hepgen::data::Dataset>();
    const bool started = m_jobs->start(
        tr("Generating %1").arg(name),
        [result, request, name](const hepgen::JobControl& job) {
            *result = hepgen::data::generateDataset(request, job);
            result->source = "generated:" + name.toStdString();
        },
        [this, result] { setDataset(result); });
    if (!started)
        showError(tr("Busy"), tr("“%1” is still running; wait for it or cancel it first.").arg(m_jobs->title()));
}

void MainWindow::saveWithDialog()
{
    if (!m_dataset) {
        showError(tr("Save data"), tr("There is no data to save: open a file, load a demo or generate data first."));
        return;
    }
    QSettings s;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save data as"), s.value(QStringLiteral("dirs/save")).toString(), tr("HEPGen HDF5 (*.h5)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("dirs/save"), QFileInfo(path).absolutePath());
    saveData(path);
}

void MainWindow::saveData(const QString& path)
{
    if (!m_dataset)
        return;
    const auto dataset = m_dataset; // shared and const: the worker reads while the UI may load another
    const bool started = m_jobs->start(
        tr("Saving %1").arg(QFileInfo(path).fileName()),
        [dataset, file = path.toStdString()](const hepgen::JobControl&) { hepgen::data::writeDataset(*dataset, file); },
        [this, path] {
            m_log->log(LogPanel::Level::Info, tr("Saved %1.").arg(path));
            addRecentFile(path);
        });
    if (!started)
        showError(tr("Busy"), tr("“%1” is still running; wait for it or cancel it first.").arg(m_jobs->title()));
}

void MainWindow::loadDemo(const QString& name)
{
    auto result = std::make_shared<hepgen::data::Dataset>();
    const std::string demo = name.toStdString();
    const bool started = m_jobs->start(
        tr("Generating demo %1").arg(name),
        [result, demo](const hepgen::JobControl& job) { *result = hepgen::data::makeDemo(demo, job); },
        [this, result] { setDataset(result); });
    if (!started)
        showError(tr("Busy"), tr("“%1” is still running; wait for it or cancel it first.").arg(m_jobs->title()));
}

void MainWindow::setDataset(std::shared_ptr<hepgen::data::Dataset> dataset)
{
    auto summary = hepgen::data::summarise(*dataset);
    if (summary.eventsWithNonFinite > 0 && dataset->table) {
        const QString text = tr("%1 of %2 events in %3 hold NaN or infinite values.")
                                 .arg(summary.eventsWithNonFinite)
                                 .arg(summary.events)
                                 .arg(QString::fromStdString(dataset->source));
        m_log->log(LogPanel::Level::Warning, text);
        const bool drop = !m_batch
            && QMessageBox::question(this, tr("Non-finite values"), text + tr("\n\nDrop these events?"))
                == QMessageBox::Yes;
        if (drop) {
            dataset->table = hepgen::data::dropNonFiniteEvents(*dataset->table);
            m_log->log(LogPanel::Level::Info,
                tr("Dropped %1 events with NaN or infinite values.").arg(summary.eventsWithNonFinite));
            summary = hepgen::data::summarise(*dataset);
        }
    }
    m_dataset = std::move(dataset);
    m_dataPanel->showDataset(*m_dataset, summary);
    m_lab->setDataset(m_dataset);
    m_hunt->setDataset(m_dataset);
    m_showers->setDataset(m_dataset);
    m_maps->setDataset(m_dataset);
    m_log->log(LogPanel::Level::Info,
        tr("Loaded %1: %2 %3.")
            .arg(QString::fromStdString(summary.source))
            .arg(summary.events)
            .arg(summary.kind == "showers" ? tr("showers") : tr("events")));
    Q_EMIT loadFinished(true);
}

void MainWindow::showError(const QString& title, const QString& message)
{
    m_log->log(LogPanel::Level::Error, QStringLiteral("%1: %2").arg(title, message));
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorDialog"));
    box->open(); // window-modal, never blocks the event loop (jobs keep reporting)
}

void MainWindow::showAbout()
{
    QString rows;
    auto addRow = [&rows](const QString& name, const QString& version) {
        rows += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(name.toHtmlEscaped(), version.toHtmlEscaped());
    };
    for (const auto& [name, version] : hepgen::widgets::guiLibraryVersions())
        addRow(name, version);
    for (const auto& [name, version] : hepgen::coreLibraryVersions())
        addRow(QString::fromStdString(name), QString::fromStdString(version));
    auto* box = new QMessageBox(QMessageBox::Information, tr("About HEPGen Studio"),
        tr("<h3>HEPGen Studio %1</h3><p>Train and inspect generative models on particle-physics "
           "data.</p><p>Libraries linked:</p><table cellspacing='6'>%2</table>")
            .arg(QString::fromStdString(hepgen::hepgenVersion()), rows),
        QMessageBox::Ok, this);
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("aboutDialog"));
    box->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e)
{
    if (e->mimeData()->hasUrls() && e->mimeData()->urls().size() == 1 && e->mimeData()->urls().front().isLocalFile())
        e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e)
{
    const auto urls = e->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) {
        e->acceptProposedAction();
        openFile(urls.front().toLocalFile());
    }
}

QImage MainWindow::screenshot()
{
    QImage image = grab().toImage();
    QPainter p(&image);
    // QWidget::grab() shows GL views as grey: paint each visible one from its own framebuffer.
    for (QOpenGLWidget* gl : findChildren<QOpenGLWidget*>()) {
        if (!gl->isVisible())
            continue;
        const QPoint topLeft = gl->mapTo(this, QPoint(0, 0));
        p.drawImage(QRect(topLeft, gl->size()), gl->grabFramebuffer());
    }
    for (QMessageBox* box : findChildren<QMessageBox*>()) {
        if (!box->isVisible())
            continue;
        const QImage dialog = box->grab().toImage();
        const QPoint at((image.width() - dialog.width()) / 2, (image.height() - dialog.height()) / 3);
        p.fillRect(QRect(at + QPoint(4, 4), dialog.size()), QColor(0, 0, 0, 60));
        p.drawImage(at, dialog);
    }
    return image;
}

} // namespace hepgen::studio
