#pragma once
// The dijet toy: a fast look-alike of the LHC Olympics 2020 R&D data set (Kasieczka et al.,
// arXiv:2101.08320), i.e. QCD dijet background plus an optional W' -> X(->qq) Y(->qq) resonance,
// described by the five high-level features the anomaly-detection literature uses (CWoLa hunting,
// ANODE, CATHODE). It reproduces the signal-region marginals and correlations quoted in
// DESIGN.md ("Built-in data generators -> Dijet toy"); see DijetGenerator.cpp for the model.
#include "core/data/Table.h"
#include "core/util/Job.h"

#include <cstddef>
#include <cstdint>

namespace hepgen::data {

/// Settings of generateDijet(). Masses in TeV.
struct DijetOptions {
    std::size_t background = 1000000; ///< background events
    std::size_t signal = 1000;        ///< injected signal events (ignored if sOverB > 0)
    double sOverB = 0.0;              ///< if > 0: inject so that S/B in [srLow, srHigh] equals this
    double srLow = 3.3, srHigh = 3.7; ///< TeV, for sOverB
    std::size_t noiseFeatures = 0;    ///< extra pure N(0,1) columns noise0.. for the noisy-features lesson
    double mjjCorrelation = 1.0; ///< k: jet masses scale as mjj^k, tau21 shifts with ln mjj (0 = no mjj dependence)
    std::uint64_t seed = 1;
};

/// Generates the dijet toy: columns mjj, mj_min, delta_mj [TeV], tau21_min, tau21_max (tau21 of the
/// lighter and of the heavier jet), then noise0, noise1, ... ~ N(0,1); labels 0 = background,
/// 1 = signal; background and signal shuffled together; deterministic for a given seed.
/// With sOverB > 0 signal events are added until the number of signal events with mjj in
/// [srLow, srHigh] is round(sOverB * background events there); signal outside the window is kept.
/// Reports progress to `job` and polls it for cancellation once per chunk of events.
/// Throws ConfigError for invalid options (no events at all, sOverB < 0, srLow >= srHigh,
/// mjjCorrelation < 0, non-finite values, a window holding too little signal for sOverB) and
/// hepgen::Cancelled when the job is stopped.
Table generateDijet(const DijetOptions& options, const JobControl& job = {});

} // namespace hepgen::data
