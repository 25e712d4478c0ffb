#include "core/maps/Surrogate.h"

#include "core/maps/MapCompute.h"
#include "core/maps/MapTensors.h"
#include "core/models/Config.h"
#include "core/models/FlowMatchingModel.h"
#include "core/training/Run.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace hepgen::maps {

namespace fs = std::filesystem;
using hepgen::models::ConfigReader;
using hepgen::models::require;

namespace {

constexpr const char* kMetaFile = "surrogate.json";

/// The Bayesian network of a bayes-cfm model back in fresh-draw mode when a scope that fixed its weights ends.
class RestoreSampleMode {
public:
    explicit RestoreSampleMode(hepgen::models::Mlp& net)
        : m_net(net)
    {
    }
    ~RestoreSampleMode() { m_net->setWeightMode(hepgen::models::WeightMode::Sample); }
    RestoreSampleMode(const RestoreSampleMode&) = delete;
    RestoreSampleMode& operator=(const RestoreSampleMode&) = delete;

private:
    hepgen::models::Mlp& m_net;
};

} // namespace

SurrogateConfig SurrogateConfig::read(const nlohmann::json& json)
{
    SurrogateConfig c;
    ConfigReader r(json, "surrogate config");
    nlohmann::json model = nlohmann::json::object(), trainer = nlohmann::json::object();
    r.read("model", model);
    r.read("trainer", trainer);
    r.read("max_events", c.maxEvents);
    r.read("seed", c.seed);
    r.read("score_clip", c.scoreClip);
    r.rejectUnknownKeys();
    require(model.is_object(), "surrogate config", "model", "an object", model);
    require(trainer.is_object(), "surrogate config", "trainer", "an object", trainer);
    require(c.maxEvents >= 0, "surrogate config", "max_events", ">= 0", c.maxEvents);
    require(c.scoreClip > 0 && c.scoreClip < 0.1, "surrogate config", "score_clip", "in (0, 0.1)", c.scoreClip);
    c.model.merge_patch(model);
    c.trainer.merge_patch(trainer);
    return c;
}

nlohmann::json SurrogateConfig::toJson() const
{
    return { { "model", model }, { "trainer", trainer }, { "max_events", maxEvents }, { "seed", seed },
        { "score_clip", scoreClip } };
}

struct ClassifierSurrogate::Impl {
    hepgen::training::Run run;
    std::unique_ptr<hepgen::models::GenerativeModel> model; ///< EMA weights where kept
    hepgen::models::FlowMatchingModel* flow = nullptr;
    std::vector<std::string> features, conditions, units;
    std::string classifier, dir, name;
    int64_t events = 0;
};

ClassifierSurrogate::ClassifierSurrogate(const std::string& dir)
    : m(std::make_unique<Impl>())
{
    const fs::path meta = fs::path(dir) / kMetaFile;
    std::ifstream in(meta);
    if (!in)
        throw FileError(meta.string(), "cannot be read: this is not a classifier surrogate directory.");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
        m->features = j.at("features").get<std::vector<std::string>>();
        m->conditions = j.value("conditions", std::vector<std::string> {});
        m->units = j.value("units", std::vector<std::string> {});
        m->classifier = j.at("classifier").get<std::string>();
        m->events = j.value("events", int64_t { 0 });
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(meta.string(), std::string("is not a surrogate description: ") + e.what());
    }
    m->run = hepgen::training::loadRun(dir);
    std::vector<std::string> inputs = m->features;
    inputs.insert(inputs.end(), m->conditions.begin(), m->conditions.end());
    if (m->run.model->family() != "bayes-cfm" || m->run.columns != std::vector<std::string> { kSurrogateTarget }
        || m->run.contextColumns != inputs)
        throw FormatError(meta.string(),
            "does not match the run beside it (a bayes-cfm run of the score's logit "
            "with the classifier's inputs as context).");
    m->run.trainer->withEmaWeights([&] { m->model = m->run.model->clone(); });
    m->model->train(false);
    m->flow = dynamic_cast<hepgen::models::FlowMatchingModel*>(m->model.get());
    if (!m->flow)
        throw FormatError(dir, "holds no flow-matching model.");
    m->dir = dir;
    auto p = fs::path(dir).lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    m->name = fmt::format("surrogate of {} · {}", m->classifier, p.filename().string());
}

