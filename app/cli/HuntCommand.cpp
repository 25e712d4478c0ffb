// hepgen hunt: a resonant anomaly hunt on a dijet file, headless (core/anomaly/Hunt.h).
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/anomaly/BumpHunt.h"
#include "core/anomaly/Hunt.h"
#include "core/anomaly/Scans.h"
#include "core/data/DatasetIO.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>

namespace hepgen::cli {

namespace {

/// A local significance for the text output: "2.41", or "none (the fit failed)" for NaN.
std::string zText(double z) { return std::isfinite(z) ? fmt::format("{:.2f}", z) : "none (the fit failed)"; }

struct HuntOptions {
    std::string data, method, classifier = "mlp", config, scores, saveModel, iadBackground, fromScores;
    std::vector<double> bumpFit;
    std::vector<double> sr, sb;
    std::optional<uint64_t> seed;
    std::optional<int64_t> folds;
    std::optional<std::size_t> signal;
    std::optional<double> sOverB;
    bool json = false, bumpHunt = false;
    // Scans.
    std::string scan;
    std::vector<double> scanRange { 3.1, 4.5 }, scanSOverB { 0.002, 0.005, 0.01 };
    double scanWidth = 0.4, scanStep = 0.2;
    int64_t scanSeeds = 2;
};

nlohmann::json bumpHuntJson(const std::vector<hepgen::anomaly::BumpHuntStep>& steps)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : steps)
        out.push_back({ { "efficiency", s.efficiency }, { "passing", s.passing }, { "observed_sr", s.fit.observedSr },
            { "expected_sr", s.fit.expectedSr }, { "expected_sr_error", s.fit.expectedSrError },
            { "significance", s.fit.significance }, { "significance_stat_only", s.fit.significanceStatOnly },
            { "chi2_per_ndf", s.fit.chi2PerNdf }, { "converged", s.fit.converged } });
    return out;
}

std::string shown(double v) { return std::isfinite(v) ? fmt::format("{:.3f}", v) : std::string("n/a"); }

} // namespace

