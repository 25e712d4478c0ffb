#pragma once
// The Maps workspace: pick any trained model of the session (the model lab's runs, the anomaly hunt's results, the
// classifier surrogates trained here, or a model directory opened by hand) and two of its inputs, and see where in
// feature space it scores high, how dense it thinks the data are or how anomalous (the ANODE ratio), and how sure it
// is: the map and its uncertainty (the spread over ensemble members, fold models or posterior draws, or the distance
// to the data) side by side on linked axes, the other inputs on slice sliders (default: medians) or averaged over the
// data (partial dependence), with the data points, contours and the signal region drawn over them and the value ±
// uncertainty under the cursor. Maps are computed by a MapWorker (the newest request wins), surrogates are trained
// through the shared JobRunner; maps export as PNG/PDF and their values as HDF5/CSV.
#include "core/maps/Map.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace hepgen::data {
struct Dataset;
struct Table;
} // namespace hepgen::data
namespace hepgen::maps {
class MapModel;
}
namespace hepgen::widgets {
class JobRunner;
class MapView;
} // namespace hepgen::widgets

namespace hepgen::studio {

class HuntWorkspace;
class MapSlicePanel;
class MapSourceModel;
class MapWorker;
class ModelLab;

class MapsWorkspace : public QWidget {
    Q_OBJECT
public:
    /// `lab` and `hunt` (either may be null) are where trained models come from.
    MapsWorkspace(hepgen::widgets::JobRunner* jobs, ModelLab* lab, HuntWorkspace* hunt, QWidget* parent = nullptr);
    ~MapsWorkspace() override;

    /// The data set: the reference for ranges, medians, partial dependence, the distance map and the overlay.
    void setDataset(std::shared_ptr<const hepgen::data::Dataset> dataset);

    // ---- What a user does, for tests and scripts.
    MapSourceModel* sources() const { return m_sources; }
    /// Selects a model by its name or directory; false if there is none such.
    bool selectSource(const QString& nameOrDirectory);
    /// Opens a model directory (a run, a surrogate, a saved hunt model) and selects it; false with a message when it
    /// cannot be mapped.
    bool openModelDirectory(const QString& dir);
    /// Adds a model held in memory (e.g. a classifier ensemble) and selects it.
    void addModel(std::shared_ptr<hepgen::maps::MapModel> model);
    bool setKind(hepgen::maps::MapKind kind);
    /// Puts two inputs on the axes (by name); false when the model lacks one (the reason is shown either way).
    bool setAxes(const QString& x, const QString& y);
    bool setSlice(const QString& input, double value);
    void setPartialDependence(bool on, int events = 32);
    void setGrid(int bins);
    /// The right-hand map: the uncertainty of the left one (false) or the distance to the data (true).
    void setSideShowsDistance(bool on);
    void setOverlay(bool points, bool contours);
    /// Sets the background density of a density-ratio map (by name or directory).
    bool setRatioBackground(const QString& nameOrDirectory);

    /// Why no map can be drawn now (empty when one can).
    QString problem() const;
    /// The maps on screen (null before the first).
    const hepgen::maps::MapResult* currentMap() const { return m_map.get(); }
    const hepgen::maps::MapResult* currentSide() const { return m_side.get(); }
    int mapsShown() const { return m_mapsShown; }
    /// The hover readout for a point (as the mouse at (x, y) shows it).
    QString readoutAt(double x, double y) const;
    QString readout() const;
    hepgen::widgets::MapView* mainView() const { return m_mainView; }
    hepgen::widgets::MapView* sideView() const { return m_sideView; }
    MapSlicePanel* slices() const { return m_slices; }

    /// Writes both maps side by side (.png or .pdf); false with a message on failure.
    bool exportImage(const QString& path);
    /// Writes the map's values (and uncertainty) as .h5 or .csv (the distance map, if shown, beside it with a
    /// "-distance" suffix); false with a message on failure.
    bool exportValues(const QString& path);
    /// Trains a classifier surrogate of the selected model (a job of the shared runner) into `dir` (default: a new
    /// directory under the application's data); false with a message when it cannot start.
    bool trainSurrogate(const QString& dir = {}, int epochs = 0);

Q_SIGNALS:
    void message(const QString& text, bool warning);
    /// A new map is on screen.
    void mapShown();
    /// A surrogate finished training and was added to the models.
    void surrogateTrained(const QString& directory);

private:
    QWidget* buildControls();
    QWidget* buildViews();
    void refreshSources();
    /// Units of `features` in the loaded table (empty when unknown).
    std::vector<std::string> featureUnits(const std::vector<std::string>& features) const;
    void onSourceChanged();
    void onKindChanged();
    void onAxesChanged();
    /// Builds the request from the controls and submits it; `structural` stops a map in flight.
    void requestMap(bool structural);
    void showResult(quint64 id, std::shared_ptr<const hepgen::maps::MapResult> map,
        std::shared_ptr<const hepgen::maps::MapResult> side);
    void showProblem(const QString& text);
    void updateOverlay();
    void updateBand();
    void updateButtons();
    void onHover(double x, double y);
    void fillRanges(bool fromData);
    void rememberSettings() const;
    std::shared_ptr<hepgen::maps::MapModel> selectedModel(QString* problem);
    std::shared_ptr<const hepgen::data::Table> table() const;
    /// The dijet mass column for the signal region (the hunt model's, else "mjj" where the data have it).
    QString massColumn() const;

    QPointer<hepgen::widgets::JobRunner> m_jobs;
    QPointer<ModelLab> m_lab;
    QPointer<HuntWorkspace> m_hunt;
    std::shared_ptr<const hepgen::data::Dataset> m_dataset;
    std::shared_ptr<hepgen::maps::MapModel> m_model; ///< the model the controls are set up for
    MapSourceModel* m_sources;
    MapWorker* m_worker;
    std::shared_ptr<const hepgen::maps::MapResult> m_map, m_side;
    quint64 m_shownId = 0;
    int m_mapsShown = 0;
    QString m_problem, m_readout;

    QComboBox* m_source;
    QComboBox* m_kind;
    QComboBox* m_background;
    QLabel* m_backgroundLabel;
    QComboBox* m_x;
    QComboBox* m_y;
    QDoubleSpinBox *m_xLo, *m_xHi, *m_yLo, *m_yHi;
    QSpinBox* m_grid;
    QCheckBox* m_pd;
    QSpinBox* m_pdEvents;
    MapSlicePanel* m_slices;
    QComboBox* m_sideChoice;
    QCheckBox* m_points;
    QComboBox* m_colourBy;
    QCheckBox* m_contours;
    QSpinBox* m_surrogateEpochs;
    QPushButton* m_surrogate;
    QPushButton* m_exportImage;
    QPushButton* m_exportValues;
    QLabel* m_status;
    QProgressBar* m_progress;
    QLabel* m_readoutLabel;
    hepgen::widgets::MapView* m_mainView;
    hepgen::widgets::MapView* m_sideView;
};

} // namespace hepgen::studio
