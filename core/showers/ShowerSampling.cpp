// ShowerGenerator::sample: the shower flow draws each shower's totals, the point model its hits (in cache-sized chunks
// of whole showers), post-processing puts them on the layers and cells; requested showers are drawn again with their
// sampling trajectory recorded.
#include "core/showers/ShowerGenerator.h"

#include "core/showers/ShowerGeneratorImpl.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace hepgen::showers {

namespace {

constexpr int64_t kChunkPoints = 4096; // points per sampler call: the activations of a chunk stay in cache
constexpr int64_t kChunkShowers = 100;

torch::Tensor normalRows(int64_t rows, int64_t cols, uint64_t seed)
{
    auto g = at::detail::createCPUGenerator(seed);
    return torch::randn({ rows, cols }, g, torch::kFloat32);
}

} // namespace

std::vector<RawPoint> ShowerGenerator::Impl::rawPoints(
    const torch::Tensor& standardised, const ShowerSummary& target) const
{
    const auto core = coreHits ? coreCell(target, layout) : std::array<double, 2> { 0.0, 0.0 };
    const auto c = standardised.to(torch::kCPU, torch::kFloat32).contiguous();
    const float* p = c.data_ptr<float>();
    std::vector<RawPoint> out(static_cast<std::size_t>(c.size(0)));
    for (std::size_t k = 0; k < out.size(); ++k) {
        const auto u = unscalePoint(p + 4 * k, pointScaling);
        out[k] = { u[0] + core[0], u[1] + core[1], u[2], u[3] };
    }
    return out;
}

PointCloudModel& ShowerGenerator::Impl::modelFor(const std::string& sampler) const
{
    if (sampler == "consistency") {
        if (!student)
            throw ConfigError("The consistency sampler needs a distilled student; distil this generator first.");
        return *student;
    }
    return *points;
}

