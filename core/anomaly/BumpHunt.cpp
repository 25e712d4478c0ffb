#include "core/anomaly/BumpHunt.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace hepgen::anomaly {

double DijetFunction::operator()(double mass) const
{
    const double x = mass / sqrtS;
    if (x <= 0 || x >= 1)
        return 0.0;
    const double lx = std::log(x);
    return p0 * std::exp(p1 * std::log1p(-x) - (p2 + p3 * lx) * lx);
}

double DijetFunction::integral(double lo, double hi) const
{
    constexpr int panels = 8;
    const double h = (hi - lo) / panels;
    double sum = (*this)(lo) + (*this)(hi);
    for (int i = 1; i < panels; ++i)
        sum += (*this)(lo + h * i) * (i % 2 ? 4.0 : 2.0);
    return sum * h / 3.0;
}

double poissonSignificance(double n, double b)
{
    if (!(b > 0) || !(n > b))
        return 0.0;
    return std::sqrt(2.0 * (n * std::log(n / b) - n + b));
}

double poissonSignificance(double n, double b, double sigma)
{
    if (!(b > 0) || !(n > b))
        return 0.0;
    const double v = sigma * sigma;
    // sigma -> 0 is the formula above; below ~1e-6 b the two terms cancel catastrophically.
    if (!(v > 1e-12 * b * b))
        return poissonSignificance(n, b);
    const double q
        = n * std::log(n * (b + v) / (b * b + n * v)) - (b * b / v) * std::log1p(v * (n - b) / (b * (b + v)));
    return q > 0 ? std::sqrt(2.0 * q) : 0.0;
}

namespace {

using Point = std::array<double, 3>; // p1, p2, p3

/// Nelder–Mead simplex (Nelder & Mead 1965; Lagarias et al. 1998 coefficients) on a 3D function.
/// Returns the best point; `converged` when the spread of values fell below `tol`.
Point nelderMead(const std::function<double(const Point&)>& f, Point start, const Point& step, double tol, int maxEval,
    bool& converged, int& evaluations)
{
    std::array<Point, 4> s;
    std::array<double, 4> v;
    s[0] = start;
    for (int i = 0; i < 3; ++i) {
        s[i + 1] = start;
        s[i + 1][i] += step[i];
    }
    for (int i = 0; i < 4; ++i)
        v[i] = f(s[i]);
    evaluations = 4;
    converged = false;
    while (evaluations < maxEval) {
        std::array<int, 4> order { 0, 1, 2, 3 };
        std::sort(order.begin(), order.end(), [&](int a, int b) { return v[a] < v[b]; });
        const int best = order[0], worst = order[3], second = order[2];
        if (std::abs(v[worst] - v[best]) < tol) {
            converged = true;
            break;
        }
        Point centroid {};
        for (int k : { order[0], order[1], order[2] })
            for (int i = 0; i < 3; ++i)
                centroid[i] += s[k][i] / 3.0;
        const auto along = [&](double t) {
            Point p;
            for (int i = 0; i < 3; ++i)
                p[i] = centroid[i] + t * (s[worst][i] - centroid[i]);
            return p;
        };
        const Point r = along(-1.0);
        const double fr = f(r);
        ++evaluations;
        if (fr < v[best]) {
            const Point e = along(-2.0);
            const double fe = f(e);
            ++evaluations;
            if (fe < fr) {
                s[worst] = e;
                v[worst] = fe;
            } else {
                s[worst] = r;
                v[worst] = fr;
            }
        } else if (fr < v[second]) {
            s[worst] = r;
            v[worst] = fr;
        } else {
            const Point cpt = fr < v[worst] ? along(-0.5) : along(0.5);
            const double fc = f(cpt);
            ++evaluations;
            if (fc < std::min(fr, v[worst])) {
                s[worst] = cpt;
                v[worst] = fc;
            } else { // shrink towards the best point
                for (int k = 0; k < 4; ++k) {
                    if (k == best)
                        continue;
                    for (int i = 0; i < 3; ++i)
                        s[k][i] = s[best][i] + 0.5 * (s[k][i] - s[best][i]);
                    v[k] = f(s[k]);
                    ++evaluations;
                }
            }
        }
    }
    const int best = static_cast<int>(std::min_element(v.begin(), v.end()) - v.begin());
    return s[best];
}

/// Inverse of a symmetric 3x3 matrix (cofactors); false when singular or not positive definite.
bool invert3(const std::array<std::array<double, 3>, 3>& a, std::array<std::array<double, 3>, 3>& inv)
{
    const double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if (!(std::abs(det) > 0) || !std::isfinite(det))
        return false;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            const int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            inv[i][j] = (a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1]) / det;
        }
    return inv[0][0] > 0 && inv[1][1] > 0 && inv[2][2] > 0;
}

