// evaluateShowers(): reference against generated showers, observable by observable (separation power, W1)
// and with the classifier two-sample test on high-level features (core/metrics).
#include "core/showers/Observables.h"

#include "core/metrics/Distances.h"
#include "core/metrics/TwoSampleTest.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hepgen::showers {

namespace {

using hepgen::data::CalorimeterGeometry;
using hepgen::data::Showers;

/// Values (with optional weights) of one observable in one sample.
struct Sample {
    std::vector<double> values, weights;
};

enum class Binning { Uniform, Integer, Log, Fixed };

/// The finite values of `v` (every `stride`-th from `first`), for per-layer columns of N x L arrays.
Sample column(const std::vector<double>& v, std::size_t first = 0, std::size_t stride = 1)
{
    Sample s;
    for (std::size_t i = first; i < v.size(); i += stride)
        if (std::isfinite(v[i]))
            s.values.push_back(v[i]);
    return s;
}

/// The q-quantile (0 <= q <= 1) of the values, by selection on a copy.
double quantile(std::vector<double> v, double q)
{
    const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(std::floor(q * (v.size() - 1) + 0.5)));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

/// The common edges of both samples (see evaluateShowers()).
std::vector<double> edgesFor(const Sample& a, const Sample& b, Binning binning, std::size_t bins)
{
    std::vector<double> all;
    all.reserve(a.values.size() + b.values.size());
    for (const auto* s : { &a, &b })
        for (double v : s->values)
            if (binning != Binning::Log || v > 0)
                all.push_back(binning == Binning::Log ? std::log(v) : v);
    double lo = quantile(all, 0.001), hi = quantile(all, 0.999);
    std::vector<double> edges;
    if (binning == Binning::Integer) {
        lo = std::floor(lo);
        hi = std::ceil(hi);
        const double width = std::max(1.0, std::ceil((hi - lo + 1) / static_cast<double>(bins)));
        const std::size_t n = static_cast<std::size_t>(std::ceil((hi - lo + 1) / width));
        for (std::size_t k = 0; k <= n; ++k)
            edges.push_back(lo - 0.5 + static_cast<double>(k) * width);
        return edges;
    }
    if (!(hi > lo)) { // one value only: a bin around it
        const double half = 0.5 * std::max(1e-9, 1e-3 * std::abs(lo));
        lo -= half;
        hi += half;
    }
    for (std::size_t k = 0; k <= bins; ++k) {
        const double x = lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(bins);
        edges.push_back(binning == Binning::Log ? std::exp(x) : x);
    }
    return edges;
}

/// Counts (weighted) in the bins of `edges`, values outside folded into the end bins.
std::vector<double> histogram(const Sample& s, const std::vector<double>& edges)
{
    std::vector<double> counts(edges.size() - 1, 0.0);
    for (std::size_t i = 0; i < s.values.size(); ++i) {
        const double v = s.values[i];
        const auto it = std::upper_bound(edges.begin(), edges.end(), v);
        const std::size_t bin = it == edges.begin()
            ? 0
            : std::min<std::size_t>(counts.size() - 1, static_cast<std::size_t>(it - edges.begin()) - 1);
        counts[bin] += s.weights.empty() ? 1.0 : s.weights[i];
    }
    return counts;
}

void normalise(std::vector<double>& h)
{
    const double total = std::accumulate(h.begin(), h.end(), 0.0);
    if (total > 0)
        for (double& c : h)
            c /= total;
}

/// Builds the comparisons; observables that cannot be compared are counted for one note.
class Comparer {
public:
    Comparer(ShowerEvaluation& out, std::size_t bins)
        : m_out(out)
        , m_bins(bins)
    {
    }

