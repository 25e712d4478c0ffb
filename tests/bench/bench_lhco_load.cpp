// Loads an LHC Olympics pandas file (either layout) with our reader and prints one JSON line:
// wall time, rows, and the peak resident memory the load added. Driven by lhco_load.py, which
// times pandas.read_hdf on the same file in the same run.
#include "core/data/LhcoReader.h"
#include "core/util/Runtime.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

// VmRSS / VmHWM of this process in kB (Linux /proc).
long statusKb(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0)
            return std::stol(line.substr(std::string(key).size()));
    return -1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_lhco_load FILE.h5\n");
        return 2;
    }
    hepgen::initialiseRuntime();
    const long before = statusKb("VmRSS:");
    const auto t0 = std::chrono::steady_clock::now();
    const hepgen::data::Table t = hepgen::data::readLhcoPandas(argv[1]);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long peak = statusKb("VmHWM:");
    std::printf("{\"seconds\": %.4f, \"rows\": %zu, \"peak_added_mb\": %.1f, \"table_mb\": %.1f}\n", seconds, t.rows(),
        (peak - before) / 1024.0, t.values.size() * sizeof(float) / 1048576.0);
    return 0;
}
