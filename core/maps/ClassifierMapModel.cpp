#include "core/maps/ClassifierMapModel.h"

#include "core/maps/MapTensors.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::maps {

ClassifierEnsembleModel::ClassifierEnsembleModel(std::vector<hepgen::metrics::BinaryClassifier> members,
    std::vector<std::string> features, std::string name, std::vector<std::string> units)
    : m_members(std::move(members))
    , m_features(std::move(features))
    , m_units(std::move(units))
    , m_name(std::move(name))
{
    if (m_members.empty())
        throw ConfigError("A classifier ensemble needs at least one member.");
    for (const auto& c : m_members)
        if (!c.fitted())
            throw ConfigError("A classifier ensemble's members must be trained first.");
}

MapEvaluation ClassifierEnsembleModel::evaluate(
    MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job)
{
    if (kind != MapKind::Score)
        throw ConfigError(fmt::format("{}: only score maps.", m_name));
    const auto n = static_cast<int64_t>(checkedEvents(*this, rows, conds));
    const auto x = detail::rowsTensor(rows, n, static_cast<int64_t>(m_features.size()));
    std::vector<torch::Tensor> p;
    for (const auto& c : m_members) {
        job.throwIfStopped();
        p.push_back(c.predict(x));
    }
    const auto all = torch::stack(p);
    return detail::evaluation(all.mean(0), m_members.size() > 1 ? all : torch::Tensor());
}

std::shared_ptr<ClassifierEnsembleModel> trainClassifierEnsemble(const hepgen::data::Table& data,
    const std::vector<std::string>& features, int members, const hepgen::metrics::ClassifierConfig& config,
    const std::string& name, const JobControl& job)
{
    if (data.labels.size() != data.rows())
        throw ConfigError("A classifier ensemble trains on labelled events; the data have no labels.");
    std::vector<std::size_t> cols;
    for (const auto& f : features)
        cols.push_back(data.columnIndex(f));
    std::vector<float> x, y;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        if (data.labels[r] < 0)
            continue;
        for (std::size_t c : cols)
            x.push_back(data.at(r, c));
        y.push_back(static_cast<float>(data.labels[r]));
    }
    const auto n = static_cast<int64_t>(y.size());
    const auto xt = torch::from_blob(x.data(), { n, static_cast<int64_t>(cols.size()) }, torch::kFloat32).clone();
    const auto yt = torch::from_blob(y.data(), { n }, torch::kFloat32).clone();
    std::vector<hepgen::metrics::BinaryClassifier> trained;
    for (int k = 0; k < members; ++k) {
        auto c = config;
        c.seed = config.seed + static_cast<uint64_t>(k);
        hepgen::metrics::BinaryClassifier classifier(c);
        classifier.fit(
            xt, yt, {}, job.subRange(static_cast<double>(k) / members, static_cast<double>(k + 1) / members));
        trained.push_back(std::move(classifier));
    }
    std::vector<std::string> units;
    if (!data.units.empty())
        for (std::size_t c : cols)
            units.push_back(data.units[c]);
    return std::make_shared<ClassifierEnsembleModel>(std::move(trained), features, name, units);
}

} // namespace hepgen::maps
