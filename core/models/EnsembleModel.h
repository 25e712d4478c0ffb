#pragma once
// Deep ensembles of any family (Lakshminarayanan et al. 2017, "Simple and Scalable Predictive Uncertainty
// Estimation using Deep Ensembles"): N independently initialised members of one family, each taking its own
// optimisation step on its own bootstrap resample of every batch. The ensemble is a mixture: a sample comes from one
// randomly chosen member, its density is the members' mean density, and the spread over members of the same-noise
// samples (or of the densities) measures how much the members disagree, which grows away from the training data.
//
// An ensemble is not a family of its own: a model config with "ensemble": N > 1 makes makeModel() build one, family()
// is the members' family, and config() is the members' config plus the ensemble keys, so config.json round-trips.
#include "core/models/GenerativeModel.h"

#include <memory>
#include <vector>

namespace hepgen::models {

/// The ensemble keys of a model config (JSON keys in brackets); every other key goes to the members.
struct EnsembleConfig {
    int64_t members = 1; ///< [ensemble] number of members (1: no ensemble, makeModel builds the plain family)
    /// [ensemble_bootstrap] every member trains on its own bootstrap resample (with replacement) of each batch.
    /// Independent initialisation alone already makes members differ (Lakshminarayanan et al. 2017); the bootstrap
    /// adds the data-sampling part of the uncertainty (each member sees ~63 % of the events of a batch, some twice),
    /// at no cost and without a second pass over the data. false: every member sees the same batch.
    bool bootstrap = true;

    /// True when `json` holds an ensemble key.
    static bool present(const nlohmann::json& json);
    /// Reads and removes the ensemble keys from `json` (the rest is the members' config). ConfigError for wrong
    /// types or members < 1.
    static EnsembleConfig extract(nlohmann::json& json);
};

/// N members of one family behind the GenerativeModel interface. Throws what the members throw.
class EnsembleModel : public GenerativeModel {
public:
    /// Takes freshly built (or cloned) members of one family and shape; ConfigError for fewer than two members or
    /// members of different families/shapes.
    EnsembleModel(std::vector<std::unique_ptr<GenerativeModel>> members, bool bootstrap);

    std::string family() const override { return m_members.front()->family(); }
    /// The members' config plus "ensemble" and "ensemble_bootstrap".
    nlohmann::json config() const override;
    ModelShape shape() const override { return m_members.front()->shape(); }

    /// Every member steps on its own bootstrap resample of the batch (drawn from the global generator, which the
    /// Trainer seeds per epoch); the report is the mean over members of their losses and terms.
    LossReport trainStep(const Batch& batch, double clipNorm) override;
    /// Mean over members of their validation objective on the full batch.
    LossReport evaluate(const Batch& batch) override;
    /// Every member samples with the same seed (so the same initial noise; a seed is drawn from the global generator
    /// when none is given); event i is taken from member m_i, drawn uniformly with a generator derived from the seed:
    /// an exact sample of the mixture. spread: the standard deviation over members of their same-noise samples
    /// (n, D). Trajectory: for every event the trajectory of the member it came from (the members' frames share
    /// their times), so the last frame is the returned sample.
    SampleOutput sample(int64_t n, const torch::Tensor& context, const SampleOptions& options) override;

    bool hasLogDensity() const override { return m_members.front()->hasLogDensity(); }
    /// The mixture density: log (1/K sum_k p_k(x)).
    torch::Tensor logDensity(const torch::Tensor& x, const torch::Tensor& context) override;

    std::vector<torch::Tensor> parameters() override;
    std::vector<torch::optim::Optimizer*> optimizers() override;
    std::vector<std::shared_ptr<torch::nn::Module>> modules() override;
    std::unique_ptr<GenerativeModel> clone() const override;
    void to(const torch::Device& device) override;

    int64_t uncertaintyDraws() const override { return static_cast<int64_t>(m_members.size()); }
    /// (K, N): every member's log-density (`draws` is ignored: all members answer).
    torch::Tensor logDensityDraws(const torch::Tensor& x, const torch::Tensor& context, int64_t draws = 0) override;
    void setTrainingSize(int64_t events) override;

    /// Member k (for tests and diagnostics).
    GenerativeModel& member(std::size_t k) { return *m_members.at(k); }
    std::size_t size() const { return m_members.size(); }

private:
    std::vector<std::unique_ptr<GenerativeModel>> m_members;
    bool m_bootstrap;
};

/// Builds an ensemble from a config holding "ensemble" (see EnsembleConfig); with "ensemble": 1 the plain member.
/// Used by makeModel().
std::unique_ptr<GenerativeModel> makeEnsemble(
    const std::string& family, const ModelShape& shape, const nlohmann::json& config);

} // namespace hepgen::models
