#include "core/metrics/BinaryClassifier.h"

#include "core/models/Config.h"
#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

namespace hepgen::metrics {

using hepgen::models::ConfigReader;
using hepgen::models::require;

ClassifierConfig ClassifierConfig::fromJson(const nlohmann::json& json)
{
    const std::string what = "classifier config";
    ConfigReader r(json, what);
    ClassifierConfig c;
    r.read("hidden", c.hidden);
    r.read("activation", c.activation);
    r.read("epochs", c.epochs);
    r.read("batch_size", c.batchSize);
    r.read("lr", c.learningRate);
    r.read("weight_decay", c.weightDecay);
    r.read("validation_fraction", c.validationFraction);
    r.read("patience", c.patience);
    r.read("balance_classes", c.balanceClasses);
    r.read("standardize", c.standardize);
    r.read("seed", c.seed);
    r.rejectUnknownKeys();
    bool positive = !c.hidden.empty();
    for (int64_t h : c.hidden)
        positive = positive && h > 0;
    require(positive, what, "hidden", "a non-empty list of positive widths", c.hidden);
    require(c.activation == "silu" || c.activation == "relu" || c.activation == "leaky_relu" || c.activation == "tanh",
        what, "activation", "silu, relu, leaky_relu or tanh", c.activation);
    require(c.epochs >= 1, what, "epochs", "at least 1", c.epochs);
    require(c.batchSize >= 1, what, "batch_size", "at least 1", c.batchSize);
    require(c.learningRate > 0, what, "lr", "positive", c.learningRate);
    require(c.weightDecay >= 0, what, "weight_decay", "non-negative", c.weightDecay);
    require(c.validationFraction >= 0 && c.validationFraction < 1, what, "validation_fraction", "in [0, 1)",
        c.validationFraction);
    require(c.patience >= 0, what, "patience", "non-negative", c.patience);
    return c;
}

nlohmann::json ClassifierConfig::toJson() const
{
    return { { "hidden", hidden }, { "activation", activation }, { "epochs", epochs }, { "batch_size", batchSize },
        { "lr", learningRate }, { "weight_decay", weightDecay }, { "validation_fraction", validationFraction },
        { "patience", patience }, { "balance_classes", balanceClasses }, { "standardize", standardize },
        { "seed", seed } };
}

BinaryClassifier::BinaryClassifier(ClassifierConfig config)
    : m_config(std::move(config))
    , m_preprocessing(std::vector<std::string> {})
{
}

namespace {

constexpr int64_t kRowsPerChunk = 4096; // rows per forward pass when scoring

/// Re-draws every Linear layer as torch's default (weights and biases uniform in +-1/sqrt(fan_in)) from a
/// private generator, so the initialisation depends on the seed only, not on the global random stream.
void initialise(torch::nn::Module& net, at::Generator& generator)
{
    torch::NoGradGuard noGrad;
    for (const auto& m : net.modules()) {
        if (auto* linear = m->as<torch::nn::Linear>()) {
            const double bound = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(1)));
            linear->weight.uniform_(-bound, bound, generator);
            if (linear->bias.defined())
                linear->bias.uniform_(-bound, bound, generator);
        }
    }
}

/// Weighted mean of the per-event binary cross-entropy with logits.
torch::Tensor weightedBce(const torch::Tensor& logits, const torch::Tensor& y, const torch::Tensor& w)
{
    const auto perEvent = torch::binary_cross_entropy_with_logits(logits, y, {}, {}, at::Reduction::None);
    return (perEvent * w).sum() / w.sum().clamp_min(std::numeric_limits<float>::min());
}

} // namespace

