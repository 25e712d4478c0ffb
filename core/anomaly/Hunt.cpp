#include "core/anomaly/Hunt.h"

#include "core/anomaly/FoldModels.h"
#include "core/anomaly/Ranode.h"
#include "core/metrics/Roc.h"
#include "core/util/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>

namespace hepgen::anomaly {

using hepgen::data::Table;
using hepgen::models::ConfigReader;
using hepgen::models::require;

// ---------------------------------------------------------------------------------------------
// Configuration

const std::vector<std::string>& huntMethods()
{
    static const std::vector<std::string> methods { "supervised", "iad", "cwola", "anode", "cathode", "lacathode",
        "ranode" };
    return methods;
}

bool usesClassifier(const std::string& method) { return method != "anode" && method != "ranode"; }

static bool usesSidebandDensity(const std::string& method)
{
    return method == "anode" || method == "cathode" || method == "lacathode" || method == "ranode";
}

WindowNeeds methodNeeds(const std::string& method, int64_t folds)
{
    WindowNeeds n;
    // Every fold needs events to train on and to test; 20 per fold keeps the smallest runs meaningful.
    n.minSignalRegion = static_cast<std::size_t>(std::max<int64_t>(folds, 2) * 20);
    n.minSideband = method == "cwola" || usesSidebandDensity(method) ? 100 : 0;
    n.needsLabels = method == "supervised" || method == "iad";
    return n;
}

HuntConfig HuntConfig::read(const nlohmann::json& json)
{
    HuntConfig c;
    ConfigReader r(json, "hunt config");
    r.read("method", c.method);
    r.read("classifier", c.classifier);
    std::vector<double> sr { c.windows.srLow, c.windows.srHigh }, sb;
    r.read("sr", sr);
    r.read("sb", sb);
    r.read("mass_column", c.massColumn);
    r.read("features", c.features);
    r.read("folds", c.folds);
    r.read("seed", c.seed);
    nlohmann::json bdt = nlohmann::json::object(), mlp = nlohmann::json::object(), density = nlohmann::json::object();
    r.read("bdt", bdt);
    r.read("mlp", mlp);
    r.read("density", density);
    r.read("oversampling", c.oversampling);
    r.read("kde_bandwidth", c.kdeBandwidth);
    r.read("iad_template_fraction", c.iadTemplateFraction);
    r.read("ranode_epochs", c.ranodeEpochs);
    r.read("ranode_fraction", c.ranodeFraction);
    r.read("max_reference_events", c.maxReferenceEvents);
    r.rejectUnknownKeys();
    const std::string what = "hunt config";
    require(std::find(huntMethods().begin(), huntMethods().end(), c.method) != huntMethods().end(), what, "method",
        fmt::format("one of {}", fmt::join(huntMethods(), ", ")), c.method);
    require(std::find(classifierKinds().begin(), classifierKinds().end(), c.classifier) != classifierKinds().end(),
        what, "classifier", "mlp or bdt", c.classifier);
    require(sr.size() == 2, what, "sr", "two numbers [low, high]", sr);
    require(sb.empty() || sb.size() == 2, what, "sb", "two numbers [low, high]", sb);
    c.windows.srLow = sr[0];
    c.windows.srHigh = sr[1];
    if (sb.size() == 2) {
        c.windows.sbLow = sb[0];
        c.windows.sbHigh = sb[1];
    }
    require(c.folds >= 2 && c.folds <= 20, what, "folds", "in [2, 20]", c.folds);
    require(c.oversampling >= 1 && c.oversampling <= 50, what, "oversampling", "in [1, 50]", c.oversampling);
    require(c.kdeBandwidth >= 0, what, "kde_bandwidth", ">= 0", c.kdeBandwidth);
    require(c.iadTemplateFraction > 0 && c.iadTemplateFraction < 1, what, "iad_template_fraction", "in (0, 1)",
        c.iadTemplateFraction);
    require(c.ranodeEpochs >= 1, what, "ranode_epochs", ">= 1", c.ranodeEpochs);
    require(c.ranodeFraction >= 0 && c.ranodeFraction < 1, what, "ranode_fraction", "in [0, 1) (0: fitted)",
        c.ranodeFraction);
    require(c.maxReferenceEvents >= 0, what, "max_reference_events", ">= 0", c.maxReferenceEvents);
    ConfigReader br(bdt, "bdt config");
    c.classifiers.bdt.read(br);
    br.rejectUnknownKeys();
    ConfigReader mr(mlp, "mlp config");
    c.classifiers.mlp.read(mr);
    mr.rejectUnknownKeys();
    ConfigReader dr(density, "density config");
    c.density.read(dr);
    dr.rejectUnknownKeys();
    return c;
}

nlohmann::json HuntConfig::toJson() const
{
    nlohmann::json j { { "method", method }, { "classifier", classifier }, { "sr", { windows.srLow, windows.srHigh } },
        { "mass_column", massColumn }, { "features", features }, { "folds", folds }, { "seed", seed },
        { "bdt", classifiers.bdt.toJson() }, { "mlp", classifiers.mlp.toJson() }, { "density", density.toJson() },
        { "oversampling", oversampling }, { "kde_bandwidth", kdeBandwidth },
        { "iad_template_fraction", iadTemplateFraction }, { "ranode_epochs", ranodeEpochs },
        { "ranode_fraction", ranodeFraction }, { "max_reference_events", maxReferenceEvents } };
    if (!windows.sidebandIsEverythingElse())
        j["sb"] = { windows.sbLow, windows.sbHigh };
    return j;
}

namespace {

nlohmann::json numberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

} // namespace

nlohmann::json HuntResult::toJson() const
{
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& [e, s] : sicCurve)
        curve.push_back({ e, s });
    nlohmann::json stageTimes = nlohmann::json::object();
    for (const auto& s : stages)
        stageTimes[s.stage] = s.seconds;
    return { { "method", method }, { "classifier", classifier }, { "auc", numberOrNull(auc) },
        { "max_sic", numberOrNull(maxSic) }, { "sic_curve", curve }, { "n_sb", nSb }, { "n_sr", nSr },
        { "s_over_b", numberOrNull(sOverB) }, { "seconds", seconds }, { "sic_at_0.2", numberOrNull(sicAt20) },
        { "sic_at_0.5", numberOrNull(sicAt50) }, { "notes", notes }, { "stages", stageTimes } };
}

