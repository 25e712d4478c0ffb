#pragma once
// The Maps workspace's slice controls: one slider and spin box per model input that is not on an axis, holding it
// at a value (default: the data's median). Under partial dependence the features are averaged over the data
// instead (their rows are disabled); conditions such as the mass keep their slice value.
#include <QString>
#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QSlider;

namespace hepgen::studio {

class MapSlicePanel : public QWidget {
    Q_OBJECT
public:
    struct Input {
        QString name, unit;
        double lo = 0, hi = 1;     ///< the slider's range (the data's range)
        double defaultValue = 0.5; ///< the data's median
        bool condition = false;    ///< a condition (kept under partial dependence)
    };

    explicit MapSlicePanel(QWidget* parent = nullptr);

    /// Rows for these inputs; values of inputs that were shown before are kept.
    void setInputs(const std::vector<Input>& inputs);
    /// Hides the rows of the inputs on the axes.
    void setAxes(const QString& x, const QString& y);
    void setPartialDependence(bool on);
    /// The slice values to use: every shown row (only conditions under partial dependence).
    std::map<std::string, double> values() const;
    /// Moves an input's slider and spin box (as a user would); false for an input without a row.
    bool setValue(const QString& name, double value);
    double value(const QString& name) const;
    /// Every input back to its default (the median).
    void resetToDefaults();
    /// The slider of an input (for tests), null if none.
    QSlider* slider(const QString& name) const;

Q_SIGNALS:
    /// A slice value changed (slider dragged, spin box typed, reset).
    void changed();

private:
    struct Row {
        Input input;
        QLabel* label = nullptr;
        QSlider* slider = nullptr;
        QDoubleSpinBox* spin = nullptr;
    };
    const Row* row(const QString& name) const;
    void updateEnabled();

    QGridLayout* m_grid;
    QLabel* m_empty;
    std::vector<Row> m_rows;
    QString m_x, m_y;
    bool m_partialDependence = false;
};

} // namespace hepgen::studio
