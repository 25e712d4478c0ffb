#pragma once
// The colour maps of every heat map: perceptual sequential (viridis) for scores and densities, diverging
// (ColorBrewer RdBu end points, white at the centre) for ratios and correlations. Include after widgets/Qcp.h,
// from widgets/*.cpp only.
#include "widgets/Qcp.h"

namespace hepgen::widgets {

inline QCPColorGradient sequentialGradient()
{
    // Viridis (van der Walt & Smith, matplotlib), sampled at nine points.
    static const QColor stops[] = { { 68, 1, 84 }, { 71, 44, 122 }, { 59, 81, 139 }, { 44, 113, 142 }, { 33, 144, 141 },
        { 39, 173, 129 }, { 92, 200, 99 }, { 170, 220, 50 }, { 253, 231, 37 } };
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i < 9; ++i)
        g.setColorStopAt(i / 8.0, stops[i]);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

inline QCPColorGradient divergingGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(33, 102, 172));
    g.setColorStopAt(0.5, QColor(247, 247, 247));
    g.setColorStopAt(1.0, QColor(178, 24, 43));
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(QColor(200, 200, 200));
    return g;
}

} // namespace hepgen::widgets
