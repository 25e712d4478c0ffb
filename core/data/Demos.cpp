#include "core/data/Demos.h"

#include "core/data/Generators.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::data {

namespace {
constexpr std::size_t kToyEvents = 20000;
constexpr std::size_t kDemoShowers = 500;
constexpr std::uint64_t kDemoSeed = 20201;

// The request behind each demo; the default options of each generator unless said otherwise.
bool demoRequest(const std::string& name, GeneratorRequest& r)
{
    if (name == "dijet") {
        r.kind = GeneratorKind::Dijet;
        r.dijet.seed = kDemoSeed;
        return true;
    }
    if (name == "showers") {
        r.kind = GeneratorKind::Showers;
        r.showers.showers = kDemoShowers;
        r.showers.seed = kDemoSeed;
        return true;
    }
    const std::string prefix = "toy2d-";
    if (name.rfind(prefix, 0) == 0) {
        r.kind = GeneratorKind::Toy2D;
        r.toyShape = parseToy2DShape(name.substr(prefix.size()));
        r.toyEvents = kToyEvents;
        r.toySeed = kDemoSeed;
        return true;
    }
    return false;
}

} // namespace

std::vector<DemoInfo> demoDatasets()
{
    std::vector<DemoInfo> demos {
        { "dijet", "Dijet toy (LHCO R&D look-alike)",
            "1,000,000 QCD dijet background events and 1000 W'(3.5 TeV) -> X(500 GeV) Y(100 GeV) signal events, with "
            "the "
            "standard features mjj, mj_min, delta_mj, tau21_min, tau21_max, for the anomaly hunt." },
        { "showers", "Photon showers (ILD-like ECAL)",
            fmt::format("{} GFLASH-style photon showers of 10-100 GeV in a 30-layer Si-W ECAL, for the shower studio.",
                kDemoShowers) },
    };
    for (const auto& shape : toy2DShapeNames())
        demos.push_back({ "toy2d-" + shape, fmt::format("2D toy: {}", shape),
            fmt::format("{} events of the '{}' 2D toy distribution, for the model lab.", kToyEvents, shape) });
    return demos;
}

Dataset makeDemo(const std::string& name, const JobControl& job)
{
    GeneratorRequest request;
    if (!demoRequest(name, request))
        throw ConfigError(fmt::format("Unknown demo data set '{}'.", name));
    Dataset ds = generateDataset(request, job);
    ds.source = "demo:" + name;
    return ds;
}

} // namespace hepgen::data
