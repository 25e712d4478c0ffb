#include "core/data/Toy2D.h"

#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <random>

namespace hepgen::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct NamedShape {
    Toy2DShape shape;
    const char* name;
};
constexpr std::array<NamedShape, 5> kShapes { { { Toy2DShape::Moons, "moons" },
    { Toy2DShape::EightGaussians, "8gaussians" }, { Toy2DShape::Checkerboard, "checkerboard" },
    { Toy2DShape::Rings, "rings" }, { Toy2DShape::Mixture, "mixture" } } };

using Rng = std::mt19937_64;

std::array<double, 2> moons(Rng& rng)
{
    std::uniform_real_distribution<double> angle(0.0, kPi);
    std::normal_distribution<double> noise(0.0, 0.1);
    const double a = angle(rng);
    // Upper moon centred at (0,0), lower moon shifted to (1, 0.5) and flipped (sklearn convention),
    // then the pair is centred on the origin and scaled to fill about [-3, 3].
    const bool upper = std::bernoulli_distribution(0.5)(rng);
    double x = upper ? std::cos(a) : 1.0 - std::cos(a);
    double y = upper ? std::sin(a) : 0.5 - std::sin(a);
    x = 2.0 * (x - 0.5 + noise(rng));
    y = 2.0 * (y - 0.25 + noise(rng));
    return { x, y };
}

std::array<double, 2> eightGaussians(Rng& rng)
{
    const int k = std::uniform_int_distribution<int>(0, 7)(rng);
    std::normal_distribution<double> noise(0.0, 0.2);
    const double a = 2.0 * kPi * k / 8.0;
    return { 2.0 * std::cos(a) + noise(rng), 2.0 * std::sin(a) + noise(rng) };
}

std::array<double, 2> checkerboard(Rng& rng)
{
    // A 4x4 board of unit-2 squares on [-4,4]^2; squares whose column+row is even are filled.
    const int square = std::uniform_int_distribution<int>(0, 7)(rng);
    const int row = square / 2;
    const int col = 2 * (square % 2) + (row % 2);
    std::uniform_real_distribution<double> u(0.0, 2.0);
    return { -4.0 + 2.0 * col + u(rng), -4.0 + 2.0 * row + u(rng) };
}

std::array<double, 2> rings(Rng& rng)
{
    constexpr std::array<double, 4> radii { 0.5, 1.25, 2.0, 2.75 };
    // Choose a ring with probability proportional to its circumference: uniform density per length.
    std::discrete_distribution<int> pick(radii.begin(), radii.end());
    std::uniform_real_distribution<double> angle(0.0, 2.0 * kPi);
    std::normal_distribution<double> noise(0.0, 0.08);
    const double r = radii[static_cast<std::size_t>(pick(rng))];
    const double a = angle(rng);
    return { r * std::cos(a) + noise(rng), r * std::sin(a) + noise(rng) };
}

struct Component {
    double weight, mx, my, sx, sy, rho;
};
constexpr std::array<Component, 5> kMixture { { { 0.30, -1.5, -1.0, 0.60, 0.30, 0.5 },
    { 0.25, 1.5, 1.5, 0.40, 0.70, -0.3 }, { 0.20, 0.0, 2.2, 0.80, 0.25, 0.0 }, { 0.15, 2.0, -1.8, 0.30, 0.30, 0.0 },
    { 0.10, -2.5, 1.5, 0.25, 0.50, 0.7 } } };

/// log of the bivariate normal density with means, standard deviations and correlation of `c`.
double logNormal2D(const Component& c, double x, double y)
{
    const double u = (x - c.mx) / c.sx, v = (y - c.my) / c.sy, r2 = 1.0 - c.rho * c.rho;
    return -(u * u - 2 * c.rho * u * v + v * v) / (2 * r2) - std::log(2 * kPi * c.sx * c.sy * std::sqrt(r2));
}

std::array<double, 2> mixture(Rng& rng)
{
    const auto& comps = kMixture;
    std::array<double, 5> w {};
    for (std::size_t i = 0; i < comps.size(); ++i)
        w[i] = comps[i].weight;
    const auto& c = comps[static_cast<std::size_t>(std::discrete_distribution<int>(w.begin(), w.end())(rng))];
    std::normal_distribution<double> g(0.0, 1.0);
    const double z1 = g(rng), z2 = g(rng);
    // Cholesky factor of [[sx², ρ sx sy], [ρ sx sy, sy²]].
    return { c.mx + c.sx * z1, c.my + c.sy * (c.rho * z1 + std::sqrt(1.0 - c.rho * c.rho) * z2) };
}

} // namespace

Toy2DShape parseToy2DShape(const std::string& name)
{
    for (const auto& s : kShapes)
        if (name == s.name)
            return s.shape;
    throw ConfigError(
        fmt::format("Unknown 2D toy shape '{}'; choose one of: {}.", name, fmt::join(toy2DShapeNames(), ", ")));
}

std::string toy2DShapeName(Toy2DShape shape)
{
    for (const auto& s : kShapes)
        if (s.shape == shape)
            return s.name;
    return "unknown";
}

std::vector<std::string> toy2DShapeNames()
{
    std::vector<std::string> names;
    for (const auto& s : kShapes)
        names.emplace_back(s.name);
    return names;
}

Table generateToy2D(Toy2DShape shape, std::size_t n, std::uint64_t seed)
{
    Rng rng(seed);
    Table t;
    t.columns = { "x", "y" };
    t.units = { "", "" };
    t.values.resize(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        std::array<double, 2> p {};
        switch (shape) {
        case Toy2DShape::Moons: p = moons(rng); break;
        case Toy2DShape::EightGaussians: p = eightGaussians(rng); break;
        case Toy2DShape::Checkerboard: p = checkerboard(rng); break;
        case Toy2DShape::Rings: p = rings(rng); break;
        case Toy2DShape::Mixture: p = mixture(rng); break;
        }
        t.values[2 * i] = static_cast<float>(p[0]);
        t.values[2 * i + 1] = static_cast<float>(p[1]);
    }
    return t;
}

bool toy2DHasDensity(Toy2DShape shape) { return shape == Toy2DShape::EightGaussians || shape == Toy2DShape::Mixture; }

std::vector<double> toy2DLogDensity(Toy2DShape shape, const std::vector<std::array<double, 2>>& points)
{
    if (!toy2DHasDensity(shape))
        throw ConfigError(fmt::format("The 2D toy '{}' has no closed-form density.", toy2DShapeName(shape)));
    std::vector<Component> comps(kMixture.begin(), kMixture.end());
    if (shape == Toy2DShape::EightGaussians) {
        comps.clear();
        for (int k = 0; k < 8; ++k)
            comps.push_back(
                { 1.0 / 8.0, 2.0 * std::cos(2.0 * kPi * k / 8.0), 2.0 * std::sin(2.0 * kPi * k / 8.0), 0.2, 0.2, 0.0 });
    }
    std::vector<double> out;
    out.reserve(points.size());
    for (const auto& p : points) {
        // log sum_k w_k N_k(p), summed stably around the largest term.
        std::vector<double> terms;
        for (const auto& c : comps)
            terms.push_back(std::log(c.weight) + logNormal2D(c, p[0], p[1]));
        const double top = *std::max_element(terms.begin(), terms.end());
        double sum = 0.0;
        for (double t : terms)
            sum += std::exp(t - top);
        out.push_back(top + std::log(sum));
    }
    return out;
}

} // namespace hepgen::data
