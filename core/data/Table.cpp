#include "core/data/Table.h"

#include "core/util/Error.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <random>

namespace hepgen::data {

std::size_t Table::columnIndex(const std::string& name) const
{
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end())
        throw ConfigError(fmt::format("There is no column '{}'; the columns are: {}.", name, fmt::join(columns, ", ")));
    return static_cast<std::size_t>(it - columns.begin());
}

std::vector<float> Table::column(std::size_t col) const
{
    const std::size_t n = rows(), f = cols();
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = values[i * f + col];
    return out;
}

Table selectRows(const Table& t, const std::vector<std::size_t>& rows)
{
    Table out;
    out.columns = t.columns;
    out.units = t.units;
    const std::size_t f = t.cols();
    out.values.reserve(rows.size() * f);
    for (std::size_t r : rows) {
        out.values.insert(out.values.end(), t.values.begin() + static_cast<std::ptrdiff_t>(r * f),
            t.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * f));
        if (!t.labels.empty())
            out.labels.push_back(t.labels[r]);
        if (!t.weights.empty())
            out.weights.push_back(t.weights[r]);
    }
    return out;
}

Table selectColumns(const Table& t, const std::vector<std::string>& names)
{
    std::vector<std::size_t> idx;
    for (const auto& n : names)
        idx.push_back(t.columnIndex(n));
    Table out;
    for (std::size_t j : idx) {
        out.columns.push_back(t.columns[j]);
        if (!t.units.empty())
            out.units.push_back(t.units[j]);
    }
    out.values.reserve(t.rows() * idx.size());
    for (std::size_t i = 0; i < t.rows(); ++i)
        for (std::size_t j : idx)
            out.values.push_back(t.at(i, j));
    out.labels = t.labels;
    out.weights = t.weights;
    return out;
}

TableSplit splitTable(const Table& t, double validationFraction, double testFraction, std::uint64_t seed)
{
    if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1))
        throw ConfigError(
            fmt::format("Validation ({}) and test ({}) fractions must be non-negative and sum to less than 1.",
                validationFraction, testFraction));
    const std::size_t n = t.rows();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    // Fisher-Yates with our own draws: the same split on every standard library.
    std::mt19937_64 rng(seed);
    for (std::size_t i = n; i > 1; --i)
        std::swap(order[i - 1], order[rng() % i]);
    const auto nVal = static_cast<std::size_t>(std::llround(validationFraction * static_cast<double>(n)));
    const auto nTest = static_cast<std::size_t>(std::llround(testFraction * static_cast<double>(n)));
    const std::vector<std::size_t> test(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(nTest));
    const std::vector<std::size_t> val(
        order.begin() + static_cast<std::ptrdiff_t>(nTest), order.begin() + static_cast<std::ptrdiff_t>(nTest + nVal));
    const std::vector<std::size_t> train(order.begin() + static_cast<std::ptrdiff_t>(nTest + nVal), order.end());
    return { selectRows(t, train), selectRows(t, val), selectRows(t, test) };
}

} // namespace hepgen::data
