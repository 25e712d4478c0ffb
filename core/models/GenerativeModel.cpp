#include "core/models/GenerativeModel.h"

#include "core/models/EnsembleModel.h"
#include "core/models/ModelFactory.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hepgen::models {

torch::Tensor GenerativeModel::logDensity(const torch::Tensor&, const torch::Tensor&)
{
    throw ConfigError(fmt::format("The {} family has no tractable density; use a normalizing flow (flow-affine, "
                                  "flow-rqs, maf-affine, maf-rqs) for densities.",
        family()));
}

torch::Tensor GenerativeModel::logDensityDraws(const torch::Tensor&, const torch::Tensor&, int64_t)
{
    throw ConfigError(fmt::format("The {} model has no density uncertainty; train a deep ensemble (--ensemble N) of a "
                                  "family with a density, or bayes-cfm.",
        family()));
}

std::vector<DiagnosticInfo> GenerativeModel::diagnostics() const
{
    if (hasLogDensity())
        return { { "log_density", "log p(x)", DiagnosticInfo::Kind::Scalar, false } };
    return {};
}

torch::Tensor GenerativeModel::diagnostic(
    const std::string& name, const torch::Tensor& x, const torch::Tensor& context, double)
{
    if (name == "log_density" && hasLogDensity()) {
        torch::NoGradGuard noGrad;
        return logDensity(x, context);
    }
    throw ConfigError(fmt::format("The {} family has no diagnostic '{}'.", family(), name));
}

torch::Device GenerativeModel::device()
{
    const auto params = parameters();
    return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

void GenerativeModel::train(bool on)
{
    for (auto& m : modules())
        m->train(on);
}

std::vector<std::string> modelFamilies()
{
    std::vector<std::string> names;
    for (const auto& f : familyTable())
        names.push_back(f.name);
    return names;
}

void requireFamily(const std::string& family)
{
    for (const auto& f : familyTable())
        if (f.name == family)
            return;
    throw ConfigError(
        fmt::format("Unknown model family '{}'; choose one of: {}.", family, fmt::join(modelFamilies(), ", ")));
}

std::unique_ptr<GenerativeModel> makeModel(
    const std::string& family, const ModelShape& shape, const nlohmann::json& config)
{
    if (shape.features < 1 || shape.context < 0)
        throw ConfigError(fmt::format(
            "A model needs at least one feature (got {}) and a non-negative context width.", shape.features));
    requireFamily(family);
    if (EnsembleConfig::present(config))
        return makeEnsemble(family, shape, config);
    for (const auto& f : familyTable())
        if (f.name == family)
            return f.make(shape, config);
    return nullptr; // unreachable: requireFamily threw
}

} // namespace hepgen::models
