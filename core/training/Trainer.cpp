#include "core/training/Trainer.h"

#include "core/util/Error.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace hepgen::training {

namespace fs = std::filesystem;
using hepgen::models::Batch;
using hepgen::models::ConfigReader;
using hepgen::models::require;

void TrainerConfig::read(ConfigReader& r)
{
    r.read("epochs", epochs);
    r.read("batch_size", batchSize);
    r.read("max_steps", maxSteps);
    r.read("validation_fraction", validationFraction);
    r.read("schedule", schedule);
    r.read("warmup_steps", warmupSteps);
    r.read("step_every", stepEvery);
    r.read("step_gamma", stepGamma);
    r.read("clip_norm", clipNorm);
    r.read("ema_decay", emaDecay);
    r.read("patience", patience);
    r.read("seed", seed);
    const std::string w = "trainer";
    require(epochs >= 1, w, "epochs", "at least 1", epochs);
    require(batchSize >= 1, w, "batch_size", "at least 1", batchSize);
    require(maxSteps >= 0, w, "max_steps", "non-negative", maxSteps);
    require(
        validationFraction >= 0 && validationFraction < 1, w, "validation_fraction", "in [0, 1)", validationFraction);
    require(schedule == "constant" || schedule == "cosine" || schedule == "step", w, "schedule",
        "constant, cosine or step", schedule);
    require(warmupSteps >= 0, w, "warmup_steps", "non-negative", warmupSteps);
    require(stepEvery >= 1, w, "step_every", "at least 1", stepEvery);
    require(stepGamma > 0 && stepGamma <= 1, w, "step_gamma", "in (0, 1]", stepGamma);
    require(clipNorm >= 0, w, "clip_norm", "non-negative", clipNorm);
    require(emaDecay >= 0 && emaDecay < 1, w, "ema_decay", "in [0, 1)", emaDecay);
    require(patience >= 0, w, "patience", "non-negative", patience);
}

nlohmann::json TrainerConfig::toJson() const
{
    return { { "epochs", epochs }, { "batch_size", batchSize }, { "max_steps", maxSteps },
        { "validation_fraction", validationFraction }, { "schedule", schedule }, { "warmup_steps", warmupSteps },
        { "step_every", stepEvery }, { "step_gamma", stepGamma }, { "clip_norm", clipNorm }, { "ema_decay", emaDecay },
        { "patience", patience }, { "seed", seed } };
}

namespace {

std::vector<torch::Tensor> cloneAll(const std::vector<torch::Tensor>& v)
{
    std::vector<torch::Tensor> out;
    for (const auto& t : v)
        out.push_back(t.detach().clone());
    return out;
}

torch::Tensor rows(const torch::Tensor& t, const torch::Tensor& index)
{
    return t.defined() ? t.index_select(0, index) : torch::Tensor();
}

TrainingData select(const TrainingData& d, const torch::Tensor& index)
{
    return { rows(d.x, index), rows(d.context, index), rows(d.weight, index) };
}

torch::Generator seededGenerator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

// Weighted mean of the family's loss over a data set, in batches, without gradients.
hepgen::models::LossReport meanLoss(hepgen::models::GenerativeModel& model, const TrainingData& data, int64_t batch)
{
    torch::NoGradGuard noGrad;
    hepgen::models::LossReport total;
    const int64_t n = data.size();
    for (int64_t b = 0; b < n; b += batch) {
        const int64_t e = std::min(n, b + batch);
        const auto index = torch::arange(b, e, torch::kLong).to(data.x.device());
        const TrainingData part = select(data, index);
        const auto r = model.evaluate({ part.x, part.context, part.weight });
        const double share = static_cast<double>(e - b) / static_cast<double>(n);
        total.loss += r.loss * share;
        for (const auto& [k, v] : r.terms)
            total.terms[k] += v * share;
    }
    return total;
}

nlohmann::json metricsJson(const std::vector<EpochMetrics>& history)
{
    nlohmann::json j = nlohmann::json::array();
    for (const auto& m : history)
        j.push_back({ { "epoch", m.epoch }, { "step", m.step }, { "train_loss", m.trainLoss },
            { "validation_loss", m.validationLoss }, { "learning_rate", m.learningRate }, { "seconds", m.seconds },
            { "terms", m.terms } });
    return j;
}

nlohmann::json readJsonFile(const fs::path& path)
{
    std::ifstream in(path);
    if (!in)
        throw FileError(path.string(), "cannot be read (is this a run directory written by hepgen train?).");
    return translatingErrors("reading " + path.string(), [&] { return nlohmann::json::parse(in); });
}

} // namespace

