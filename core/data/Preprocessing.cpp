#include "core/data/Preprocessing.h"

#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::data {

namespace {

torch::Tensor affineForward(const PreprocessStep& s, const torch::Tensor& x)
{
    return (x - s.shift.to(x.options())) / s.scale.to(x.options());
}

torch::Tensor affineInverse(const PreprocessStep& s, const torch::Tensor& y)
{
    return y * s.scale.to(y.options()) + s.shift.to(y.options());
}

std::vector<double> toVector(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat64).contiguous();
    return { c.data_ptr<double>(), c.data_ptr<double>() + c.numel() };
}

} // namespace

Preprocessing::Preprocessing(std::vector<std::string> kinds, double margin)
{
    if (!(margin > 0 && margin < 0.5))
        throw ConfigError(fmt::format("The logit margin must be in (0, 0.5) (got {}).", margin));
    for (auto& k : kinds) {
        if (k != "standardize" && k != "minmax" && k != "logit")
            throw ConfigError(fmt::format("Unknown preprocessing step '{}'; use standardize, minmax or logit.", k));
        m_steps.push_back({ k, {}, {}, k == "logit" ? margin : 0.0 });
    }
}

void Preprocessing::fit(const torch::Tensor& x)
{
    if (x.dim() != 2 || x.size(0) < 1)
        throw ConfigError("Preprocessing needs at least one event of shape (N, D) to fit.");
    torch::NoGradGuard noGrad;
    torch::Tensor y = x.to(torch::kFloat64);
    for (auto& s : m_steps) {
        if (s.kind == "standardize") {
            s.shift = y.mean(0);
            s.scale = y.size(0) > 1 ? y.std(0) : torch::ones({ y.size(1) }, y.options());
            s.scale = torch::where(s.scale > 0, s.scale, torch::ones_like(s.scale));
            y = affineForward(s, y);
        } else {
            const auto lo = std::get<0>(y.min(0)), hi = std::get<0>(y.max(0));
            const auto range = torch::where(hi > lo, hi - lo, torch::ones_like(hi));
            if (s.kind == "minmax") {
                s.shift = lo;
                s.scale = range;
                y = affineForward(s, y);
            } else {
                // Map [lo, hi] onto [margin, 1 - margin], then logit: the fitted range stays finite and the
                // tails outside it have room before 0 and 1.
                s.scale = range / (1.0 - 2.0 * s.margin);
                s.shift = lo - s.margin * s.scale;
                y = torch::logit(affineForward(s, y));
            }
        }
    }
    m_fitted = true;
}

torch::Tensor Preprocessing::forward(const torch::Tensor& x) const
{
    if (!fitted())
        throw ConfigError("Preprocessing used before fit().");
    torch::Tensor y = x;
    for (const auto& s : m_steps)
        y = s.kind == "logit" ? torch::logit(affineForward(s, y)) : affineForward(s, y);
    return y;
}

torch::Tensor Preprocessing::inverse(const torch::Tensor& y) const
{
    if (!fitted())
        throw ConfigError("Preprocessing used before fit().");
    torch::Tensor x = y;
    for (auto it = m_steps.rbegin(); it != m_steps.rend(); ++it)
        x = it->kind == "logit" ? affineInverse(*it, torch::sigmoid(x)) : affineInverse(*it, x);
    return x;
}

torch::Tensor Preprocessing::logAbsDetJacobian(const torch::Tensor& x) const
{
    if (!fitted())
        throw ConfigError("Preprocessing used before fit().");
    torch::Tensor y = x, logdet = torch::zeros({ x.size(0) }, x.options());
    for (const auto& s : m_steps) {
        const auto scale = s.scale.to(x.options());
        logdet = logdet - torch::log(scale).sum();
        const auto u = affineForward(s, y);
        if (s.kind == "logit") {
            // d logit(u)/du = 1 / (u (1 - u))
            logdet = logdet - (torch::log(u) + torch::log1p(-u)).sum(1);
            y = torch::logit(u);
        } else {
            y = u;
        }
    }
    return logdet;
}

nlohmann::json Preprocessing::toJson() const
{
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : m_steps) {
        nlohmann::json j = { { "kind", s.kind } };
        if (s.kind == "logit")
            j["margin"] = s.margin;
        if (s.shift.defined()) {
            j["shift"] = toVector(s.shift);
            j["scale"] = toVector(s.scale);
        }
        steps.push_back(j);
    }
    return steps;
}

Preprocessing Preprocessing::fromJson(const nlohmann::json& j)
{
    return translatingErrors("reading preprocessing settings", [&] {
        Preprocessing p({}, 0.05);
        for (const auto& s : j) {
            Preprocessing one({ s.at("kind").get<std::string>() }, s.value("margin", 0.05));
            PreprocessStep step = one.m_steps.front();
            if (s.contains("shift")) {
                step.shift = torch::tensor(s.at("shift").get<std::vector<double>>(), torch::kFloat64);
                step.scale = torch::tensor(s.at("scale").get<std::vector<double>>(), torch::kFloat64);
            }
            p.m_steps.push_back(step);
        }
        p.m_fitted = true;
        for (const auto& step : p.m_steps)
            p.m_fitted = p.m_fitted && step.shift.defined();
        return p;
    });
}

} // namespace hepgen::data
