#pragma once
// Process-wide set-up of the numerical libraries, and the versions actually linked.
#include <string>
#include <utility>
#include <vector>

namespace hepgen {

/// Call once at start-up, before any other thread exists: silences the HDF5 error stack printer
/// (errors arrive as exceptions instead) and sets the LibTorch and BLAS thread counts so that
/// they do not oversubscribe the cores. `threads` <= 0 means: from $HEPGEN_THREADS, else all cores.
void initialiseRuntime(int threads = 0);

/// Name and version of each numerical library linked into core, as reported by the library
/// itself at run time where it can tell (LibTorch, HDF5, BLAS, nlohmann_json, fmt).
std::vector<std::pair<std::string, std::string>> coreLibraryVersions();

/// Version of HEPGen Studio itself.
std::string hepgenVersion();

} // namespace hepgen
