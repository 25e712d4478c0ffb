#pragma once
// The built-in electromagnetic shower simulator: GFLASH-style parametrised photon showers
// (Grindhammer, Rudowicz, Peters, NIM A290 (1990) 469; Grindhammer & Peters, hep-ex/0001020) in an
// ILD-like silicon-tungsten ECAL. Plain std:: code, deterministic for a given seed.
#include "core/data/Showers.h"
#include "core/util/Job.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hepgen::showers {

/// The ILD-like Si-W ECAL the simulator fills: 30 layers, 20 × 2.1 mm W then 10 × 4.2 mm W
/// (X0 = 3.504 mm, R_M = 9.327 mm, 23.97 X0 of tungsten in all), a 0.5 mm Si sensor behind each
/// absorber followed by 1.3 mm of PCB, glue, Kapton and air (a 1.8 mm readout slab, ILD DBD),
/// 5.1 × 5.1 mm² cells. layerZ[k] = depth (mm, from the calorimeter front) of the centre of the
/// Si sensor of layer k: 2.35, 6.25, ... 76.45 (pitch 3.9), then 82.45 ... 136.45 (pitch 6.0) mm.
/// Never throws.
hepgen::data::CalorimeterGeometry ildLikeEcal();

/// Depth, in X0 of tungsten, of the middle of each layer's absorber of ildLikeEcal() (the depth
/// whose energy the layer's sensor sees); 30 values from 0.30 to 23.37 X0. The Si and readout
/// slabs add < 1 % of an X0 per layer and are neglected in the depth budget. Never throws.
std::vector<double> ildLikeEcalAbsorberDepthX0();

/// Settings of simulateShowers(); every field has a usable default.
struct ShowerSimOptions {
    std::size_t showers = 1000; ///< number of showers, ≥ 1
    /// GeV, incident photon energy, uniform in [energyMin, energyMax], both within [1, 1000].
    double energyMin = 10.0, energyMax = 100.0;
    /// Visible (Si) over deposited (W) energy; hits store VISIBLE energy in MeV and ⟨E_vis⟩/E_inc is
    /// this constant times 0.98 (leakage beyond 24 X0 and the cell threshold take ≈ 2 %, the same
    /// within 1 % from 10 to 100 GeV). 0: kDefaultSamplingFraction.
    double samplingFraction = 0.0;
    /// Stochastic term a of the sampling fluctuations σ(E_vis)/E_vis = a/√(E/GeV), drawn once per
    /// shower; 0 switches them off (per-cell Landau-like smearing and leakage remain). The default
    /// gives a measured σ/E = 16.1 %/√E ⊕ 1.0 % over 10–100 GeV.
    double stochasticTerm = 0.16;
    /// Hit threshold on a cell's visible energy, MeV; 0: kDefaultThresholdMeV (0.5 MIP).
    double cellThresholdMeV = 0.0;
    std::uint64_t seed = 1;
};

/// Default sampling fraction: a MIP crossing 2.1 mm W + 0.5 mm Si leaves 4.64 + 0.194 MeV, i.e.
/// 4.0 % in Si; soft shower electrons stopping in the tungsten lower the electromagnetic response to
/// e/mip ≈ 0.6 (CALICE Si-W), hence 2.5 %. One value serves all layers: hits of the 4.2 mm section
/// are reported at the thin-section response (what ILD reconstruction gives after weighting them ×2).
constexpr double kDefaultSamplingFraction = 0.025;
/// Most probable energy loss of a MIP in 0.5 mm Si (≈ 0.72 × the 0.194 MeV mean), MeV.
constexpr double kMipMeV = 0.14;
/// Default hit threshold: 0.5 MIP of visible energy, MeV.
constexpr double kDefaultThresholdMeV = 0.5 * kMipMeV;

/// Simulates o.showers photons at normal incidence on ildLikeEcal(), impact point uniform within the
/// central 5.1 × 5.1 mm² cell (centred on x = y = 0). Per shower: (ln T, ln α) of the longitudinal
/// Gamma profile drawn from the correlated Gaussians of Grindhammer–Peters; energy per absorber
/// slice from that profile; N_spot = 93 ln Z E^0.876 spots spread along depth by the spot profile
/// (T_s, α_s) and laterally by the core/tail profile (p, R_C, R_T at τ = t/T), azimuth uniform;
/// cell energies smeared (Landau-like, per spot), scaled by the sampling fraction with a per-shower
/// fluctuation a/√E, thresholded. Hits: cell centre x, y (mm), layer z (mm), visible E (MeV);
/// incident energy in GeV; geometry attached. Reports progress, polls for cancellation per shower.
/// Throws ConfigError for invalid options, hepgen::Cancelled when stopped.
hepgen::data::Showers simulateShowers(const ShowerSimOptions& o, const JobControl& job = {});

} // namespace hepgen::showers