ClassifierSurrogate::~ClassifierSurrogate() = default;

std::string ClassifierSurrogate::name() const { return m->name; }
const std::vector<std::string>& ClassifierSurrogate::features() const { return m->features; }
std::vector<std::string> ClassifierSurrogate::units() const { return m->units; }
const std::vector<std::string>& ClassifierSurrogate::conditions() const { return m->conditions; }
int64_t ClassifierSurrogate::members(MapKind) const { return m->model->uncertaintyDraws(); }
const std::string& ClassifierSurrogate::classifierName() const { return m->classifier; }
int64_t ClassifierSurrogate::trainingEvents() const { return m->events; }
const std::string& ClassifierSurrogate::directory() const { return m->dir; }

namespace {

/// The context tensor (N, F + C) of raw rows and conditions, preprocessed as in training.
torch::Tensor surrogateContext(const hepgen::training::Run& run, const std::vector<float>& rows,
    const std::vector<float>& conds, int64_t n, int64_t f, int64_t c)
{
    auto x = detail::rowsTensor(rows, n, f).to(torch::kFloat64);
    if (c > 0)
        x = torch::cat({ x, detail::rowsTensor(conds, n, c).to(torch::kFloat64) }, 1);
    return run.context.forward(x).to(torch::kFloat32);
}

} // namespace

MapEvaluation ClassifierSurrogate::evaluate(
    MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job)
{
    if (kind != MapKind::Score)
        throw ConfigError(fmt::format("{}: only score maps.", m->name));
    const auto n = static_cast<int64_t>(checkedEvents(*this, rows, conds));
    torch::NoGradGuard noGrad;
    const auto ctx = surrogateContext(
        m->run, rows, conds, n, static_cast<int64_t>(m->features.size()), static_cast<int64_t>(m->conditions.size()));
    auto& net = m->flow->network();
    RestoreSampleMode restore(net);
    const int64_t K = members(kind);
    const auto z = torch::zeros({ n, 1 }, torch::kFloat32);
    const auto t = torch::ones({ n }, torch::kFloat32);
    std::vector<torch::Tensor> logits;
    for (int64_t k = 0; k < K; ++k) {
        job.throwIfStopped();
        // Draw k seeded as FlowMatchingModel::logDensityDraws seeds it: the same K draws on every call.
        auto generator = at::detail::createCPUGenerator(0xB4E5ULL + static_cast<uint64_t>(k));
        net->drawWeights(generator);
        const auto mean = -m->flow->velocity(z, t, ctx); // E_k[x0 | x] in the preprocessed target's units
        logits.push_back(m->run.features.inverse(mean.to(torch::kFloat64)).squeeze(1));
        job.report(static_cast<double>(k + 1) / static_cast<double>(K));
    }
    // The value is the predictive mean score; the members are the draws' logits, so the map's uncertainty is their
    // spread in logit s (where the score saturates at 0 or 1 the sigmoid would squash it to nothing).
    const auto mu = torch::stack(logits);
    return detail::evaluation(torch::sigmoid(mu).mean(0), K > 1 ? mu : torch::Tensor());
}

std::vector<double> ClassifierSurrogate::sampleScores(
    const std::vector<float>& rows, const std::vector<float>& conds, int64_t perEvent, std::uint64_t seed)
{
    const auto n = static_cast<int64_t>(checkedEvents(*this, rows, conds));
    if (perEvent < 1)
        throw ConfigError("Draw at least one score per event.");
    torch::NoGradGuard noGrad;
    const auto ctx = surrogateContext(
        m->run, rows, conds, n, static_cast<int64_t>(m->features.size()), static_cast<int64_t>(m->conditions.size()))
                         .repeat_interleave(perEvent, 0);
    hepgen::models::SampleOptions options;
    options.seed = seed;
    const auto out = m->model->sample(n * perEvent, ctx, options);
    const auto logit = m->run.features.inverse(out.samples.to(torch::kFloat64)).squeeze(1);
    return detail::toDoubles(torch::sigmoid(logit));
}