ClassifierFitReport BinaryClassifier::fit(
    const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w, const JobControl& job)
{
    const auto& c = m_config;
    if (!x.defined() || x.dim() != 2 || x.size(0) < 2 || x.size(1) < 1)
        throw ConfigError("The classifier needs features of shape (N, D) with at least two events.");
    const int64_t n = x.size(0);
    if (!y.defined() || y.dim() != 1 || y.size(0) != n)
        throw ConfigError(fmt::format("The classifier needs one label per event ({}).", n));
    if (w.defined() && (w.dim() != 1 || w.size(0) != n))
        throw ConfigError(fmt::format("The classifier needs one weight per event ({}) or none.", n));
    const auto device = x.device();
    const auto xs = x.to(torch::kFloat32);
    const auto ys = y.to(device, torch::kFloat32);
    if (!torch::logical_or(ys == 0, ys == 1).all().item<bool>())
        throw ConfigError("Classifier labels must be 0 or 1.");
    if (!torch::isfinite(xs).all().item<bool>())
        throw ConfigError("The classifier's input features contain NaN or infinite values.");
    auto ws = w.defined() ? w.to(device, torch::kFloat32) : torch::ones({ n }, xs.options());
    if (!(torch::isfinite(ws).all().item<bool>() && (ws >= 0).all().item<bool>()))
        throw ConfigError("Classifier weights must be finite and non-negative.");
    if (c.balanceClasses) {
        // Both classes carry half of the total weight: the optimum is then the likelihood ratio with equal priors.
        const auto total = ws.sum();
        const auto signal = (ws * ys).sum(), background = (ws * (1 - ys)).sum();
        if (signal.item<double>() > 0 && background.item<double>() > 0)
            ws = ws * torch::where(ys == 1, total / (2 * signal), total / (2 * background));
    }

    auto generator = at::detail::createCPUGenerator(c.seed);
    const auto order = torch::randperm(n, generator, torch::TensorOptions().dtype(torch::kLong)).to(device);
    const int64_t nValidation
        = c.validationFraction > 0 ? std::clamp<int64_t>(std::llround(c.validationFraction * n), 1, n - 1) : 0;
    const auto validationIdx = order.slice(0, 0, nValidation);
    const auto trainIdx = order.slice(0, nValidation);
    const auto xTrainRaw = xs.index_select(0, trainIdx), yTrain = ys.index_select(0, trainIdx),
               wTrain = ws.index_select(0, trainIdx);
    if (!((wTrain * yTrain).sum().item<double>() > 0 && (wTrain * (1 - yTrain)).sum().item<double>() > 0))
        throw ConfigError("The classifier's training part needs events of both classes with positive weight.");

    m_features = x.size(1);
    m_preprocessing = hepgen::data::Preprocessing(
        c.standardize ? std::vector<std::string> { "standardize" } : std::vector<std::string> {});
    m_preprocessing.fit(xTrainRaw);
    const auto xTrain = m_preprocessing.forward(xTrainRaw);
    const auto xValidation = m_preprocessing.forward(xs.index_select(0, validationIdx));
    const auto yValidation = ys.index_select(0, validationIdx), wValidation = ws.index_select(0, validationIdx);

    m_net = hepgen::models::Mlp(hepgen::models::MlpOptions(m_features, 1).hidden(c.hidden).activation(c.activation));
    initialise(*m_net, generator);
    m_net->to(device);
    torch::optim::Adam optimizer(
        m_net->parameters(), torch::optim::AdamOptions(c.learningRate).weight_decay(c.weightDecay));

    ClassifierFitReport report;
    std::vector<torch::Tensor> best;
    double bestLoss = std::numeric_limits<double>::infinity();
    const int64_t nTrain = xTrain.size(0);
    for (int64_t epoch = 0; epoch < c.epochs; ++epoch) {
        m_net->train();
        const auto shuffle = torch::randperm(nTrain, generator, torch::TensorOptions().dtype(torch::kLong)).to(device);
        double sum = 0.0, weight = 0.0;
        for (int64_t start = 0; start < nTrain; start += c.batchSize) {
            job.throwIfStopped();
            const auto idx = shuffle.slice(0, start, std::min(start + c.batchSize, nTrain));
            const auto wb = wTrain.index_select(0, idx);
            optimizer.zero_grad();
            const auto loss
                = weightedBce(m_net->forward(xTrain.index_select(0, idx)).squeeze(1), yTrain.index_select(0, idx), wb);
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                throw NumericError(fmt::format("The classifier's loss became non-finite in epoch {}.", epoch + 1));
            loss.backward();
            optimizer.step();
            const double wSum = wb.sum().item<double>();
            sum += value * wSum;
            weight += wSum;
        }
        report.trainLoss.push_back(weight > 0 ? sum / weight : 0.0);
        if (nValidation > 0) {
            torch::NoGradGuard noGrad;
            m_net->eval();
            const double v
                = weightedBce(m_net->forward(xValidation).squeeze(1), yValidation, wValidation).item<double>();
            report.validationLoss.push_back(v);
            if (v < bestLoss) {
                bestLoss = v;
                report.bestEpoch = epoch;
                best.clear();
                for (const auto& p : m_net->parameters())
                    best.push_back(p.detach().clone());
            } else if (c.patience > 0 && epoch - report.bestEpoch >= c.patience) {
                report.earlyStopped = true;
                job.report(1.0, fmt::format("classifier stopped early after epoch {}", epoch + 1));
                break;
            }
        } else {
            report.bestEpoch = epoch;
        }
        job.report(static_cast<double>(epoch + 1) / static_cast<double>(c.epochs),
            fmt::format("classifier epoch {}/{}", epoch + 1, c.epochs));
    }
    if (!best.empty()) {
        torch::NoGradGuard noGrad;
        auto params = m_net->parameters();
        for (std::size_t i = 0; i < params.size(); ++i)
            params[i].copy_(best[i]);
    }
    m_net->eval();
    return report;
}

