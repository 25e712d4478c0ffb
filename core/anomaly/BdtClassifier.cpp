// The boosted decision tree through XGBoost's C API (xgboost/c_api.h, version 1.7): RAII handles,
// every return code checked and translated into a hepgen::Error, a seeded validation split for
// early stopping on the validation log-loss, prediction with the best iteration only.
#include "core/anomaly/BdtClassifier.h"

#include "core/anomaly/ModelFiles.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace hepgen::anomaly {

namespace {

void check(int rc, const char* what)
{
    if (rc != 0)
        throw ConfigError(fmt::format("The boosted decision tree failed while {}: {}", what, XGBGetLastError()));
}

void quietOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { XGBSetGlobalConfig(R"({"verbosity": 0})"); });
}

/// An owned DMatrix of dense float rows with labels and weights.
class DMatrix {
public:
    DMatrix(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w)
    {
        const auto xs = x.to(torch::kFloat32).contiguous();
        check(XGDMatrixCreateFromMat(xs.data_ptr<float>(), static_cast<bst_ulong>(xs.size(0)),
                  static_cast<bst_ulong>(xs.size(1)), std::numeric_limits<float>::quiet_NaN(), &m_handle),
            "building its input matrix");
        if (y.defined()) {
            const auto ys = y.to(torch::kFloat32).contiguous();
            check(XGDMatrixSetFloatInfo(m_handle, "label", ys.data_ptr<float>(), static_cast<bst_ulong>(ys.numel())),
                "setting the labels");
        }
        if (w.defined()) {
            const auto ws = w.to(torch::kFloat32).contiguous();
            check(XGDMatrixSetFloatInfo(m_handle, "weight", ws.data_ptr<float>(), static_cast<bst_ulong>(ws.numel())),
                "setting the weights");
        }
    }
    ~DMatrix() { XGDMatrixFree(m_handle); }
    DMatrix(const DMatrix&) = delete;
    DMatrix& operator=(const DMatrix&) = delete;
    DMatrixHandle handle() const { return m_handle; }

private:
    DMatrixHandle m_handle = nullptr;
};

} // namespace

/// An owned Booster.
class BdtClassifier::Booster {
public:
    Booster(DMatrixHandle* cache, bst_ulong n) { check(XGBoosterCreate(cache, n, &m_handle), "creating the booster"); }
    explicit Booster(const std::string& path)
    {
        check(XGBoosterCreate(nullptr, 0, &m_handle), "creating the booster");
        if (XGBoosterLoadModel(m_handle, path.c_str()) != 0) {
            const std::string why = XGBGetLastError();
            XGBoosterFree(m_handle);
            throw FormatError(
                path, "is not an XGBoost model this HEPGen can read (" + why.substr(0, why.find('\n')) + ").");
        }
    }
    ~Booster() { XGBoosterFree(m_handle); }
    Booster(const Booster&) = delete;
    Booster& operator=(const Booster&) = delete;
    BoosterHandle handle() const { return m_handle; }
    void set(const char* key, const std::string& value)
    {
        check(XGBoosterSetParam(m_handle, key, value.c_str()), "setting its parameters");
    }

private:
    BoosterHandle m_handle = nullptr;
};

BdtClassifier::BdtClassifier(BdtConfig config, std::uint64_t seed)
    : m_config(std::move(config))
    , m_seed(seed)
{
}

BdtClassifier::~BdtClassifier() = default;

