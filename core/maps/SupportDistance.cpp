#include "core/maps/SupportDistance.h"

#include "core/maps/MapCompute.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <cmath>
#include <fmt/format.h>

namespace hepgen::maps {

struct SupportDistance::Impl {
    torch::Tensor reference; ///< (M, D) standardised, float64
    torch::Tensor mean, std; ///< (D)
};

namespace {

/// Distance from every row of `a` to its k-th nearest row of `b` (k counted from 1), in chunks of rows of a.
torch::Tensor kthDistance(const torch::Tensor& a, const torch::Tensor& b, int k, const JobControl& job)
{
    std::vector<torch::Tensor> parts;
    constexpr int64_t chunk = 2048; // a 2048 x 4000 distance matrix: 64 MB in float64
    for (int64_t s = 0; s < a.size(0); s += chunk) {
        job.throwIfStopped();
        const auto d = torch::cdist(a.slice(0, s, s + chunk), b);
        parts.push_back(std::get<0>(d.kthvalue(k, 1)));
    }
    return parts.empty() ? torch::zeros({ 0 }, torch::kFloat64) : torch::cat(parts);
}

} // namespace

SupportDistance::SupportDistance(const hepgen::data::Table& reference, std::vector<std::string> columns, int k,
    int64_t maxReference, std::uint64_t seed)
    : m_columns(std::move(columns))
    , m_k(k)
    , m(std::make_unique<Impl>())
{
    if (k < 1)
        throw ConfigError(fmt::format("The out-of-distribution indicator needs k >= 1 neighbours (got {}).", k));
    if (m_columns.empty())
        throw ConfigError("The out-of-distribution indicator needs at least one feature.");
    std::vector<std::size_t> idx;
    for (const auto& c : m_columns)
        idx.push_back(reference.columnIndex(c));
    // Events with finite values in every column, then a seeded subsample of them.
    std::vector<std::size_t> usable;
    for (std::size_t r = 0; r < reference.rows(); ++r) {
        bool ok = true;
        for (std::size_t c : idx)
            ok = ok && std::isfinite(reference.at(r, c));
        if (ok)
            usable.push_back(r);
    }
    if (usable.size() < static_cast<std::size_t>(k) + 1)
        throw ConfigError(fmt::format(
            "The out-of-distribution indicator needs at least {} events with finite values; the data have {}.", k + 1,
            usable.size()));
    const auto pick
        = sampleEvents(usable.size(), static_cast<std::size_t>(std::max<int64_t>(maxReference, k + 1)), seed);
    const int64_t M = static_cast<int64_t>(pick.size()), D = static_cast<int64_t>(idx.size());
    auto x = torch::empty({ M, D }, torch::kFloat64);
    auto acc = x.accessor<double, 2>();
    for (int64_t i = 0; i < M; ++i)
        for (int64_t c = 0; c < D; ++c)
            acc[i][c] = reference.at(usable[pick[static_cast<std::size_t>(i)]], idx[static_cast<std::size_t>(c)]);
    m->mean = x.mean(0);
    m->std = x.std(0);
    m->std = torch::where(m->std > 0, m->std, torch::ones_like(m->std)); // a constant column: no scaling
    m->reference = (x - m->mean) / m->std;
    // Each reference event's nearest neighbour is itself (distance 0): the k-th other one is the (k+1)-th.
    const auto own = kthDistance(m->reference, m->reference, k + 1, {});
    m_typical = own.median().item<double>();
    if (!(m_typical > 0))
        m_typical = 1.0; // duplicated events: distances are then absolute, in standard deviations
}

SupportDistance::~SupportDistance() = default;

int64_t SupportDistance::referenceEvents() const { return m->reference.size(0); }

MapEvaluation SupportDistance::evaluate(
    MapKind kind, const std::vector<float>& rows, const std::vector<float>& conds, const JobControl& job)
{
    if (kind != MapKind::OutOfDistribution)
        throw ConfigError("The distance to the data is a map of kind 'ood' only.");
    const std::size_t n = checkedEvents(*this, rows, conds);
    torch::NoGradGuard noGrad;
    const auto x = torch::from_blob(const_cast<float*>(rows.data()),
        { static_cast<int64_t>(n), static_cast<int64_t>(m_columns.size()) }, torch::kFloat32)
                       .to(torch::kFloat64);
    const auto d = (kthDistance((x - m->mean) / m->std, m->reference, m_k, job) / m_typical).contiguous();
    MapEvaluation out;
    out.value.assign(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    return out;
}

} // namespace hepgen::maps