std::pair<TrainingData, TrainingData> splitTrainValidation(const TrainingData& all, double fraction, uint64_t seed)
{
    const int64_t n = all.size();
    int64_t nVal = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
    if (fraction > 0 && n >= 2)
        nVal = std::clamp<int64_t>(nVal, 1, n - 1);
    auto gen = seededGenerator(seed ^ 0x5eedULL);
    const auto perm = torch::randperm(n, gen, torch::kLong).to(all.x.device());
    return { select(all, perm.slice(0, nVal)), select(all, perm.slice(0, 0, nVal)) };
}

Trainer::Trainer(hepgen::models::GenerativeModel& model, TrainerConfig config)
    : m_model(model)
    , m_config(std::move(config))
{
    for (auto* opt : m_model.optimizers()) {
        std::vector<double> rates;
        for (auto& group : opt->param_groups())
            rates.push_back(group.options().get_lr());
        m_baseRates.push_back(rates);
    }
    if (m_config.emaDecay > 0)
        for (const auto& p : m_model.parameters())
            m_ema.push_back(p.detach().clone());
}

int64_t Trainer::stepsPerEpoch(int64_t n) const { return (n + m_config.batchSize - 1) / m_config.batchSize; }

double Trainer::learningRateFactor(int64_t step, int64_t totalSteps) const
{
    double factor = 1.0;
    if (m_config.schedule == "cosine" && totalSteps > 0)
        factor
            = 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, static_cast<double>(step) / static_cast<double>(totalSteps))));
    else if (m_config.schedule == "step")
        factor = std::pow(m_config.stepGamma, static_cast<double>(m_epoch / m_config.stepEvery));
    if (m_config.warmupSteps > 0 && step < m_config.warmupSteps)
        factor *= static_cast<double>(step + 1) / static_cast<double>(m_config.warmupSteps);
    return factor;
}

void Trainer::setLearningRates(double factor)
{
    const auto opts = m_model.optimizers();
    for (std::size_t o = 0; o < opts.size(); ++o)
        for (std::size_t g = 0; g < opts[o]->param_groups().size(); ++g)
            opts[o]->param_groups()[g].options().set_lr(m_baseRates[o][g] * factor);
}

void Trainer::updateEma()
{
    if (m_ema.empty())
        return;
    torch::NoGradGuard noGrad;
    const auto params = m_model.parameters();
    // Bias-corrected warm start: early on, average over the steps seen so far (as in Keras/timm).
    const double decay = std::min(m_config.emaDecay, (1.0 + m_step) / (10.0 + m_step));
    for (std::size_t i = 0; i < params.size(); ++i)
        m_ema[i].mul_(decay).add_(params[i].detach(), 1.0 - decay);
}

void Trainer::withEmaWeights(const std::function<void()>& f)
{
    if (m_ema.empty()) {
        f();
        return;
    }
    const auto training = snapshot();
    restore(m_ema);
    try {
        f();
    } catch (...) {
        restore(training);
        throw;
    }
    restore(training);
}

std::vector<torch::Tensor> Trainer::snapshot() { return cloneAll(m_model.parameters()); }

void Trainer::restore(const std::vector<torch::Tensor>& weights)
{
    torch::NoGradGuard noGrad;
    auto params = m_model.parameters();
    for (std::size_t i = 0; i < params.size() && i < weights.size(); ++i)
        params[i].copy_(weights[i]);
}

double Trainer::validate(const TrainingData& validation)
{
    if (validation.size() == 0)
        return std::nan("");
    double loss = 0;
    m_model.train(false);
    withEmaWeights([&] { loss = meanLoss(m_model, validation, m_config.batchSize).loss; });
    m_model.train(true);
    return loss;
}

