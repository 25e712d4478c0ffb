#include "core/models/Config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace hepgen::models {

ConfigReader::ConfigReader(const nlohmann::json& json, std::string what)
    : m_json(json.is_null() ? nlohmann::json::object() : json)
    , m_what(std::move(what))
{
    if (!m_json.is_object())
        throw ConfigError(m_what + " must be a JSON object.");
}

void ConfigReader::rejectUnknownKeys() const
{
    std::vector<std::string> unknown;
    for (const auto& [key, value] : m_json.items())
        if (!m_used.count(key))
            unknown.push_back(key);
    if (!unknown.empty())
        throw ConfigError(fmt::format(
            "{}: unknown setting(s) {}; known are {}.", m_what, fmt::join(unknown, ", "), fmt::join(m_used, ", ")));
}

void require(
    bool ok, const std::string& what, const std::string& key, const std::string& condition, const nlohmann::json& value)
{
    if (!ok)
        throw ConfigError(fmt::format("{}: '{}' must be {} (got {}).", what, key, condition, value.dump()));
}

void OptimizerConfig::read(ConfigReader& r)
{
    r.read("optimizer", type);
    r.read("lr", learningRate);
    r.read("weight_decay", weightDecay);
    r.read("beta1", beta1);
    r.read("beta2", beta2);
    require(type == "adam" || type == "adamw", "optimizer", "optimizer", "adam or adamw", type);
    require(learningRate > 0, "optimizer", "lr", "positive", learningRate);
    require(weightDecay >= 0, "optimizer", "weight_decay", "non-negative", weightDecay);
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "optimizer", "beta1/beta2", "in [0, 1)",
        nlohmann::json::array({ beta1, beta2 }));
}

void OptimizerConfig::write(nlohmann::json& j) const
{
    j["optimizer"] = type;
    j["lr"] = learningRate;
    j["weight_decay"] = weightDecay;
    j["beta1"] = beta1;
    j["beta2"] = beta2;
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(
    const std::vector<torch::Tensor>& parameters, const OptimizerConfig& c)
{
    if (c.type == "adamw")
        return std::make_unique<torch::optim::AdamW>(parameters,
            torch::optim::AdamWOptions(c.learningRate).betas({ c.beta1, c.beta2 }).weight_decay(c.weightDecay));
    return std::make_unique<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(c.learningRate).betas({ c.beta1, c.beta2 }).weight_decay(c.weightDecay));
}

} // namespace hepgen::models
