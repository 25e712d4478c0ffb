#pragma once
// The application shell: four workspaces (Model lab, Showers, Anomaly hunt, Maps), the Data and
// Messages panels, the job status bar, menus with shortcuts, drag and drop, remembered settings.
#include "core/data/DatasetIO.h"
#include "core/data/Generators.h"

#include <QMainWindow>
#include <QStringList>

#include <memory>

class QTabWidget;
class QMenu;

namespace hepgen::widgets {
class JobRunner;
}

namespace hepgen::studio {

class DataPanel;
class LogPanel;
class HuntWorkspace;
class MapsWorkspace;
class ModelLab;
class ShowerWorkspace;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a file in the background; errors go to a dialog and the log, the current data stays.
    /// What a format needs and `options` lacks (a CaloChallenge binning XML, the array of a
    /// multi-array .npz) is asked for, except in batch mode.
    void openFile(const QString& path, hepgen::data::ReadOptions options = {});
    /// Runs a built-in generator in the background and loads its output.
    void generate(const hepgen::data::GeneratorRequest& request);
    /// Writes the loaded data set in our HDF5 schema, in the background.
    void saveData(const QString& path);
    /// Generates and loads a built-in demo data set.
    void loadDemo(const QString& name);
    /// Switches to a workspace by its CLI name: train, showers, hunt, maps. False if unknown.
    bool setWorkspace(const QString& name);
    /// In batch mode (--screenshot) dialogs never block: errors are shown without waiting.
    void setBatchMode(bool on) { m_batch = on; }

    /// The window as a user sees it, GL views included (grabFramebuffer), with any open message
    /// box drawn on top.
    QImage screenshot();

    hepgen::widgets::JobRunner* jobs() const { return m_jobs; }
    const hepgen::data::Dataset* dataset() const { return m_dataset.get(); }
    LogPanel* logPanel() const { return m_log; }
    ModelLab* modelLab() const { return m_lab; }
    HuntWorkspace* huntWorkspace() const { return m_hunt; }
    ShowerWorkspace* showerWorkspace() const { return m_showers; }
    MapsWorkspace* mapsWorkspace() const { return m_maps; }
    QStringList recentFiles() const;

Q_SIGNALS:
    /// A load finished (successfully or not); the screenshot mode waits for this.
    void loadFinished(bool ok);

protected:
    void closeEvent(QCloseEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildMenus();
    void openWithDialog();
    void generateWithDialog();
    void saveWithDialog();
    bool completeReadOptions(const QString& path, hepgen::data::ReadOptions& options);
    void rebuildRecentMenu();
    void addRecentFile(const QString& path);
    void setDataset(std::shared_ptr<hepgen::data::Dataset> dataset);
    void showError(const QString& title, const QString& message);
    void showAbout();
    void restoreSettings();

    hepgen::widgets::JobRunner* m_jobs;
    QTabWidget* m_workspaces;
    DataPanel* m_dataPanel;
    ModelLab* m_lab = nullptr;
    HuntWorkspace* m_hunt = nullptr;
    ShowerWorkspace* m_showers = nullptr;
    MapsWorkspace* m_maps = nullptr;
    LogPanel* m_log;
    QMenu* m_recentMenu = nullptr;
    std::shared_ptr<const hepgen::data::Dataset> m_dataset;
    bool m_batch = false;
};

} // namespace hepgen::studio
