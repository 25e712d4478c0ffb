#include "TerminalProgress.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace hepgen::cli {

namespace {
std::atomic<bool> g_interrupted { false };
extern "C" void onSigint(int) { g_interrupted = true; }
} // namespace

TerminalProgress::TerminalProgress(std::string title, bool quiet)
    : m_title(std::move(title))
    , m_quiet(quiet)
    , m_tty(isatty(fileno(stderr)) != 0)
{
    g_interrupted = false;
    std::signal(SIGINT, onSigint);
}

TerminalProgress::~TerminalProgress()
{
    finish();
    std::signal(SIGINT, SIG_DFL);
}

hepgen::JobControl TerminalProgress::control()
{
    return hepgen::JobControl(
        [this](double f, const std::string& msg) { draw(f, msg); }, [] { return g_interrupted.load(); });
}

void TerminalProgress::draw(double fraction, const std::string& message)
{
    if (m_quiet)
        return;
    const auto left = m_eta.secondsLeft(fraction);
    const std::string eta = left ? "ETA " + hepgen::EtaEstimator::format(*left) : std::string("ETA …");
    if (m_tty) {
        const double now = m_eta.elapsedSeconds();
        if (fraction < 1.0 && now - m_lastDraw < 0.1)
            return;
        m_lastDraw = now;
        constexpr int width = 30;
        const int filled = static_cast<int>(fraction * width);
        fmt::print(stderr, "\r{} [{}{}] {:3.0f}% {} {}\x1b[K", m_title,
            std::string(static_cast<std::size_t>(filled), '#'),
            std::string(static_cast<std::size_t>(width - filled), ' '), fraction * 100.0, eta, message);
        m_drawn = true;
    } else {
        const int decile = static_cast<int>(fraction * 10.0);
        if (decile == m_lastDecile)
            return;
        m_lastDecile = decile;
        fmt::print(stderr, "{}: {:3.0f}% {} {}\n", m_title, fraction * 100.0, eta, message);
    }
    std::fflush(stderr);
}

void TerminalProgress::finish()
{
    if (m_drawn && m_tty)
        fmt::print(stderr, "\n");
    m_drawn = false;
}

} // namespace hepgen::cli
