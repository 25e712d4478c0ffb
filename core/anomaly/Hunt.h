#pragma once
// A resonant anomaly hunt on dijet data: the methods, the train/validation/test protocol and the
// result, as `hepgen hunt` and the hunt workspace run them. docs/anomaly-protocol.md says the same
// at more length.
//
// Protocol.
//  * Features: every column but the mass (or the configured list); the mass only selects regions
//    and conditions the densities. Truth labels are read by `supervised` (its training target) and
//    `iad` (to build the background template); every other method sees them only in the metrics.
//  * The events to score are the SR data D. D is cut into k folds with the seed; the reference
//    events R that a method compares D with (SB events for CWoLa, the background template for the
//    IAD, flow samples for CATHODE, ...) are cut into k folds too. The model of fold i trains on
//    D \ D_i against R \ R_i (its own seeded validation share of those for early stopping) and
//    scores D_i: every SR event gets its score from a model that never saw it. Reference events
//    that are data (CWoLa's SB) get out-of-fold scores the same way; other SB events are dealt into
//    k folds too and each is scored by its fold's model, so SR and SB scores carry the same
//    model-to-model noise and the bump hunt can cut on the score over the whole spectrum.
//  * IAD with one labelled file (no separate background sample): half of the SR background events
//    (seeded) become the template R and leave the data; D keeps the other half and all signal. The
//    result's notes say so, and the metrics are computed on D only.
//  * Metrics (ROC, AUC, SIC; max SIC only where >= 20 background test events pass) are computed
//    from the out-of-fold scores of D and its truth labels; S/B is that of D.
// Methods: supervised (signal vs background in the SR), iad (Idealised AD: D vs true background,
// arXiv:2109.00546 sec. II), cwola (SR vs SB, arXiv:1805.02664), anode (log p_data(x|m) -
// log p_bg(x|m), arXiv:2001.04990), cathode (D vs samples of a SB flow interpolated into the SR,
// arXiv:2109.00546), lacathode (the same in the flow's latent space, arXiv:2210.14924), ranode
// (signal flow and signal fraction fitted in the SR with the SB flow frozen, arXiv:2312.11629).
#include "core/anomaly/Classifiers.h"
#include "core/anomaly/ConditionalDensity.h"
#include "core/anomaly/HuntModel.h"
#include "core/anomaly/MassWindows.h"
#include "core/data/Table.h"
#include "core/util/Job.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// Every setting of a hunt (JSON keys in brackets), with defaults.
struct HuntConfig {
    std::string method = "cathode";    ///< [method] supervised | iad | cwola | anode | cathode | lacathode | ranode
    std::string classifier = "mlp";    ///< [classifier] mlp | bdt (classifier-based methods)
    MassWindows windows;               ///< [sr] [lo, hi], [sb] [lo, hi] (SB default: the rest)
    std::string massColumn = "mjj";    ///< [mass_column]
    std::vector<std::string> features; ///< [features] empty: every column but the mass
    int64_t folds = 5;                 ///< [folds] k of the k-fold over the SR data
    std::uint64_t seed = 1;            ///< [seed]
    ClassifierSettings classifiers;    ///< [bdt], [mlp]
    DensityConfig density;             ///< [density] the conditional flows
    int64_t oversampling = 4;          ///< [oversampling] CATHODE/LaCATHODE samples per SR event
    double kdeBandwidth = 0.0;         ///< [kde_bandwidth] TeV, of the SR mass KDE (0: Silverman's rule)
    double iadTemplateFraction = 0.5;  ///< [iad_template_fraction] of the SR background that becomes the template
    int64_t ranodeEpochs = 20;         ///< [ranode_epochs] R-ANODE's signal-model fit
    /// [ranode_fraction] R-ANODE's signal fraction w: > 0 holds it there, 0 fits it with the signal flow. Held
    /// at 0.5 % by default: fitted, w mostly measures how much background mismodelling the signal flow absorbs
    /// (docs/anomaly-protocol.md), and the fixed-w variant is as good and robust to a wrong w (arXiv:2312.11629).
    double ranodeFraction = 0.005;
    int64_t maxReferenceEvents = 0; ///< [max_reference_events] cap on R per fold (0: none), for speed

