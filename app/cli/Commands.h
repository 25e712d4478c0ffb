#pragma once
// The subcommands of `hepgen`, each registered on the CLI11 app by one function in its own file.
// A subcommand's callback runs the core function and returns the process exit status.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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

/// hepgen train --model shower (ShowerCommands.cpp): train a shower generator on showers, or distil one (--teacher).
struct ShowerTrainCli {
    std::string data, config, output, teacher;
    std::optional<uint64_t> seed;
    std::optional<int64_t> epochs; ///< the point model's epochs (with --teacher: the student's)
    bool distill = false;          ///< distil the point model right after training
    bool json = false;
};
int trainShowers(const ShowerTrainCli& options, const GlobalOptions& global);

/// hepgen sample --run SHOWER_RUN: generate showers into our showers schema.
struct ShowerSampleCli {
    std::string run, output, sampler;
    int64_t n = 0, steps = 0;
    std::optional<uint64_t> seed;
    std::vector<double> energy;      ///< one value: every shower at it
    std::vector<double> energyRange; ///< LO HI: uniform; neither: the trained range
    bool trajectory = false, allowExtrapolation = false;
};
int sampleShowers(const ShowerSampleCli& options, const GlobalOptions& global);
/// True when `dir` holds a shower generator's run (its config.json says so).
bool isShowerRun(const std::string& dir);

void addGenerateCommand(CLI::App& app, const GlobalOptions& global, Action& action);
void addInfoCommand(CLI::App& app, const GlobalOptions& global, Action& action);
void addTrainCommands(CLI::App& app, const GlobalOptions& global, Action& action);
void addHuntCommand(CLI::App& app, const GlobalOptions& global, Action& action);
void addEvaluateShowersCommand(CLI::App& app, const GlobalOptions& global, Action& action);
/// hepgen map and hepgen surrogate (core/maps).
void addMapCommands(CLI::App& app, const GlobalOptions& global, Action& action);

} // namespace hepgen::cli
