#include "core/util/Job.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace hepgen {

JobControl::JobControl(ProgressFn progress, StopFn stop)
    : m_progress(std::move(progress))
    , m_stop(std::move(stop))
{
}

void JobControl::report(double fraction, const std::string& message) const
{
    if (!m_progress)
        return;
    const double f = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
    m_progress(m_from + f * (m_to - m_from), message);
}

bool JobControl::stopRequested() const { return m_stop && m_stop(); }

void JobControl::throwIfStopped() const
{
    if (stopRequested())
        throw Cancelled();
}

JobControl JobControl::subRange(double from, double to) const
{
    JobControl sub = *this;
    sub.m_from = m_from + from * (m_to - m_from);
    sub.m_to = m_from + to * (m_to - m_from);
    return sub;
}

EtaEstimator::EtaEstimator() { restart(); }

void EtaEstimator::restart() { m_start = std::chrono::steady_clock::now(); }

double EtaEstimator::elapsedSeconds() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

std::optional<double> EtaEstimator::secondsLeft(double fraction) const
{
    const double elapsed = elapsedSeconds();
    // Before 1% or half a second the rate is mostly start-up cost: say nothing rather than guess.
    if (!(fraction >= 0.01) || elapsed < 0.5)
        return std::nullopt;
    if (fraction >= 1.0)
        return 0.0;
    return elapsed * (1.0 - fraction) / fraction;
}

std::string EtaEstimator::format(double seconds)
{
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    if (s < 60)
        return fmt::format("{} s", s);
    if (s < 3600)
        return fmt::format("{} min {:02d} s", s / 60, s % 60);
    return fmt::format("{} h {:02d} min", s / 3600, (s % 3600) / 60);
}

} // namespace hepgen