std::vector<double> binEdges(const MassWindows& w, double lo, double hi, double width)
{
    // Edges fall on the SR edges; the SR gets round(width_SR / width) bins of equal size.
    std::vector<double> below, edges;
    for (double e = w.srLow - width; e >= lo - 1e-9; e -= width)
        below.push_back(e);
    edges.assign(below.rbegin(), below.rend());
    const int nSr = std::max(1, static_cast<int>(std::lround((w.srHigh - w.srLow) / width)));
    for (int i = 0; i <= nSr; ++i)
        edges.push_back(w.srLow + (w.srHigh - w.srLow) * i / nSr);
    for (double e = w.srHigh + width; e <= hi + 1e-9; e += width)
        edges.push_back(e);
    return edges;
}

} // namespace

SpectrumFit fitSpectrum(const std::vector<float>& masses, const MassWindows& w, const BumpHuntConfig& config)
{
    if (!(config.binWidth > 0))
        throw ConfigError(fmt::format("The bump hunt's bin width must be positive (got {}).", config.binWidth));
    double hi = config.fitHigh;
    if (hi <= 0)
        for (float m : masses)
            hi = std::max(hi, double(m));
    const double lo = std::max(config.fitLow, std::isinf(w.sbLow) ? config.fitLow : w.sbLow);
    hi = std::min(hi, w.sbHigh);
    if (!(lo < w.srLow && hi > w.srHigh))
        throw ConfigError(fmt::format("The bump-hunt fit range ({:.2f}–{:.2f} TeV) must reach beyond the signal "
                                      "region ({:.2f}–{:.2f} TeV) on both sides.",
            lo, hi, w.srLow, w.srHigh));

    SpectrumFit fit;
    fit.edges = binEdges(w, lo, hi, config.binWidth);
    const std::size_t nBins = fit.edges.size() - 1;
    fit.observed.assign(nBins, 0.0);
    for (float m : masses) {
        const auto it = std::upper_bound(fit.edges.begin(), fit.edges.end(), double(m));
        if (it == fit.edges.begin() || it == fit.edges.end())
            continue;
        fit.observed[static_cast<std::size_t>(it - fit.edges.begin()) - 1] += 1.0;
    }
    fit.signalRegion.resize(nBins);
    std::vector<std::size_t> fitted;
    for (std::size_t i = 0; i < nBins; ++i) {
        const double centre = 0.5 * (fit.edges[i] + fit.edges[i + 1]);
        fit.signalRegion[i] = w.regionOf(centre) == Region::Signal;
        if (!fit.signalRegion[i])
            fitted.push_back(i);
    }
    const std::size_t nonEmpty = static_cast<std::size_t>(
        std::count_if(fitted.begin(), fitted.end(), [&](std::size_t i) { return fit.observed[i] > 0; }));
    if (nonEmpty < 5)
        throw ConfigError(fmt::format("The sidebands hold events in only {} bins of the fit range; the dijet fit "
                                      "needs at least 5.",
            nonEmpty));
    double total = 0;
    for (std::size_t i : fitted)
        total += fit.observed[i];

    // Binned Poisson NLL with p0 profiled: at the optimum sum(mu) = sum(n), so p0 = N / sum(shape).
    const auto shapes = [&](const Point& p) {
        DijetFunction f { 1.0, p[0], p[1], p[2] };
        std::vector<double> s(nBins);
        for (std::size_t i = 0; i < nBins; ++i)
            s[i] = f.integral(fit.edges[i], fit.edges[i + 1]);
        return s;
    };
    const auto nll = [&](const Point& p) {
        const auto s = shapes(p);
        double sumS = 0;
        for (std::size_t i : fitted)
            sumS += s[i];
        if (!(sumS > 0) || !std::isfinite(sumS))
            return std::numeric_limits<double>::max();
        const double p0 = total / sumS;
        double value = 0;
        for (std::size_t i : fitted) {
            const double mu = p0 * s[i];
            if (!(mu > 0))
                return std::numeric_limits<double>::max();
            value += mu - fit.observed[i] * std::log(mu);
        }
        return value;
    };

    // Restarts from the best point until two in a row agree: Nelder–Mead can stall on the long,
    // curved valley the strongly correlated p1, p2, p3 make.
    Point best { 5.0, 3.0, 0.0 };
    double bestValue = nll(best);
    for (const Point& start : { Point { 5.0, 3.0, 0.0 }, Point { 10.0, 5.0, 0.0 }, Point { 1.0, 1.0, 0.0 } }) {
        const double v = nll(start);
        if (v < bestValue) {
            best = start;
            bestValue = v;
        }
    }
    int rounds = 0, evaluations = 0;
    bool stable = false;
    for (; rounds < 30 && !stable; ++rounds) {
        bool converged = false;
        const Point p = nelderMead(nll, best, { 0.5, 0.3, 0.1 }, 1e-9, 4000, converged, evaluations);
        const double v = nll(p);
        stable = converged && bestValue - v < 1e-6;
        if (v <= bestValue) {
            best = p;
            bestValue = v;
        }
    }
    fit.converged = stable;
    if (!stable)
        fit.message = fmt::format("The dijet fit did not converge after {} restarts.", rounds);

    const auto s = shapes(best);
    double sumS = 0;
    for (std::size_t i : fitted)
        sumS += s[i];
    fit.function = { total / sumS, best[0], best[1], best[2] };
    fit.expected.resize(nBins);
    fit.pulls.resize(nBins);
    double deviance = 0;
    for (std::size_t i = 0; i < nBins; ++i) {
        const double mu = fit.function.p0 * s[i], n = fit.observed[i];
        fit.expected[i] = mu;
        fit.pulls[i] = mu > 0 ? (n - mu) / std::sqrt(mu) : 0.0;
        if (fit.signalRegion[i]) {
            fit.observedSr += n;
            fit.expectedSr += mu;
        } else {
            deviance += 2.0 * (mu - n + (n > 0 ? n * std::log(n / mu) : 0.0));
        }
    }
    fit.chi2PerNdf = fitted.size() > 4 ? deviance / double(fitted.size() - 4) : 0.0;
    if (!(fit.expectedSr > 0) || !std::isfinite(fit.expectedSr)) {
        // The shape fitted to sparse sidebands can blow up inside the SR. Saying Z = 0 would read as "no excess";
        // the fit failed, and the significance is undefined.
        fit.converged = false;
        fit.message = "The dijet fit predicts no finite background in the signal region (too few events after this "
                      "cut?): no significance.";
        fit.significance = fit.significanceStatOnly = std::numeric_limits<double>::quiet_NaN();
        return fit;
    }

    // Parameter errors from the Hessian of the profiled NLL (central differences).
    std::array<std::array<double, 3>, 3> h {}, cov {};
    const Point step { 1e-3 * std::max(1.0, std::abs(best[0])), 1e-3 * std::max(1.0, std::abs(best[1])),
        1e-3 * std::max(0.1, std::abs(best[2])) };
    for (int i = 0; i < 3; ++i)
        for (int j = i; j < 3; ++j) {
            const auto at = [&](double di, double dj) {
                Point p = best;
                p[i] += di * step[i];
                p[j] += dj * step[j];
                return nll(p);
            };
            h[i][j] = h[j][i] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * step[i] * step[j]);
        }
    fit.significanceStatOnly = poissonSignificance(fit.observedSr, fit.expectedSr);
    fit.significance = fit.significanceStatOnly;
    if (invert3(h, cov)) {
        fit.p1Error = std::sqrt(cov[0][0]);
        fit.p2Error = std::sqrt(cov[1][1]);
        fit.p3Error = std::sqrt(cov[2][2]);
        // The SR expectation b = N_SB R(p), R = (SR share of the shape) / (fitted SB share). Its variance: the
        // shape parameters' covariance propagated linearly (central differences of R), plus the Poisson
        // fluctuation of the fitted total N_SB, which the profiled p0 carries and which is independent of
        // the shape (a multinomial shape given the total).
        const auto ratio = [&](const Point& p) {
            const auto sh = shapes(p);
            double sr = 0, sb = 0;
            for (std::size_t i = 0; i < nBins; ++i) // every bin outside the SR is fitted
                (fit.signalRegion[i] ? sr : sb) += sh[i];
            return sr / sb;
        };
        std::array<double, 3> grad {};
        for (int i = 0; i < 3; ++i) {
            Point up = best, down = best;
            up[i] += step[i];
            down[i] -= step[i];
            grad[i] = (ratio(up) - ratio(down)) / (2 * step[i]);
        }
        double shapeVariance = 0;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                shapeVariance += grad[i] * cov[i][j] * grad[j];
        const double r = ratio(best);
        fit.expectedSrError = std::sqrt(total * total * std::max(0.0, shapeVariance) + r * r * total);
        // The local Z with the background uncertainty (Cowan, "Discovery sensitivity for a counting
        // experiment with background uncertainty", 2012, eq. 20): the extrapolation of a fit to ~10^5 SB events
        // is uncertain by about as much as the SR's own Poisson spread, which the stat-only Z ignores.
        fit.significance = poissonSignificance(fit.observedSr, fit.expectedSr, fit.expectedSrError);
    } else if (fit.message.empty()) {
        fit.message = "The dijet fit's Hessian is not positive definite: no parameter errors, and the local "
                      "significance is the statistical one alone.";
    }
    return fit;
}