    /// Defaults overridden by `json`; ConfigError for unknown keys or bad values.
    static HuntConfig read(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// The method names, in the order of the comparison table.
const std::vector<std::string>& huntMethods();
/// True for the methods that train a classifier (supervised, iad, cwola, cathode, lacathode).
bool usesClassifier(const std::string& method);
/// What a method needs from the windows (events in SR/SB, labels), for validation before a run.
WindowNeeds methodNeeds(const std::string& method, int64_t folds);

/// Seconds spent in one stage of a hunt ("density fit", "sampling", "classifier", ...).
struct StageTime {
    std::string stage;
    double seconds = 0.0;
};

/// Scored events: every data event in SB ∪ SR (the IAD template excluded), in table order.
struct ScoredEvents {
    std::vector<std::size_t> row; ///< the event's row in the hunted table
    std::vector<float> mass, score;
    std::vector<std::int8_t> label;         ///< truth (-1 unknown)
    std::vector<std::uint8_t> signalRegion; ///< 1: SR test event (its score is out-of-fold)
    std::vector<std::int8_t> fold;          ///< the fold whose model scored the event (HuntModel::folds())
    std::size_t size() const { return mass.size(); }
};

/// The outcome of one hunt: plain values for the GUI, the CLI's JSON and the scores export.
struct HuntResult {
    std::string method, classifier;                  ///< classifier "" for density-only methods (anode, ranode)
    MassWindows windows;                             ///< the windows the hunt ran with
    std::string massColumn;                          ///< and its mass column
    double auc = 0.0;                                ///< NaN without labels
    double maxSic = 0.0;                             ///< NaN without labels
    double sicAt20 = 0.0, sicAt50 = 0.0;             ///< SIC at eps_S = 0.2 and 0.5
    std::vector<std::pair<double, double>> sicCurve; ///< (eps_S, SIC), only where >= 20 background events pass
    std::vector<double> rocEpsS, rocEpsB;            ///< the ROC curve
    std::size_t nSb = 0, nSr = 0; ///< events in SB and SR data (SR after the IAD template is removed)
    double sOverB = 0.0;          ///< of the SR test data (NaN without labels)
    double seconds = 0.0;
    ScoredEvents events;
    std::vector<std::string> notes; ///< what the user should know (IAD template rule, capped sizes, ...)
    std::vector<StageTime> stages;
    /// The trained models (one per fold), to score new events; set by runHunt.
    std::shared_ptr<const HuntModel> model;

    /// The CLI's JSON object: method, classifier, auc, max_sic, sic_curve, n_sb, n_sr, s_over_b,
    /// seconds, plus sic_at_0.2, sic_at_0.5, notes, stages (NaN written as null).
    nlohmann::json toJson() const;
};

/// Runs a hunt on `data` (a table with the mass column, labelled where the method needs it).
/// `iadBackground`: a separate background sample for the IAD (its SR events, label 0 where labelled, are
/// the template and the data stay whole); without it the IAD takes a share of the data's labelled SR
/// background (the one-file rule above). Ignored by the other methods.
/// Throws ConfigError for invalid windows or settings (the message lists every problem), Cancelled
/// on a stop request, NumericError when training diverges. Reproducible for a seed.
HuntResult runHunt(const hepgen::data::Table& data, const HuntConfig& config, const JobControl& job = {},
    const hepgen::data::Table* iadBackground = nullptr);

/// Writes the per-event scores (mass, score, label, signal_region, fold) as CSV, or our HDF5 schema when
/// the path ends in .h5/.hdf5. FileError when it cannot be written.
void writeScores(const HuntResult& result, const std::string& path);
/// Reads what writeScores() wrote (CSV or HDF5) back into scored events (rows unknown), e.g. to redo a
/// bump hunt with other settings without training again. FileError/FormatError for anything else.
ScoredEvents readScores(const std::string& path);

} // namespace hepgen::anomaly