    void add(const std::string& name, const std::string& unit, const std::string& group, const Sample& ref,
        const Sample& gen, Binning binning, std::vector<double> fixedEdges = {})
    {
        auto usable = [&](const Sample& s) {
            if (binning == Binning::Log)
                return std::count_if(s.values.begin(), s.values.end(), [](double v) { return v > 0; }) >= 2;
            return s.values.size() >= 2;
        };
        if (!usable(ref) || !usable(gen)) {
            m_skipped.push_back(name);
            return;
        }
        ObservableComparison c;
        c.name = name;
        c.unit = unit;
        c.group = group;
        c.logBins = binning == Binning::Log;
        c.edges = binning == Binning::Fixed ? std::move(fixedEdges) : edgesFor(ref, gen, binning, m_bins);
        c.reference = histogram(ref, c.edges);
        c.generated = histogram(gen, c.edges);
        c.nReference = ref.values.size();
        c.nGenerated = gen.values.size();
        const double totalRef = std::accumulate(c.reference.begin(), c.reference.end(), 0.0);
        const double totalGen = std::accumulate(c.generated.begin(), c.generated.end(), 0.0);
        if (!(totalRef > 0) || !(totalGen > 0)) { // a profile without any energy
            m_skipped.push_back(name);
            return;
        }
        c.separationPower = hepgen::metrics::separationPower(c.reference, c.generated);
        c.w1 = hepgen::metrics::wasserstein1(ref.values, gen.values, ref.weights, gen.weights);
        normalise(c.reference);
        normalise(c.generated);
        m_out.observables.push_back(std::move(c));
    }

    void finish()
    {
        if (m_skipped.empty())
            return;
        const std::size_t shown = std::min<std::size_t>(m_skipped.size(), 4);
        m_out.notes.push_back(fmt::format("{} observable(s) skipped because a sample has fewer than 2 values of them "
                                          "(e.g. centres of layers that are never hit): {}{}.",
            m_skipped.size(),
            fmt::join(m_skipped.begin(), m_skipped.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
            m_skipped.size() > shown ? ", ..." : ""));
    }

private:
    ShowerEvaluation& m_out;
    std::size_t m_bins;
    std::vector<std::string> m_skipped;
};

/// The showers with incident energy in [lo, hi], geometry kept.
Showers select(const Showers& s, double lo, double hi)
{
    Showers out;
    out.geometry = s.geometry;
    out.offsets.push_back(0);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!(s.incidentEnergy[i] >= lo && s.incidentEnergy[i] <= hi))
            continue;
        out.incidentEnergy.push_back(s.incidentEnergy[i]);
        out.points.insert(
            out.points.end(), s.points.begin() + s.offsets[i] * 4, s.points.begin() + s.offsets[i + 1] * 4);
        out.offsets.push_back(static_cast<std::int64_t>(out.points.size() / 4));
    }
    return out;
}

std::string energySpan(const Showers& s)
{
    if (s.size() == 0)
        return "there are none";
    const auto [lo, hi] = std::minmax_element(s.incidentEnergy.begin(), s.incidentEnergy.end());
    return fmt::format("theirs span {:g}-{:g} GeV", *lo, *hi);
}

/// High-level features of each shower for the classifier (see evaluateShowers()), N x D row-major.
std::vector<float> highLevelFeatures(const ShowerObservables& o, std::size_t& d)
{
    const std::size_t n = o.size(), nl = o.layers;
    d = 6 + 5 * nl;
    std::vector<float> f;
    f.reserve(n * d);
    auto put = [&f](double v) { f.push_back(std::isfinite(v) ? static_cast<float>(v) : 0.0f); };
    for (std::size_t i = 0; i < n; ++i) {
        put(std::log(std::max(o.incidentEnergy[i], 1e-6)));
        put(o.eVisOverEInc[i]);
        put(std::log1p(o.hits[i]));
        put(o.showerCentreX[i]);
        put(o.showerCentreY[i]);
        put(o.centreZ[i]);
        for (std::size_t k = 0; k < nl; ++k) {
            const std::size_t j = i * nl + k;
            put(o.visibleEnergy[i] > 0 ? o.energyPerLayer[j] / o.visibleEnergy[i] : 0.0);
            put(o.centreX[j]);
            put(o.centreY[j]);
            put(o.widthX[j]);
            put(o.widthY[j]);
        }
    }
    return f;
}

} // namespace

const ObservableComparison* ShowerEvaluation::find(const std::string& name) const
{
    for (const auto& o : observables)
        if (o.name == name)
            return &o;
    return nullptr;
}

