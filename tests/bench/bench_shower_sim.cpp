// Throughput of the GFLASH-style shower simulator: showers per second on one core at 10, 50 and
// 100 GeV (items_per_second in the output).
#include "core/showers/ShowerSimulator.h"

#include <benchmark/benchmark.h>

namespace {

void showersAtFixedEnergy(benchmark::State& state)
{
    hepgen::showers::ShowerSimOptions o;
    o.showers = 20;
    o.energyMin = o.energyMax = static_cast<double>(state.range(0));
    std::size_t hits = 0;
    for (auto _ : state) {
        const auto showers = hepgen::showers::simulateShowers(o);
        hits += showers.points.size() / 4;
        benchmark::DoNotOptimize(showers.points.data());
        ++o.seed;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * o.showers));
    state.counters["hits_per_shower"] = static_cast<double>(hits) / static_cast<double>(state.iterations() * o.showers);
    state.SetLabel("GeV photons");
}

} // namespace

BENCHMARK(showersAtFixedEnergy)->Arg(10)->Arg(50)->Arg(100)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
