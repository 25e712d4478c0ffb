// Generation time per 50 GeV shower of the CaloClouds-style generator at batch 1 and 100, for the three ways to
// sample it: DDPM (1000 ancestral steps of a ddpm-trained point model), few-step (EDM Heun, 18 steps = 35 network
// evaluations) and 1-step (the consistency-distilled student), against the built-in GFLASH simulator on the same
// CPU in the same run (the "vs_simulator" counter: generator time over simulator time per shower, < 1 is faster).
//
// Timing does not depend on how well a generator is trained, only on its networks and on the number of hits the
// shower flow draws; so the bench trains its generators briefly on simulated showers (the default networks, a few
// epochs) unless HEPGEN_SHOWER_RUN names a trained edm run (distilled or not) to time instead, and it reports the
// hits per shower it generated. Threads: one LibTorch thread, BLAS threads as HEPGEN_THREADS (default: all cores).
#include "core/showers/ShowerGenerator.h"
#include "core/showers/ShowerSimulator.h"
#include "core/util/Runtime.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace {

using namespace hepgen::showers;

/// Seconds per 50 GeV shower of the simulator, measured once per process.
double simulatorSecondsPerShower()
{
    static const double seconds = [] {
        ShowerSimOptions o;
        o.showers = 200;
        o.energyMin = o.energyMax = 50.0;
        const auto t0 = std::chrono::steady_clock::now();
        simulateShowers(o);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 200.0;
    }();
    return seconds;
}

/// The generators under test, trained on first use: "ddpm" and "edm" (distilled, for "consistency").
ShowerGenerator& generator(const std::string& training)
{
    static std::map<std::string, std::unique_ptr<ShowerGenerator>> cache;
    auto& g = cache[training];
    if (g)
        return *g;
    const char* given = std::getenv("HEPGEN_SHOWER_RUN");
    if (given && training == "edm") {
        g = ShowerGenerator::load(given);
        return *g;
    }
    ShowerSimOptions o;
    o.showers = 1000;
    o.seed = 11;
    const auto showers = simulateShowers(o);
    const nlohmann::json config = { { "flow", { { "trainer", { { "epochs", 10 } } } } },
        { "points", { { "model", { { "training", training } } }, { "trainer", { { "epochs", 2 } } } } },
        { "distillation", { { "trainer", { { "epochs", 1 } } } } } };
    const auto dir = std::filesystem::temp_directory_path() / ("hepgen_bench_showers_" + training);
    g = ShowerGenerator::train(showers, ShowerGeneratorConfig::read(config), dir.string());
    if (training == "edm")
        g->distill(showers, nlohmann::json::object());
    return *g;
}

void generate(benchmark::State& state, const std::string& training, const std::string& sampler)
{
    ShowerGenerator& g = generator(training);
    if (sampler == "consistency" && g.samplers().back() != "consistency") {
        state.SkipWithError("the generator has no distilled student");
        return;
    }
    const auto batch = static_cast<std::size_t>(state.range(0));
    ShowerSampleRequest r;
    r.incidentEnergy.assign(batch, 50.0);
    r.sampler = sampler;
    std::size_t hits = 0, showers = 0;
    for (auto _ : state) {
        const auto out = g.sample(r);
        hits += out.showers.points.size() / 4;
        showers += out.showers.size();
        ++r.seed;
    }
    state.SetItemsProcessed(static_cast<int64_t>(showers));
    state.counters["hits_per_shower"] = static_cast<double>(hits) / static_cast<double>(std::max<std::size_t>(1, showers));
    state.counters["sim_ms_per_shower"] = 1e3 * simulatorSecondsPerShower();
    // Generator seconds per shower over the simulator's, as a rate the benchmark library divides by the time.
    state.counters["vs_simulator"] = benchmark::Counter(static_cast<double>(showers) * simulatorSecondsPerShower(),
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.SetLabel(training + " / " + sampler);
}

void simulator(benchmark::State& state)
{
    ShowerSimOptions o;
    o.showers = static_cast<std::size_t>(state.range(0));
    o.energyMin = o.energyMax = 50.0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(simulateShowers(o).points.data());
        ++o.seed;
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * o.showers));
    state.SetLabel("GFLASH simulator");
}

} // namespace

BENCHMARK(simulator)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(generate, ddpm, std::string("ddpm"), std::string("ddpm"))
    ->Arg(1)
    ->Arg(100)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(generate, few_step, std::string("edm"), std::string("edm-heun"))
    ->Arg(1)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(generate, one_step, std::string("edm"), std::string("consistency"))
    ->Arg(1)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv)
{
    hepgen::initialiseRuntime();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