std::shared_ptr<ClassifierSurrogate> trainSurrogate(MapModel& classifier, const hepgen::data::Table& data,
    const SurrogateConfig& config, const std::string& outputDir, const JobControl& job)
{
    if (!classifier.offers(MapKind::Score))
        throw ConfigError(fmt::format("{} has no classifier score to build a surrogate of.", classifier.name()));
    const auto features = classifier.features();
    const auto conditions = classifier.conditions();
    std::vector<std::string> inputs = features;
    inputs.insert(inputs.end(), conditions.begin(), conditions.end());
    std::vector<std::size_t> cols;
    for (const auto& c : inputs) {
        if (std::find(data.columns.begin(), data.columns.end(), c) == data.columns.end())
            throw ConfigError(fmt::format("The data have no column '{}', which {} reads.", c, classifier.name()));
        cols.push_back(data.columnIndex(c));
    }
    std::vector<std::size_t> usable;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        bool ok = true;
        for (std::size_t c : cols)
            ok = ok && std::isfinite(data.at(r, c));
        if (ok)
            usable.push_back(r);
    }
    const std::size_t want = config.maxEvents > 0 ? static_cast<std::size_t>(config.maxEvents) : usable.size();
    const auto pick = sampleEvents(usable.size(), want, config.seed);
    if (pick.size() < 20)
        throw ConfigError(
            fmt::format("A surrogate needs at least 20 events with finite inputs; the data have {}.", pick.size()));

    // The classifier's scores of the events: the training targets.
    const std::size_t n = pick.size(), F = features.size(), C = conditions.size();
    std::vector<float> rows(n * F), conds(n * C);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t r = usable[pick[i]];
        for (std::size_t f = 0; f < F; ++f)
            rows[i * F + f] = data.at(r, cols[f]);
        for (std::size_t c = 0; c < C; ++c)
            conds[i * C + c] = data.at(r, cols[F + c]);
    }
    job.report(0.0, "Surrogate: scoring the events with the classifier");
    MapEvaluation scores;
    {
        auto held = classifier.lock();
        scores = classifier.evaluate(MapKind::Score, rows, conds, job.subRange(0.0, 0.1));
    }
    hepgen::data::Table table;
    table.columns = inputs;
    table.columns.push_back(kSurrogateTarget);
    table.values.reserve(n * (inputs.size() + 1));
    for (std::size_t i = 0; i < n; ++i) {
        const double s = scores.value[i];
        if (!std::isfinite(s) || s < 0 || s > 1)
            throw NumericError(fmt::format(
                "{} gave a score outside [0, 1] ({}): a surrogate models probabilities.", classifier.name(), s));
        const double clipped = std::clamp(s, config.scoreClip, 1.0 - config.scoreClip);
        for (std::size_t f = 0; f < F; ++f)
            table.values.push_back(rows[i * F + f]);
        for (std::size_t c = 0; c < C; ++c)
            table.values.push_back(conds[i * C + c]);
        table.values.push_back(static_cast<float>(std::log(clipped / (1.0 - clipped))));
    }

    nlohmann::json trainer = config.trainer;
    trainer["seed"] = config.seed;
    hepgen::training::RunRequest request;
    request.family = "bayes-cfm";
    request.config = { { "model", config.model }, { "trainer", trainer } };
    request.columns = { kSurrogateTarget };
    request.context = inputs;
    request.dataDescription = "surrogate of " + classifier.name();
    request.outputDir = outputDir;
    auto prepared = hepgen::training::prepareRun(request, table);
    hepgen::training::fitPreparedRun(std::move(prepared), request, job.subRange(0.1, 1.0));

    std::vector<std::string> units = classifier.units();
    const nlohmann::json meta = { { "classifier", classifier.name() }, { "features", features },
        { "conditions", conditions }, { "units", units }, { "target", kSurrogateTarget },
        { "events", static_cast<int64_t>(n) }, { "config", config.toJson() } };
    const fs::path metaPath = fs::path(outputDir) / kMetaFile;
    std::ofstream out(metaPath);
    out << meta.dump(2) << "\n";
    if (!out)
        throw FileError(metaPath.string(), "cannot be written.");
    out.close();
    return std::make_shared<ClassifierSurrogate>(outputDir);
}

bool isSurrogateDirectory(const std::string& dir)
{
    std::error_code ec;
    return fs::is_regular_file(fs::path(dir) / kMetaFile, ec);
}

std::shared_ptr<MapModel> loadSurrogate(const std::string& dir) { return std::make_shared<ClassifierSurrogate>(dir); }

} // namespace hepgen::maps
