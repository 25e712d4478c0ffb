#include "core/models/EnsembleModel.h"

#include "core/models/Config.h"
#include "core/models/ModelSupport.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

bool EnsembleConfig::present(const nlohmann::json& json)
{
    return json.is_object() && (json.contains("ensemble") || json.contains("ensemble_bootstrap"));
}

EnsembleConfig EnsembleConfig::extract(nlohmann::json& json)
{
    EnsembleConfig c;
    nlohmann::json keys = nlohmann::json::object();
    for (const char* key : { "ensemble", "ensemble_bootstrap" })
        if (json.contains(key)) {
            keys[key] = json[key];
            json.erase(key);
        }
    ConfigReader r(keys, "ensemble config");
    r.read("ensemble", c.members);
    r.read("ensemble_bootstrap", c.bootstrap);
    require(c.members >= 1, "ensemble config", "ensemble", "at least 1", c.members);
    return c;
}

std::unique_ptr<GenerativeModel> makeEnsemble(
    const std::string& family, const ModelShape& shape, const nlohmann::json& config)
{
    nlohmann::json memberConfig = config;
    const EnsembleConfig e = EnsembleConfig::extract(memberConfig);
    if (e.members == 1)
        return makeModel(family, shape, memberConfig);
    // Members are built one after the other from the global generator: independent initialisations.
    std::vector<std::unique_ptr<GenerativeModel>> members;
    for (int64_t k = 0; k < e.members; ++k)
        members.push_back(makeModel(family, shape, memberConfig));
    return std::make_unique<EnsembleModel>(std::move(members), e.bootstrap);
}

EnsembleModel::EnsembleModel(std::vector<std::unique_ptr<GenerativeModel>> members, bool bootstrap)
    : m_members(std::move(members))
    , m_bootstrap(bootstrap)
{
    if (m_members.size() < 2)
        throw ConfigError("An ensemble needs at least two members.");
    for (const auto& m : m_members)
        if (!m || m->family() != m_members.front()->family()
            || m->shape().features != m_members.front()->shape().features
            || m->shape().context != m_members.front()->shape().context)
            throw ConfigError("The members of an ensemble must be of one family and one shape.");
}

nlohmann::json EnsembleModel::config() const
{
    nlohmann::json j = m_members.front()->config();
    j["ensemble"] = static_cast<int64_t>(m_members.size());
    j["ensemble_bootstrap"] = m_bootstrap;
    return j;
}

namespace {

LossReport meanReport(const std::vector<LossReport>& reports)
{
    LossReport mean;
    const double w = 1.0 / static_cast<double>(reports.size());
    for (const auto& r : reports) {
        mean.loss += w * r.loss;
        for (const auto& [k, v] : r.terms)
            mean.terms[k] += w * v;
    }
    return mean;
}

torch::Tensor rowsOf(const torch::Tensor& t, const torch::Tensor& index)
{
    return t.defined() && t.numel() > 0 ? t.index_select(0, index) : t;
}

} // namespace

LossReport EnsembleModel::trainStep(const Batch& batch, double clipNorm)
{
    support::checkBatch(batch, shape(), family());
    const int64_t n = batch.x.size(0);
    std::vector<LossReport> reports;
    for (auto& m : m_members) {
        if (!m_bootstrap) {
            reports.push_back(m->trainStep(batch, clipNorm));
            continue;
        }
        // Bootstrap resample of the batch (Efron 1979): n draws with replacement, one resample per member.
        const auto index = torch::randint(n, { n }, torch::TensorOptions().dtype(torch::kLong)).to(batch.x.device());
        reports.push_back(m->trainStep(
            { batch.x.index_select(0, index), rowsOf(batch.context, index), rowsOf(batch.weight, index) }, clipNorm));
    }
    return meanReport(reports);
}

LossReport EnsembleModel::evaluate(const Batch& batch)
{
    std::vector<LossReport> reports;
    for (auto& m : m_members)
        reports.push_back(m->evaluate(batch));
    return meanReport(reports);
}

SampleOutput EnsembleModel::sample(int64_t n, const torch::Tensor& context, const SampleOptions& options)
{
    const auto k = static_cast<int64_t>(m_members.size());
    // One seed for every member: the same initial noise, so the members' outputs differ only by their weights.
    const uint64_t seed = support::resolveSeed(options.seed);
    std::vector<SampleOutput> outputs;
    for (int64_t i = 0; i < k; ++i) {
        SampleOptions o = options;
        o.seed = seed;
        if (options.progress)
            o.progress
                = [&options, i, k](int64_t done, int64_t total) { options.progress(i * total + done, k * total); };
        outputs.push_back(m_members[static_cast<std::size_t>(i)]->sample(n, context, o));
    }
    return support::mixtureSample(outputs, seed);
}

torch::Tensor EnsembleModel::logDensityDraws(const torch::Tensor& x, const torch::Tensor& context, int64_t)
{
    std::vector<torch::Tensor> draws;
    for (auto& m : m_members)
        draws.push_back(m->logDensity(x, context));
    return torch::stack(draws);
}

torch::Tensor EnsembleModel::logDensity(const torch::Tensor& x, const torch::Tensor& context)
{
    const auto draws = logDensityDraws(x, context);
    return torch::logsumexp(draws, 0) - std::log(static_cast<double>(draws.size(0)));
}

std::vector<torch::Tensor> EnsembleModel::parameters()
{
    std::vector<torch::Tensor> all;
    for (auto& m : m_members)
        for (auto& p : m->parameters())
            all.push_back(p);
    return all;
}

std::vector<torch::optim::Optimizer*> EnsembleModel::optimizers()
{
    std::vector<torch::optim::Optimizer*> all;
    for (auto& m : m_members)
        for (auto* o : m->optimizers())
            all.push_back(o);
    return all;
}

std::vector<std::shared_ptr<torch::nn::Module>> EnsembleModel::modules()
{
    std::vector<std::shared_ptr<torch::nn::Module>> all;
    for (auto& m : m_members)
        for (auto& module : m->modules())
            all.push_back(module);
    return all;
}

std::unique_ptr<GenerativeModel> EnsembleModel::clone() const
{
    std::vector<std::unique_ptr<GenerativeModel>> copies;
    for (const auto& m : m_members)
        copies.push_back(m->clone()); // each clone keeps the global random stream
    return std::make_unique<EnsembleModel>(std::move(copies), m_bootstrap);
}

void EnsembleModel::to(const torch::Device& device)
{
    for (auto& m : m_members)
        m->to(device);
}

void EnsembleModel::setTrainingSize(int64_t events)
{
    for (auto& m : m_members)
        m->setTrainingSize(events);
}

} // namespace hepgen::models
