#pragma once
// An ensemble of MLP BinaryClassifiers (core/metrics), CATHODE-style (arXiv:2109.00546, sec. III):
// `members` networks with seeds seed, seed + 1, ..., each kept at its best validation epoch, their
// probabilities averaged. Classes are balanced by weight (balancedWeights) before training.
#include "core/anomaly/Classifiers.h"
#include "core/metrics/BinaryClassifier.h"

#include <vector>

namespace hepgen::anomaly {

class MlpEnsemble : public EventClassifier {
public:
    /// ConfigError for bad network settings (read here, before any training).
    MlpEnsemble(MlpEnsembleConfig config, std::uint64_t seed);

    std::string kind() const override { return "mlp"; }
    void fit(const LabelledEvents& events, const JobControl& job) override;
    torch::Tensor predict(const torch::Tensor& x) override;
    int64_t members() const override { return m_config.members; }
    torch::Tensor predictMembers(const torch::Tensor& x) override;
    void save(const std::string& dir) const override;
    /// Reads what save() wrote (mlp.json and member0/, member1/, ...).
    static std::unique_ptr<MlpEnsemble> load(const std::string& dir);

private:
    MlpEnsembleConfig m_config;
    hepgen::metrics::ClassifierConfig m_network;
    std::uint64_t m_seed;
    std::vector<hepgen::metrics::BinaryClassifier> m_members;
};

} // namespace hepgen::anomaly
