#include "core/maps/Contours.h"

#include "core/util/Error.h"

#include <cmath>
#include <limits>

namespace hepgen::maps {

std::vector<ContourSegment> contourSegments(
    const MapAxis& x, const MapAxis& y, const std::vector<double>& values, double level)
{
    const int nx = x.bins, ny = y.bins;
    if (nx < 1 || ny < 1 || values.size() != static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny))
        throw ConfigError("Contours: the values do not fill the grid.");
    std::vector<ContourSegment> out;
    auto v = [&](int i, int j) { return values[static_cast<std::size_t>(j) * nx + i]; };
    for (int j = 0; j + 1 < ny; ++j)
        for (int i = 0; i + 1 < nx; ++i) {
            // Corners counter-clockwise from the bottom left: 0 (i, j), 1 (i+1, j), 2 (i+1, j+1), 3 (i, j+1).
            const double c[4] = { v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1) };
            if (!std::isfinite(c[0]) || !std::isfinite(c[1]) || !std::isfinite(c[2]) || !std::isfinite(c[3]))
                continue;
            int index = 0;
            for (int k = 0; k < 4; ++k)
                index |= (c[k] >= level ? 1 : 0) << k;
            if (index == 0 || index == 15)
                continue;
            const double px[4] = { x.centre(i), x.centre(i + 1), x.centre(i + 1), x.centre(i) };
            const double py[4] = { y.centre(j), y.centre(j), y.centre(j + 1), y.centre(j + 1) };
            // The crossing on edge e, which joins corners e and (e + 1) % 4: bottom, right, top, left.
            auto cross = [&](int e, double& ox, double& oy) {
                const int a = e, b = (e + 1) % 4;
                const double t = (level - c[a]) / (c[b] - c[a]);
                ox = px[a] + t * (px[b] - px[a]);
                oy = py[a] + t * (py[b] - py[a]);
            };
            auto segment = [&](int e1, int e2) {
                ContourSegment s {};
                cross(e1, s.x0, s.y0);
                cross(e2, s.x1, s.y1);
                out.push_back(s);
            };
            const bool centreAbove = (c[0] + c[1] + c[2] + c[3]) / 4 >= level;
            switch (index) {
            case 1:
            case 14: segment(3, 0); break;
            case 2:
            case 13: segment(0, 1); break;
            case 3:
            case 12: segment(3, 1); break;
            case 4:
            case 11: segment(1, 2); break;
            case 6:
            case 9: segment(0, 2); break;
            case 7:
            case 8: segment(2, 3); break;
            case 5: // corners 0 and 2 above
                if (centreAbove) {
                    segment(0, 1);
                    segment(2, 3);
                } else {
                    segment(3, 0);
                    segment(1, 2);
                }
                break;
            case 10: // corners 1 and 3 above
                if (centreAbove) {
                    segment(3, 0);
                    segment(1, 2);
                } else {
                    segment(0, 1);
                    segment(2, 3);
                }
                break;
            default: break;
            }
        }
    return out;
}

std::vector<double> contourLevels(const std::vector<double>& values, int n)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    std::vector<double> levels;
    if (!(hi > lo) || n < 1)
        return levels;
    for (int k = 1; k <= n; ++k)
        levels.push_back(lo + (hi - lo) * k / (n + 1));
    return levels;
}

} // namespace hepgen::maps
