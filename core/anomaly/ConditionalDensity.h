#pragma once
// A conditional density p(x | m) of the substructure features given the dijet mass, as the
// density-based hunts use it (ANODE arXiv:2001.04990, CATHODE arXiv:2109.00546, LaCATHODE
// arXiv:2210.14924, R-ANODE arXiv:2312.11629): a normalizing flow of the model lab (makeModel,
// e.g. maf-rqs) with context m, trained by the Trainer, on features preprocessed logit +
// standardise (CATHODE's choice) and a standardised mass. Densities come back in the original
// units (the preprocessing's Jacobian is added), samples too.
#include "core/data/Preprocessing.h"
#include "core/models/Config.h"
#include "core/models/GenerativeModel.h"
#include "core/training/Trainer.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// Settings of the conditional densities (JSON keys in brackets), with defaults sized for the
/// 2-core CPU budget of DESIGN.md (CATHODE used 15 MADE blocks and 100 epochs on a GPU).
struct DensityConfig {
    std::string family = "maf-rqs"; ///< [family] a flow family of the model lab (exact density needed)
    /// Batches of 2048 at twice the rate of 512-event batches: on the 880k SB events of the 1M toy CATHODE's density
    /// fit took 169 s instead of 522 s, at the same quality (AUC 0.885 / max SIC 5.16 against 0.897 / 5.28, one seed).
    nlohmann::json model = { { "layers", 4 }, { "hidden", { 64, 64 } }, { "lr", 2e-3 } }; ///< [model]
    nlohmann::json trainer = { { "epochs", 20 }, { "batch_size", 2048 }, { "patience", 5 },
        { "validation_fraction", 0.2 } };                              ///< [trainer] TrainerConfig keys
    std::vector<std::string> preprocessing { "logit", "standardize" }; ///< [preprocessing] of the features
    /// [logit_margin] features map to [margin, 1 - margin] of their range before the logit. Small, so the logit
    /// acts as a log on the jet masses' long tails (CATHODE's LogitScaler uses none). With 0.05 the bulk of
    /// mj_min and delta_mj stayed in the logit's linear part, the flow's mass tails fell short (q99 of mj_min
    /// 0.457 against 0.483 TeV), and CATHODE's classifier found those residuals: max SIC 5.2 at 1M against 11.4.
    double logitMargin = 0.001;
    /// [log_mass] condition on ln m (standardised) instead of m: jet masses scale as powers of m_jj, so
    /// their dependence on ln m is close to a shift, which the flows learn far more easily over a
    /// spectrum that falls by decades. Needs positive masses.
    bool logMass = true;

    void read(hepgen::models::ConfigReader& r);
    nlohmann::json toJson() const;
};

/// p(x | m). Throws ConfigError for a non-density family or bad settings, NumericError when
/// training diverges, Cancelled on a stop request.
class ConditionalDensity {
public:
    ConditionalDensity(DensityConfig config, std::uint64_t seed);
    ~ConditionalDensity();

    /// Trains on features x (N, D) with masses m (N). The preprocessing is fitted on `rangeX` when
    /// given (all events the density will be evaluated on, so the logit sees none outside its
    /// range; no labels are used), else on x. Returns the epochs trained.
    int64_t fit(
        const torch::Tensor& x, const torch::Tensor& m, const JobControl& job, const torch::Tensor& rangeX = {});
    /// log p(x | m) in the original units (N), float64; no gradients.
    torch::Tensor logDensity(const torch::Tensor& x, const torch::Tensor& m);
    /// One sample per mass in m (N), original units (N, D), float32; reproducible with `seed`.
    torch::Tensor sample(const torch::Tensor& m, std::uint64_t seed);
    /// The flow's latent point z = f(x'; m') of preprocessed x, m (N, D): standard normal for
    /// events that follow the learned density (LaCATHODE's space).
    torch::Tensor toLatent(const torch::Tensor& x, const torch::Tensor& m);

    /// The trained model and its preprocessing (R-ANODE trains a second flow in the same units).
    hepgen::models::GenerativeModel& model() { return *m_model; }
    torch::Tensor preprocessFeatures(const torch::Tensor& x) const;
    torch::Tensor preprocessMass(const torch::Tensor& m) const;
    /// The mass as the flows see it before standardising: m, or ln m (log_mass), as (N, 1) float64.
    torch::Tensor massContext(const torch::Tensor& m) const;
    /// log|det d(preprocessing)/dx| per event (N), float64.
    torch::Tensor preprocessingLogDet(const torch::Tensor& x) const;
    const DensityConfig& config() const { return m_config; }

    /// Writes the trained density (settings, preprocessing, flow weights) into `dir` (created):
    /// density.json and density.pt. ConfigError before fit(), FileError when it cannot write.
    void save(const std::string& dir) const;
    /// Reads what save() wrote: FileError when files are missing, FormatError for foreign content.
    static std::shared_ptr<ConditionalDensity> load(const std::string& dir);

private:
    DensityConfig m_config;
    std::uint64_t m_seed;
    hepgen::data::Preprocessing m_features, m_mass;
    std::unique_ptr<hepgen::models::GenerativeModel> m_model;
    int64_t m_featureCount = 0;
};

/// Trainer settings from a density config's "trainer" object, seeded. ConfigError for unknown keys.
hepgen::training::TrainerConfig densityTrainerConfig(const DensityConfig& config, std::uint64_t seed);

} // namespace hepgen::anomaly
