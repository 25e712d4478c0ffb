// Benchmark: training steps per second of two of our families through the GenerativeModel interface
// (forward, loss, backward, gradient clipping to norm 1, Adam step), on the CPU:
//   ddpm      default network (3 x 256 residual MLP, 16-wide time embedding) on 2D data, batch 512
//   flow-rqs  default spline flow (6 coupling layers, 128-128 conditioners, 8 bins) on 5D data, batch 512
// Prints one JSON object per model. Threads: HEPGEN_THREADS (BLAS threads; LibTorch runs one thread, as
// in the app). tests/bench/training_vs_pytorch.py runs this and the same networks in PyTorch Python.
#include "core/models/ModelFactory.h"
#include "core/util/Runtime.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

namespace {

double stepsPerSecond(hepgen::models::GenerativeModel& model, int64_t features, int64_t batch, double seconds)
{
    torch::manual_seed(3);
    const auto x = torch::randn({ 8 * batch, features });
    auto step = [&](int64_t i) {
        const auto b = x.slice(0, (i % 8) * batch, (i % 8 + 1) * batch);
        model.trainStep({ b, {}, {} }, 1.0);
    };
    for (int64_t i = 0; i < 20; ++i) // warm-up: allocator, BLAS buffers
        step(i);
    const auto t0 = std::chrono::steady_clock::now();
    int64_t n = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
        step(n++);
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return static_cast<double>(n) / elapsed;
}

} // namespace

int main(int argc, char** argv)
{
    hepgen::initialiseRuntime();
    const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
    for (const auto& [family, features] : { std::pair { "ddpm", 2 }, std::pair { "flow-rqs", 5 } }) {
        auto model = hepgen::models::makeModel(family, { features, 0 });
        int64_t parameters = 0;
        for (const auto& p : model->parameters())
            parameters += p.numel();
        const double rate = stepsPerSecond(*model, features, 512, seconds);
        fmt::print("{{\"model\": \"{}\", \"features\": {}, \"batch\": 512, \"parameters\": {}, \"steps_per_second\": "
                   "{:.2f}}}\n",
            family, features, parameters, rate);
    }
    return 0;
}
