// hepgen hunt: a resonant anomaly hunt on a dijet file, headless (core/anomaly/Hunt.h).
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/anomaly/BumpHunt.h"
#include "core/anomaly/Hunt.h"
#include "core/data/DatasetIO.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <memory>
#include <optional>

namespace hepgen::cli {

namespace {

struct HuntOptions {
    std::string data, method, classifier = "mlp", config, scores;
    std::vector<double> sr, sb;
    std::optional<uint64_t> seed;
    std::optional<int64_t> folds;
    std::optional<std::size_t> signal;
    std::optional<double> sOverB;
    bool json = false, bumpHunt = false;
};

nlohmann::json bumpHuntJson(const std::vector<hepgen::anomaly::BumpHuntStep>& steps)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : steps)
        out.push_back({ { "efficiency", s.efficiency }, { "passing", s.passing }, { "observed_sr", s.fit.observedSr },
            { "expected_sr", s.fit.expectedSr }, { "significance", s.fit.significance },
            { "chi2_per_ndf", s.fit.chi2PerNdf }, { "converged", s.fit.converged } });
    return out;
}

std::string shown(double v) { return std::isfinite(v) ? fmt::format("{:.3f}", v) : std::string("n/a"); }

} // namespace

void addHuntCommand(CLI::App& app, const GlobalOptions& global, Action& action)
{
    auto o = std::make_shared<HuntOptions>();
    CLI::App* hunt = app.add_subcommand("hunt", "Run a resonant anomaly hunt on a dijet file");
    hunt->add_option("--data", o->data, "Data file with an mjj column (any supported table format)")->required();
    hunt->add_option("--method", o->method, "supervised | iad | cwola | anode | cathode | lacathode | ranode")
        ->required()
        ->check(CLI::IsMember(hepgen::anomaly::huntMethods()));
    hunt->add_option("--classifier", o->classifier, "mlp | bdt (classifier-based methods)")
        ->check(CLI::IsMember(hepgen::anomaly::classifierKinds()))
        ->capture_default_str();
    hunt->add_option("--sr", o->sr, "Signal region LO HI [TeV] (default 3.3 3.7)")->expected(2);
    hunt->add_option("--sb", o->sb, "Sideband outer edges LO HI [TeV] (default: the rest of the spectrum)")
        ->expected(2);
    hunt->add_option("--seed", o->seed, "Seed (default 1)");
    hunt->add_option("--folds", o->folds, "k of the k-fold over the SR data (default 5)");
    hunt->add_option("--signal", o->signal,
        "Re-inject this many of the file's own signal events (labelled data; drawn with --seed)");
    hunt->add_option("--s-over-b", o->sOverB, "Re-inject the file's own signal to this S/B in the SR instead")
        ->excludes("--signal");
    hunt->add_option("--config", o->config, "JSON with further hunt settings (bdt, mlp, density, oversampling, ...)");
    hunt->add_option("--scores", o->scores, "Write the per-event scores to this file (.csv, or .h5 for HDF5)");
    hunt->add_flag("--bump-hunt", o->bumpHunt, "Also fit the spectrum after score cuts (and on background alone)");
    hunt->add_flag("--json", o->json, "Print the result as one JSON object on stdout");
    hunt->callback([o, &global, &action] {
        action = [o, &global] {
            nlohmann::json j = readConfigFile(o->config);
            j["method"] = o->method;
            j["classifier"] = o->classifier;
            if (!o->sr.empty())
                j["sr"] = o->sr;
            if (!o->sb.empty())
                j["sb"] = o->sb;
            if (o->seed)
                j["seed"] = *o->seed;
            if (o->folds)
                j["folds"] = *o->folds;
            const auto config = hepgen::anomaly::HuntConfig::read(j); // settings checked before reading data
            const auto dataset = hepgen::data::readDataset(o->data);
            if (!dataset.table)
                throw ConfigError("A hunt needs a table of dijet events, not showers.");
            hepgen::data::Table table = *dataset.table;
            if (o->signal || o->sOverB) {
                // The file's signal events are the pool; its background stays as it is.
                const auto [background, pool] = hepgen::anomaly::splitByLabel(table);
                table = hepgen::anomaly::injectSignal(background, pool,
                    { o->signal.value_or(0), o->sOverB.value_or(0.0), config.seed }, config.windows, config.massColumn);
            }
            TerminalProgress progress("hunt " + o->method, global.quiet);
            const auto result = hepgen::anomaly::runHunt(table, config, progress.control());
            progress.finish();
            if (!o->scores.empty())
                hepgen::anomaly::writeScores(result, o->scores);
            nlohmann::json out = result.toJson();
            if (o->bumpHunt) {
                const hepgen::anomaly::BumpHuntConfig bh;
                out["bump_hunt"] = bumpHuntJson(hepgen::anomaly::bumpHunt(result.events, config.windows, bh));
                if (!result.events.label.empty() && result.events.label.front() != -1)
                    out["sculpting_check"]
                        = bumpHuntJson(hepgen::anomaly::bumpHunt(result.events, config.windows, bh, true));
            }
            if (o->json) {
                fmt::print("{}\n", out.dump());
            } else {
                fmt::print("{} ({}): AUC {}, max SIC {}, SIC(0.2) {}, SIC(0.5) {}; SR {} events, SB {}, S/B {}; "
                           "{:.1f} s\n",
                    result.method, result.classifier.empty() ? "density ratio" : result.classifier, shown(result.auc),
                    shown(result.maxSic), shown(result.sicAt20), shown(result.sicAt50), result.nSr, result.nSb,
                    shown(result.sOverB), result.seconds);
                for (const auto& n : result.notes)
                    fmt::print("note: {}\n", n);
                if (o->bumpHunt)
                    for (const auto& s : out["bump_hunt"])
                        fmt::print("bump hunt at {:g}: SR observed {}, expected {:.1f}, local Z {:.2f}\n",
                            s["efficiency"].get<double>(), s["observed_sr"].get<double>(),
                            s["expected_sr"].get<double>(), s["significance"].get<double>());
            }
            return 0;
        };
    });
}

} // namespace hepgen::cli
