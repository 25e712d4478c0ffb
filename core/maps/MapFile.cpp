#include "core/maps/MapFile.h"

#include "core/data/Hdf5Util.h"
#include "core/data/HepgenSchema.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>

namespace hepgen::maps {

namespace h5 = hepgen::data::h5;

namespace {

std::string lowerSuffix(const std::string& path)
{
    const auto dot = path.find_last_of('.');
    std::string s = dot == std::string::npos ? "" : path.substr(dot + 1);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::vector<double> centres(const MapAxis& a)
{
    std::vector<double> v;
    for (int i = 0; i < a.bins; ++i)
        v.push_back(a.centre(i));
    return v;
}

std::vector<double> edges(const MapAxis& a)
{
    std::vector<double> v;
    for (int i = 0; i <= a.bins; ++i)
        v.push_back(a.edge(i));
    return v;
}

void write1d(H5::Group& g, const std::string& name, const std::vector<double>& v)
{
    h5::writeChunked(g, name, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, { v.size() }, v.data());
}

void writeHdf5(const MapResult& map, const std::string& path, const nlohmann::json& settings)
{
    auto file = h5::createForWriting(path);
    h5::writeAttribute(file, "hepgen_schema", static_cast<long long>(hepgen::data::kHepgenSchemaVersion));
    h5::writeAttribute(file, "kind", std::string("map"));
    h5::writeAttribute(file, "description",
        fmt::format("{} of {} over {} and {}", map.label, map.model, map.x.feature, map.y.feature));
    H5::Group g = file.createGroup("/map");
    h5::writeAttribute(g, "map_kind", kindName(map.kind));
    h5::writeAttribute(g, "label", map.label);
    h5::writeAttribute(g, "model", map.model);
    h5::writeAttribute(g, "x_feature", map.x.feature);
    h5::writeAttribute(g, "y_feature", map.y.feature);
    h5::writeAttribute(g, "x_unit", map.x.unit);
    h5::writeAttribute(g, "y_unit", map.y.unit);
    h5::writeAttribute(g, "x_range", std::vector<double> { map.x.lo, map.x.hi });
    h5::writeAttribute(g, "y_range", std::vector<double> { map.y.lo, map.y.hi });
    h5::writeAttribute(g, "members", static_cast<long long>(map.members));
    h5::writeAttribute(g, "uncertainty_label", map.uncertaintyLabel);
    h5::writeAttribute(g, "partial_dependence", static_cast<long long>(map.partialDependence ? 1 : 0));
    h5::writeAttribute(g, "pd_events", static_cast<long long>(map.pdEvents));
    h5::writeAttribute(g, "non_finite", static_cast<long long>(map.nonFinite));
    h5::writeAttribute(g, "slices", nlohmann::json(map.slices).dump());
    h5::writeAttribute(g, "settings", settings.is_null() ? std::string("{}") : settings.dump());
    const std::vector<hsize_t> dims { static_cast<hsize_t>(map.y.bins), static_cast<hsize_t>(map.x.bins) };
    h5::writeChunked(g, "value", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, dims, map.value.data());
    if (map.hasUncertainty())
        h5::writeChunked(
            g, "uncertainty", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, dims, map.uncertainty.data());
    write1d(g, "x_centres", centres(map.x));
    write1d(g, "y_centres", centres(map.y));
    write1d(g, "x_edges", edges(map.x));
    write1d(g, "y_edges", edges(map.y));
}

void writeCsv(const MapResult& map, const std::string& path, const nlohmann::json& settings)
{
    std::ofstream out(path);
    if (!out)
        throw FileError(path, "cannot be written (check the directory exists and is writable).");
    auto num = [](double v) { return std::isfinite(v) ? fmt::format("{:.9g}", v) : std::string("nan"); };
    out << "# hepgen map: " << map.label << " (" << kindName(map.kind) << ") of " << map.model << "\n";
    out << "# one row per grid point at its bin centre; row j of the grid (y) after row j-1, x fastest\n";
    out << "# settings: " << (settings.is_null() ? std::string("{}") : settings.dump()) << "\n";
    out << "x_bin,y_bin," << map.x.feature << "," << map.y.feature << ",value"
        << (map.hasUncertainty() ? ",uncertainty" : "") << "\n";
    for (int j = 0; j < map.y.bins; ++j)
        for (int i = 0; i < map.x.bins; ++i) {
            out << i << "," << j << "," << num(map.x.centre(i)) << "," << num(map.y.centre(j)) << ","
                << num(map.at(i, j));
            if (map.hasUncertainty())
                out << "," << num(map.uncertainty[map.index(i, j)]);
            out << "\n";
        }
    if (!out)
        throw FileError(path, "could not be written completely.");
}

} // namespace

void writeMap(const MapResult& map, const std::string& path, const nlohmann::json& settings)
{
    if (map.value.size() != static_cast<std::size_t>(map.x.bins) * static_cast<std::size_t>(map.y.bins))
        throw ConfigError("The map's values do not fill its grid.");
    const std::string suffix = lowerSuffix(path);
    if (suffix == "h5" || suffix == "hdf5")
        translatingErrors("writing " + path, [&] { writeHdf5(map, path, settings); });
    else if (suffix == "csv")
        writeCsv(map, path, settings);
    else
        throw ConfigError(fmt::format("Cannot write a map as '.{}': use .h5 (HDF5) or .csv.", suffix));
}

MapResult readMap(const std::string& path)
{
    auto file = h5::openForReading(path);
    return translatingErrors("reading " + path, [&] {
        if (!file.attrExists("kind") || h5::readStringAttribute(file, "kind") != "map"
            || !h5::exists(file, "/map/value"))
            throw FormatError(path, "is not a HEPGen map file (no root kind 'map' with /map/value).");
        H5::Group g = file.openGroup("/map");
        MapResult m;
        m.kind = kindFromName(h5::readStringAttribute(g, "map_kind"));
        m.label = h5::readStringAttribute(g, "label");
        m.model = h5::readStringAttribute(g, "model");
        auto axis = [&](const std::string& p) {
            MapAxis a;
            a.feature = h5::readStringAttribute(g, p + "_feature");
            a.unit = h5::readStringAttribute(g, p + "_unit");
            const auto r = h5::readDoubleListAttribute(g, p + "_range");
            if (r.size() != 2)
                throw FormatError(path, p + "_range is not a pair.");
            a.lo = r[0];
            a.hi = r[1];
            return a;
        };
        m.x = axis("x");
        m.y = axis("y");
        const auto value = g.openDataSet("value");
        const auto dims = h5::shape(value);
        if (dims.size() != 2)
            throw FormatError(path, "/map/value is not 2-D.");
        m.y.bins = static_cast<int>(dims[0]);
        m.x.bins = static_cast<int>(dims[1]);
        m.value.resize(dims[0] * dims[1]);
        h5::readRows(value, 0, dims[0], H5::PredType::NATIVE_DOUBLE, m.value.data());
        if (g.nameExists("uncertainty")) {
            m.uncertainty.resize(m.value.size());
            h5::readRows(g.openDataSet("uncertainty"), 0, dims[0], H5::PredType::NATIVE_DOUBLE, m.uncertainty.data());
        }
        m.members = h5::readIntAttribute(g, "members");
        m.uncertaintyLabel = h5::readStringAttribute(g, "uncertainty_label");
        m.partialDependence = h5::readIntAttribute(g, "partial_dependence") != 0;
        m.pdEvents = h5::readIntAttribute(g, "pd_events");
        m.nonFinite = h5::readIntAttribute(g, "non_finite");
        m.slices = nlohmann::json::parse(h5::readStringAttribute(g, "slices")).get<std::map<std::string, double>>();
        return m;
    });
}

} // namespace hepgen::maps
