// writeScores(): the per-event scores of a hunt as CSV, or as a table in our HDF5 schema.
#include "core/anomaly/Hunt.h"

#include "core/data/DatasetIO.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

namespace hepgen::anomaly {

namespace {

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

void writeScores(const HuntResult& r, const std::string& path)
{
    const ScoredEvents& e = r.events;
    if (endsWith(path, ".h5") || endsWith(path, ".hdf5")) {
        hepgen::data::Table t;
        t.columns = { "mass", "score", "signal_region", "fold" };
        t.units = { "TeV", "", "", "" };
        t.values.reserve(4 * e.size());
        for (std::size_t i = 0; i < e.size(); ++i)
            t.values.insert(t.values.end(), { e.mass[i], e.score[i], float(e.signalRegion[i]), float(e.fold[i]) });
        t.labels = e.label;
        hepgen::data::Dataset ds;
        ds.kind = hepgen::data::DatasetKind::Table;
        ds.description = fmt::format("Per-event scores of a {} hunt{}; signal_region 1 marks the SR test events "
                                     "(out-of-fold scores); fold names the fold model that scored the event.",
            r.method, r.classifier.empty() ? "" : " (" + r.classifier + ")");
        ds.table = std::move(t);
        hepgen::data::writeDataset(ds, path);
        return;
    }
    std::ofstream out(path);
    if (!out)
        throw FileError(path, "cannot be written.");
    out << "mass,score,label,signal_region,fold\n";
    for (std::size_t i = 0; i < e.size(); ++i)
        out << fmt::format(
            "{},{},{},{},{}\n", e.mass[i], e.score[i], int(e.label[i]), int(e.signalRegion[i]), int(e.fold[i]));
    if (!out)
        throw FileError(path, "could not be written completely (disk full?).");
}

} // namespace hepgen::anomaly
