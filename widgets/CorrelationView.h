#pragma once
// The correlation matrix of a table's features as a heat map with a diverging colour scale on
// [-1, 1], the features named on both axes and each coefficient printed in its cell.
#include "widgets/PlotWidget.h"

#include <QStringList>
#include <vector>

namespace hepgen::widgets {

class CorrelationView : public PlotWidget {
    Q_OBJECT
public:
    explicit CorrelationView(QWidget* parent = nullptr);
    /// `matrix` is row-major F x F; NaN entries (constant columns) are drawn grey.
    void setMatrix(const QStringList& names, const std::vector<double>& matrix);
};

} // namespace hepgen::widgets
