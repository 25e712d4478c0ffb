#pragma once
// The two preprocessed spaces of the shower generator (CaloClouds II, Buhmann et al. 2023, arXiv:2309.05704):
//
// 1. The shower flow's per-shower vector (dimension 2L + 4 for L layers, 3L + 4 with core hits, 4L + 4 with core
//    hits and near shares), before standardisation:
//      [0]          log(N + u)                          N hits, u ~ U[0, 1) dequantises the integer
//      [1]          log(E_vis / E_inc)                  E_vis [MeV] over E_inc [MeV]
//      [2 + l]      log((n_l + u_l) / N)                hits in layer l, dequantised (floor gives n_l back)
//      [2 + L + l]  log(e_l / E_vis + 1e-4 u'_l)        energy fraction of layer l; empty layers land below -9.2
//      [2 + 2L]     c_a,  [3 + 2L] c_b                  energy-weighted lateral centre of the shower (mm)
//      [4 + 2L + l] log(f_l + 1e-4 u''_l)               with core hits only: the share f_l of layer l's energy in
//                                                       its core cell (the cell holding (c_a, c_b)); 0 without a
//                                                       hit there; a layer whose only hit is the core, and an
//                                                       empty layer: U(0.5, 1] (the value means nothing there; a
//                                                       spread, not a spike, and one mode for both)
//      [4 + 3L + l] logit(h_l (1 - d) + d v_l)          with near shares only: the share h_l of layer l's halo
//                                                       energy (all but its core hit) in the 8 cells around the
//                                                       core cell, dequantised by d = 0.02 (h_l is 0 or 1 in
//                                                       layers of a few hits); a layer without halo takes 1
//    targetsFrom() inverts it: N = floor(exp .), per-layer counts floor(.) corrected to sum to N (largest
//    fractional parts of non-empty layers first: an empty layer's fractional part is pure dequantisation noise),
//    per-layer energies only in layers with hits, renormalised to sum to E_vis; a core where the share is >= 1e-4
//    and the layer has a hit; the near share (h' - d / 2) / (1 - d), clamped to [0, 1].
//
//    Why the near share: the cells beside the core hold most of the halo's energy (72 % in layer 10 of the
//    simulator), and how much of it they hold goes with the core's share and the layer's energy. I.i.d. halo points
//    cannot know the layer's energy; scaled together to it, the hits far out took up what the ones beside the core
//    lacked (docs/showers.md, session 15). Post-processing gives the 8 cells their share (ShowerPostProcessing.h).
//
//    Core hits: in an electromagnetic shower at normal incidence the cell the shower axis passes holds the largest
//    hit of nearly every layer (91 % of the built-in simulator's layers) and 25-98 % of the layer's energy. A point
//    model drawing i.i.d. hits blurs that one sharp hit into its neighbours, so where the showers lie on a cell grid
//    the flow draws each layer's core share and the point model learns only the other hits (the halo), in lateral
//    coordinates relative to the core cell (haloAroundCore; its context's centre too).
//
// 2. The point model's per-hit vector (asinh(a / s), asinh(b / s), k, log E), standardised with means and deviations
//    over the training hits: lateral positions a, b (mm; dequantised uniformly within their cell on a cell grid)
//    compressed by asinh with the scale s = the median |a|, |b| of the training hits (the lateral profile of an
//    electromagnetic shower has power-law tails, hits out to ~1 m around a core of a few mm: linear in the core,
//    logarithmic in the tails, the diffusion model sees one well-scaled distribution), the continuous layer
//    coordinate k (ShowerLayout; dequantised uniformly in [-1/2, 1/2) around the layer), log of the hit energy in
//    MeV. unscalePoint() inverts it; beyond the training hits' largest |asinh(a / s)| + 1 it continues sinh linearly
//    and it clamps the standardised log-energy to [-8, 8], so the noise frames of a trajectory (an EDM prior has
//    sigma = 80) stay finite while everything the data spans maps exactly.
//    With core hits, log E is taken relative to a baseline first: the mean log E of the training halo's hits in the
//    same layer and the same ring around the core cell (rings half a cell wide, by the distance of the cell
//    centres). In the simulator the cell's layer and distance from the axis explain 60 % of the variance of a halo
//    hit's log E (an edge neighbour of the core holds 4.5 MeV on average in layer 10, a cell three cells out
//    0.2 MeV); an i.i.d. point model learning log E itself blurred that tie: its raw hits beside the core had too
//    little energy, its far hits too much (diagonal cells 2.3 MeV per hit against 1.0; docs/showers.md, session 15).
//    The baseline is a function of the point's own cell, so the map stays invertible.
#include "core/data/Showers.h"
#include "core/showers/ShowerLayout.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace hepgen::showers {

