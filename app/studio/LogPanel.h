#pragma once
// The messages panel: every job start/end, warning and error, time-stamped, selectable and savable.
#include <QWidget>

class QPlainTextEdit;

namespace hepgen::studio {

class LogPanel : public QWidget {
    Q_OBJECT
public:
    enum class Level { Info, Warning, Error };
    explicit LogPanel(QWidget* parent = nullptr);
    void log(Level level, const QString& text);
    QString text() const;

private:
    QPlainTextEdit* m_view;
};

} // namespace hepgen::studio
