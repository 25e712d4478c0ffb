#pragma once
// Progress of a CLI job on stderr: a redrawn bar with ETA on a terminal, a line every 10 % otherwise
// (logs of batch jobs), nothing with --quiet. Also polls SIGINT so Ctrl-C cancels cleanly.
#include "core/util/Job.h"

#include <string>

namespace hepgen::cli {

class TerminalProgress {
public:
    TerminalProgress(std::string title, bool quiet);
    ~TerminalProgress();
    /// The control to hand to core; its stop callback is true after Ctrl-C.
    hepgen::JobControl control();
    /// Ends the bar line.
    void finish();

private:
    void draw(double fraction, const std::string& message);

    std::string m_title;
    bool m_quiet;
    bool m_tty;
    int m_lastDecile = -1;
    double m_lastDraw = -1.0;
    bool m_drawn = false;
    hepgen::EtaEstimator m_eta;
};

} // namespace hepgen::cli
