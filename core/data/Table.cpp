#include "core/data/Table.h"

#include "core/util/Error.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hepgen::data {

std::size_t Table::columnIndex(const std::string& name) const
{
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end())
        throw ConfigError(fmt::format("There is no column '{}'; the columns are: {}.", name,
                                      fmt::join(columns, ", ")));
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

} // namespace hepgen::data