void addHuntCommand(CLI::App& app, const GlobalOptions& global, Action& action)
{
    auto o = std::make_shared<HuntOptions>();
    CLI::App* hunt = app.add_subcommand("hunt", "Run a resonant anomaly hunt on a dijet file");
    hunt->add_option("--data", o->data, "Data file with an mjj column (any supported table format); required");
    hunt->add_option("--method", o->method, "supervised | iad | cwola | anode | cathode | lacathode | ranode; required")
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
    hunt->add_option("--iad-background", o->iadBackground,
        "IAD: a separate background file whose SR events are the template (the data then stay whole; without it "
        "half of the data's labelled SR background becomes the template)");
    hunt->add_option("--config", o->config, "JSON with further hunt settings (bdt, mlp, density, oversampling, ...)");
    hunt->add_option("--scores", o->scores, "Write the per-event scores to this file (.csv, or .h5 for HDF5)");
    hunt->add_option("--save-model", o->saveModel,
        "Keep the trained models in this directory (hepgen map --run DIR scores new events with them)");
    hunt->add_flag("--bump-hunt", o->bumpHunt, "Also fit the spectrum after score cuts (and on background alone)");
    hunt->add_option("--bump-fit", o->bumpFit, "Bump hunt: fit range LO HI [TeV] (default 3.0 to the largest mass)")
        ->expected(2);
    hunt->add_option("--from-scores", o->fromScores,
            "Instead of a hunt: redo the bump hunt (--bump-hunt, --sr, --sb, --bump-fit) on a scores file written "
            "by --scores, without training")
        ->excludes("--data");
    hunt->add_flag("--json", o->json, "Print the result as one JSON object on stdout");
    auto* scanGroup = hunt->add_option_group("Scans", "Run many hunts instead of one (each point costs one hunt)");
    scanGroup
        ->add_option("--scan", o->scan,
            "windows: move the signal region across the spectrum and fit the bump hunt in each window; s-over-b: "
            "re-inject the file's signal at several S/B (with several seeds) and collect max SIC")
        ->check(CLI::IsMember({ "windows", "s-over-b" }));
    scanGroup->add_option("--scan-range", o->scanRange, "windows: LO HI [TeV] the signal regions stay inside")
        ->expected(2)
        ->capture_default_str();
    scanGroup->add_option("--scan-width", o->scanWidth, "windows: signal-region width [TeV]")->capture_default_str();
    scanGroup->add_option("--scan-step", o->scanStep, "windows: shift between windows [TeV]")->capture_default_str();
    scanGroup->add_option("--scan-s-over-b", o->scanSOverB, "s-over-b: the S/B values (fractions, e.g. 0.002 0.005)")
        ->capture_default_str();
    scanGroup
        ->add_option("--scan-seeds", o->scanSeeds, "s-over-b: injections and hunts per S/B (seeds seed, seed+1, ...)")
        ->capture_default_str();
    hunt->footer(
        "Costs: a scan runs one hunt per window, or per S/B and seed; on 2 cores at 1M events a CWoLa or "
        "supervised BDT hunt takes about a minute, a CATHODE hunt several minutes (docs/anomaly-protocol.md).");
    hunt->callback([o, &global, &action] {
        action = [o, &global] {
            hepgen::anomaly::BumpHuntConfig bh;
            if (!o->bumpFit.empty()) {
                if (!(o->bumpFit[0] < o->bumpFit[1]))
                    throw ConfigError(
                        fmt::format("--bump-fit needs LO < HI (got {} {}).", o->bumpFit[0], o->bumpFit[1]));
                bh.fitLow = o->bumpFit[0];
                bh.fitHigh = o->bumpFit[1];
            }
            if (!o->fromScores.empty()) {
                hepgen::anomaly::MassWindows w;
                if (!o->sr.empty()) {
                    w.srLow = o->sr[0];
                    w.srHigh = o->sr[1];
                }
                if (!o->sb.empty()) {
                    w.sbLow = o->sb[0];
                    w.sbHigh = o->sb[1];
                }
                const auto events = hepgen::anomaly::readScores(o->fromScores);
                nlohmann::json out { { "from_scores", o->fromScores }, { "events", events.size() } };
                out["bump_hunt"] = bumpHuntJson(hepgen::anomaly::bumpHunt(events, w, bh));
                if (!events.label.empty() && events.label.front() != -1)
                    out["sculpting_check"] = bumpHuntJson(hepgen::anomaly::bumpHunt(events, w, bh, true));
                if (o->json)
                    fmt::print("{}\n", out.dump());
                else
                    for (const auto& key : { "bump_hunt", "sculpting_check" })
                        if (out.contains(key))
                            for (const auto& s : out[key])
                                fmt::print("{} at {:g}: SR observed {}, expected {:.1f}, local Z {}\n",
                                    key == std::string("bump_hunt") ? "bump hunt" : "sculpting check",
                                    s["efficiency"].get<double>(), s["observed_sr"].get<double>(),
                                    s["expected_sr"].get<double>(), zText(s["significance"].get<double>()));
                return 0;
            }
            if (o->data.empty())
                throw ConfigError("hunt needs --data FILE (or --from-scores FILE to redo a bump hunt).");
            if (o->method.empty())
                throw ConfigError("hunt needs --method (supervised, iad, cwola, anode, cathode, lacathode or ranode).");
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
            if (!o->scan.empty()) {
                if (o->scan == "s-over-b" && (o->signal || o->sOverB))
                    throw ConfigError("--scan s-over-b re-injects the file's signal itself; leave out --signal and "
                                      "--s-over-b.");
                const auto start = std::chrono::steady_clock::now();
                TerminalProgress progress(o->scan + " scan " + o->method, global.quiet);
                nlohmann::json out { { "scan", o->scan }, { "method", config.method },
                    { "classifier", hepgen::anomaly::usesClassifier(config.method) ? config.classifier : "" } };
                if (o->scan == "windows") {
                    const auto scan = hepgen::anomaly::WindowScanConfig::read({ { "from", o->scanRange.at(0) },
                        { "to", o->scanRange.at(1) }, { "width", o->scanWidth }, { "step", o->scanStep } });
                    const auto points = hepgen::anomaly::scanWindows(table, config, scan, progress.control());
                    out["points"] = hepgen::anomaly::toJson(points);
                } else {
                    const auto scan = hepgen::anomaly::SOverBScanConfig::read(
                        { { "s_over_b", o->scanSOverB }, { "seeds", o->scanSeeds } });
                    const auto points = hepgen::anomaly::scanSOverB(table, config, scan, progress.control());
                    out["points"] = hepgen::anomaly::toJson(points);
                }
                progress.finish();
                out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                if (o->json) {
                    fmt::print("{}\n", out.dump());
                } else if (o->scan == "windows") {
                    for (const auto& p : out["points"]) {
                        std::string zs;
                        for (const auto& s : p["bump_hunt"])
                            zs += fmt::format(
                                " Z({:g}) {}", s["efficiency"].get<double>(), zText(s["significance"].get<double>()));
                        fmt::print("SR {:.2f}-{:.2f}: {} SR events,{}{}\n", p["sr"][0].get<double>(),
                            p["sr"][1].get<double>(), p["n_sr"].get<std::size_t>(), zs.empty() ? " no fit" : zs,
                            p.contains("problem") ? " (" + p["problem"].get<std::string>() + ")" : "");
                    }
                } else {
                    for (const auto& p : out["points"])
                        fmt::print("S/B {:g}: max SIC {} +- {:.2f} over {} seeds\n", p["s_over_b"].get<double>(),
                            p["max_sic_mean"].is_null() ? std::string("n/a")
                                                        : fmt::format("{:.2f}", p["max_sic_mean"].get<double>()),
                            p["max_sic_error"].get<double>(), p["seeds"].size());
                }
                return 0;
            }
            std::optional<hepgen::data::Table> iadBackground;
            if (!o->iadBackground.empty()) {
                auto b = hepgen::data::readDataset(o->iadBackground);
                if (!b.table)
                    throw ConfigError("The IAD's background file must be a table of dijet events.");
                iadBackground = std::move(*b.table);
            }
            TerminalProgress progress("hunt " + o->method, global.quiet);
            const auto result = hepgen::anomaly::runHunt(
                table, config, progress.control(), iadBackground ? &*iadBackground : nullptr);
            progress.finish();
            if (!o->scores.empty())
                hepgen::anomaly::writeScores(result, o->scores);
            if (!o->saveModel.empty())
                result.model->save(o->saveModel);
            nlohmann::json out = result.toJson();
            if (o->bumpHunt) {
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
                        fmt::print("bump hunt at {:g}: SR observed {}, expected {:.1f}, local Z {}\n",
                            s["efficiency"].get<double>(), s["observed_sr"].get<double>(),
                            s["expected_sr"].get<double>(), zText(s["significance"].get<double>()));
            }
            return 0;
        };
    });
}

} // namespace hepgen::cli
