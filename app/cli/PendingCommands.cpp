// Subcommands of the CLI contract whose work is not built yet. They exist so that `hepgen --help`
// shows the whole contract, and answer honestly with a non-zero exit instead of doing nothing.
#include "Commands.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace hepgen::cli {

void addPendingCommands(CLI::App& app, Action& action)
{
    struct Pending {
        const char* name;
        const char* description;
        const char* arrivesWith;
    };
    static constexpr Pending kPending[] = {
        { "evaluate-showers", "Compare generated with reference showers", "the shower studio (issue #5)" },
    };
    for (const auto& p : kPending) {
        CLI::App* sub = app.add_subcommand(p.name, std::string(p.description) + " [not available yet]");
        sub->prefix_command(); // accept any arguments: the answer is the same
        sub->fallthrough(false);
        sub->callback([&action, p] {
            action = [p] {
                fmt::print(
                    stderr, "hepgen {}: not available in this version; it arrives with {}.\n", p.name, p.arrivesWith);
                return 3;
            };
        });
    }
}

} // namespace hepgen::cli