StopReason Trainer::fit(const TrainingData& train, const TrainingData& validation, const JobControl& job,
    const EpochCallback& onEpoch, int64_t untilStep)
{
    const int64_t n = train.size();
    if (n == 0)
        throw ConfigError("There are no training events.");
    m_model.setTrainingSize(n);
    const int64_t perEpoch = stepsPerEpoch(n);
    const int64_t totalSteps
        = m_config.maxSteps > 0 ? std::min(m_config.maxSteps, perEpoch * m_config.epochs) : perEpoch * m_config.epochs;
    m_model.train(true);
    std::vector<torch::Tensor> lastGood = snapshot();
    while (m_epoch < m_config.epochs && (m_config.maxSteps == 0 || m_step < m_config.maxSteps)) {
        // Both random streams of an epoch follow from (seed, epoch): a run resumed from a checkpoint
        // written at an epoch boundary continues exactly as an uninterrupted one.
        auto gen = seededGenerator(m_config.seed * 1000003ULL + static_cast<uint64_t>(m_epoch));
        const auto perm = torch::randperm(n, gen, torch::kLong).to(train.x.device());
        if (m_batchInEpoch == 0) {
            torch::manual_seed(m_config.seed * 7919ULL + static_cast<uint64_t>(m_epoch));
            m_epochLossSum = 0;
            m_epochTerms.clear();
            m_epochSeconds = 0;
            lastGood = snapshot();
        }
        const auto t0 = std::chrono::steady_clock::now();
        for (; m_batchInEpoch < perEpoch; ++m_batchInEpoch) {
            if (job.stopRequested() || (untilStep > 0 && m_step >= untilStep)) {
                m_epochSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                return job.stopRequested() ? StopReason::Cancelled : StopReason::StepLimit;
            }
            if (m_config.maxSteps > 0 && m_step >= m_config.maxSteps)
                break;
            const int64_t b = m_batchInEpoch * m_config.batchSize;
            const TrainingData part = select(train, perm.slice(0, b, std::min(n, b + m_config.batchSize)));
            setLearningRates(learningRateFactor(m_step, totalSteps));
            const auto report = m_model.trainStep({ part.x, part.context, part.weight }, m_config.clipNorm);
            if (!std::isfinite(report.loss)) {
                restore(lastGood);
                m_batchInEpoch = 0;
                throw NumericError(fmt::format(
                    "Training diverged at epoch {}, step {} (loss = {}). The weights from the end of epoch {} were "
                    "kept. Try a lower learning rate, a smaller gradient clip or standardised inputs.",
                    m_epoch + 1, m_step + 1, report.loss, m_epoch));
            }
            ++m_step;
            updateEma();
            m_epochLossSum += report.loss;
            for (const auto& [k, v] : report.terms)
                m_epochTerms[k] += v;
            job.report(static_cast<double>(m_step) / static_cast<double>(std::max<int64_t>(1, totalSteps)),
                fmt::format("epoch {}/{}, loss {:.4g}", m_epoch + 1, m_config.epochs, report.loss));
        }
        m_epochSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const int64_t done = std::max<int64_t>(1, m_batchInEpoch);
        EpochMetrics m;
        m.epoch = ++m_epoch;
        m.step = m_step;
        m.trainLoss = m_epochLossSum / static_cast<double>(done);
        for (const auto& [k, v] : m_epochTerms)
            m.terms[k] = v / static_cast<double>(done);
        m.learningRate = m_model.optimizers().empty()
            ? 0.0
            : m_model.optimizers().front()->param_groups().front().options().get_lr();
        m.validationLoss = validate(validation);
        m.seconds = m_epochSeconds;
        m_batchInEpoch = 0;
        m_history.push_back(m);
        if (onEpoch)
            onEpoch(m);
        if (m_config.patience > 0 && std::isfinite(m.validationLoss)) {
            // (The first epoch is always the best so far: inf - 1e-6 * inf is NaN, so it needs its own test.)
            if (!std::isfinite(m_best) || m.validationLoss < m_best - 1e-6 * std::abs(m_best)) {
                m_best = m.validationLoss;
                m_sinceBest = 0;
                // The weights that were validated: the EMA's where there is one.
                m_bestWeights = m_ema.empty() ? snapshot() : cloneAll(m_ema);
            } else if (++m_sinceBest >= m_config.patience) {
                // Early stopping keeps the best epoch's weights, as the model and as its EMA.
                restore(m_bestWeights);
                for (std::size_t i = 0; i < m_ema.size() && i < m_bestWeights.size(); ++i)
                    m_ema[i].copy_(m_bestWeights[i]);
                return StopReason::EarlyStopped;
            }
        }
    }
    return StopReason::Finished;
}

