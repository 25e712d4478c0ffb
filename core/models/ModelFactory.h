#pragma once
// The table of generative families makeModel() builds. One explicit list (not self-registration,
// which a static library would silently drop): a new family adds one line in ModelFactory.cpp.
#include "core/models/GenerativeModel.h"

#include <functional>
#include <string>
#include <vector>

namespace hepgen::models {

struct FamilyEntry {
    std::string name;        ///< CLI name
    std::string description; ///< one line for --help and tooltips
    std::function<std::unique_ptr<GenerativeModel>(const ModelShape&, const nlohmann::json&)> make;
};

const std::vector<FamilyEntry>& familyTable();

} // namespace hepgen::models
