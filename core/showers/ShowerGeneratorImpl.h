#pragma once
// The state behind a ShowerGenerator (its pimpl), shared by ShowerGenerator.cpp (training, loading, distillation)
// and ShowerSampling.cpp (sampling). Private to core/showers.
#include "core/data/Preprocessing.h"
#include "core/models/FlowModel.h"
#include "core/models/points/PointCloudModel.h"
#include "core/showers/ShowerFeatures.h"
#include "core/showers/ShowerGenerator.h"
#include "core/showers/ShowerLayout.h"
#include "core/showers/ShowerPostProcessing.h"
#include "core/training/Trainer.h"

#include <torch/torch.h>

#include <array>
#include <memory>
#include <utility>

namespace hepgen::showers {

using hepgen::models::points::PointCloudModel;

/// splitmix64 of (seed, stream, index): independent, reproducible streams per shower.
inline uint64_t mixSeed(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream * 0x100000001B3ULL + index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

struct ShowerGenerator::Impl {
    std::string dir;
    nlohmann::json settings; ///< ShowerGeneratorConfig::json
    hepgen::data::CalorimeterGeometry geometry;
    ShowerLayout layout;
    hepgen::data::Preprocessing flowScaling { { "standardize" } };
    double logEMean = 0, logEStd = 1, logNMean = 0, logNStd = 1;
    /// Mean and deviation of the showers' lateral centres c_a, c_b (mm); a deviation of 0: a run from before the
    /// point model saw the centre (its context is log E_inc and log N only).
    std::array<double, 2> centreMean { 0, 0 }, centreStd { 0, 0 };
    PointScaling pointScaling;
    double energyMin = 0, energyMax = 0;
    int64_t maxHits = 1;
    double minHitEnergy = 0.0; ///< MeV, the smallest training hit energy (the cell threshold)
    bool coreHits = false;     ///< the flow draws each layer's core hit, the point model the halo (ShowerFeatures.h)
    bool nearShares = false;   ///< the flow draws each layer's near share too (always with core hits since session 15)
    std::string dataDescription;
    nlohmann::json metrics = nlohmann::json::object();
    std::unique_ptr<hepgen::models::FlowModel> flow; ///< sampling copy (EMA weights)
    std::unique_ptr<PointCloudModel> points;         ///< sampling copy (EMA weights)
    std::unique_ptr<PointCloudModel> student;        ///< distilled 1-step student, or null

    nlohmann::json state() const;
    void restore(const nlohmann::json& j);
    void save() const;
    /// The showers' hits the point model learns: their halo around the core cell (haloAroundCore) with core hits,
    /// else all of them (`halo` is left empty then, and the result refers to `s`).
    const hepgen::data::Showers& pointShowers(const hepgen::data::Showers& s, hepgen::data::Showers& halo) const
    {
        if (!coreHits)
            return s;
        halo = haloAroundCore(s, layout);
        return halo;
    }
    /// The point model's training data: the hits of `points` (pointShowers() of `s`), context from the whole showers
    /// `s`; showers without a point are left out.
    hepgen::training::TrainingData pointData(
        const hepgen::data::Showers& s, const hepgen::data::Showers& points, uint64_t seed) const;
    torch::Tensor flowContext(const std::vector<double>& energyGeV) const;
    int64_t pointContextWidth() const { return centreStd[0] > 0 ? 4 : 2; }
    /// The point model's context of a shower, without the count column: standardised log E_inc and log N, then the
    /// standardised lateral centre of energy (c_a, c_b). The centre tells the i.i.d. points where this shower's core
    /// lies relative to the cell grid, so its hits land on the same side of the core cell as in the data.
    void pointContext(const ShowerSummary& s, float* out) const;
    /// The centre the point model sees: relative to the core cell with core hits (its halo is), else as is.
    std::pair<double, double> contextCentre(const ShowerSummary& s) const
    {
        const auto core = coreHits ? coreCell(s, layout) : std::array<double, 2> { 0.0, 0.0 };
        return { s.centreA - core[0], s.centreB - core[1] };
    }
    PointCloudModel& modelFor(const std::string& sampler) const;
    ShowerTrajectory trajectory(const hepgen::samplers::Trajectory& t, const PointCloudModel& model,
        const std::string& sampler, const ShowerSummary& target) const;
    /// The point model's standardised output in physical units, moved back from around the core cell to the
    /// target's (with core hits).
    std::vector<RawPoint> rawPoints(const torch::Tensor& standardised, const ShowerSummary& target) const;
};

} // namespace hepgen::showers
