#pragma once
// The model lab's 2D view: the training data (grey), the model's samples (coloured) and one diagnostic of
// the model underneath — a heat map of a scalar (log-density, critic output) with its colour bar, arrows of a
// vector field (flow matching's velocity), or lines from data points to their reconstructions (VAE).
#include "core/training/LabFrame.h"
#include "widgets/PlotWidget.h"

#include <vector>

class QCPColorMap;
class QCPColorScale;
class QCPGraph;

namespace hepgen::widgets {

class SampleView : public PlotWidget {
    Q_OBJECT
public:
    explicit SampleView(QWidget* parent = nullptr);

    /// Training data as grey points: events x dims, the first two dims drawn.
    void setReference(const std::vector<float>& events, int dims);
    /// The model's samples (or a trajectory frame), first two dims drawn.
    void setSamples(const std::vector<float>& events, int dims, const QString& name);
    /// Draws `field` under the points; nullptr removes it.
    void setField(const hepgen::training::LabField* field);
    /// Fixes the visible range (also what "Reset view" returns to).
    void setRange(double xMin, double xMax, double yMin, double yMax);
    /// Returns to the range of setRange().
    void rescale() override;

    /// Points currently drawn as samples (for tests).
    int sampleCount() const;
    /// The heat map's value at data coordinates (NaN without a scalar field), for tests.
    double fieldValueAt(double x, double y) const;

private:
    void clearField();
    QCPGraph* m_reference;
    QCPGraph* m_samples;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    double m_xMin = -4, m_xMax = 4, m_yMin = -4, m_yMax = 4;
};

/// Loss curves: training loss per epoch and validation loss per epoch, against the optimiser step.
class LossView : public PlotWidget {
    Q_OBJECT
public:
    explicit LossView(QWidget* parent = nullptr);
    /// Adds one epoch's point to both curves (NaN validation: none) and rescales.
    void addEpoch(double step, double trainLoss, double validationLoss);
    void clear();
    int points() const;

private:
    QCPGraph* m_train;
    QCPGraph* m_validation;
};

} // namespace hepgen::widgets
