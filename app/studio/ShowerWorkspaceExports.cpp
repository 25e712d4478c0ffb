// The Showers workspace's exports: generated (or reference) showers in the three shower layouts as a job, the
// side-by-side 3D views (or the scrubber's) as one PNG, a shown shower as a .vtp file, and the Export menu's dialogs.
#include "ShowerWorkspace.h"

#include "core/showers/ShowerExport.h"
#include "widgets/TrajectoryScrubber.h"

#include <QColor>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QTabWidget>

#include <algorithm>

namespace hepgen::studio {

using hepgen::widgets::ShowerView;

bool ShowerWorkspace::exportShowers(
    const QString& path, hepgen::showers::ShowerFileFormat format, const QString& binningXml)
{
    const auto showers = m_generated ? m_generated : m_reference;
    if (!showers) {
        say(tr("Export: there are no showers to write."), true);
        return false;
    }
    const std::string file = path.toStdString(), xml = binningXml.toStdString();
    auto report = std::make_shared<hepgen::showers::ShowerExportReport>();
    return startJob(
        tr("Writing %1").arg(QFileInfo(path).fileName()),
        [showers, file, format, xml, report](
            const hepgen::JobControl&) { *report = hepgen::showers::writeShowers(*showers, file, format, xml); },
        [this, report, path] {
            QString text = tr("Wrote %1 showers to %2").arg(report->showers).arg(path);
            if (!report->binningXml.empty())
                text += tr(" (binning %1)").arg(QFileInfo(QString::fromStdString(report->binningXml)).fileName());
            if (report->droppedHits > 0)
                text += tr("; %1 hits (%2 MeV) fit no voxel and were left out")
                            .arg(report->droppedHits)
                            .arg(report->droppedEnergyMeV, 0, 'g', 4);
            say(text + '.', report->droppedHits > 0);
            Q_EMIT exported(path);
        });
}

bool ShowerWorkspace::exportViewPng(const QString& path, QString* error)
{
    QImage image;
    if (m_tabs->currentWidget() == m_scrubber) {
        image = m_scrubber->view()->grabFramebuffer();
    } else {
        const QImage a = m_referenceView->grabFramebuffer(), b = m_generatedView->grabFramebuffer();
        image = QImage(a.width() + b.width() + 2, std::max(a.height(), b.height()), QImage::Format_RGB32);
        image.fill(QColor(60, 60, 60));
        QPainter p(&image);
        p.drawImage(0, 0, a);
        p.drawImage(a.width() + 2, 0, b);
    }
    if (image.isNull() || !image.save(path, "PNG")) {
        if (error)
            *error = tr("Could not write %1.").arg(path);
        return false;
    }
    return true;
}

bool ShowerWorkspace::exportShowerVtp(bool generatedSide, const QString& path, QString* error)
{
    ShowerView* v = generatedSide ? m_generatedView : m_referenceView;
    if (v->hits().empty()) {
        if (error)
            *error = tr("The %1 view shows no shower.").arg(generatedSide ? tr("generated") : tr("reference"));
        return false;
    }
    return v->exportVtp(path, error);
}

void ShowerWorkspace::exportWithDialog(int what)
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("dirs/export")).toString();
    const bool png = what == 3, vtp = what >= 4;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export"), dir,
        png       ? tr("PNG image (*.png)")
            : vtp ? tr("VTK poly data (*.vtp)")
                  : tr("HDF5 (*.h5)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("dirs/export"), QFileInfo(path).absolutePath());
    QString error;
    if (png || vtp) {
        const bool ok = png ? exportViewPng(path, &error) : exportShowerVtp(what == 5, path, &error);
        if (!ok)
            QMessageBox::warning(this, tr("Export failed"), error);
        else
            say(tr("Wrote %1.").arg(path));
        return;
    }
    using hepgen::showers::ShowerFileFormat;
    QString xml;
    if (what == 1) {
        const auto* showers = m_generated ? m_generated.get() : m_reference.get();
        const auto bundled = hepgen::showers::bundledBinningsWithLayers(showers ? showers->geometry.layerZ.size() : 0);
        const bool useBundled = !bundled.empty()
            && QMessageBox::question(this, tr("CaloChallenge binning"),
                   tr("Voxelise with the bundled binning %1?\n\nChoose No to pick a binning XML yourself.")
                       .arg(QFileInfo(QString::fromStdString(bundled.front())).fileName()))
                == QMessageBox::Yes;
        if (!useBundled) {
            xml = QFileDialog::getOpenFileName(this, tr("Binning XML"),
                s.value(QStringLiteral("dirs/binning"), dir).toString(), tr("CaloChallenge binning (*.xml)"));
            if (xml.isEmpty())
                return;
            s.setValue(QStringLiteral("dirs/binning"), QFileInfo(xml).absolutePath());
        }
    }
    const ShowerFileFormat formats[]
        = { ShowerFileFormat::Hepgen, ShowerFileFormat::CaloChallenge, ShowerFileFormat::CaloClouds };
    exportShowers(path, formats[what], xml);
}

} // namespace hepgen::studio
