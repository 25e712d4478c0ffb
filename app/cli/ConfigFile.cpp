// Reading the JSON object a --config option names, for every subcommand that takes one.
#include "Commands.h"

#include "core/util/Error.h"

#include <fstream>

namespace hepgen::cli {

nlohmann::json readConfigFile(const std::string& path)
{
    if (path.empty())
        return nlohmann::json::object();
    std::ifstream in(path);
    if (!in)
        throw FileError(path, "cannot be read.");
    return translatingErrors("reading " + path, [&] { return nlohmann::json::parse(in); });
}

} // namespace hepgen::cli
