#include "core/anomaly/MlpEnsemble.h"

#include "core/anomaly/ModelFiles.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <filesystem>

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

torch::Tensor MlpEnsemble::predictMembers(const torch::Tensor& x)
{
    if (m_members.empty())
        throw ConfigError("The MLP ensemble was asked to predict before it was trained.");
    std::vector<torch::Tensor> each;
    each.reserve(m_members.size());
    for (const auto& m : m_members)
        each.push_back(m.predict(x).to(torch::kFloat64));
    return torch::stack(each);
}

torch::Tensor MlpEnsemble::predict(const torch::Tensor& x) { return predictMembers(x).mean(0); }

void MlpEnsemble::save(const std::string& dir) const
{
    if (m_members.empty())
        throw ConfigError("The MLP ensemble cannot be saved before it is trained.");
    files::writeJson(dir, "mlp.json", { { "config", m_config.toJson() }, { "seed", m_seed } }, "hepgen-mlp-ensemble");
    for (std::size_t k = 0; k < m_members.size(); ++k)
        m_members[k].save((std::filesystem::path(dir) / fmt::format("member{}", k)).string());
}

std::unique_ptr<MlpEnsemble> MlpEnsemble::load(const std::string& dir)
{
    const auto j = files::readJson(dir, "mlp.json", "hepgen-mlp-ensemble");
    MlpEnsembleConfig config;
    try {
        config.members = j.at("config").at("members").get<int64_t>();
        config.network = j.at("config").at("network");
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(dir + "/mlp.json", fmt::format("is incomplete ({}).", e.what()));
    }
    if (config.members < 1)
        throw FormatError(dir + "/mlp.json", "names no ensemble members.");
    auto ensemble = std::make_unique<MlpEnsemble>(config, j.value("seed", std::uint64_t(0)));
    for (int64_t k = 0; k < config.members; ++k)
        ensemble->m_members.push_back(hepgen::metrics::BinaryClassifier::load(
            (std::filesystem::path(dir) / fmt::format("member{}", k)).string()));
    return ensemble;
}

} // namespace hepgen::anomaly
