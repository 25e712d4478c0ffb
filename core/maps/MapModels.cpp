#include "core/maps/MapModels.h"

#include "core/maps/HuntMapModel.h"
#include "core/maps/MapTensors.h"
#include "core/maps/Surrogate.h"
#include "core/training/Run.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hepgen::maps {

namespace {

std::string directoryName(const std::string& dir)
{
    auto p = std::filesystem::path(dir).lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    return p.filename().string();
}

/// A run's density in its original units: log p_y(f(x) | c) + log|det df/dx| (f the run's preprocessing).
class RunDensityModel : public MapModel {
public:
    RunDensityModel(hepgen::training::Run run, const std::string& dir)
        : m_run(std::move(run))
    {
        if (!m_run.model->hasLogDensity())
            throw ConfigError(
                fmt::format("The run in {} ({}) has no density to map; flows, cfm and bayes-cfm runs have one.", dir,
                    m_run.model->family()));
        // The weights to evaluate with: the EMA average where the run kept one (as sampling uses).
        m_run.trainer->withEmaWeights([&] { m_model = m_run.model->clone(); });
        m_model->train(false);
        const int64_t k = m_model->uncertaintyDraws();
        m_name = k > 1 ? fmt::format("{} ×{} · {}", m_model->family(), k, directoryName(dir))
                       : fmt::format("{} · {}", m_model->family(), directoryName(dir));
        m_membersName = m_model->config().contains("ensemble") ? "ensemble members" : "posterior draws";
    }

    std::string name() const override { return m_name; }
    const std::vector<std::string>& features() const override { return m_run.columns; }
    std::vector<std::string> units() const override { return m_run.units; }
    const std::vector<std::string>& conditions() const override { return m_run.contextColumns; }
    std::vector<MapKind> kinds() const override { return { MapKind::LogDensity }; }
    std::string membersName() const override { return m_membersName; }
    int64_t members(MapKind) const override
    {
        const int64_t k = m_model->uncertaintyDraws();
        return k > 1 ? k : 0;
    }

