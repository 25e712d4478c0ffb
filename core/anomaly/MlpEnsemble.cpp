#include "core/anomaly/MlpEnsemble.h"

#include "core/util/Error.h"

namespace hepgen::anomaly {

MlpEnsemble::MlpEnsemble(MlpEnsembleConfig config, std::uint64_t seed)
    : m_config(std::move(config))
    , m_network(hepgen::metrics::ClassifierConfig::fromJson(m_config.network))
    , m_seed(seed)
{
}

void MlpEnsemble::fit(const LabelledEvents& events, const JobControl& job)
{
    m_members.clear();
    // The classes are balanced here (so the BDT and the MLP see the same weights), not again inside.
    const torch::Tensor w = balancedWeights(events.y, events.w);
    for (int64_t k = 0; k < m_config.members; ++k) {
        hepgen::metrics::ClassifierConfig c = m_network;
        c.seed = m_seed + static_cast<std::uint64_t>(k);
        c.balanceClasses = false;
        hepgen::metrics::BinaryClassifier member(c);
        const double share = 1.0 / static_cast<double>(m_config.members);
        member.fit(
            events.x, events.y, w, job.subRange(share * static_cast<double>(k), share * static_cast<double>(k + 1)));
        m_members.push_back(std::move(member));
    }
}

torch::Tensor MlpEnsemble::predict(const torch::Tensor& x)
{
    if (m_members.empty())
        throw ConfigError("The MLP ensemble was asked to predict before it was trained.");
    torch::Tensor sum = torch::zeros({ x.size(0) }, torch::kFloat64);
    for (const auto& m : m_members)
        sum += m.predict(x);
    return sum / static_cast<double>(m_members.size());
}

} // namespace hepgen::anomaly
