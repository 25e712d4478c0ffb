#pragma once
// Distances between two one-dimensional distributions, for comparing generated with reference samples
// feature by feature: the exact Wasserstein-1 distance of two (weighted) samples, and on histograms
// with common binning the CaloChallenge separation power and the Jensen-Shannon divergence.
#include <cstddef>
#include <vector>

namespace hepgen::metrics {

/// W1(a, b) = integral |F_a(x) - F_b(x)| dx of the two empirical CDFs (exact, via the sorted samples),
/// with optional non-negative per-event weights (empty: all 1). In the units of the samples.
/// Throws hepgen::ConfigError for an empty sample, a non-finite value, mismatched weights or a
/// negative / non-finite weight, or a sample of zero total weight.
double wasserstein1(const std::vector<double>& a, const std::vector<double>& b,
    const std::vector<double>& weightsA = {}, const std::vector<double>& weightsB = {});

/// Separation power (CaloChallenge 2022, Krause et al., arXiv:2410.21611) of two histograms with the same binning:
/// 1/2 sum_i (h1_i - h2_i)^2 / (h1_i + h2_i) after normalising each to unit sum; 0 for identical shapes,
/// 1 for disjoint ones. Bins empty in both are skipped. Throws hepgen::ConfigError for different bin
/// counts, negative or non-finite counts, or a histogram with zero total.
double separationPower(const std::vector<double>& counts1, const std::vector<double>& counts2);

/// Jensen-Shannon divergence in bits (in [0, 1]) of two histograms with the same binning, each normalised
/// to unit sum: JSD = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2. Same errors as separationPower.
double histogramJsd(const std::vector<double>& counts1, const std::vector<double>& counts2);

/// Counts of two samples in `bins` uniform bins over the finite range of both together (common binning,
/// so no event falls outside): {counts of a, counts of b}. Throws hepgen::ConfigError for bins == 0,
/// an empty sample or a non-finite value.
std::pair<std::vector<double>, std::vector<double>> commonHistograms(
    const std::vector<double>& a, const std::vector<double>& b, std::size_t bins);

} // namespace hepgen::metrics