torch::Tensor BinaryClassifier::logits(const torch::Tensor& x) const
{
    if (!fitted())
        throw ConfigError("The classifier was used before it was trained.");
    if (!x.defined() || x.dim() != 2 || x.size(1) != m_features)
        throw ConfigError(fmt::format("The classifier expects features of shape (N, {}).", m_features));
    torch::NoGradGuard noGrad;
    const auto device = m_net->parameters().front().device();
    const auto xs = m_preprocessing.forward(x.to(device, torch::kFloat32));
    // Chunks of 4096 rows keep the activations (4096 x width floats) in the cache: a 200 x 200 map of a 3 x 64
    // network ran 1.5-3x faster than in one 40 000-row piece, whose activations stream through memory.
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < xs.size(0); start += kRowsPerChunk)
        parts.push_back(m_net.ptr()->forward(xs.slice(0, start, start + kRowsPerChunk)).squeeze(1));
    return parts.empty() ? torch::zeros({ 0 }, xs.options()) : torch::cat(parts);
}

torch::Tensor BinaryClassifier::predict(const torch::Tensor& x) const
{
    return torch::sigmoid(logits(x).to(torch::kCPU, torch::kFloat64));
}

std::vector<double> BinaryClassifier::predictValues(const torch::Tensor& x) const
{
    const auto p = predict(x).contiguous();
    return { p.data_ptr<double>(), p.data_ptr<double>() + p.numel() };
}

void BinaryClassifier::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    if (!fitted())
        throw ConfigError("The classifier cannot be saved before it is trained.");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw FileError(dir, "cannot create the directory (" + ec.message() + ").");
    const nlohmann::json meta { { "format", "hepgen-binary-classifier" }, { "version", 1 },
        { "config", m_config.toJson() }, { "features", m_features }, { "preprocessing", m_preprocessing.toJson() } };
    std::ofstream out(fs::path(dir) / "classifier.json");
    out << meta.dump(2) << "\n";
    if (!out)
        throw FileError((fs::path(dir) / "classifier.json").string(), "cannot be written.");
    const auto weights = (fs::path(dir) / "classifier.pt").string();
    translatingErrors("writing " + weights, [&] {
        torch::serialize::OutputArchive archive;
        m_net->save(archive);
        archive.save_to(weights);
    });
}

BinaryClassifier BinaryClassifier::load(const std::string& dir)
{
    namespace fs = std::filesystem;
    const auto metaPath = (fs::path(dir) / "classifier.json").string();
    std::ifstream in(metaPath);
    if (!in)
        throw FileError(metaPath, "is missing (not a classifier saved by HEPGen).");
    const nlohmann::json meta = translatingErrors("reading " + metaPath, [&] { return nlohmann::json::parse(in); });
    if (meta.value("format", "") != "hepgen-binary-classifier" || meta.value("version", 0) != 1)
        throw FormatError(metaPath, "is not a version-1 HEPGen classifier.");
    BinaryClassifier c(ClassifierConfig::fromJson(meta.at("config")));
    translatingErrors("reading " + metaPath, [&] {
        c.m_features = meta.at("features").get<int64_t>();
        c.m_preprocessing = hepgen::data::Preprocessing::fromJson(meta.at("preprocessing"));
    });
    if (c.m_features < 1)
        throw FormatError(metaPath, "names no input features.");
    c.m_net = hepgen::models::Mlp(
        hepgen::models::MlpOptions(c.m_features, 1).hidden(c.m_config.hidden).activation(c.m_config.activation));
    const auto weights = (fs::path(dir) / "classifier.pt").string();
    if (!fs::exists(weights))
        throw FileError(weights, "is missing.");
    translatingErrors("reading " + weights, [&] {
        torch::serialize::InputArchive archive;
        archive.load_from(weights);
        c.m_net->load(archive);
    });
    c.m_net->eval();
    return c;
}

} // namespace hepgen::metrics
