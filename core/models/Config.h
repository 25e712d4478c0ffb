#pragma once
// Reading a family's settings from JSON: every setting is a documented field with a default; a key
// the family does not know is an error naming it (a typo must not silently train something else).
#include "core/util/Error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace hepgen::models {

/// Pulls typed values out of a JSON object, remembering which keys were used.
class ConfigReader {
public:
    /// `what` names the configuration in messages, e.g. "ddpm config".
    ConfigReader(const nlohmann::json& json, std::string what);

    /// Sets `value` from key `key` when present (keeping the default otherwise). ConfigError when the
    /// JSON value has the wrong type.
    template <class T>
    void read(const std::string& key, T& value)
    {
        m_used.insert(key);
        if (!m_json.contains(key))
            return;
        try {
            value = m_json.at(key).get<T>();
        } catch (const nlohmann::json::exception&) {
            throw ConfigError(m_what + ": '" + key + "' has the wrong type (" + m_json.at(key).dump() + ").");
        }
    }
    /// Throws ConfigError listing the keys that no read() asked for.
    void rejectUnknownKeys() const;

private:
    nlohmann::json m_json;
    std::string m_what;
    std::set<std::string> m_used;
};

/// Throws ConfigError "<what>: '<key>' must be <condition> (got <value>)" unless `ok`.
void require(bool ok, const std::string& what, const std::string& key, const std::string& condition,
    const nlohmann::json& value);

/// Optimiser settings shared by every family.
struct OptimizerConfig {
    std::string type = "adam"; ///< adam | adamw
    double learningRate = 1e-3;
    double weightDecay = 0.0; ///< L2 for adam, decoupled for adamw
    double beta1 = 0.9, beta2 = 0.999;

    void read(ConfigReader& r); ///< keys: optimizer, lr, weight_decay, beta1, beta2
    void write(nlohmann::json& j) const;
};

/// An optimiser over `parameters` as configured.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(
    const std::vector<torch::Tensor>& parameters, const OptimizerConfig& config);

} // namespace hepgen::models
