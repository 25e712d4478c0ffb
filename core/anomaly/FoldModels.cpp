#include "core/anomaly/FoldModels.h"

#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::anomaly {

std::vector<float> HuntModel::score(const std::vector<float>& rows, const std::vector<float>& mass) const
{
    const std::vector<float> all = memberScores(rows, mass);
    const auto k = static_cast<std::size_t>(members());
    const std::size_t n = k > 0 ? all.size() / k : 0;
    std::vector<double> sum(n, 0.0);
    for (std::size_t j = 0; j < k; ++j)
        for (std::size_t i = 0; i < n; ++i)
            sum[i] += all[j * n + i];
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(sum[i] / double(k));
    return out;
}

ClassifierFoldModel::ClassifierFoldModel(
    std::shared_ptr<EventClassifier> classifier, std::shared_ptr<ConditionalDensity> latent)
    : m_classifier(std::move(classifier))
    , m_latent(std::move(latent))
{
}

torch::Tensor ClassifierFoldModel::memberScores(const torch::Tensor& x, const torch::Tensor& m)
{
    torch::NoGradGuard noGrad;
    const auto input = m_latent ? m_latent->toLatent(x, m) : x;
    return m_classifier->predictMembers(input.to(torch::kFloat32)).to(torch::kFloat64);
}

AnodeFoldModel::AnodeFoldModel(
    std::shared_ptr<ConditionalDensity> signalRegion, std::shared_ptr<ConditionalDensity> background)
    : m_signalRegion(std::move(signalRegion))
    , m_background(std::move(background))
{
}

torch::Tensor AnodeFoldModel::memberScores(const torch::Tensor& x, const torch::Tensor& m)
{
    // ANODE (eq. 3): R(x|m) = p_data(x|m) / p_bg(x|m), both in the original units.
    return (m_signalRegion->logDensity(x, m) - m_background->logDensity(x, m)).unsqueeze(0);
}

RanodeFoldModel::RanodeFoldModel(
    std::shared_ptr<RanodeSignalModel> model, std::shared_ptr<ConditionalDensity> background)
    : m_model(std::move(model))
    , m_background(std::move(background))
{
}

torch::Tensor RanodeFoldModel::memberScores(const torch::Tensor& x, const torch::Tensor& m)
{
    return m_model->score(x, m).unsqueeze(0);
}

FoldedHuntModel::FoldedHuntModel(std::string method, std::string classifier, std::vector<std::string> features,
    std::string massColumn, std::vector<std::shared_ptr<FoldModel>> folds)
    : m_method(std::move(method))
    , m_classifier(std::move(classifier))
    , m_features(std::move(features))
    , m_massColumn(std::move(massColumn))
    , m_folds(std::move(folds))
{
    if (m_folds.empty())
        throw ConfigError("A hunt model needs at least one fold model.");
    for (const auto& f : m_folds)
        if (!f || f->members() != m_folds.front()->members())
            throw ConfigError("The fold models of a hunt must all have the same number of members.");
}

int64_t FoldedHuntModel::members() const { return int64_t(m_folds.size()) * m_folds.front()->members(); }

torch::Tensor FoldedHuntModel::memberScores(const torch::Tensor& x, const torch::Tensor& m) const
{
    std::vector<torch::Tensor> parts;
    parts.reserve(m_folds.size());
    for (const auto& f : m_folds)
        parts.push_back(f->memberScores(x, m));
    return torch::cat(parts, 0);
}

std::vector<float> FoldedHuntModel::memberScores(const std::vector<float>& rows, const std::vector<float>& mass) const
{
    const auto f = m_features.size();
    if (f == 0 || rows.size() % f != 0)
        throw ConfigError(fmt::format(
            "The {} hunt model reads {} features per event; {} values are not whole rows.", m_method, f, rows.size()));
    const auto n = static_cast<int64_t>(rows.size() / f);
    // Classifiers on the features ignore the mass, so it may be left out for them.
    const bool needsMass = m_method == "anode" || m_method == "ranode" || m_method == "lacathode";
    if (std::int64_t(mass.size()) != n && (needsMass || !mass.empty()))
        throw ConfigError(fmt::format(
            "The {} hunt model needs one mass per event: {} events but {} masses.", m_method, n, mass.size()));
    const auto x = torch::from_blob(const_cast<float*>(rows.data()), { n, int64_t(f) }, torch::kFloat32).clone();
    const auto m = mass.empty() ? torch::zeros({ n }, torch::kFloat32)
                                : torch::from_blob(const_cast<float*>(mass.data()), { n }, torch::kFloat32).clone();
    const auto scores = memberScores(x, m).to(torch::kFloat32).contiguous();
    return { scores.data_ptr<float>(), scores.data_ptr<float>() + scores.numel() };
}

} // namespace hepgen::anomaly