/// What the shower flow describes of one shower, in physical units.
struct ShowerSummary {
    double incidentEnergy = 0.0; ///< GeV
    int64_t hits = 0;
    double visible = 0.0;                ///< MeV
    std::vector<int64_t> hitsPerLayer;   ///< L
    std::vector<double> energyPerLayer;  ///< L, MeV
    double centreA = 0.0, centreB = 0.0; ///< energy-weighted lateral centre, mm
    /// With core hits only (else empty): per layer, the share of its energy in the core cell (0: no core hit).
    std::vector<double> coreFraction;
    /// With near shares only (else empty): per layer, the share of its halo energy in the 8 cells around the core
    /// cell (in [0, 1]; 1 without halo).
    std::vector<double> nearFraction;

    /// Layers with a core hit (a share > 0 and at least one hit).
    int64_t coreHits() const;
};

/// The lateral cell centre (a, b) of a shower's core cell: the cell holding its centre (the centre itself without a
/// cell grid).
std::array<double, 2> coreCell(const ShowerSummary& s, const ShowerLayout& layout);

/// The summary of shower i under `layout` (hits go to the nearest layer), with the core and near shares when `cores`
/// (which needs a cell grid: ConfigError otherwise). Never throws otherwise for valid indices.
ShowerSummary summarise(
    const hepgen::data::Showers& showers, std::size_t i, const ShowerLayout& layout, bool cores = false);

/// The halo of each shower: its hits without the core hits (each layer's hit in the core cell), moved laterally by
/// whole cells so that the core cell sits at a = b = 0. What the point model learns: around the core, the halo looks
/// the same whichever cell the shower's axis hit (where the core lies is not the point model's to guess).
hepgen::data::Showers haloAroundCore(const hepgen::data::Showers& showers, const ShowerLayout& layout);

/// Width of the flow vector for L layers.
inline std::size_t flowFeatureCount(std::size_t layers, bool cores = false, bool near = false)
{
    return (2 + (cores ? 1 : 0) + (near ? 1 : 0)) * layers + 4;
}

/// The flow vector of a shower (space 1 above; the core block where s.coreFraction is set, the near block where
/// s.nearFraction is), with dequantisation noise from `rng`. The shower needs hits.
std::vector<double> flowFeatures(const ShowerSummary& s, std::mt19937_64& rng);

/// The summary a flow vector stands for (inverse of flowFeatures up to the dequantisation), for a shower of
/// `incidentEnergy` GeV; the hit count is clamped to [1, maxHits]; with `cores`, at least one hit is left to the
/// halo; `near` reads the near block. Non-finite entries count as the most negative value. Never throws.
ShowerSummary targetsFrom(const double* features, std::size_t layers, double incidentEnergy, int64_t maxHits,
    bool cores = false, bool near = false);

/// Standardisation of the point vector (space 2 above): the lateral asinh scale s (mm) and the limit beyond which
/// unscalePoint() continues sinh linearly, then shift and scale per component, fitted on training hits.
struct PointScaling {
    double lateralScale = 1.0, lateralLimit = 10.0;
    std::array<double, 4> shift { 0, 0, 0, 0 }, scale { 1, 1, 1, 1 };
    /// The log-energy baseline (empty: none), [layer][ring], on the lateral cell grid of pitch `cellSize` (mm)
    /// whose cell centred on the origin is the core cell.
    double cellSize = 0.0;
    std::vector<std::vector<double>> energyBaseline;
    /// The baseline at lateral position (a, b) (mm, relative to the core cell) and layer coordinate k; 0 without.
    double baseline(double a, double b, double k) const;
    nlohmann::json toJson() const;
    static PointScaling fromJson(const nlohmann::json& j); ///< ConfigError when malformed
};

/// Fits the scaling on the hits of `showers` (positions dequantised with `rng`), with the log-energy baseline when
/// `energyBaseline` (for the halo around the core cell: haloAroundCore). ConfigError for no hits, or for a baseline
/// without a cell grid.
PointScaling fitPointScaling(const hepgen::data::Showers& showers, const ShowerLayout& layout, std::mt19937_64& rng,
    bool energyBaseline = false);

/// The standardised point vectors of every hit of `showers` (4 floats per hit), dequantised with `rng`.
std::vector<float> pointFeatures(const hepgen::data::Showers& showers, const ShowerLayout& layout,
    const PointScaling& scaling, std::mt19937_64& rng);

/// Standardised point vector -> (a, b, k, E [MeV]) in physical units (k the continuous layer coordinate).
std::array<double, 4> unscalePoint(const float* standardised, const PointScaling& scaling);

/// The inverse of unscalePoint(): (a, b, k, E) -> the standardised point vector (exact for the lateral and layer
/// components everywhere, for the energy where unscalePoint() did not clamp).
std::array<double, 4> scalePoint(const std::array<double, 4>& physical, const PointScaling& scaling);

/// (a, b, depth, E) -> (x, y, z, E) in the showers' axes.
std::array<float, 4> toShowerAxes(double a, double b, double depth, double energy, const ShowerLayout& layout);

} // namespace hepgen::showers
