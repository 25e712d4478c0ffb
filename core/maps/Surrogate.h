#pragma once
// The Bayesian flow-matching classifier surrogate: a generative model of a classifier's output s given the
// features x, trained on (x, s(x)) over the data, that can stand in for the classifier (it is small, reusable and
// differentiable) and says where it can be trusted. It is a bayes-cfm run (FlowMatchingModel: conditional flow
// matching with a variational Bayesian velocity network, Bellagente et al. 2021, Butter et al. 2023) of the single
// target logit(s), with the classifier's inputs as the context, as in the lectures on reusable ML models: the
// posterior-mean prediction reproduces the classifier where the training data are dense, and the spread over
// posterior weight draws grows where they are sparse or absent (there the data do not constrain the weights, and
// the KL term keeps them at the prior's width).
//
// Its map value at x is the mean over K posterior draws w_k of sigmoid(mu_k(x)), with mu_k(x) = E_k[logit s | x]
// read off the velocity field in one evaluation: for the straight path x_t = (1 - t) x0 + t eps the optimal field at
// t = 1 is v(z, 1 | x) = z - E[x0 | x] (x0 and eps independent), so mu_k(x) = -v_k(0, 1 | x), one Euler step of the
// sampling ODE from the mode of the noise. Its uncertainty is the standard deviation of mu_k(x) over the draws, in
// logit s: the quantity the surrogate learned, and one the sigmoid does not squash where the score saturates at 0 or 1
// (off the data a classifier's score usually does). sampleScores() draws from the full learned distribution through
// the ODE instead.
//
// On disk it is a model-lab run directory (config.json, checkpoint.pt, metrics.json) plus surrogate.json naming
// the classifier, the inputs and the target column, so `hepgen map --run DIR` and the Maps workspace open it.
#include "core/data/Table.h"
#include "core/maps/MapModel.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::maps {

/// Settings of a surrogate's training (JSON keys in brackets), sized for the 2-core CPU budget.
struct SurrogateConfig {
    /// [model] bayes-cfm settings (FlowMatchingConfig keys), merged into these defaults. A wider initial posterior
    /// than bayes-cfm's default (1e-3) lets the spread off the data show within a short training.
    nlohmann::json model = { { "hidden", { 64, 64, 64 } }, { "draws", 10 }, { "initial_sigma", 0.02 }, { "lr", 3e-3 } };
    /// [trainer] TrainerConfig keys, merged into these defaults.
    nlohmann::json trainer = { { "epochs", 30 }, { "batch_size", 256 }, { "validation_fraction", 0.1 } };
    int64_t maxEvents = 20000; ///< [max_events] data events trained on (a seeded subsample; 0: all)
    std::uint64_t seed = 1;    ///< [seed] the subsample, the network's initialisation and the batches
    double scoreClip = 1e-5;   ///< [score_clip] scores are clipped into [c, 1 - c] before the logit

    /// Defaults overridden by `json`; ConfigError for unknown keys or bad values.
    static SurrogateConfig read(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// A trained surrogate (kind Score; its members are the posterior draws).
class ClassifierSurrogate : public MapModel {
public:
    /// Opens a surrogate directory; FileError/FormatError for a missing or foreign one.
    explicit ClassifierSurrogate(const std::string& dir);
    ~ClassifierSurrogate() override;

    std::string name() const override;
    const std::vector<std::string>& features() const override;
    std::vector<std::string> units() const override;
    const std::vector<std::string>& conditions() const override;
    std::vector<MapKind> kinds() const override { return { MapKind::Score }; }
    std::string membersName() const override { return "posterior draws, in logit s"; }
    int64_t members(MapKind) const override;
    MapEvaluation evaluate(MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds,
        const JobControl& job = {}) override;

    /// `perEvent` scores per event drawn from the learned distribution p(s | x) (posterior draws mixed, the full
    /// ODE), event-major: N x perEvent. Reproducible for a seed.
    std::vector<double> sampleScores(
        const std::vector<float>& rows, const std::vector<float>& conds, int64_t perEvent, std::uint64_t seed);
    /// What it surrogates (the classifier's name) and how many events it was trained on.
    const std::string& classifierName() const;
    int64_t trainingEvents() const;
    const std::string& directory() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

/// The column name of the target in a surrogate's run.
inline constexpr const char* kSurrogateTarget = "surrogate_logit_score";

/// Trains a surrogate of `classifier`'s Score on the events of `data` (which needs the classifier's inputs) into
/// `outputDir` (created) and returns it. Progress and Cancel through `job` (scoring the events: the first 10 %).
/// ConfigError when the classifier has no score or the data lack its inputs or hold fewer than 20 usable events;
/// NumericError when training diverges; Cancelled.
std::shared_ptr<ClassifierSurrogate> trainSurrogate(MapModel& classifier, const hepgen::data::Table& data,
    const SurrogateConfig& config, const std::string& outputDir, const JobControl& job = {});

/// True when `dir` holds a surrogate (surrogate.json).
bool isSurrogateDirectory(const std::string& dir);
/// The surrogate in `dir` as a map model.
std::shared_ptr<MapModel> loadSurrogate(const std::string& dir);

} // namespace hepgen::maps
