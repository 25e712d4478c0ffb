#pragma once
// A workspace page whose tools are not built yet: says what it will hold and which work brings it,
// so nothing on screen pretends to work.
#include <QWidget>

namespace hepgen::studio {

class PendingWorkspace : public QWidget {
    Q_OBJECT
public:
    PendingWorkspace(
        const QString& title, const QString& purpose, const QString& arrivesWith, QWidget* parent = nullptr);
};

} // namespace hepgen::studio