// ---------------------------------------------------------------------------------------------
// The protocol

namespace {

using Clock = std::chrono::steady_clock;

/// Times the stages of a hunt.
class StageClock {
public:
    explicit StageClock(std::vector<StageTime>& out)
        : m_out(out)
    {
    }
    template <class F>
    auto run(const std::string& stage, F&& f) -> decltype(f())
    {
        const auto start = Clock::now();
        struct Record {
            std::vector<StageTime>& out;
            std::string stage;
            Clock::time_point start;
            ~Record() { out.push_back({ stage, std::chrono::duration<double>(Clock::now() - start).count() }); }
        } record { m_out, stage, start };
        return f();
    }

private:
    std::vector<StageTime>& m_out;
};

torch::Generator generator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

torch::Tensor longTensor(const std::vector<std::size_t>& v)
{
    std::vector<int64_t> w(v.begin(), v.end());
    return torch::tensor(w, torch::kLong);
}

/// Fold number (0..k-1) of each of n events: a seeded permutation dealt round-robin (sizes differ by <= 1).
torch::Tensor foldIds(int64_t n, int64_t k, std::uint64_t seed)
{
    const auto perm = torch::randperm(n, generator(seed), torch::kLong);
    auto ids = torch::empty({ n }, torch::kLong);
    ids.index_put_({ perm }, torch::arange(n, torch::kLong) % k);
    return ids;
}

using FoldModelPtr = std::shared_ptr<FoldModel>;

/// Events of one role: features, masses, and (for D) the training target.
struct Events {
    torch::Tensor x, m, y;
    int64_t size() const { return x.defined() ? x.size(0) : 0; }
    Events select(const torch::Tensor& idx) const
    {
        return { x.index_select(0, idx), m.index_select(0, idx), y.defined() ? y.index_select(0, idx) : y };
    }
};

/// The k-fold loop of the protocol. `train(D_train, R_train, job)` returns a scorer; D and R get
/// out-of-fold scores. `extra` events (SB data not used in training) are dealt into folds too and
/// each is scored by its fold's model only: SR and SB scores then carry the same model-to-model
/// noise (a mean over the k models would narrow the SB scores and fake an SR excess after tight cuts).
/// The fold models are kept (in fold order) and the fold number of every event recorded.
struct FoldOutput {
    torch::Tensor data, reference, extra;
    torch::Tensor dataFold, referenceFold, extraFold;
    std::vector<FoldModelPtr> models;
};

FoldOutput scoreInFolds(const Events& data, const Events& reference, bool scoreReference, const Events& extra,
    int64_t k, std::uint64_t seed,
    const std::function<FoldModelPtr(const Events&, const Events&, const JobControl&)>& train, const JobControl& job)
{
    const auto dFold = foldIds(data.size(), k, seed * 31 + 1);
    const auto none = torch::zeros({ 0 }, torch::kLong);
    const auto rFold = reference.size() > 0 ? foldIds(reference.size(), k, seed * 31 + 2) : none;
    const auto eFold = extra.size() > 0 ? foldIds(extra.size(), k, seed * 31 + 3) : none;
    FoldOutput out { torch::zeros({ data.size() }, torch::kFloat64),
        torch::zeros({ reference.size() }, torch::kFloat64), torch::zeros({ extra.size() }, torch::kFloat64), dFold,
        rFold, eFold, {} };
    const auto scoreFold
        = [](FoldModel& model, const Events& events, const torch::Tensor& folds, int64_t i, torch::Tensor& into) {
              const auto idx = torch::nonzero(folds == i).squeeze(1);
              const Events part = events.select(idx);
              into.index_put_({ idx }, model.score(part.x, part.m).to(torch::kFloat64));
          };
    for (int64_t i = 0; i < k; ++i) {
        job.throwIfStopped();
        const auto part = job.subRange(double(i) / double(k), double(i + 1) / double(k));
        Events rTrain;
        if (reference.size() > 0)
            rTrain = reference.select(torch::nonzero(rFold != i).squeeze(1));
        const FoldModelPtr model = train(data.select(torch::nonzero(dFold != i).squeeze(1)), rTrain, part);
        scoreFold(*model, data, dFold, i, out.data);
        if (scoreReference && reference.size() > 0)
            scoreFold(*model, reference, rFold, i, out.reference);
        if (extra.size() > 0)
            scoreFold(*model, extra, eFold, i, out.extra);
        out.models.push_back(model);
        part.report(1.0);
    }
    return out;
}

/// Classifier training for one fold: D (target y, or 1) against R (target 0), capped in size. With
/// `latent`, the events are already in that flow's latent space and the model maps new events there.
FoldModelPtr classifierFold(const HuntConfig& c, std::uint64_t seed, const Events& d, const Events& r,
    const std::shared_ptr<ConditionalDensity>& latent, const JobControl& job)
{
    torch::Tensor x = d.x, y = d.y.defined() ? d.y : torch::ones({ d.size() });
    if (r.size() > 0) {
        Events ref = r;
        if (c.maxReferenceEvents > 0 && ref.size() > c.maxReferenceEvents)
            ref = ref.select(torch::randperm(ref.size(), generator(seed ^ 0xcafeULL), torch::kLong)
                                 .slice(0, 0, c.maxReferenceEvents));
        x = torch::cat({ x, ref.x });
        y = torch::cat({ y, torch::zeros({ ref.size() }) });
    }
    std::shared_ptr<EventClassifier> clf = makeClassifier(c.classifier, c.classifiers, seed);
    clf->fit({ x.to(torch::kFloat32), y.to(torch::kFloat32), {} }, job);
    return std::make_shared<ClassifierFoldModel>(clf, latent);
}

/// Masses for the samples: a Gaussian KDE of the SR data masses (CATHODE sec. III), redrawn until
/// inside the SR. Bandwidth: `bandwidth`, or Silverman's rule 1.06 sigma n^(-1/5).
torch::Tensor sampleMasses(
    const torch::Tensor& masses, int64_t n, const MassWindows& w, double bandwidth, std::uint64_t seed)
{
    const auto m = masses.to(torch::kFloat64);
    const double h = bandwidth > 0 ? bandwidth : 1.06 * m.std().item<double>() * std::pow(double(m.size(0)), -0.2);
    auto gen = generator(seed);
    auto out = torch::empty({ n }, torch::kFloat64);
    int64_t filled = 0;
    while (filled < n) {
        const int64_t want = n - filled;
        const auto pick = torch::randint(m.size(0), { want }, gen, torch::kLong);
        auto draw = m.index_select(0, pick) + h * torch::randn({ want }, gen, torch::kFloat64);
        draw = draw.masked_select((draw >= w.srLow) & (draw < w.srHigh));
        out.slice(0, filled, filled + draw.size(0)).copy_(draw);
        filled += draw.size(0);
    }
    return out.to(torch::kFloat32);
}

torch::Tensor featureTensor(const Table& t, const std::vector<std::size_t>& cols)
{
    const std::size_t n = t.rows();
    auto x = torch::empty({ static_cast<int64_t>(n), static_cast<int64_t>(cols.size()) }, torch::kFloat32);
    auto* p = x.data_ptr<float>();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < cols.size(); ++j)
            p[i * cols.size() + j] = t.at(i, cols[j]);
    return x;
}

