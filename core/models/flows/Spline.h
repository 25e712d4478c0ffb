#pragma once
// The monotonic rational-quadratic spline of Durkan, Bekasov, Murray & Papamakarios, "Neural Spline
// Flows" (NeurIPS 2019, arXiv:1906.04032): an elementwise bijection of R that is a rational-quadratic
// spline with K bins on [-B, B] and the identity (linear tails) outside, the building block of the
// RQS coupling and MAF-RQS layers.
#include <torch/torch.h>

namespace hepgen::models::flows {

/// Output of rationalQuadraticSpline: the transformed values and log|dy/dx| elementwise, both of
/// the shape of the inputs (the caller sums over features).
struct SplineResult {
    torch::Tensor outputs;
    torch::Tensor logAbsDet;
};

/// The constant c with minDerivative + softplus(c) == 1: interior derivatives are computed as
/// minDerivative + softplus(u + c), so unnormalised parameters u == 0 give derivative exactly 1
/// and, with uniform bins, the identity map.
double splineDerivativeShift(double minDerivative);

/// Applies the rational-quadratic spline elementwise (inverse == false: y = g(x), eqs. 4 and 5 of
/// the paper; inverse == true: x = g^{-1}(y) by the root of the quadratic of appendix A).
///   inputs                  (..., D)
///   unnormalizedWidths      (..., D, K)   bin widths = softmax, floored at minBinWidth, scaled to 2B
///   unnormalizedHeights     (..., D, K)   bin heights likewise
///   unnormalizedDerivatives (..., D, K-1) interior knot derivatives,
///                                          minDerivative + softplus(u + splineDerivativeShift)
/// The derivatives at the two boundary knots are fixed to 1 so the spline joins the identity tails
/// with a continuous first derivative; inputs outside [-B, B] pass unchanged with logAbsDet 0.
/// All-zero parameters give the identity. Works for any dtype/device (those of the inputs).
/// Throws hepgen::ConfigError for inconsistent shapes, K < 1, tailBound <= 0, minimum bin widths
/// or heights with K * min >= 1, or minDerivative outside [0, 1).
SplineResult rationalQuadraticSpline(const torch::Tensor& inputs, const torch::Tensor& unnormalizedWidths,
    const torch::Tensor& unnormalizedHeights, const torch::Tensor& unnormalizedDerivatives, bool inverse,
    double tailBound = 3.0, double minBinWidth = 1e-3, double minBinHeight = 1e-3, double minDerivative = 1e-3);

} // namespace hepgen::models::flows
