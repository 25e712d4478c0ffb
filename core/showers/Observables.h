#pragma once
// High-level shower observables and the metrics that compare generated with reference showers, as the
// CaloChallenge 2022 evaluation (Krause et al., arXiv:2410.21611) and CaloClouds / CaloClouds II (Buhmann et
// al., arXiv:2305.04847, 2309.05704) define them: E_vis/E_inc, number of hits, energy per layer, centre of
// energy and width per layer in x and y, longitudinal and radial profiles, the hit-energy spectrum and the
// hits per layer (sparsity). Per observable: the separation power of the normalised histograms and the exact
// Wasserstein-1 distance; over all high-level features: the classifier two-sample AUC. Plain std:: in this
// header (the classifier lives in core/metrics), so widgets and the CLI can hold the results.
//
// Conventions: depth runs along z (layers at the geometry's layerZ; a hit belongs to the nearest layer), the
// transverse plane is (x, y), lengths in mm, hit energies in MeV, incident energies in GeV.
#include "core/data/Showers.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace hepgen::showers {

/// Radial profile binning: kRadialBins bins of width radialBinWidth(geometry) around the shower axis, the
/// last one open (it collects everything beyond). The axis is the shower's own energy-weighted centre in
/// (x, y), so a shower that does not start at x = y = 0 (or a file with an offset) has the same profile.
inline constexpr std::size_t kRadialBins = 20;
/// The radial bin width for a geometry: its cell size when it has a square grid, else R_M / 2, else 2 mm.
double radialBinWidth(const hepgen::data::CalorimeterGeometry& geometry);

/// Index of the layer whose depth (layerZ, any order) is nearest to z; ties go to the first listed. The one rule
/// by which hits belong to layers everywhere (observables, the 3D view's picking). ConfigError if layerZ is empty.
std::size_t nearestLayer(const std::vector<double>& layerZ, double z);

/// High-level observables of every shower (CaloChallenge / CaloClouds definitions), per shower. "N x L" arrays
/// are row-major: shower i, layer k at [i * layers + k].
struct ShowerObservables {
    std::vector<double> incidentEnergy;   ///< GeV
    std::vector<double> visibleEnergy;    ///< sum of hit energies, MeV
    std::vector<double> eVisOverEInc;     ///< E_vis [MeV] / (1000 E_inc [GeV]), dimensionless
    std::vector<double> hits;             ///< number of hits (E > 0)
    std::size_t layers = 0;               ///< L, from the geometry's layerZ (hits go to the nearest layer)
    std::vector<double> energyPerLayer;   ///< N x L, MeV
    std::vector<double> hitsPerLayer;     ///< N x L, hits with E > 0 (occupancy: the point-cloud sparsity)
    std::vector<double> centreX, centreY; ///< N x L, energy-weighted centre per layer, mm (NaN for empty layers)
    std::vector<double> widthX, widthY;   ///< N x L, energy-weighted std per layer, mm (NaN for empty layers)
    std::vector<double> showerCentreX, showerCentreY; ///< N, energy-weighted centre of the whole shower, mm
    std::vector<double> centreZ; ///< N, energy-weighted mean depth, mm (longitudinal centre of gravity)
    /// N x kRadialBins, energy (MeV) in radial bins around the shower axis (see kRadialBins).
    std::vector<double> radialProfile;
    double radialBinWidth = 0.0;     ///< mm
    std::vector<double> hitEnergies; ///< all hit energies (MeV) of all showers, in shower order

    std::size_t size() const { return incidentEnergy.size(); }
};

/// Observables of every shower. Hits with E <= 0 are ignored (padding); a shower without hits has E_vis 0,
/// NaN centres and widths. Without layers in the geometry (e.g. a CaloClouds file, whose axes are kept as
/// stored) `layers` is 0 and the per-layer arrays are empty. Throws ConfigError for inconsistent offsets.
ShowerObservables computeObservables(const hepgen::data::Showers& showers);
/// The same with the layers (and radial bin width) of `geometry` instead of the showers' own.
ShowerObservables computeObservables(
    const hepgen::data::Showers& showers, const hepgen::data::CalorimeterGeometry& geometry);

