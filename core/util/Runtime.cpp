#include "core/util/Runtime.h"

#include <H5Cpp.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <thread>

namespace hepgen {

namespace {

// OpenBLAS is reached through the system libblas.so.3 alternative, so it may or may not be the
// BLAS in use; look its entry points up at run time instead of linking them.
template <class Fn>
Fn blasSymbol(const char* name)
{
    return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

} // namespace

void initialiseRuntime(int threads)
{
    H5::Exception::dontPrint();
    if (threads <= 0) {
        if (const char* env = std::getenv("HEPGEN_THREADS"))
            threads = std::atoi(env);
    }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (threads <= 0)
        threads = cores;
    // Measured in DESIGN.md on a 2D MLP: one LibTorch thread over a multi-threaded OpenBLAS is
    // 3-4x faster than both libraries spreading over the same cores. So LibTorch runs its own
    // elementwise work on one thread and the matrix products get the cores through BLAS.
    at::set_num_threads(1);
    if (auto setBlasThreads = blasSymbol<void (*)(int)>("openblas_set_num_threads"))
        setBlasThreads(threads);
}

std::vector<std::pair<std::string, std::string>> coreLibraryVersions()
{
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    std::string blas = "reference BLAS (libblas.so.3; install libopenblas0-pthread for speed)";
    if (auto config = blasSymbol<char* (*)()>("openblas_get_config"))
        blas = config(); // "OpenBLAS 0.3.21 ... <kernel>"
    return {
        { "LibTorch", TORCH_VERSION },
        { "HDF5", fmt::format("{}.{}.{}", major, minor, release) },
        { "BLAS", blas },
        { "nlohmann_json",
            fmt::format(
                "{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH) },
        { "fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100) },
    };
}

std::string hepgenVersion() { return HEPGEN_VERSION; }

} // namespace hepgen
