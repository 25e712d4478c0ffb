#pragma once
// What every configuration key means, in one place: the model lab builds its settings form from a
// family's config() and takes each field's tooltip (and, for text fields, its choices) from here.
// No torch here, so the widgets can include it.
#include <string>
#include <vector>

namespace hepgen::models {

/// Help for one configuration key.
struct FieldHelp {
    std::string text;                 ///< one or two sentences: what it does, and the unit or range
    std::vector<std::string> choices; ///< allowed values of a text field (empty: free or not text)
};

/// Help for key `key` of `scope`: a family name (its model config), "trainer", or a scope of the anomaly
/// hunt's settings ("hunt", "density", "bdt", "classifier"). A key that means different
/// things in different families is looked up per family first. Returns an empty text for an unknown key.
FieldHelp configFieldHelp(const std::string& scope, const std::string& key);

/// Where a key goes in a settings form: architecture first, then the method's settings, the optimiser last
/// (the order of the help table). Unknown keys rank after all known ones.
int configFieldRank(const std::string& scope, const std::string& key);

} // namespace hepgen::models
