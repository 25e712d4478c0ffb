#pragma once
// Turning the point model's raw points into a shower, as CaloClouds II does (Buhmann et al. 2023,
// arXiv:2309.05704, Sec. 3.3 "calibrations"), given the per-shower targets the shower flow drew:
//   0. threshold: the data hold no hit below the cell threshold E_min (the smallest training hit energy), while a
//      diffusion model smooths the sharp edge of the hit-energy spectrum across it; raw energies below E_min are
//      reflected into E_min^2 / E (a reflection in log E, the boundary correction of kernel density estimates; at
//      most one e-fold, lower energies count as E_min / e);
//   1. layers: the points sorted by their continuous layer coordinate fill the layers front to back with the flow's
//      hit counts n_l (so every layer has exactly n_l hits and the depth order of the points is kept);
//   2. energy: the hit energies of layer l are scaled to sum to the flow's e_l (so E_vis and the longitudinal
//      profile are the flow's); a hit the scaling pushes below E_min is raised to it;
//   3. centre: the shower is shifted laterally so its energy-weighted centre is the flow's (c_a, c_b);
//   4. cells (on a cell grid only): each hit moves to its cell centre; a second hit in an occupied cell of its layer
//      takes a free cell within 2 cells instead (hits of higher energy choose first), the one with the smallest sum
//      of squared distances, in cells, to the hit and to the core cell (the cells around the shower axis are always
//      hit in the data; nearest-to-the-hit alone left 30 % of the four cells beside the core empty, against 1 %), and
//      merges into its own cell only when none is free, since a cell holds one hit in the data. Continuous layouts
//      keep x, y;
//   5. near share (with target.nearFraction set): the halo hits in the 8 cells around the core cell take the share
//      h_l of the layer's halo energy, the hits further out the rest, each group in proportion to its energies (where
//      the layer has both);
//   6. the block's centre (with near shares): the energies of those 8 cells are tilted linearly across the block,
//      their sum kept and each scaled by 0.1-1.9, so that the energy-weighted centre of the 3 x 3 cells around the
//      core is the flow's (c_a, c_b). In the simulator that centre follows the shower's within 0.2-0.6 mm in every
//      layer; i.i.d. halo hits scattered it by 0.8 mm, and the layers' centres with it.
// With core hits (target.coreFraction set; a cell grid only) the points are the halo: layer l gets n_l - 1 of them
// where it has a core, they share (1 - f_l) e_l, and the core hit with f_l e_l (all of e_l where it is the layer's
// only hit) takes the core cell, the cell holding (c_a, c_b), before any halo hit; step 3 then shifts the halo
// alone so that the whole shower's centre is the flow's, by at most one cell.
#include "core/showers/ShowerFeatures.h"
#include "core/showers/ShowerLayout.h"

#include <array>
#include <vector>

namespace hepgen::showers {

/// One raw point: lateral a, b (mm), continuous layer coordinate k, energy (MeV).
using RawPoint = std::array<double, 4>;

/// Steps 0-4 above for one shower; `points` holds exactly target.hits - target.coreHits() points, `minHitEnergy` is
/// E_min in MeV (0: no threshold). Returns the hits (x, y, z, E, in the showers' axes, 4 floats each); there are
/// target.hits of them unless cell collisions had to merge hits. Throws ConfigError when the point count differs, or
/// for core hits without a cell grid.
std::vector<float> postProcess(
    std::vector<RawPoint> points, const ShowerSummary& target, const ShowerLayout& layout, double minHitEnergy = 0.0);

} // namespace hepgen::showers
