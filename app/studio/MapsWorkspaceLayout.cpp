// The Maps workspace's controls and views: how the panel is laid out, what each control says in its tooltip, and
// which request a change of each control makes (MapsWorkspace.cpp does the rest).
#include "MapsWorkspace.h"

#include "MapSlicePanel.h"
#include "MapSourceModel.h"
#include "MapWorker.h"

#include "widgets/MapView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace hepgen::studio {

namespace {

QDoubleSpinBox* rangeBox(const QString& tip)
{
    auto* b = new QDoubleSpinBox;
    b->setRange(-1e9, 1e9);
    b->setDecimals(4);
    b->setKeyboardTracking(false);
    b->setToolTip(tip);
    return b;
}

} // namespace

void MapsWorkspace::rememberSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("maps/grid"), m_grid->value());
    s.setValue(QStringLiteral("maps/pdEvents"), m_pdEvents->value());
    s.setValue(QStringLiteral("maps/points"), m_points->isChecked());
    s.setValue(QStringLiteral("maps/contours"), m_contours->isChecked());
    s.setValue(QStringLiteral("maps/side"), m_sideChoice->currentIndex());
    s.setValue(QStringLiteral("maps/colourBy"), m_colourBy->currentIndex());
    s.setValue(QStringLiteral("maps/surrogateEpochs"), m_surrogateEpochs->value());
}
QWidget* MapsWorkspace::buildControls()
{
    auto* panel = new QWidget;
    auto* v = new QVBoxLayout(panel);
    v->setContentsMargins(0, 0, 0, 0);

    auto* modelBox = new QGroupBox(tr("Model"));
    auto* mf = new QFormLayout(modelBox);
    m_source = new QComboBox;
    m_source->setModel(m_sources);
    m_source->setToolTip(tr("Any trained model of this session: model-lab runs, hunt results, surrogates trained "
                            "here, or a model directory opened with Open… (F5 reloads it)"));
    auto* open = new QToolButton;
    open->setText(tr("Open…"));
    open->setToolTip(tr("Open a run directory (hepgen train, the model lab), a classifier surrogate or a saved hunt "
                        "model"));
    connect(open, &QToolButton::clicked, this, [this] {
        QSettings s;
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Open a model directory"), s.value(QStringLiteral("dirs/runs")).toString());
        if (dir.isEmpty())
            return;
        s.setValue(QStringLiteral("dirs/runs"), dir);
        openModelDirectory(dir);
    });
    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(open);
    mf->addRow(tr("Model"), sourceRow);
    m_kind = new QComboBox;
    m_kind->setToolTip(tr("What to map: the model's score, its log-density, the ANODE ratio of two densities, or the "
                          "k-nearest-neighbour distance to the data (1 ≈ inside the data)"));
    mf->addRow(tr("Map"), m_kind);
    m_background = new QComboBox;
    m_background->setModel(m_sources);
    m_background->setToolTip(tr("The background density p_bg(x | m) (e.g. fitted in the sidebands) the selected "
                                "model's density is divided by"));
    m_backgroundLabel = new QLabel(tr("Background"));
    mf->addRow(m_backgroundLabel, m_background);
    v->addWidget(modelBox);

    auto* axesBox = new QGroupBox(tr("Axes"));
    auto* af = new QFormLayout(axesBox);
    m_x = new QComboBox;
    m_y = new QComboBox;
    m_x->setToolTip(tr("Input on the horizontal axis"));
    m_y->setToolTip(tr("Input on the vertical axis"));
    auto* swap = new QToolButton;
    swap->setText(QStringLiteral("⇅"));
    swap->setToolTip(tr("Swap the axes"));
    connect(swap, &QToolButton::clicked, this, [this] { setAxes(m_y->currentText(), m_x->currentText()); });
    auto* xy = new QHBoxLayout;
    xy->addWidget(m_x, 1);
    xy->addWidget(m_y, 1);
    xy->addWidget(swap);
    af->addRow(tr("x, y"), xy);
    m_xLo = rangeBox(tr("Lower end of the x axis"));
    m_xHi = rangeBox(tr("Upper end of the x axis"));
    m_yLo = rangeBox(tr("Lower end of the y axis"));
    m_yHi = rangeBox(tr("Upper end of the y axis"));
    auto* xr = new QHBoxLayout;
    xr->addWidget(m_xLo);
    xr->addWidget(m_xHi);
    af->addRow(tr("x range"), xr);
    auto* yr = new QHBoxLayout;
    yr->addWidget(m_yLo);
    yr->addWidget(m_yHi);
    auto* fit = new QToolButton;
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Both ranges from the data (0.5–99.5 % quantiles, padded)"));
    connect(fit, &QToolButton::clicked, this, [this] {
        fillRanges(true);
        requestMap(true);
    });
    yr->addWidget(fit);
    af->addRow(tr("y range"), yr);
    m_grid = new QSpinBox;
    m_grid->setRange(hepgen::maps::kMinBins, 1000);
    m_grid->setSuffix(tr(" bins per axis"));
    m_grid->setToolTip(tr("Grid resolution; values are computed at the bin centres"));
    af->addRow(tr("Grid"), m_grid);
    v->addWidget(axesBox);

    auto* sliceBox = new QGroupBox(tr("Other inputs"));
    auto* sv = new QVBoxLayout(sliceBox);
    auto* pdRow = new QHBoxLayout;
    m_pd = new QCheckBox(tr("Partial dependence over"));
    m_pd->setToolTip(tr("Average the map over data events' values of the other features instead of holding them at "
                        "the slice values (conditions such as the mass keep theirs)"));
    m_pdEvents = new QSpinBox;
    m_pdEvents->setRange(1, 1000);
    m_pdEvents->setSuffix(tr(" events"));
    m_pdEvents->setToolTip(tr("Events averaged; the map costs this many times more"));
    pdRow->addWidget(m_pd);
    pdRow->addWidget(m_pdEvents);
    pdRow->addStretch();
    sv->addLayout(pdRow);
    m_slices = new MapSlicePanel;
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_slices);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    sv->addWidget(scroll, 1);
    auto* medians = new QPushButton(tr("Medians"));
    medians->setToolTip(tr("Every slice back to the data's median"));
    connect(medians, &QPushButton::clicked, m_slices, &MapSlicePanel::resetToDefaults);
    sv->addWidget(medians, 0, Qt::AlignRight);
    v->addWidget(sliceBox, 1);

    auto* showBox = new QGroupBox(tr("Show"));
    auto* shf = new QFormLayout(showBox);
    m_sideChoice = new QComboBox;
    m_sideChoice->addItem(tr("Uncertainty (spread over members)"));
    m_sideChoice->addItem(tr("Distance to the data"));
    m_sideChoice->setToolTip(tr("The right-hand map: the standard deviation of the left map over ensemble members, "
                                "fold models or posterior draws, or the k-NN distance to the data (1 ≈ typical)"));
    shf->addRow(tr("Right map"), m_sideChoice);
    m_points = new QCheckBox(tr("Data points, coloured by"));
    m_points->setToolTip(tr("Up to 2000 events of the data over both maps"));
    m_colourBy = new QComboBox;
    m_colourBy->addItem(tr("SR / SB"));
    m_colourBy->addItem(tr("Label"));
    m_colourBy->addItem(tr("None"));
    m_colourBy->setToolTip(tr("Signal region and sidebands of the hunt's windows, truth labels, or one colour"));
    auto* pr = new QHBoxLayout;
    pr->addWidget(m_points);
    pr->addWidget(m_colourBy);
    shf->addRow(pr);
    m_contours = new QCheckBox(tr("Contours of the left map"));
    m_contours->setToolTip(tr("Six evenly spaced levels of the left map, drawn on both"));
    shf->addRow(m_contours);
    v->addWidget(showBox);

    auto* surBox = new QGroupBox(tr("Classifier surrogate"));
    auto* sh = new QHBoxLayout(surBox);
    m_surrogateEpochs = new QSpinBox;
    m_surrogateEpochs->setRange(1, 500);
    m_surrogateEpochs->setSuffix(tr(" epochs"));
    m_surrogate = new QPushButton(tr("Train surrogate"));
    m_surrogate->setToolTip(tr("Train a Bayesian flow-matching surrogate of the selected model's score on the data: it "
                               "reproduces the score where the data are dense and its posterior spread grows where "
                               "they are sparse"));
    connect(m_surrogate, &QPushButton::clicked, this, [this] { trainSurrogate(); });
    sh->addWidget(m_surrogateEpochs);
    sh->addWidget(m_surrogate, 1);
    v->addWidget(surBox);

    auto* ex = new QHBoxLayout;
    m_exportImage = new QPushButton(tr("Export maps…"));
    m_exportImage->setToolTip(tr("Both maps side by side as PNG or PDF (Ctrl+Shift+E)"));
    m_exportValues = new QPushButton(tr("Export values…"));
    m_exportValues->setToolTip(tr("The grid values and their uncertainty as HDF5 or CSV (Ctrl+Alt+E)"));
    connect(m_exportImage, &QPushButton::clicked, this, [this] {
        QSettings s;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export maps"),
            s.value(QStringLiteral("dirs/export")).toString(), tr("PNG image (*.png);;PDF document (*.pdf)"));
        if (path.isEmpty())
            return;
        s.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
        exportImage(path);
    });
    connect(m_exportValues, &QPushButton::clicked, this, [this] {
        QSettings s;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export map values"),
            s.value(QStringLiteral("dirs/export")).toString(), tr("HDF5 (*.h5);;CSV (*.csv)"));
        if (path.isEmpty())
            return;
        s.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
        exportValues(path);
    });
    ex->addWidget(m_exportImage);
    ex->addWidget(m_exportValues);
    v->addLayout(ex);

    // Every control recomputes; a moved slider only replaces the waiting request, anything else also stops the
    // map in flight.
    connect(m_source, qOverload<int>(&QComboBox::currentIndexChanged), this, &MapsWorkspace::onSourceChanged);
    connect(m_kind, qOverload<int>(&QComboBox::currentIndexChanged), this, &MapsWorkspace::onKindChanged);
    connect(m_background, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { requestMap(true); });
    connect(m_x, qOverload<int>(&QComboBox::currentIndexChanged), this, &MapsWorkspace::onAxesChanged);
    connect(m_y, qOverload<int>(&QComboBox::currentIndexChanged), this, &MapsWorkspace::onAxesChanged);
    for (auto* b : { m_xLo, m_xHi, m_yLo, m_yHi })
        connect(b, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] { requestMap(true); });
    connect(m_grid, qOverload<int>(&QSpinBox::valueChanged), this, [this] { requestMap(true); });
    connect(m_pd, &QCheckBox::toggled, this, [this](bool on) {
        m_slices->setPartialDependence(on);
        requestMap(true);
    });
    connect(m_pdEvents, qOverload<int>(&QSpinBox::valueChanged), this, [this] { requestMap(true); });
    connect(m_slices, &MapSlicePanel::changed, this, [this] { requestMap(false); });
    connect(m_sideChoice, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { requestMap(true); });
    connect(m_points, &QCheckBox::toggled, this, &MapsWorkspace::updateOverlay);
    connect(m_colourBy, qOverload<int>(&QComboBox::currentIndexChanged), this, &MapsWorkspace::updateOverlay);
    connect(m_contours, &QCheckBox::toggled, this, [this] {
        if (m_map)
            showResult(m_shownId, m_map, m_side);
    });
    return panel;
}

QWidget* MapsWorkspace::buildViews()
{
    auto* w = new QWidget;
    auto* v = new QVBoxLayout(w);
    v->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal);
    m_mainView = new hepgen::widgets::MapView;
    m_sideView = new hepgen::widgets::MapView;
    m_mainView->linkAxes(m_sideView);
    split->addWidget(m_mainView);
    split->addWidget(m_sideView);
    v->addWidget(split, 1);
    m_readoutLabel = new QLabel(tr("Hover over a map to read its value and uncertainty."));
    m_readoutLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_readoutLabel);
    auto* statusRow = new QHBoxLayout;
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);
    v->addLayout(statusRow);
    for (auto* view : { m_mainView, m_sideView })
        connect(view, &hepgen::widgets::MapView::hovered, this, &MapsWorkspace::onHover);
    return w;
}

} // namespace hepgen::studio