nlohmann::json ShowerEvaluation::toJson() const
{
    auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json obs = nlohmann::json::array();
    for (const auto& o : observables)
        obs.push_back(
            { { "name", o.name }, { "unit", o.unit }, { "group", o.group }, { "separation_power", o.separationPower },
                { "w1", o.w1 }, { "log_bins", o.logBins }, { "edges", o.edges }, { "reference", o.reference },
                { "generated", o.generated }, { "n_reference", o.nReference }, { "n_generated", o.nGenerated } });
    return { { "n_reference", nReference }, { "n_generated", nGenerated }, { "energy_range", { energyMin, energyMax } },
        { "classifier",
            { { "auc", number(classifierAuc) }, { "auc_null_sigma", number(classifierAucNullSigma) },
                { "jsd_bits", number(classifierJsd) }, { "features", classifierFeatures } } },
        { "observables", std::move(obs) }, { "notes", notes } };
}

ShowerEvaluation evaluateShowers(
    const Showers& reference, const Showers& generated, const EvaluationOptions& options, const JobControl& job)
{
    if (!std::isfinite(options.energyMin) || !std::isfinite(options.energyMax) || options.energyMin > options.energyMax
        || options.energyMax < 0)
        throw ConfigError(fmt::format(
            "The incident-energy range [{:g}, {:g}] GeV is not a valid range.", options.energyMin, options.energyMax));
    if (options.bins < 2)
        throw ConfigError("Comparing showers needs at least 2 histogram bins per observable.");
    ShowerEvaluation out;
    out.energyMin = options.energyMin;
    out.energyMax = options.energyMax;

    // One geometry for both: the per-layer observables must mean the same layers.
    CalorimeterGeometry geometry = reference.geometry;
    const auto& zr = reference.geometry.layerZ;
    const auto& zg = generated.geometry.layerZ;
    if (!zr.empty() && !zg.empty()) {
        bool same = zr.size() == zg.size();
        for (std::size_t k = 0; same && k < zr.size(); ++k)
            same = std::abs(zr[k] - zg[k]) < 1e-3;
        if (!same)
            throw ConfigError(fmt::format("The reference ({}, {} layers) and generated ({}, {} layers) showers come "
                                          "from different calorimeter geometries.",
                reference.geometry.name, zr.size(), generated.geometry.name, zg.size()));
    } else if (zr.empty() && !zg.empty()) {
        geometry = generated.geometry;
        out.notes.push_back("The reference showers carry no layer geometry; the generated showers' layers are used.");
    } else if (!zr.empty() && zg.empty()) {
        out.notes.push_back("The generated showers carry no layer geometry; the reference showers' layers are used.");
    } else {
        out.notes.push_back("Neither sample carries a layer geometry: per-layer observables are not compared.");
    }

    const Showers ref = select(reference, options.energyMin, options.energyMax);
    const Showers gen = select(generated, options.energyMin, options.energyMax);
    for (const auto& [s, all, name] :
        { std::tuple(&ref, &reference, "reference"), std::tuple(&gen, &generated, "generated") })
        if (s->size() == 0)
            throw ConfigError(fmt::format("No {} showers have an incident energy in [{:g}, {:g}] GeV ({}).", name,
                options.energyMin, options.energyMax, energySpan(*all)));
    out.nReference = ref.size();
    out.nGenerated = gen.size();
    job.report(0.0, "observables");
    const ShowerObservables a = computeObservables(ref, geometry);
    const ShowerObservables b = computeObservables(gen, geometry);
    job.throwIfStopped();

    Comparer cmp(out, options.bins);
    cmp.add("E_vis/E_inc", "", "shower", column(a.eVisOverEInc), column(b.eVisOverEInc), Binning::Uniform);
    cmp.add("E_vis", "MeV", "shower", column(a.visibleEnergy), column(b.visibleEnergy), Binning::Uniform);
    cmp.add("number of hits", "", "shower", column(a.hits), column(b.hits), Binning::Integer);
    cmp.add("centre of gravity x", "mm", "shower", column(a.showerCentreX), column(b.showerCentreX), Binning::Uniform);
    cmp.add("centre of gravity y", "mm", "shower", column(a.showerCentreY), column(b.showerCentreY), Binning::Uniform);
    cmp.add("centre of gravity z", "mm", "shower", column(a.centreZ), column(b.centreZ), Binning::Uniform);
    cmp.add("hit energy", "MeV", "shower", column(a.hitEnergies), column(b.hitEnergies), Binning::Log);

    // Profiles: where the energy goes, pooled over the showers (energy-weighted; W1 in mm).
    const std::size_t nl = geometry.layerZ.size();
    if (nl > 0) {
        auto longitudinal = [&](const ShowerObservables& o) {
            Sample s;
            s.values = geometry.layerZ;
            s.weights.assign(nl, 0.0);
            for (std::size_t i = 0; i < o.size(); ++i)
                for (std::size_t k = 0; k < nl; ++k)
                    s.weights[k] += o.energyPerLayer[i * nl + k];
            return s;
        };
        // One bin per layer, edges halfway between layer depths (sorted).
        std::vector<double> z = geometry.layerZ;
        std::sort(z.begin(), z.end());
        std::vector<double> edges { z.size() > 1 ? z[0] - 0.5 * (z[1] - z[0]) : z[0] - 0.5 };
        for (std::size_t k = 0; k + 1 < z.size(); ++k)
            edges.push_back(0.5 * (z[k] + z[k + 1]));
        edges.push_back(z.size() > 1 ? z.back() + 0.5 * (z.back() - z[z.size() - 2]) : z[0] + 0.5);
        cmp.add("longitudinal profile", "mm", "profile", longitudinal(a), longitudinal(b), Binning::Fixed, edges);
    }
    auto radial = [&](const ShowerObservables& o) {
        Sample s;
        s.weights.assign(kRadialBins, 0.0);
        for (std::size_t r = 0; r < kRadialBins; ++r)
            s.values.push_back((static_cast<double>(r) + 0.5) * o.radialBinWidth);
        for (std::size_t i = 0; i < o.size(); ++i)
            for (std::size_t r = 0; r < kRadialBins; ++r)
                s.weights[r] += o.radialProfile[i * kRadialBins + r];
        return s;
    };
    std::vector<double> radialEdges;
    for (std::size_t r = 0; r <= kRadialBins; ++r)
        radialEdges.push_back(static_cast<double>(r) * a.radialBinWidth);
    cmp.add("radial profile", "mm", "profile", radial(a), radial(b), Binning::Fixed, radialEdges);

    for (std::size_t k = 0; k < nl; ++k) {
        const std::string layer = fmt::format(" layer {}", k);
        cmp.add("E" + layer, "MeV", "layer energy", column(a.energyPerLayer, k, nl), column(b.energyPerLayer, k, nl),
            Binning::Uniform);
        cmp.add("hits" + layer, "", "layer hits", column(a.hitsPerLayer, k, nl), column(b.hitsPerLayer, k, nl),
            Binning::Integer);
        cmp.add("x centre" + layer, "mm", "layer centre", column(a.centreX, k, nl), column(b.centreX, k, nl),
            Binning::Uniform);
        cmp.add("y centre" + layer, "mm", "layer centre", column(a.centreY, k, nl), column(b.centreY, k, nl),
            Binning::Uniform);
        cmp.add(
            "x width" + layer, "mm", "layer width", column(a.widthX, k, nl), column(b.widthX, k, nl), Binning::Uniform);
        cmp.add(
            "y width" + layer, "mm", "layer width", column(a.widthY, k, nl), column(b.widthY, k, nl), Binning::Uniform);
    }
    cmp.finish();
    job.report(0.1, "observables compared");

    if (options.classifier) {
        const std::size_t minEach = 8;
        if (ref.size() < minEach || gen.size() < minEach) {
            out.notes.push_back(fmt::format("The classifier test needs at least {} showers of each sample in the "
                                            "energy range (got {} and {}); it was skipped.",
                minEach, ref.size(), gen.size()));
        } else {
            std::size_t d = 0;
            std::vector<float> fa = highLevelFeatures(a, d), fb = highLevelFeatures(b, d);
            const auto ta = torch::from_blob(
                fa.data(), { static_cast<int64_t>(a.size()), static_cast<int64_t>(d) }, torch::kFloat32)
                                .clone();
            const auto tb = torch::from_blob(
                fb.data(), { static_cast<int64_t>(b.size()), static_cast<int64_t>(d) }, torch::kFloat32)
                                .clone();
            hepgen::metrics::TwoSampleTestConfig config;
            config.seed = options.seed;
            config.classifier.seed = options.seed;
            const auto result = hepgen::metrics::classifierTwoSampleTest(ta, tb, config, job.subRange(0.1, 1.0));
            out.classifierAuc = result.auc;
            out.classifierAucNullSigma = result.aucNullSigma;
            out.classifierJsd = result.jsdBits;
            out.classifierFeatures = d;
        }
    }
    job.report(1.0, "evaluated");
    return out;
}

} // namespace hepgen::showers