/// What evaluateShowers() compares and how.
struct EvaluationOptions {
    double energyMin = 0, energyMax = 1e9; ///< GeV: only showers with E_inc in [energyMin, energyMax]
    bool classifier = true;                ///< the high-level-feature classifier two-sample AUC
    std::uint64_t seed = 1;                ///< of the classifier test (split and network)
    std::size_t bins = 40;                 ///< histogram bins per observable
};

/// One observable, reference against generated.
struct ObservableComparison {
    std::string name, unit; ///< e.g. "E_vis/E_inc" "", "number of hits" "", "E layer 5" "MeV"
    std::string group;      ///< "shower", "layer energy", "layer centre", "layer width", "layer hits", "profile"
    /// Separation power of the two normalised histograms (0 identical, 1 disjoint) and the Wasserstein-1
    /// distance of the two samples (in `unit`; energy-weighted for the profiles).
    double separationPower = 0, w1 = 0;
    bool logBins = false;                            ///< edges are log-spaced (hit energies)
    std::vector<double> edges, reference, generated; ///< bins + 1 edges; histograms normalised to unit sum
    std::size_t nReference = 0, nGenerated = 0;      ///< values (or hits) that entered each histogram
};

/// The comparison of two sets of showers.
struct ShowerEvaluation {
    std::vector<ObservableComparison> observables;
    double classifierAuc = std::numeric_limits<double>::quiet_NaN();          ///< NaN when not computed
    double classifierAucNullSigma = std::numeric_limits<double>::quiet_NaN(); ///< spread of the AUC by chance
    double classifierJsd = std::numeric_limits<double>::quiet_NaN();          ///< bits, NaN when not computed
    std::size_t classifierFeatures = 0;                                       ///< high-level features it saw
    std::size_t nReference = 0, nGenerated = 0;                               ///< showers in the energy range
    double energyMin = 0, energyMax = 0;                                      ///< the range used, GeV
    std::vector<std::string> notes; ///< what was skipped or assumed, one sentence each

    /// The observable of this name, or nullptr.
    const ObservableComparison* find(const std::string& name) const;
    /// What `hepgen evaluate-showers --json` prints: {"n_reference", "n_generated", "energy_range",
    /// "classifier": {"auc", "auc_null_sigma", "jsd_bits", "features"} (null values when not computed),
    /// "observables": [{"name", "unit", "group", "separation_power", "w1", "edges", "reference",
    /// "generated"}...], "notes"}.
    nlohmann::json toJson() const;
};

/// Compares generated with reference showers in the given incident-energy range: the histogram of every
/// observable with a common binning (shower-level observables, per-layer energies, centres, widths and hits,
/// the energy-weighted longitudinal and radial profiles and the hit-energy spectrum) with its separation power
/// and W1, and optionally the classifier two-sample test on the high-level features of each shower (log E_inc,
/// E_vis/E_inc, log(1 + hits), centre of gravity in x, y, z, and per layer the energy fraction, centres and
/// widths, empty layers as 0). Binning: `bins` uniform bins between the 0.1 % and 99.9 % quantiles of both
/// samples together (values outside fold into the end bins), integer-aligned for counts, log-spaced for hit
/// energies. Observables with fewer than 2 finite values in a sample are skipped (with a note). Geometries:
/// both must have the same layers (within 1e-3 mm); if one has none (a CaloClouds file) the other's are used.
/// Throws ConfigError for an empty selection, mismatched geometries or an invalid range; NumericError /
/// Cancelled from the classifier (which reports progress through `job`).
ShowerEvaluation evaluateShowers(const hepgen::data::Showers& reference, const hepgen::data::Showers& generated,
    const EvaluationOptions& options = {}, const JobControl& job = {});

} // namespace hepgen::showers