std::vector<BumpHuntStep> bumpHunt(
    const ScoredEvents& events, const MassWindows& w, const BumpHuntConfig& config, bool backgroundOnly)
{
    std::vector<std::size_t> use;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (backgroundOnly && events.label[i] == -1)
            throw ConfigError("The background-sculpting check needs truth labels.");
        if (!backgroundOnly || events.label[i] == 0)
            use.push_back(i);
    }
    std::vector<float> sorted;
    for (std::size_t i : use)
        sorted.push_back(events.score[i]);
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    std::vector<BumpHuntStep> steps;
    for (double eff : config.efficiencies) {
        if (!(eff > 0 && eff <= 1))
            throw ConfigError(fmt::format("Score-cut efficiencies must be in (0, 1] (got {}).", eff));
        if (sorted.empty())
            break;
        const auto keep = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(eff * double(sorted.size()))));
        BumpHuntStep step;
        step.efficiency = eff;
        step.threshold = eff >= 1 ? -std::numeric_limits<double>::infinity() : double(sorted[keep - 1]);
        std::vector<float> masses;
        for (std::size_t i : use)
            if (double(events.score[i]) >= step.threshold)
                masses.push_back(events.mass[i]);
        step.passing = masses.size();
        try {
            step.fit = fitSpectrum(masses, w, config);
        } catch (const ConfigError&) {
            continue; // too few events left after this cut
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

} // namespace hepgen::anomaly