/// Up to ~200 points of a curve, evenly spread in eps_S (the full ROC has one point per event).
std::vector<std::size_t> thinned(const std::vector<double>& epsS, std::size_t target = 200)
{
    std::vector<std::size_t> keep;
    double next = 0.0;
    for (std::size_t i = 0; i < epsS.size(); ++i)
        if (epsS[i] >= next || i + 1 == epsS.size()) {
            keep.push_back(i);
            next = epsS[i] + 1.0 / double(target);
        }
    return keep;
}

void fillMetrics(HuntResult& r, const std::vector<double>& scores, const std::vector<int>& labels)
{
    const auto roc = hepgen::metrics::rocCurve(scores, labels);
    r.auc = roc.auc;
    const auto best = hepgen::metrics::maxSic(roc, 20);
    r.maxSic = best ? best->sic : std::nan("");
    r.sicAt20 = hepgen::metrics::sicAt(roc, 0.2);
    r.sicAt50 = hepgen::metrics::sicAt(roc, 0.5);
    for (std::size_t i : thinned(roc.signalEfficiency)) {
        r.rocEpsS.push_back(roc.signalEfficiency[i]);
        r.rocEpsB.push_back(roc.backgroundEfficiency[i]);
    }
    const auto sic = hepgen::metrics::sicCurve(roc, 20);
    std::vector<double> sicEps;
    for (const auto& p : sic)
        sicEps.push_back(p.signalEfficiency);
    for (std::size_t i : thinned(sicEps))
        r.sicCurve.emplace_back(sic[i].signalEfficiency, sic[i].sic);
}

} // namespace

