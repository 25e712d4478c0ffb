// Benchmark: recomputing a 200 x 200 map after a slice moved, for an MLP classifier ensemble of 5 (the hunt's
// classifier: hepgen::metrics::BinaryClassifier, 3 x 64 ReLU, standardised inputs) over 4 dijet features, two on the
// axes and two at slice values. Each repetition moves one slice and calls computeMap, as the Maps workspace's
// worker does; the time includes building the 40 000 grid rows, the five forward passes, the mean and the spread.
// Also times the bare forward pass of the five networks on the same 40 000 rows (no map bookkeeping).
// Prints one JSON object. Threads: HEPGEN_THREADS (LibTorch intra-op and BLAS threads).
//   tests/bench/map_vs_pytorch.py runs this and the same ensemble's forward pass in PyTorch Python.
#include "core/maps/ClassifierMapModel.h"
#include "core/maps/MapCompute.h"
#include "core/util/Runtime.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    hepgen::initialiseRuntime();
    const int repetitions = argc > 1 ? std::atoi(argv[1]) : 50;
    using Clock = std::chrono::steady_clock;

    // Training data: 4 features, labels from a smooth function, so the networks' weights are those of a trained
    // classifier (a few epochs), not of a fresh initialisation.
    hepgen::data::Table data;
    data.columns = { "mj_min", "delta_mj", "tau21_min", "tau21_max" };
    std::mt19937_64 rng(1);
    std::normal_distribution<float> g;
    for (int i = 0; i < 20000; ++i) {
        const float a = 0.1f + 0.1f * std::abs(g(rng)), b = 0.15f + 0.15f * std::abs(g(rng));
        const float c = 0.6f + 0.17f * g(rng), d = 0.5f + 0.19f * g(rng);
        data.values.insert(data.values.end(), { a, b, c, d });
        data.labels.push_back(static_cast<std::int8_t>(b > 0.3f && d < 0.4f ? 1 : (g(rng) > 1.5f ? 1 : 0)));
    }
    hepgen::metrics::ClassifierConfig config; // defaults: 3 x 64, ReLU, as in the hunt's MLP ensemble
    config.epochs = 2;
    config.patience = 0;
    auto ensemble = hepgen::maps::trainClassifierEnsemble(data, data.columns, 5, config, "bench MLP x5");

    hepgen::maps::MapRequest request;
    request.kind = hepgen::maps::MapKind::Score;
    request.x = "delta_mj";
    request.y = "tau21_max";
    request.xBins = request.yBins = 200;
    request.xRange = std::make_pair(0.0, 0.8);
    request.yRange = std::make_pair(0.0, 1.0);
    request.slices = { { "mj_min", 0.11 }, { "tau21_min", 0.6 } };

    auto once = [&](int i) {
        request.slices["tau21_min"] = 0.3 + 0.5 * (i % 50) / 50.0; // the slider moved
        const auto t0 = Clock::now();
        const auto map = hepgen::maps::computeMap(*ensemble, request, nullptr);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (map.value.size() != 40000 || map.uncertainty.size() != 40000)
            std::abort();
        return ms;
    };
    for (int i = 0; i < 5; ++i) // warm-up: allocator, BLAS buffers
        once(i);
    std::vector<double> maps;
    for (int i = 0; i < repetitions; ++i)
        maps.push_back(once(i));

    // The bare forward pass of the five members on the same rows.
    std::vector<float> rows;
    for (int j = 0; j < 200; ++j)
        for (int i = 0; i < 200; ++i)
            rows.insert(rows.end(), { 0.11f, 0.8f * (i + 0.5f) / 200, 0.6f, (j + 0.5f) / 200 });
    std::vector<double> forward;
    for (int i = 0; i < repetitions + 5; ++i) {
        const auto t0 = Clock::now();
        const auto e = ensemble->evaluate(hepgen::maps::MapKind::Score, rows, {});
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (i >= 5)
            forward.push_back(ms);
        if (e.value.size() != 40000)
            std::abort();
    }
    fmt::print("{{\"grid\": 40000, \"members\": 5, \"repetitions\": {}, \"map_ms_median\": {:.2f}, \"map_ms_min\": "
               "{:.2f}, \"map_ms_max\": {:.2f}, \"forward_ms_median\": {:.2f}}}\n",
        repetitions, median(maps), *std::min_element(maps.begin(), maps.end()),
        *std::max_element(maps.begin(), maps.end()), median(forward));
    return 0;
}
