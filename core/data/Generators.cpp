#include "core/data/Generators.h"

#include <fmt/format.h>

namespace hepgen::data {

Dataset generateDataset(const GeneratorRequest& r, const JobControl& job)
{
    Dataset ds;
    ds.format = "built-in generator";
    switch (r.kind) {
    case GeneratorKind::Dijet: {
        const DijetOptions& o = r.dijet;
        ds.kind = DatasetKind::Table;
        ds.table = generateDijet(o, job);
        ds.description = fmt::format(
            "dijet toy (LHCO R&D look-alike): background={} {} noise_features={} mjj_correlation={} seed={}",
            o.background,
            o.sOverB > 0 ? fmt::format("S/B={} in [{}, {}] TeV", o.sOverB, o.srLow, o.srHigh)
                         : fmt::format("signal={}", o.signal),
            o.noiseFeatures, o.mjjCorrelation, o.seed);
        break;
    }
    case GeneratorKind::Showers: {
        const auto& o = r.showers;
        ds.kind = DatasetKind::Showers;
        ds.showers = hepgen::showers::simulateShowers(o, job);
        ds.description = fmt::format("GFLASH-style photon showers in {}: showers={} energy=[{}, {}] GeV seed={}",
            ds.showers->geometry.name, o.showers, o.energyMin, o.energyMax, o.seed);
        break;
    }
    case GeneratorKind::Toy2D:
        ds.kind = DatasetKind::Table;
        job.report(0.0, "generating");
        ds.table = generateToy2D(r.toyShape, r.toyEvents, r.toySeed);
        job.report(1.0, "done");
        ds.description
            = fmt::format("2D toy '{}': events={} seed={}", toy2DShapeName(r.toyShape), r.toyEvents, r.toySeed);
        break;
    }
    return ds;
}

} // namespace hepgen::data