HuntResult runHunt(const Table& table, const HuntConfig& config, const JobControl& job, const Table* iadBackground)
{
    const auto start = Clock::now();
    const HuntConfig c = HuntConfig::read(config.toJson()); // validates settings built in code, too
    requireValidWindows(c.windows, table, methodNeeds(c.method, c.folds), c.massColumn);

    HuntResult result;
    result.method = c.method;
    result.classifier = usesClassifier(c.method) ? c.classifier : "";
    result.windows = c.windows;
    result.massColumn = c.massColumn;
    StageClock clock(result.stages);

    // Features: every column but the mass unless listed.
    const std::size_t massCol = table.columnIndex(c.massColumn);
    std::vector<std::size_t> featureCols;
    if (c.features.empty()) {
        for (std::size_t j = 0; j < table.cols(); ++j)
            if (j != massCol)
                featureCols.push_back(j);
    } else {
        for (const auto& f : c.features) {
            if (f == c.massColumn)
                throw ConfigError(fmt::format("The mass '{}' cannot also be a feature of the hunt.", f));
            featureCols.push_back(table.columnIndex(f));
        }
    }
    if (featureCols.empty())
        throw ConfigError("The hunt needs at least one feature besides the mass.");
    const auto x = featureTensor(table, featureCols);
    if (!torch::isfinite(x).all().item<bool>())
        throw ConfigError("The features hold NaN or infinite values; drop those events first.");
    const auto mass = featureTensor(table, { massCol }).squeeze(1);
    const bool labelled = countWindows(c.windows, table, c.massColumn).labelled;
    const auto labels = labelled ? torch::tensor(std::vector<int64_t>(table.labels.begin(), table.labels.end()))
                                 : torch::full({ int64_t(table.rows()) }, -1, torch::kLong);

    std::vector<std::size_t> srRows = rowsInRegion(c.windows, table, Region::Signal, c.massColumn);
    const std::vector<std::size_t> sbRows = rowsInRegion(c.windows, table, Region::Sideband, c.massColumn);
    std::vector<std::size_t> templateRows;
    torch::Tensor templateX, templateM; // a separate background file's SR events (IAD)
    if (c.method == "iad" && iadBackground) {
        // A separate background sample: its SR events (label 0 where it is labelled) are the template and the
        // data stay whole, so the IAD sees the same S/B as every other method.
        std::vector<std::size_t> cols;
        for (std::size_t j : featureCols)
            cols.push_back(iadBackground->columnIndex(table.columns[j]));
        const std::size_t tMass = iadBackground->columnIndex(c.massColumn);
        std::vector<std::size_t> rows;
        for (std::size_t r : rowsInRegion(c.windows, *iadBackground, Region::Signal, c.massColumn))
            if (iadBackground->labels.empty() || iadBackground->labels[r] == 0)
                rows.push_back(r);
        if (rows.size() < 100)
            throw ConfigError(fmt::format(
                "The IAD's background file holds only {} background events in the signal region.", rows.size()));
        const auto idx = longTensor(rows);
        templateX = featureTensor(*iadBackground, cols).index_select(0, idx);
        templateM = featureTensor(*iadBackground, { tMass }).squeeze(1).index_select(0, idx);
        if (!torch::isfinite(templateX).all().item<bool>())
            throw ConfigError("The IAD's background file holds NaN or infinite features.");
        result.notes.push_back(fmt::format("IAD: the background template is the {} SR events of the separate "
                                           "background file; the data keep all their events.",
            rows.size()));
    } else if (c.method == "iad") {
        // One labelled file: a seeded share of the SR background becomes the template and leaves the data.
        std::vector<std::size_t> bg, rest;
        for (std::size_t r : srRows)
            (table.labels[r] == 0 ? bg : rest).push_back(r);
        const auto perm = torch::randperm(int64_t(bg.size()), generator(c.seed ^ 0x1adULL), torch::kLong).contiguous();
        const auto* order = perm.data_ptr<int64_t>();
        const auto nTemplate = static_cast<int64_t>(std::llround(c.iadTemplateFraction * double(bg.size())));
        for (int64_t i = 0; i < int64_t(bg.size()); ++i)
            (i < nTemplate ? templateRows : rest).push_back(bg[std::size_t(order[i])]);
        std::sort(rest.begin(), rest.end());
        srRows = rest;
        result.notes.push_back(fmt::format("IAD: {} of the {} labelled SR background events ({:.0f} %) became the "
                                           "background template; the data keep the other {} and all {} signal "
                                           "events, and the metrics use those only.",
            templateRows.size(), bg.size(), 100.0 * c.iadTemplateFraction, bg.size() - templateRows.size(),
            srRows.size() + templateRows.size() - bg.size()));
    }
    const auto srIdx = longTensor(srRows), sbIdx = longTensor(sbRows);
    Events data { x.index_select(0, srIdx), mass.index_select(0, srIdx), {} };
    Events sideband { x.index_select(0, sbIdx), mass.index_select(0, sbIdx), {} };
    if (c.method == "supervised")
        data.y = (labels.index_select(0, srIdx) == 1).to(torch::kFloat32);

    FoldOutput scores;
    // The classifier methods: D against R in k folds. For LaCATHODE the classifier sees the SB flow's
    // latent space (`latent`): the training events are mapped there, and the fold model maps every
    // event it scores, so the kept model scores raw events as the hunt did.
    const auto classify = [&](const Events& d, const Events& r, const Events& extra,
                              const std::shared_ptr<ConditionalDensity>& latent, const JobControl& part) {
        return clock.run("classifier", [&] {
            return scoreInFolds(
                d, r, c.method == "cwola", extra, c.folds, c.seed,
                [&](const Events& dt, const Events& rt, const JobControl& j) {
                    const std::uint64_t foldSeed = c.seed * 1009 + 17 + std::uint64_t(dt.size());
                    if (!latent)
                        return classifierFold(c, foldSeed, dt, rt, nullptr, j);
                    Events mapped = dt;
                    mapped.x = latent->toLatent(dt.x, dt.m);
                    return classifierFold(c, foldSeed, mapped, rt, latent, j);
                },
                part);
        });
    };
    const auto fitBackground = [&](ConditionalDensity& bg, const JobControl& part) {
        clock.run("density fit (SB)", [&] {
            const auto all = torch::cat({ sideband.x, data.x });
            bg.fit(sideband.x, sideband.m, part, all);
        });
    };

    if (c.method == "supervised") {
        scores = classify(data, {}, sideband, nullptr, job);
    } else if (c.method == "iad") {
        Events tmpl { templateX, templateM, {} };
        if (!templateX.defined()) {
            const auto tIdx = longTensor(templateRows);
            tmpl = { x.index_select(0, tIdx), mass.index_select(0, tIdx), {} };
        }
        scores = classify(data, tmpl, sideband, nullptr, job);
    } else if (c.method == "cwola") {
        scores = classify(data, sideband, {}, nullptr, job);
    } else if (c.method == "cathode" || c.method == "lacathode") {
        auto bg = std::make_shared<ConditionalDensity>(c.density, c.seed);
        fitBackground(*bg, job.subRange(0.0, 0.5));
        const int64_t nSamples = c.oversampling * data.size();
        Events samples;
        if (c.method == "cathode") {
            clock.run("sampling", [&] {
                samples.m = sampleMasses(data.m, nSamples, c.windows, c.kdeBandwidth, c.seed ^ 0x3a55ULL);
                samples.x = bg->sample(samples.m, c.seed ^ 0x5a3bULL);
            });
            scores = classify(data, samples, sideband, nullptr, job.subRange(0.5, 1.0));
        } else {
            // LaCATHODE: in the SB flow's latent space the background is N(0, I); noise is the reference.
            clock.run("sampling", [&] {
                samples.x = torch::randn({ nSamples, data.x.size(1) }, generator(c.seed ^ 0x1a7eULL), torch::kFloat32);
                samples.m = sampleMasses(data.m, nSamples, c.windows, c.kdeBandwidth, c.seed ^ 0x3a55ULL);
            });
            scores = classify(data, samples, sideband, bg, job.subRange(0.5, 1.0));
        }
    } else { // anode, ranode
        auto bg = std::make_shared<ConditionalDensity>(c.density, c.seed);
        fitBackground(*bg, job.subRange(0.0, 0.4));
        const auto rangeX = torch::cat({ sideband.x, data.x });
        std::vector<double> fractions;
        scores = clock.run(c.method == "anode" ? "density fit (SR, k-fold)" : "signal fit (SR, k-fold)", [&] {
            return scoreInFolds(
                data, {}, false, sideband, c.folds, c.seed,
                [&](const Events& dt, const Events&, const JobControl& j) -> FoldModelPtr {
                    const std::uint64_t foldSeed = c.seed * 1009 + 29 + std::uint64_t(dt.size());
                    if (c.method == "anode") {
                        // ANODE (eq. 3): R(x|m) = p_data(x|m) / p_bg(x|m), both in the original units.
                        auto sr = std::make_shared<ConditionalDensity>(c.density, foldSeed);
                        sr->fit(dt.x, dt.m, j, rangeX);
                        return std::make_shared<AnodeFoldModel>(sr, bg);
                    }
                    auto model = std::make_shared<RanodeSignalModel>(*bg, c.ranodeEpochs, foldSeed, c.ranodeFraction);
                    model->fit(dt.x, dt.m, j);
                    fractions.push_back(model->signalFraction());
                    return std::make_shared<RanodeFoldModel>(model, bg);
                },
                job.subRange(0.4, 1.0));
        });
        if (c.method == "ranode" && c.ranodeFraction > 0)
            result.notes.push_back(fmt::format("R-ANODE: signal fraction w fixed at {:.4g}.", c.ranodeFraction));
        else if (c.method == "ranode")
            result.notes.push_back(
                fmt::format("R-ANODE: signal fraction w fitted per fold: {:.4f}.", fmt::join(fractions, ", ")));
    }

    // Per-event results in table order: the SR data (out-of-fold) and the SB (out-of-fold for CWoLa).
    const bool sbIsReference = c.method == "cwola";
    const auto dataScores = scores.data.contiguous();
    const auto sbScores = (sbIsReference ? scores.reference : scores.extra).to(torch::kFloat64).contiguous();
    const auto dataFolds = scores.dataFold.contiguous();
    const auto sbFolds = (sbIsReference ? scores.referenceFold : scores.extraFold).contiguous();
    struct Scored {
        std::size_t row;
        double score;
        int64_t fold;
        bool operator<(const Scored& o) const { return row < o.row; }
    };
    std::vector<Scored> byRow;
    byRow.reserve(srRows.size() + sbRows.size());
    for (std::size_t i = 0; i < srRows.size(); ++i)
        byRow.push_back({ srRows[i], dataScores.data_ptr<double>()[i], dataFolds.data_ptr<int64_t>()[i] });
    for (std::size_t i = 0; i < sbRows.size(); ++i)
        byRow.push_back({ sbRows[i], sbScores.data_ptr<double>()[i], sbFolds.data_ptr<int64_t>()[i] });
    std::sort(byRow.begin(), byRow.end());
    std::vector<double> srScores;
    std::vector<int> srLabels;
    for (const auto& [row, s, fold] : byRow) {
        const bool inSr = c.windows.regionOf(table.at(row, massCol)) == Region::Signal;
        result.events.row.push_back(row);
        result.events.mass.push_back(table.at(row, massCol));
        result.events.score.push_back(static_cast<float>(s));
        result.events.fold.push_back(static_cast<std::int8_t>(fold));
        result.events.label.push_back(labelled ? table.labels[row] : std::int8_t(-1));
        result.events.signalRegion.push_back(inSr ? 1 : 0);
        if (inSr && labelled) {
            srScores.push_back(s);
            srLabels.push_back(table.labels[row]);
        }
    }
    if (!torch::isfinite(scores.data).all().item<bool>())
        throw NumericError(fmt::format("The {} scores are not all finite; the model diverged.", c.method));

    std::vector<std::string> featureNames;
    for (std::size_t j : featureCols)
        featureNames.push_back(table.columns[j]);
    result.model = std::make_shared<FoldedHuntModel>(
        c.method, result.classifier, featureNames, c.massColumn, std::move(scores.models));
    result.nSr = srRows.size();
    result.nSb = sbRows.size();
    const bool bothClasses
        = std::count(srLabels.begin(), srLabels.end(), 1) > 0 && std::count(srLabels.begin(), srLabels.end(), 0) > 0;
    if (labelled && bothClasses) {
        fillMetrics(result, srScores, srLabels);
        const auto nSig = std::count(srLabels.begin(), srLabels.end(), 1);
        result.sOverB = double(nSig) / double(srLabels.size() - std::size_t(nSig));
    } else {
        result.auc = result.maxSic = result.sicAt20 = result.sicAt50 = result.sOverB = std::nan("");
        result.notes.push_back(labelled ? "The SR data hold only one class: no ROC or SIC."
                                        : "The data have no truth labels: scores only, no ROC or SIC.");
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    job.report(1.0, "done");
    return result;
}

} // namespace hepgen::anomaly
