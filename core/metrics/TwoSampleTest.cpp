#include "core/metrics/TwoSampleTest.h"

#include "core/metrics/Roc.h"
#include "core/models/Config.h"
#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hepgen::metrics {

using hepgen::models::ConfigReader;
using hepgen::models::require;

ClassifierConfig TwoSampleTestConfig::defaultClassifier()
{
    ClassifierConfig c;
    c.hidden = { 64, 64, 64 };
    c.epochs = 60;
    c.patience = 8;
    c.batchSize = 256;
    c.learningRate = 1e-3;
    return c;
}

TwoSampleTestConfig TwoSampleTestConfig::fromJson(const nlohmann::json& json)
{
    const std::string what = "two-sample test config";
    ConfigReader r(json, what);
    TwoSampleTestConfig c;
    r.read("test_fraction", c.testFraction);
    r.read("seed", c.seed);
    nlohmann::json classifier = c.classifier.toJson();
    r.read("classifier", classifier);
    r.rejectUnknownKeys();
    require(c.testFraction > 0 && c.testFraction < 1, what, "test_fraction", "in (0, 1)", c.testFraction);
    // Keys not given keep the two-sample defaults.
    nlohmann::json merged = defaultClassifier().toJson();
    merged.update(classifier);
    c.classifier = ClassifierConfig::fromJson(merged);
    return c;
}

nlohmann::json TwoSampleTestConfig::toJson() const
{
    return { { "test_fraction", testFraction }, { "seed", seed }, { "classifier", classifier.toJson() } };
}

TwoSampleResult classifierTwoSampleTest(const torch::Tensor& reference, const torch::Tensor& generated,
    const TwoSampleTestConfig& config, const JobControl& job)
{
    if (!reference.defined() || !generated.defined() || reference.dim() != 2 || generated.dim() != 2
        || reference.size(1) != generated.size(1) || reference.size(1) < 1)
        throw ConfigError("The two-sample test needs reference and generated events of shapes (N1, D) and (N2, D).");
    auto generator = at::detail::createCPUGenerator(config.seed);
    // Split each sample on its own, so both halves keep the samples' proportions.
    auto split = [&](const torch::Tensor& s, const char* name) {
        const int64_t n = s.size(0);
        const int64_t nTest = std::llround(config.testFraction * static_cast<double>(n));
        if (nTest < 2 || n - nTest < 2)
            throw ConfigError(
                fmt::format("The two-sample test needs more {} events (got {}): each part needs at least 2.", name, n));
        const auto order = torch::randperm(n, generator, torch::TensorOptions().dtype(torch::kLong));
        const auto x = s.detach().to(torch::kCPU, torch::kFloat32);
        return std::make_pair(x.index_select(0, order.slice(0, nTest)), x.index_select(0, order.slice(0, 0, nTest)));
    };
    const auto [refTrain, refTest] = split(reference, "reference");
    const auto [genTrain, genTest] = split(generated, "generated");
    auto labels = [](int64_t n0, int64_t n1) { return torch::cat({ torch::zeros({ n0 }), torch::ones({ n1 }) }); };

    BinaryClassifier classifier(config.classifier);
    TwoSampleResult result;
    result.fit
        = classifier.fit(torch::cat({ refTrain, genTrain }), labels(refTrain.size(0), genTrain.size(0)), {}, job);
    const auto dRef = classifier.predict(refTest), dGen = classifier.predict(genTest);

    const int64_t nRef = refTest.size(0), nGen = genTest.size(0);
    const auto scores = torch::cat({ dRef, dGen }).contiguous();
    std::vector<double> s(scores.data_ptr<double>(), scores.data_ptr<double>() + scores.numel());
    std::vector<int> y(static_cast<std::size_t>(nRef), 0);
    y.resize(static_cast<std::size_t>(nRef + nGen), 1);
    result.auc = rocAuc(s, y);
    result.aucNullSigma = std::sqrt(static_cast<double>(nRef + nGen + 1) / (12.0 * nRef * nGen));
    // GAN identity: max_D 1/2 E_gen[ln D] + 1/2 E_ref[ln(1 - D)] = JSD - ln 2 (nats), attained at D = p_gen / (p_gen +
    // p_ref).
    const double eps = 1e-7;
    const double bound = std::log(2.0) + 0.5 * torch::log(dGen.clamp(eps, 1 - eps)).mean().item<double>()
        + 0.5 * torch::log1p(-dRef.clamp(eps, 1 - eps)).mean().item<double>();
    result.jsdBits = std::clamp(bound / std::log(2.0), 0.0, 1.0);
    result.trainEvents = refTrain.size(0) + genTrain.size(0);
    result.heldOutEvents = nRef + nGen;
    return result;
}

} // namespace hepgen::metrics