ShowerTrajectory ShowerGenerator::Impl::trajectory(const hepgen::samplers::Trajectory& t, const PointCloudModel& model,
    const std::string& sampler, const ShowerSummary& target) const
{
    ShowerTrajectory out;
    out.sampler = sampler;
    out.timeName = model.timeName(sampler);
    out.incidentEnergy = target.incidentEnergy;
    const auto physical = [&](const torch::Tensor& frame) {
        std::vector<float> v;
        for (const auto& r : rawPoints(frame, target)) {
            const auto h = toShowerAxes(r[0], r[1], layout.depthAt(r[2]), r[3], layout);
            v.insert(v.end(), h.begin(), h.end());
        }
        return v;
    };
    for (std::size_t k = 0; k < t.size(); ++k) {
        out.times.push_back(t.times[k]);
        out.log10Snr.push_back(model.log10Snr(sampler, t.times[k]));
        out.xt.push_back(physical(t.xt[k]));
        out.x0Pred.push_back(physical(t.x0Pred[k]));
    }
    return out;
}
ShowerSampleResult ShowerGenerator::sample(const ShowerSampleRequest& request, const JobControl& job) const
{
    const auto started = std::chrono::steady_clock::now();
    const Impl& im = *m_impl;
    ShowerSampleResult result;
    const auto& energies = request.incidentEnergy;
    const int64_t n = static_cast<int64_t>(energies.size());
    if (n == 0)
        throw ConfigError("Give at least one incident energy to generate showers for.");
    int outside = 0;
    for (const double e : energies) {
        if (!std::isfinite(e) || e <= 0)
            throw ConfigError(fmt::format("Incident energies must be positive numbers of GeV (got {}).", e));
        if (e < im.energyMin * (1 - 1e-6) || e > im.energyMax * (1 + 1e-6))
            ++outside;
    }
    if (outside > 0) {
        const std::string what
            = fmt::format("{} of the {} incident energies lie outside the trained range {:.4g}-{:.4g} GeV", outside, n,
                im.energyMin, im.energyMax);
        if (!request.allowExtrapolation)
            throw ConfigError(what + "; the generator would extrapolate (allow it explicitly to sample there anyway).");
        result.warnings.push_back(what + ": those showers are extrapolations.");
    }
    const auto allowed = samplers();
    const std::string sampler = request.sampler.empty() ? allowed.front() : request.sampler;
    if (std::find(allowed.begin(), allowed.end(), sampler) == allowed.end())
        throw ConfigError(fmt::format(
            "Unknown sampler '{}' for this generator; choose one of {}.", sampler, nlohmann::json(allowed).dump()));
    if (request.steps < 0)
        throw ConfigError(fmt::format("Sampling steps must be positive (got {}).", request.steps));
    for (const std::size_t i : request.trajectoryOf)
        if (i >= energies.size())
            throw ConfigError(fmt::format("Trajectory index {} is out of range (there are {} showers).", i, n));
    PointCloudModel& model = im.modelFor(sampler);

    torch::NoGradGuard noGrad;
    job.report(0.0, "Drawing the showers' totals");
    // 1. The shower flow: one standard-normal row per shower from its own stream (a shower does not depend on the
    //    others in the request), through the inverse flow, then the inverse standardisation.
    const std::size_t layers = im.layout.size();
    const auto d = static_cast<int64_t>(flowFeatureCount(layers, im.coreHits, im.nearShares));
    std::vector<torch::Tensor> rows;
    for (int64_t i = 0; i < n; ++i)
        rows.push_back(normalRows(1, d, mixSeed(request.seed, 1, static_cast<uint64_t>(i))));
    const auto z = torch::cat(rows, 0);
    const auto standardised = im.flow->flow()->inverseWithLogDet(z, im.flowContext(energies)).outputs;
    const auto features = im.flowScaling.inverse(standardised.to(torch::kFloat64)).contiguous();
    std::vector<ShowerSummary> targets;
    for (int64_t i = 0; i < n; ++i)
        targets.push_back(targetsFrom(features.data_ptr<double>() + i * d, layers,
            energies[static_cast<std::size_t>(i)], im.maxHits, im.coreHits, im.nearShares));

    // 2. The point model (the halo where the flow drew core hits), in chunks of whole showers; every shower's initial
    //    noise from its own stream.
    std::vector<torch::Tensor> noise(static_cast<std::size_t>(n));
    auto counts = torch::empty({ n }, torch::kLong);
    auto context = torch::empty({ n, im.pointContextWidth() }, torch::kFloat32);
    int64_t totalPoints = 0;
    for (int64_t i = 0; i < n; ++i) {
        const auto& target = targets[static_cast<std::size_t>(i)];
        const int64_t hits = target.hits - target.coreHits();
        noise[static_cast<std::size_t>(i)] = normalRows(hits, 4, mixSeed(request.seed, 2, static_cast<uint64_t>(i)));
        counts[i] = hits;
        im.pointContext(target, context[i].data_ptr<float>());
        totalPoints += hits;
    }
    std::vector<std::vector<RawPoint>> raw(static_cast<std::size_t>(n));
    const auto options = [&](uint64_t seed, const JobControl& part) {
        hepgen::models::SampleOptions o;
        o.sampler = sampler;
        o.steps = request.steps;
        o.seed = seed;
        o.shouldStop = [part] { return part.stopRequested(); };
        o.progress = [part](int64_t done, int64_t total) {
            part.report(static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, total)));
        };
        return o;
    };
    const double sharePerPoint = 0.9 / static_cast<double>(totalPoints + 1);
    int64_t pointsDone = 0;
    for (int64_t begin = 0; begin < n;) {
        int64_t end = begin, chunkPoints = 0;
        while (end < n && end - begin < kChunkShowers
            && (end == begin || chunkPoints + counts[end].item<int64_t>() <= kChunkPoints))
            chunkPoints += counts[end++].item<int64_t>();
        std::vector<torch::Tensor> zs(noise.begin() + begin, noise.begin() + end);
        const auto part = job.subRange(0.05 + sharePerPoint * static_cast<double>(pointsDone),
            0.05 + sharePerPoint * static_cast<double>(pointsDone + chunkPoints));
        const auto out = model.samplePacked(torch::cat(zs, 0), counts.slice(0, begin, end),
            context.slice(0, begin, end), options(mixSeed(request.seed, 3, static_cast<uint64_t>(begin)), part));
        int64_t offset = 0;
        for (int64_t i = begin; i < end; ++i) {
            const int64_t c = counts[i].item<int64_t>();
            raw[static_cast<std::size_t>(i)]
                = im.rawPoints(out.sample.slice(0, offset, offset + c), targets[static_cast<std::size_t>(i)]);
            offset += c;
        }
        pointsDone += chunkPoints;
        begin = end;
    }

    // 3. Trajectories: the requested showers again, each on its own with recording on.
    for (const std::size_t i : request.trajectoryOf) {
        auto o = options(mixSeed(request.seed, 4, i), job.subRange(0.95, 0.97));
        o.recordTrajectory = true;
        const auto out
            = model.samplePacked(noise[i], counts.slice(0, static_cast<int64_t>(i), static_cast<int64_t>(i) + 1),
                context.slice(0, static_cast<int64_t>(i), static_cast<int64_t>(i) + 1), o);
        raw[i] = im.rawPoints(out.sample, targets[i]);
        result.trajectories.push_back(im.trajectory(out.trajectory, model, sampler, targets[i]));
    }

    // 4. Post-processing onto the layers and cells, calibrated to the flow.
    job.report(0.97, "Placing the hits on the layers");
    auto& s = result.showers;
    s.geometry = im.geometry;
    s.offsets.push_back(0);
    for (int64_t i = 0; i < n; ++i) {
        const auto hits = postProcess(
            raw[static_cast<std::size_t>(i)], targets[static_cast<std::size_t>(i)], im.layout, im.minHitEnergy);
        s.points.insert(s.points.end(), hits.begin(), hits.end());
        s.offsets.push_back(static_cast<int64_t>(s.points.size() / 4));
        s.incidentEnergy.push_back(static_cast<float>(energies[static_cast<std::size_t>(i)]));
    }
    for (std::size_t k = 0; k < request.trajectoryOf.size(); ++k) {
        const std::size_t i = request.trajectoryOf[k];
        auto& t = result.trajectories[k];
        const std::vector<float> last(s.points.begin() + 4 * s.offsets[i], s.points.begin() + 4 * s.offsets[i + 1]);
        t.times.push_back(t.times.back());
        t.log10Snr.push_back(t.log10Snr.back());
        t.xt.push_back(last);
        t.x0Pred.push_back(last);
        t.postProcessed = true;
    }
    job.report(1.0, fmt::format("Generated {} showers", n));
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

} // namespace hepgen::showers
