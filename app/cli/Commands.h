#pragma once
// The subcommands of `hepgen`, each registered on the CLI11 app by one function in its own file.
// A subcommand's callback runs the core function and returns the process exit status.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace hepgen::cli {

/// Options every subcommand shares.
struct GlobalOptions {
    bool quiet = false;
    int threads = 0;
};

/// What a parsed subcommand will run; set by the registration's callback.
using Action = std::function<int()>;

/// The JSON object in a --config file (an empty object for an empty path). FileError when it cannot be read,
/// FormatError when it is not JSON.
nlohmann::json readConfigFile(const std::string& path);

void addGenerateCommand(CLI::App& app, const GlobalOptions& global, Action& action);
void addInfoCommand(CLI::App& app, const GlobalOptions& global, Action& action);
void addTrainCommands(CLI::App& app, const GlobalOptions& global, Action& action);
void addHuntCommand(CLI::App& app, const GlobalOptions& global, Action& action);
/// hepgen map and hepgen surrogate (core/maps).
void addMapCommands(CLI::App& app, const GlobalOptions& global, Action& action);
/// Subcommands of the CLI contract that later work fills (evaluate-showers).
void addPendingCommands(CLI::App& app, Action& action);

} // namespace hepgen::cli
