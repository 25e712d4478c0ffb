#pragma once
// A boosted decision tree (XGBoost 1.7 C API, gbtree, binary:logistic, hist): deterministic for a
// seed and any thread count; early stopping on a seeded validation share of the training events;
// XGBoost's errors arrive as hepgen::ConfigError (bad settings, failures) or NumericError.
#include "core/anomaly/Classifiers.h"

#include <memory>

namespace hepgen::anomaly {

class BdtClassifier : public EventClassifier {
public:
    BdtClassifier(BdtConfig config, std::uint64_t seed);
    ~BdtClassifier() override;

    std::string kind() const override { return "bdt"; }
    void fit(const LabelledEvents& events, const JobControl& job) override;
    torch::Tensor predict(const torch::Tensor& x) override;
    /// The boosting round with the lowest validation loss (predictions use rounds 0..this).
    int64_t bestIteration() const { return m_bestIteration; }
    /// Writes bdt.json (settings, best round) and XGBoost's own model file bdt-model.json into `dir`.
    void save(const std::string& dir) const override;
    /// Reads what save() wrote.
    static std::unique_ptr<BdtClassifier> load(const std::string& dir);

private:
    class Booster;
    BdtConfig m_config;
    std::uint64_t m_seed;
    std::unique_ptr<Booster> m_booster;
    int64_t m_bestIteration = 0;
};

} // namespace hepgen::anomaly
