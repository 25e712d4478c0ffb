#include "core/anomaly/Classifiers.h"

#include "core/anomaly/BdtClassifier.h"
#include "core/anomaly/MlpEnsemble.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

namespace hepgen::anomaly {

using hepgen::models::ConfigReader;
using hepgen::models::require;

void BdtConfig::read(ConfigReader& r)
{
    r.read("rounds", rounds);
    r.read("max_depth", maxDepth);
    r.read("eta", learningRate);
    r.read("subsample", subsample);
    r.read("min_child_weight", minChildWeight);
    r.read("early_stopping", earlyStopping);
    r.read("validation_fraction", validationFraction);
    r.read("threads", threads);
    const std::string what = "bdt config";
    require(rounds >= 1, what, "rounds", ">= 1", rounds);
    require(maxDepth >= 1 && maxDepth <= 20, what, "max_depth", "in [1, 20]", maxDepth);
    require(learningRate > 0 && learningRate <= 1, what, "eta", "in (0, 1]", learningRate);
    require(subsample > 0 && subsample <= 1, what, "subsample", "in (0, 1]", subsample);
    require(minChildWeight >= 0, what, "min_child_weight", ">= 0", minChildWeight);
    require(earlyStopping >= 0, what, "early_stopping", ">= 0", earlyStopping);
    require(
        validationFraction > 0 && validationFraction < 1, what, "validation_fraction", "in (0, 1)", validationFraction);
    require(threads >= 1, what, "threads", ">= 1", threads);
}

nlohmann::json BdtConfig::toJson() const
{
    return { { "rounds", rounds }, { "max_depth", maxDepth }, { "eta", learningRate }, { "subsample", subsample },
        { "min_child_weight", minChildWeight }, { "early_stopping", earlyStopping },
        { "validation_fraction", validationFraction }, { "threads", threads } };
}

void MlpEnsembleConfig::read(ConfigReader& r)
{
    nlohmann::json overrides = nlohmann::json::object();
    r.read("members", members);
    r.read("network", overrides);
    require(members >= 1, "mlp config", "members", ">= 1", members);
    require(overrides.is_object(), "mlp config", "network", "an object", overrides);
    network.merge_patch(overrides);
}

nlohmann::json MlpEnsembleConfig::toJson() const { return { { "members", members }, { "network", network } }; }

const std::vector<std::string>& classifierKinds()
{
    static const std::vector<std::string> kinds { "mlp", "bdt" };
    return kinds;
}

std::unique_ptr<EventClassifier> makeClassifier(
    const std::string& kind, const ClassifierSettings& settings, std::uint64_t seed)
{
    if (kind == "bdt")
        return std::make_unique<BdtClassifier>(settings.bdt, seed);
    if (kind == "mlp")
        return std::make_unique<MlpEnsemble>(settings.mlp, seed);
    throw ConfigError(
        fmt::format("Unknown classifier '{}'; use one of: {}.", kind, fmt::join(classifierKinds(), ", ")));
}

std::unique_ptr<EventClassifier> loadClassifier(const std::string& dir)
{
    namespace fs = std::filesystem;
    if (fs::exists(fs::path(dir) / "bdt.json"))
        return BdtClassifier::load(dir);
    if (fs::exists(fs::path(dir) / "mlp.json"))
        return MlpEnsemble::load(dir);
    throw FileError(dir, "holds no saved classifier (bdt.json or mlp.json).");
}

torch::Tensor balancedWeights(const torch::Tensor& y, const torch::Tensor& w)
{
    const auto base = w.defined() ? w.to(torch::kFloat32) : torch::ones({ y.size(0) }, torch::kFloat32);
    const auto positive = (y > 0.5).to(torch::kFloat32);
    const double total = base.sum().item<double>();
    const double wPos = (base * positive).sum().item<double>();
    const double wNeg = total - wPos;
    if (wPos <= 0 || wNeg <= 0)
        throw ConfigError("A classifier needs training events of both classes.");
    // Each class ends up with half of the total weight, so the mean weight stays 1.
    const auto scale = positive * (0.5 * total / wPos) + (1 - positive) * (0.5 * total / wNeg);
    return base * scale;
}

} // namespace hepgen::anomaly
