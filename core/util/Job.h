#pragma once
// How long-running core work (training, sampling, generation, hunts) talks to whoever runs it:
// it reports progress and polls for cancellation through a JobControl, and never knows whether a
// Qt worker thread or the CLI is on the other side.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace hepgen {

/// Progress reporting and cancellation for one job. Cheap to copy; a default-constructed one
/// reports nowhere and is never stopped. Thread-safe as long as the callbacks are.
class JobControl {
public:
    using ProgressFn = std::function<void(double fraction, const std::string& message)>;
    using StopFn = std::function<bool()>;

    JobControl() = default;
    JobControl(ProgressFn progress, StopFn stop);

    /// Reports overall progress; `fraction` in [0, 1] of this control's range.
    void report(double fraction, const std::string& message = {}) const;
    /// True once the user asked to stop; loops poll this once per batch.
    bool stopRequested() const;
    /// Throws hepgen::Cancelled if a stop was requested.
    void throwIfStopped() const;
    /// A control for a sub-task covering [from, to] of this one's range.
    JobControl subRange(double from, double to) const;

private:
    ProgressFn m_progress;
    StopFn m_stop;
    double m_from = 0.0;
    double m_to = 1.0;
};

/// Estimates the remaining time of a job by linear extrapolation of its progress fraction.
class EtaEstimator {
public:
    EtaEstimator();
    void restart();
    double elapsedSeconds() const;
    /// Seconds left at progress `fraction`, or nothing while too little is known to say.
    std::optional<double> secondsLeft(double fraction) const;
    /// "45 s", "3 min 07 s", "2 h 05 min".
    static std::string format(double seconds);

private:
    std::chrono::steady_clock::time_point m_start;
};

} // namespace hepgen