void Trainer::saveCheckpoint(const std::string& dirName) const
{
    const fs::path dir(dirName);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw FileError(dirName, "cannot create the run directory (" + ec.message() + ").");
    translatingErrors("writing " + (dir / "checkpoint.pt").string(), [&] {
        torch::serialize::OutputArchive archive;
        auto modules = m_model.modules();
        for (std::size_t i = 0; i < modules.size(); ++i) {
            torch::serialize::OutputArchive sub;
            modules[i]->save(sub);
            archive.write(fmt::format("module{}", i), sub);
        }
        auto opts = m_model.optimizers();
        for (std::size_t i = 0; i < opts.size(); ++i) {
            torch::serialize::OutputArchive sub;
            opts[i]->save(sub);
            archive.write(fmt::format("optimizer{}", i), sub);
        }
        for (std::size_t i = 0; i < m_ema.size(); ++i)
            archive.write(fmt::format("ema{}", i), m_ema[i], true);
        for (std::size_t i = 0; i < m_bestWeights.size(); ++i)
            archive.write(fmt::format("best{}", i), m_bestWeights[i], true);
        archive.write(
            "trainer_state", torch::tensor({ m_epoch, m_step, m_batchInEpoch, m_sinceBest }, torch::kLong), true);
        archive.write("trainer_best", torch::tensor({ m_best }, torch::kDouble), true);
        archive.save_to((dir / "checkpoint.pt").string());
    });
    nlohmann::json config = { { "family", m_model.family() }, { "features", m_model.shape().features },
        { "context", m_model.shape().context }, { "model", m_model.config() }, { "trainer", m_config.toJson() } };
    // Keep what the front end stored (data file, columns, preprocessing) when re-saving a run.
    if (fs::exists(dir / "config.json")) {
        const auto old = readJsonFile(dir / "config.json");
        if (old.contains("data"))
            config["data"] = old["data"];
    }
    std::ofstream(dir / "config.json") << config.dump(2) << "\n";
    std::ofstream(dir / "metrics.json") << metricsJson(m_history).dump(2) << "\n";
}

void Trainer::loadCheckpoint(const std::string& dirName)
{
    const fs::path dir(dirName);
    const fs::path file = dir / "checkpoint.pt";
    if (!fs::exists(file))
        throw FileError(
            file.string(), "there is no checkpoint here (is this a run directory written by hepgen train?).");
    const RunConfig run = readRunConfig(dirName);
    if (run.family != m_model.family() || run.shape.features != m_model.shape().features
        || run.shape.context != m_model.shape().context)
        throw FormatError(dirName,
            fmt::format("the checkpoint is of a {} model with {} features and context {}, not of "
                        "this {} model.",
                run.family, run.shape.features, run.shape.context, m_model.family()));
    translatingErrors("reading " + file.string(), [&] {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        auto modules = m_model.modules();
        for (std::size_t i = 0; i < modules.size(); ++i) {
            torch::serialize::InputArchive sub;
            archive.read(fmt::format("module{}", i), sub);
            modules[i]->load(sub);
        }
        auto opts = m_model.optimizers();
        for (std::size_t i = 0; i < opts.size(); ++i) {
            torch::serialize::InputArchive sub;
            archive.read(fmt::format("optimizer{}", i), sub);
            opts[i]->load(sub);
        }
        for (std::size_t i = 0; i < m_ema.size(); ++i)
            archive.read(fmt::format("ema{}", i), m_ema[i], true);
        m_bestWeights.clear();
        for (std::size_t i = 0;; ++i) {
            torch::Tensor t;
            if (!archive.try_read(fmt::format("best{}", i), t, true))
                break;
            m_bestWeights.push_back(t);
        }
        torch::Tensor state, best;
        archive.read("trainer_state", state, true);
        archive.read("trainer_best", best, true);
        m_epoch = state[0].item<int64_t>();
        m_step = state[1].item<int64_t>();
        m_batchInEpoch = state[2].item<int64_t>();
        m_sinceBest = state[3].item<int64_t>();
        m_best = best[0].item<double>();
    });
    m_history.clear();
    if (fs::exists(dir / "metrics.json"))
        for (const auto& j : readJsonFile(dir / "metrics.json")) {
            EpochMetrics m;
            m.epoch = j.value("epoch", 0);
            m.step = j.value("step", 0);
            m.trainLoss = j.value("train_loss", 0.0);
            const auto validation = j.value("validation_loss", nlohmann::json()); // null: no validation (NaN)
            m.validationLoss = validation.is_number() ? validation.get<double>() : std::nan("");
            m.learningRate = j.value("learning_rate", 0.0);
            m.seconds = j.value("seconds", 0.0);
            m.terms = j.value("terms", std::map<std::string, double> {});
            m_history.push_back(m);
        }
}

RunConfig readRunConfig(const std::string& dirName)
{
    const fs::path path = fs::path(dirName) / "config.json";
    const nlohmann::json j = readJsonFile(path);
    RunConfig run;
    try {
        run.family = j.at("family").get<std::string>();
        run.shape.features = j.at("features").get<int64_t>();
        run.shape.context = j.value("context", int64_t(0));
        run.model = j.value("model", nlohmann::json::object());
        ConfigReader reader(j.value("trainer", nlohmann::json::object()), "trainer config");
        run.trainer.read(reader);
        reader.rejectUnknownKeys();
        run.extra = j.value("data", nlohmann::json::object());
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(path.string(), std::string("not a run configuration: ") + e.what());
    }
    return run;
}

} // namespace hepgen::training
