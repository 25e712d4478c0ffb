#pragma once
// The hunt workspace's signal-injection control: how the data of a hunt are made from a labelled table —
// as loaded, or its background with a number of its own signal events (or as many as give an S/B in the
// signal region) re-drawn with a seed. The box only edits the choice; the workspace applies it as an
// undoable edit (core/anomaly/MassWindows.h: injectSignal).
#include <QGroupBox>

#include <cstddef>
#include <cstdint>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace hepgen::studio {

/// How the workspace's data are made from the loaded table.
struct HuntInjection {
    enum class Mode { AsLoaded, Events, SOverB };
    Mode mode = Mode::AsLoaded;
    std::size_t signal = 0; ///< Events mode
    double sOverB = 0.0;    ///< SOverB mode (a fraction, 0.006 = 0.6 %)
    std::uint64_t seed = 1;
    bool operator==(const HuntInjection& o) const
    {
        return mode == o.mode && signal == o.signal && sOverB == o.sOverB && seed == o.seed;
    }
};

class HuntInjectionBox : public QGroupBox {
    Q_OBJECT
public:
    explicit HuntInjectionBox(QWidget* parent = nullptr);

    /// Shows `injection` (no requested() signal). `background`/`signal`: the labelled table's counts; both 0
    /// for unlabelled data, which disables the box.
    void showInjection(const HuntInjection& injection, std::size_t background, std::size_t signal);
    /// A red one-line reason under the controls (empty clears it).
    void showProblem(const QString& problem);

Q_SIGNALS:
    /// The user edited a control: the injection the controls now describe.
    void requested(const HuntInjection& injection);

private:
    void edited();

    QComboBox* m_mode;
    QSpinBox* m_events;
    QDoubleSpinBox* m_sOverB;
    QSpinBox* m_seed;
    QLabel* m_info;
    QString m_poolText;
};

} // namespace hepgen::studio
