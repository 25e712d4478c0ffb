// hepgen: the headless command-line front end over the same core as the GUI (DESIGN.md, CLI contract).
#include "Commands.h"

#include "core/util/Error.h"
#include "core/util/Runtime.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

namespace {

std::string versionText()
{
    std::string text = "hepgen " + hepgen::hepgenVersion();
    for (const auto& [name, version] : hepgen::coreLibraryVersions())
        text += fmt::format("\n  {}: {}", name, version);
    return text;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app { "hepgen: train and inspect generative models on particle-physics data, headless.\n"
                   "Progress goes to stderr, results to stdout (--json) or files.",
        "hepgen" };
    app.set_version_flag("--version", versionText());
    app.require_subcommand(1);
    app.fallthrough();

    hepgen::cli::GlobalOptions global;
    app.add_flag("-q,--quiet", global.quiet, "No progress output on stderr");
    app.add_option("--threads", global.threads, "Worker threads (default: $HEPGEN_THREADS or all cores)")
        ->check(CLI::NonNegativeNumber);

    hepgen::cli::Action action;
    hepgen::cli::addGenerateCommand(app, global, action);
    hepgen::cli::addInfoCommand(app, global, action);
    hepgen::cli::addTrainCommands(app, global, action);
    hepgen::cli::addHuntCommand(app, global, action);
    hepgen::cli::addEvaluateShowersCommand(app, global, action);
    hepgen::cli::addMapCommands(app, global, action);

    // CLI11 would call an unknown word a missing subcommand; say what is wrong instead.
    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        for (const CLI::App* sub : app.get_subcommands({}))
            known = known || sub->get_name() == argv[1];
        if (!known) {
            fmt::print(stderr, "hepgen: unknown command '{}'.\nRun 'hepgen --help' for usage.\n", argv[1]);
            return 2;
        }
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)
            return app.exit(e); // --help, --version
        // One line, then where to look: bad options must not bury the user in usage text.
        fmt::print(stderr, "hepgen: {}\nRun 'hepgen --help' for usage.\n", e.what());
        return 2;
    }

    try {
        hepgen::initialiseRuntime(global.threads);
        return action ? action() : 2;
    } catch (const hepgen::Cancelled&) {
        fmt::print(stderr, "hepgen: cancelled.\n");
        return 130;
    } catch (...) {
        fmt::print(stderr, "hepgen: {}\n", hepgen::currentExceptionMessage());
        return 1;
    }
}
