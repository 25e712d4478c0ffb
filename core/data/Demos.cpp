#include "core/data/Demos.h"

#include "core/data/Toy2D.h"
#include "core/util/Error.h"

#include <fmt/format.h>

namespace hepgen::data {

namespace {
constexpr std::size_t kToyEvents = 20000;
constexpr std::uint64_t kDemoSeed = 20201;
} // namespace

std::vector<DemoInfo> demoDatasets()
{
    std::vector<DemoInfo> demos;
    for (const auto& shape : toy2DShapeNames())
        demos.push_back({"toy2d-" + shape, fmt::format("2D toy: {}", shape),
                         fmt::format("{} events of the '{}' 2D toy distribution, for the model lab.", kToyEvents, shape)});
    return demos;
}

Dataset makeDemo(const std::string& name, const JobControl& job)
{
    const std::string prefix = "toy2d-";
    if (name.rfind(prefix, 0) == 0) {
        const auto shape = parseToy2DShape(name.substr(prefix.size()));
        job.report(0.0, "generating");
        Dataset ds;
        ds.kind = DatasetKind::Table;
        ds.source = "demo:" + name;
        ds.format = "built-in generator";
        ds.description = fmt::format("2D toy '{}', {} events, seed {}", toy2DShapeName(shape), kToyEvents, kDemoSeed);
        ds.table = generateToy2D(shape, kToyEvents, kDemoSeed);
        job.report(1.0, "done");
        return ds;
    }
    throw ConfigError(fmt::format("Unknown demo data set '{}'.", name));
}

} // namespace hepgen::data
