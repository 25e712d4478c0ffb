// writeScores(): the per-event scores of a hunt as CSV, or as a table in our HDF5 schema.
#include "core/anomaly/Hunt.h"

#include "core/data/DatasetIO.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

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

ScoredEvents readScores(const std::string& path)
{
    ScoredEvents e;
    if (endsWith(path, ".h5") || endsWith(path, ".hdf5")) {
        const auto ds = hepgen::data::readDataset(path);
        if (!ds.table)
            throw FormatError(path, "holds showers, not hunt scores.");
        const auto& t = *ds.table;
        std::size_t mass = 0, score = 0, sr = 0;
        try {
            mass = t.columnIndex("mass");
            score = t.columnIndex("score");
            sr = t.columnIndex("signal_region");
        } catch (const ConfigError&) {
            throw FormatError(path, "is not a scores file of hepgen hunt (columns mass, score, signal_region).");
        }
        const bool hasFold = std::find(t.columns.begin(), t.columns.end(), "fold") != t.columns.end();
        for (std::size_t i = 0; i < t.rows(); ++i) {
            e.mass.push_back(t.at(i, mass));
            e.score.push_back(t.at(i, score));
            e.signalRegion.push_back(t.at(i, sr) > 0.5f ? 1 : 0);
            e.fold.push_back(hasFold ? static_cast<std::int8_t>(t.at(i, t.columnIndex("fold"))) : std::int8_t(0));
            e.label.push_back(t.labels.empty() ? std::int8_t(-1) : t.labels[i]);
        }
        return e;
    }
    std::ifstream in(path);
    if (!in)
        throw FileError(path, "cannot be read.");
    std::string line;
    if (!std::getline(in, line) || line.rfind("mass,score,label,signal_region", 0) != 0)
        throw FormatError(path, "is not a scores file of hepgen hunt (header mass,score,label,signal_region,...).");
    std::size_t n = 1;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty())
            continue;
        std::istringstream fields(line);
        std::string m, s, l, r, f;
        if (!std::getline(fields, m, ',') || !std::getline(fields, s, ',') || !std::getline(fields, l, ',')
            || !std::getline(fields, r, ','))
            throw FormatError(path, fmt::format("line {} has fewer than four fields.", n));
        std::getline(fields, f, ',');
        try {
            e.mass.push_back(std::stof(m));
            e.score.push_back(std::stof(s));
            e.label.push_back(static_cast<std::int8_t>(std::stoi(l)));
            e.signalRegion.push_back(std::stoi(r) ? 1 : 0);
            e.fold.push_back(f.empty() ? std::int8_t(0) : static_cast<std::int8_t>(std::stoi(f)));
        } catch (const std::exception&) {
            throw FormatError(path, fmt::format("line {} holds something that is not a number.", n));
        }
    }
    return e;
}

} // namespace hepgen::anomaly
