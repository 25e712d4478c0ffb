#include "core/models/ModelFactory.h"

namespace hepgen::models {

const std::vector<FamilyEntry>& familyTable()
{
    static const std::vector<FamilyEntry> table{};
    return table;
}

} // namespace hepgen::models
