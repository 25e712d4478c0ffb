#include "widgets/LibraryVersions.h"

#include "widgets/Qcp.h"

#include <QtGlobal>
#include <vtkVersion.h>

namespace hepgen::widgets {

QList<QPair<QString, QString>> guiLibraryVersions()
{
    return {
        { QStringLiteral("Qt"), QString::fromLatin1(qVersion()) },
        { QStringLiteral("VTK"), QString::fromLatin1(vtkVersion::GetVTKVersion()) },
        { QStringLiteral("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR) },
    };
}

} // namespace hepgen::widgets
