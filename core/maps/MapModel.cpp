#include "core/maps/MapModel.h"

#include "core/util/Error.h"

#include <algorithm>
#include <fmt/format.h>

namespace hepgen::maps {

const std::vector<std::string>& MapModel::conditions() const
{
    static const std::vector<std::string> none;
    return none;
}

std::vector<std::string> MapModel::inputs() const
{
    std::vector<std::string> all = features();
    for (const auto& c : conditions())
        all.push_back(c);
    return all;
}

bool MapModel::offers(MapKind kind) const
{
    const auto k = kinds();
    return std::find(k.begin(), k.end(), kind) != k.end();
}

std::size_t checkedEvents(const MapModel& model, const std::vector<float>& rows, const std::vector<float>& conds)
{
    const std::size_t f = model.features().size(), c = model.conditions().size();
    if (f == 0 || rows.size() % f != 0)
        throw ConfigError(fmt::format("{}: rows must hold {} values per event.", model.name(), f));
    const std::size_t n = rows.size() / f;
    if (conds.size() != n * c)
        throw ConfigError(fmt::format("{}: give {} condition value(s) per event.", model.name(), c));
    return n;
}

} // namespace hepgen::maps