void BdtClassifier::fit(const LabelledEvents& events, const JobControl& job)
{
    quietOnce();
    if (events.size() < 4)
        throw ConfigError(
            fmt::format("The boosted decision tree needs at least 4 training events (got {}).", events.size()));
    const torch::Tensor w = balancedWeights(events.y, events.w);
    // Seeded validation split for early stopping.
    const auto gen = at::detail::createCPUGenerator(m_seed);
    const auto order = torch::randperm(events.size(), gen);
    const auto nVal = std::clamp<int64_t>(
        static_cast<int64_t>(std::llround(m_config.validationFraction * static_cast<double>(events.size()))), 1,
        events.size() - 1);
    const auto val = order.slice(0, 0, nVal), train = order.slice(0, nVal);
    DMatrix dtrain(events.x.index_select(0, train), events.y.index_select(0, train), w.index_select(0, train));
    DMatrix dval(events.x.index_select(0, val), events.y.index_select(0, val), w.index_select(0, val));

    DMatrixHandle cache[] = { dtrain.handle(), dval.handle() };
    m_booster = std::make_unique<Booster>(cache, 2);
    m_booster->set("objective", "binary:logistic");
    m_booster->set("eval_metric", "logloss");
    m_booster->set("tree_method", "hist");
    m_booster->set("max_depth", std::to_string(m_config.maxDepth));
    m_booster->set("eta", fmt::format("{}", m_config.learningRate));
    m_booster->set("subsample", fmt::format("{}", m_config.subsample));
    m_booster->set("min_child_weight", fmt::format("{}", m_config.minChildWeight));
    m_booster->set("nthread", std::to_string(m_config.threads));
    m_booster->set("seed", std::to_string(m_seed % 2147483647));
    m_booster->set("verbosity", "0");

    DMatrixHandle evals[] = { dval.handle() };
    const char* names[] = { "val" };
    double best = std::numeric_limits<double>::infinity();
    m_bestIteration = 0;
    for (int64_t it = 0; it < m_config.rounds; ++it) {
        job.throwIfStopped();
        check(XGBoosterUpdateOneIter(m_booster->handle(), static_cast<int>(it), dtrain.handle()), "training");
        const char* text = nullptr;
        check(XGBoosterEvalOneIter(m_booster->handle(), static_cast<int>(it), evals, names, 1, &text), "validating");
        // The text reads "[it]\tval-logloss:0.6931".
        const std::string s(text);
        const auto colon = s.rfind(':');
        const double loss = colon == std::string::npos ? std::nan("") : std::strtod(s.c_str() + colon + 1, nullptr);
        if (!std::isfinite(loss))
            throw NumericError(fmt::format("The boosted decision tree's validation loss is not finite ({}).", s));
        if (loss < best - 1e-7) {
            best = loss;
            m_bestIteration = it;
        } else if (m_config.earlyStopping > 0 && it - m_bestIteration >= m_config.earlyStopping) {
            break;
        }
        job.report(static_cast<double>(it + 1) / static_cast<double>(m_config.rounds));
    }
    job.report(1.0);
}

torch::Tensor BdtClassifier::predict(const torch::Tensor& x)
{
    if (!m_booster)
        throw ConfigError("The boosted decision tree was asked to predict before it was trained.");
    DMatrix d(x, {}, {});
    const std::string config = fmt::format(
        R"({{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": {}, "strict_shape": false}})",
        m_bestIteration + 1);
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* out = nullptr;
    check(
        XGBoosterPredictFromDMatrix(m_booster->handle(), d.handle(), config.c_str(), &shape, &dim, &out), "predicting");
    const auto n = x.size(0);
    // Copy out: the buffer belongs to the booster and changes with its next call.
    return torch::from_blob(const_cast<float*>(out), { n }, torch::kFloat32).to(torch::kFloat64).clone();
}

void BdtClassifier::save(const std::string& dir) const
{
    if (!m_booster)
        throw ConfigError("The boosted decision tree cannot be saved before it is trained.");
    files::writeJson(dir, "bdt.json",
        { { "config", m_config.toJson() }, { "seed", m_seed }, { "best_iteration", m_bestIteration } }, "hepgen-bdt");
    const auto path = (std::filesystem::path(dir) / "bdt-model.json").string();
    if (XGBoosterSaveModel(m_booster->handle(), path.c_str()) != 0)
        throw FileError(path, std::string("cannot be written: ") + XGBGetLastError());
}

std::unique_ptr<BdtClassifier> BdtClassifier::load(const std::string& dir)
{
    quietOnce();
    const auto j = files::readJson(dir, "bdt.json", "hepgen-bdt");
    BdtConfig config;
    try {
        hepgen::models::ConfigReader r(j.at("config"), "bdt config");
        config.read(r);
        r.rejectUnknownKeys();
    } catch (const hepgen::Error& e) {
        throw FormatError(dir + "/bdt.json", e.what());
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(dir + "/bdt.json", fmt::format("is incomplete ({}).", e.what()));
    }
    auto bdt = std::make_unique<BdtClassifier>(config, j.value("seed", std::uint64_t(0)));
    bdt->m_bestIteration = j.value("best_iteration", int64_t(0));
    const auto path = (std::filesystem::path(dir) / "bdt-model.json").string();
    if (!std::filesystem::exists(path))
        throw FileError(path, "is missing.");
    bdt->m_booster = std::make_unique<Booster>(path);
    bdt->m_booster->set("nthread", std::to_string(config.threads));
    return bdt;
}

} // namespace hepgen::anomaly