    MapEvaluation evaluate(
        MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job) override
    {
        if (kind != MapKind::LogDensity)
            throw ConfigError(fmt::format("{}: only log-density maps.", m_name));
        const auto n = static_cast<int64_t>(checkedEvents(*this, rows, conds));
        const auto F = static_cast<int64_t>(m_run.columns.size());
        const auto C = static_cast<int64_t>(m_run.contextColumns.size());
        const auto x = detail::rowsTensor(rows, n, F).to(torch::kFloat64);
        const auto c = C > 0 ? detail::rowsTensor(conds, n, C).to(torch::kFloat64) : torch::Tensor();
        const bool draws = members(kind) > 0;
        // Chunks: densities of continuous flows solve an ODE with a backward pass per feature and step, so a map's
        // tens of thousands of points are worth polling for Cancel in between.
        constexpr int64_t chunk = 4096;
        std::vector<torch::Tensor> values, memberParts;
        torch::NoGradGuard noGrad; // the cfm families switch gradients back on for their divergence
        for (int64_t s = 0; s < n; s += chunk) {
            job.throwIfStopped();
            const auto xs = x.slice(0, s, s + chunk);
            const auto y = m_run.features.forward(xs).to(torch::kFloat32);
            const auto ctx
                = C > 0 ? m_run.context.forward(c.slice(0, s, s + chunk)).to(torch::kFloat32) : torch::Tensor();
            const auto logDet = m_run.features.logAbsDetJacobian(xs).to(torch::kFloat64);
            if (draws) {
                const auto d = m_model->logDensityDraws(y, ctx).to(torch::kFloat64) + logDet.unsqueeze(0);
                memberParts.push_back(d);
                // The predictive density of the members' mixture, as the model's own logDensity() gives it.
                values.push_back(torch::logsumexp(d, 0) - std::log(static_cast<double>(d.size(0))));
            } else {
                values.push_back(m_model->logDensity(y, ctx).to(torch::kFloat64) + logDet);
            }
            job.report(static_cast<double>(std::min(s + chunk, n)) / static_cast<double>(n));
        }
        if (values.empty())
            return {};
        return detail::evaluation(torch::cat(values), draws ? torch::cat(memberParts, 1) : torch::Tensor());
    }

private:
    hepgen::training::Run m_run;
    std::unique_ptr<hepgen::models::GenerativeModel> m_model;
    std::string m_name, m_membersName;
};

/// log p_data - log p_bg, with paired members.
class DensityRatioModel : public MapModel {
public:
    DensityRatioModel(std::shared_ptr<MapModel> data, std::shared_ptr<MapModel> background)
        : m_data(std::move(data))
        , m_bg(std::move(background))
    {
        if (!m_data || !m_bg)
            throw ConfigError("A density ratio needs two density models.");
        if (m_data == m_bg)
            throw ConfigError("A density ratio needs two different density models (the same one was given twice).");
        for (const auto* m : { m_data.get(), m_bg.get() })
            if (!m->offers(MapKind::LogDensity))
                throw ConfigError(fmt::format("{} has no density for a density ratio.", m->name()));
        m_features = m_data->features();
        auto sorted = [](std::vector<std::string> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        if (sorted(m_features) != sorted(m_bg->features()))
            throw ConfigError(
                fmt::format("A density ratio needs two models of the same features; {} and {} read different ones.",
                    m_data->name(), m_bg->name()));
        m_conditions = m_data->conditions();
        for (const auto& c : m_bg->conditions())
            if (std::find(m_conditions.begin(), m_conditions.end(), c) == m_conditions.end())
                m_conditions.push_back(c);
        m_name = fmt::format("{} / {}", m_data->name(), m_bg->name());
    }

    std::string name() const override { return m_name; }
    const std::vector<std::string>& features() const override { return m_features; }
    std::vector<std::string> units() const override { return m_data->units(); }
    const std::vector<std::string>& conditions() const override { return m_conditions; }
    std::vector<MapKind> kinds() const override { return { MapKind::DensityRatio }; }
    std::string membersName() const override { return "paired draws"; }
    int64_t members(MapKind) const override
    {
        const int64_t a = m_data->members(MapKind::LogDensity), b = m_bg->members(MapKind::LogDensity);
        return a > 0 && b > 0 ? std::min(a, b) : std::max(a, b);
    }

    MapEvaluation evaluate(
        MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job) override
    {
        if (kind != MapKind::DensityRatio)
            throw ConfigError(fmt::format("{}: only density-ratio maps.", m_name));
        const std::size_t n = checkedEvents(*this, rows, conds);
        const auto a = evaluateOne(*m_data, rows, conds, n, job.subRange(0.0, 0.5));
        const auto b = evaluateOne(*m_bg, rows, conds, n, job.subRange(0.5, 1.0));
        MapEvaluation out;
        out.value.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            out.value[i] = a.value[i] - b.value[i];
        out.k = members(kind);
        out.members.resize(static_cast<std::size_t>(out.k) * n);
        // Draw k of the ratio = draw k of the numerator - draw k of the denominator: independent posteriors, so a
        // draw of the difference. A model without members contributes its single answer to every draw.
        for (int64_t k = 0; k < out.k; ++k)
            for (std::size_t i = 0; i < n; ++i) {
                const double va = a.k > 0 ? a.members[static_cast<std::size_t>(k) * n + i] : a.value[i];
                const double vb = b.k > 0 ? b.members[static_cast<std::size_t>(k) * n + i] : b.value[i];
                out.members[static_cast<std::size_t>(k) * n + i] = va - vb;
            }
        return out;
    }

private:
    /// The rows rearranged into `m`'s feature and condition order, evaluated under its lock.
    MapEvaluation evaluateOne(MapModel& m, const std::vector<float>& rows, const std::vector<float>& conds,
        std::size_t n, const JobControl& job) const
    {
        const auto& mf = m.features();
        const auto& mc = m.conditions();
        const std::size_t F = m_features.size(), C = m_conditions.size();
        std::vector<std::size_t> fIdx, cIdx;
        for (const auto& f : mf)
            fIdx.push_back(
                static_cast<std::size_t>(std::find(m_features.begin(), m_features.end(), f) - m_features.begin()));
        for (const auto& c : mc)
            cIdx.push_back(static_cast<std::size_t>(
                std::find(m_conditions.begin(), m_conditions.end(), c) - m_conditions.begin()));
        std::vector<float> r(n * mf.size()), c(n * mc.size());
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t f = 0; f < fIdx.size(); ++f)
                r[i * fIdx.size() + f] = rows[i * F + fIdx[f]];
            for (std::size_t k = 0; k < cIdx.size(); ++k)
                c[i * cIdx.size() + k] = conds[i * C + cIdx[k]];
        }
        auto held = m.lock();
        return m.evaluate(MapKind::LogDensity, r, c, job);
    }

    std::shared_ptr<MapModel> m_data, m_bg;
    std::vector<std::string> m_features, m_conditions;
    std::string m_name;
};

} // namespace

std::shared_ptr<MapModel> loadRunModel(const std::string& runDir)
{
    return std::make_shared<RunDensityModel>(hepgen::training::loadRun(runDir), runDir);
}

std::shared_ptr<MapModel> densityRatioModel(std::shared_ptr<MapModel> data, std::shared_ptr<MapModel> background)
{
    return std::make_shared<DensityRatioModel>(std::move(data), std::move(background));
}

std::shared_ptr<MapModel> loadMapModel(const std::string& dir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw FileError(dir,
            "is not a directory; give a run directory (hepgen train, the model lab), a saved hunt "
            "(hepgen hunt --save-model) or a classifier surrogate (hepgen surrogate).");
    if (isSurrogateDirectory(dir))
        return loadSurrogate(dir);
    if (fs::exists(fs::path(dir) / "hunt_model.json", ec)) {
        auto hunt = hepgen::anomaly::loadHuntModel(dir);
        const std::string name = fmt::format("hunt {}{} · {}", hunt->method(),
            hunt->classifier().empty() ? std::string() : " (" + hunt->classifier() + ")", fs::path(dir).filename().string());
        return std::make_shared<HuntMapModel>(std::move(hunt), name);
    }
    if (!fs::exists(fs::path(dir) / "config.json", ec))
        throw FileError(dir, "holds no config.json: it is neither a run directory, nor a saved hunt, nor a classifier surrogate.");
    return loadRunModel(dir);
}

} // namespace hepgen::maps
