#pragma once
// Versions of the GUI libraries actually linked (Qt, VTK, QCustomPlot), for Help > About.
#include <QList>
#include <QPair>
#include <QString>

namespace hepgen::widgets {
QList<QPair<QString, QString>> guiLibraryVersions();
}
