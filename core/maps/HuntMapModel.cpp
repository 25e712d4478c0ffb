#include "core/maps/HuntMapModel.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>

namespace hepgen::maps {

bool huntMethodReadsMass(const std::string& method)
{
    return method == "anode" || method == "ranode" || method == "lacathode";
}

HuntMapModel::HuntMapModel(
    std::shared_ptr<const hepgen::anomaly::HuntModel> model, std::string name, std::vector<std::string> units)
    : m_model(std::move(model))
    , m_name(std::move(name))
    , m_units(std::move(units))
{
    if (!m_model)
        throw ConfigError("A hunt map model needs the hunt's trained models.");
    if (huntMethodReadsMass(m_model->method()))
        m_conditions = { m_model->massColumn() };
}

std::string HuntMapModel::membersName() const
{
    const int64_t folds = m_model->folds(), k = m_model->members();
    return folds > 0 && k > folds ? "fold models × ensemble members" : "fold models";
}

MapEvaluation HuntMapModel::evaluate(
    MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job)
{
    if (kind != MapKind::Score)
        throw ConfigError(fmt::format("{}: a hunt's models give score maps only.", m_name));
    const std::size_t n = checkedEvents(*this, rows, conds);
    const std::size_t f = features().size();
    const auto k = static_cast<std::size_t>(m_model->members());
    MapEvaluation out;
    out.value.resize(n);
    if (k > 1) {
        out.k = static_cast<int64_t>(k);
        out.members.resize(k * n);
    }
    // In chunks, so that a map worker's stop request is heard within one chunk.
    constexpr std::size_t kChunk = 8192;
    for (std::size_t begin = 0; begin < n; begin += kChunk) {
        job.throwIfStopped();
        const std::size_t end = std::min(n, begin + kChunk), m = end - begin;
        const std::vector<float> x(rows.begin() + static_cast<std::ptrdiff_t>(begin * f),
            rows.begin() + static_cast<std::ptrdiff_t>(end * f));
        const std::vector<float> mass = m_conditions.empty()
            ? std::vector<float> {}
            : std::vector<float>(conds.begin() + static_cast<std::ptrdiff_t>(begin),
                conds.begin() + static_cast<std::ptrdiff_t>(end));
        const std::vector<float> s = m_model->memberScores(x, mass);
        for (std::size_t i = 0; i < m; ++i) {
            double sum = 0.0;
            for (std::size_t j = 0; j < k; ++j) {
                const double v = s[j * m + i];
                sum += v;
                if (k > 1)
                    out.members[j * n + begin + i] = v;
            }
            out.value[begin + i] = sum / static_cast<double>(k);
        }
        job.report(static_cast<double>(end) / static_cast<double>(n));
    }
    return out;
}

} // namespace hepgen::maps
