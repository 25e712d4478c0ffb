#pragma once
// A CaloClouds-style calorimeter shower generator conditioned on the incident energy (Buhmann et al., CaloClouds,
// arXiv:2305.04847, and CaloClouds II, arXiv:2309.05704): a "shower flow" (a conditional spline flow, flow-rqs)
// draws the per-shower quantities (hits, visible energy, hits and energy per layer, centre of energy) given E_inc;
// a permutation-invariant point model (PointWise-Net or EPiC, trained as DDPM, EDM or flow matching, optionally
// consistency-distilled to one step) draws the hits (x, y, z, E) given E_inc, the number of hits and the lateral
// centre of energy (which tells the i.i.d. hits where the core lies on the cell grid; runs from before it have only
// E_inc and the number of hits, and still load); post-processing
// puts them on the layers and cells and calibrates them to the flow (ShowerFeatures.h and ShowerPostProcessing.h
// describe the preprocessed spaces and the calibrations).
//
// A run directory holds config.json (every setting, the layout and the fitted scalings), metrics.json (per-stage
// losses and times) and one ordinary Trainer run per stage: flow/, points/ and, once distilled, student/.
// No torch in this header (the networks live behind a pimpl), so widgets and the app can include it.
#include "core/data/Showers.h"
#include "core/showers/ShowerTrajectory.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::showers {

/// Settings of a shower generator (JSON), with defaults filled in by read():
///   "flow":          {"model": flow-rqs settings (layers, hidden, bins, tail_bound, lr, ...), "trainer": {...}}
///   "points":        {"model": point-model settings (network pointwise | epic; training ddpm | edm | cfm; widths,
///                     schedule, sampler, ...; see core/models/points/PointCloudModel.h), "trainer": {...}}
///   "distillation":  {"model": student settings (grid_steps, target_ema, loss, lr, ...), "trainer": {...}}
///   "layout":        {"depth_axis": auto | x | y | z, "lateral": auto | cells | continuous,
///                     "core_hits": auto | yes | no (the flow draws each layer's core-cell hit and the near share
///                     of the rest, the point model the rest; auto: yes on a cell grid; ShowerFeatures.h)}
///   "max_showers":   use at most this many showers for training (0: all)
///   "seed":          seed of the dequantisation noise and the trainers (each trainer's own "seed" wins if given)
/// Unknown keys are a ConfigError naming them; so are invalid values.
struct ShowerGeneratorConfig {
    nlohmann::json json;
    static ShowerGeneratorConfig read(const nlohmann::json& json);
};

/// One epoch of training, for loss plots and the status bar. stage: "flow", "points" or "student".
struct ShowerEpoch {
    int64_t epoch = 0, epochs = 0;
    std::string stage;
    double trainLoss = 0.0, validationLoss = 0.0;
};

struct ShowerSampleRequest {
    std::vector<double> incidentEnergy; ///< GeV, one per shower to generate
    /// "" = the model's default; ddpm | ddim (ddpm-trained), edm-heun (edm), euler | heun | rk4 (cfm), consistency
    /// (after distill())
    std::string sampler;
    int64_t steps = 0; ///< 0 = the sampler's default
    std::uint64_t seed = 1;
    /// Showers whose trajectory to record (e.g. {0}). They are sampled on their own, so with a stochastic sampler
    /// (ddpm, multistep consistency) they differ from the same request without trajectories; with the
    /// deterministic ones they agree up to float rounding.
    std::vector<std::size_t> trajectoryOf;
    /// Energies outside the range the generator was trained on are refused (ConfigError) unless this is set; then
    /// they are generated and the result carries a warning.
    bool allowExtrapolation = false;
};

struct ShowerSampleResult {
    hepgen::data::Showers showers;              ///< geometry attached
    std::vector<ShowerTrajectory> trajectories; ///< one per trajectoryOf entry
    double seconds = 0;
    std::vector<std::string> warnings; ///< e.g. energies outside the trained range
};

/// A trained CaloClouds-style generator (shower flow + point model, optionally a distilled 1-step student).
/// Training/sampling throw ConfigError (bad settings or showers), NumericError (diverged), Cancelled (stopped).
class ShowerGenerator {
public:
    /// Trains on `showers` and writes the run directory `dir` (config.json, checkpoints, metrics.json). Showers
    /// without hits are skipped; at least 10 with hits are needed. ConfigError for empty showers, NaN or
    /// non-positive energies, non-finite positions, inconsistent offsets or showers without a layered depth axis.
    static std::unique_ptr<ShowerGenerator> train(const hepgen::data::Showers& showers,
        const ShowerGeneratorConfig& config, const std::string& dir, const JobControl& job = {},
        const std::function<void(const ShowerEpoch&)>& onEpoch = {});
    /// FileError for a missing directory or checkpoint, FormatError for one that is not a shower generator's.
    static std::unique_ptr<ShowerGenerator> load(const std::string& dir);
    /// Consistency-distils the point model into a 1-step student, saved into the run directory (student/).
    /// `config` may hold "model" and "trainer" (overriding the run's "distillation" settings). ConfigError unless
    /// the point model was trained as edm.
    void distill(const hepgen::data::Showers& showers, const nlohmann::json& config, const JobControl& job = {},
        const std::function<void(const ShowerEpoch&)>& onEpoch = {});
    /// Generates one shower per requested energy. ConfigError for no energies, NaN or non-positive ones, ones
    /// outside the trained range (unless allowed), an unknown sampler, a trajectory index out of range.
    ShowerSampleResult sample(const ShowerSampleRequest& request, const JobControl& job = {}) const;
    /// What sample() accepts ("consistency" once distilled), the default first.
    std::vector<std::string> samplers() const;
    const hepgen::data::CalorimeterGeometry& geometry() const;
    /// The run's full settings (ShowerGeneratorConfig with defaults) plus what training found: "layout",
    /// "energy_range" [GeV, GeV], "max_hits", "distilled", "core_hits" (whether the run draws core hits).
    nlohmann::json config() const;
    std::string directory() const;
    /// The incident-energy range of the training showers, GeV.
    std::pair<double, double> energyRange() const;
    ~ShowerGenerator();

    struct Impl;

private:
    explicit ShowerGenerator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace hepgen::showers
