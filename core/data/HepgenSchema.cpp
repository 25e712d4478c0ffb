#include "core/data/HepgenSchema.h"

#include "core/data/Hdf5Util.h"
#include "core/util/Error.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hepgen::data {

namespace {

constexpr hsize_t kRowsPerRead = 1 << 16;

std::string kindName(DatasetKind kind) { return kind == DatasetKind::Table ? "table" : "showers"; }

void writeTable(H5::H5File& file, const Table& t)
{
    const std::size_t n = t.rows(), f = t.cols();
    if (f == 0)
        throw ConfigError("Cannot write a table without columns.");
    if (t.values.size() != n * f)
        throw ConfigError("Table values do not match its number of columns.");
    H5::Group g = file.createGroup("/table");
    h5::writeChunked(g, "data", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { n, f }, t.values.data());
    H5::DataSet data = g.openDataSet("data");
    h5::writeAttribute(data, "columns", t.columns);
    if (!t.units.empty())
        h5::writeAttribute(data, "units", t.units);
    if (!t.labels.empty())
        h5::writeChunked(g, "label", H5::PredType::STD_I8LE, H5::PredType::NATIVE_INT8, { n }, t.labels.data());
    if (!t.weights.empty())
        h5::writeChunked(g, "weight", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { n }, t.weights.data());
}

void writeShowers(H5::H5File& file, const Showers& s)
{
    const std::size_t n = s.size();
    if (s.offsets.size() != n + 1 || s.offsets.front() != 0
        || static_cast<std::size_t>(s.offsets.back()) * 4 != s.points.size())
        throw ConfigError("Shower offsets do not match the points.");
    H5::Group g = file.createGroup("/showers");
    h5::writeChunked(
        g, "points", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { s.points.size() / 4, 4 }, s.points.data());
    h5::writeChunked(g, "offsets", H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64, { n + 1 }, s.offsets.data());
    h5::writeChunked(
        g, "incident_energy", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { n }, s.incidentEnergy.data());
    h5::writeAttribute(g, "geometry", s.geometry.name);
    h5::writeAttribute(g, "layer_z", s.geometry.layerZ);
    h5::writeAttribute(g, "cell_size", s.geometry.cellSize);
    h5::writeAttribute(g, "radiation_length", s.geometry.radiationLength);
    h5::writeAttribute(g, "moliere_radius", s.geometry.moliereRadius);
}

template <class T>
std::vector<T> readWhole1D(const std::string& path, const H5::DataSet& ds, const H5::PredType& type,
    std::size_t expected, const std::string& what)
{
    const auto dims = h5::shape(ds);
    if (dims.size() != 1 || (expected != std::size_t(-1) && dims[0] != expected))
        throw FormatError(path,
            fmt::format("{} has shape {} but {} entries were expected.", what,
                dims.empty() ? std::string("()") : fmt::format("({})", fmt::join(dims, ", ")), expected));
    std::vector<T> out(dims[0]);
    for (hsize_t b = 0; b < dims[0]; b += kRowsPerRead)
        h5::readRows(ds, b, std::min(dims[0], b + kRowsPerRead), type, out.data() + b);
    return out;
}

Showers readShowers(const std::string& path, const H5::H5File& file)
{
    if (!h5::exists(file, "/showers/points") || !h5::exists(file, "/showers/offsets")
        || !h5::exists(file, "/showers/incident_energy"))
        throw FormatError(path,
            "the file says it holds showers but /showers/points, /showers/offsets or "
            "/showers/incident_energy is missing.");
    H5::Group g = file.openGroup("/showers");
    Showers s;
    H5::DataSet points = g.openDataSet("points");
    const auto pdims = h5::shape(points);
    if (pdims.size() != 2 || pdims[1] != 4)
        throw FormatError(path, "/showers/points must have shape (M, 4) holding x, y, z, E.");
    s.points.resize(pdims[0] * 4);
    for (hsize_t b = 0; b < pdims[0]; b += kRowsPerRead)
        h5::readRows(
            points, b, std::min(pdims[0], b + kRowsPerRead), H5::PredType::NATIVE_FLOAT, s.points.data() + b * 4);
    s.offsets = readWhole1D<std::int64_t>(
        path, g.openDataSet("offsets"), H5::PredType::NATIVE_INT64, std::size_t(-1), "/showers/offsets");
    const std::size_t n = s.offsets.empty() ? 0 : s.offsets.size() - 1;
    s.incidentEnergy = readWhole1D<float>(
        path, g.openDataSet("incident_energy"), H5::PredType::NATIVE_FLOAT, n, "/showers/incident_energy");
    if (s.offsets.empty() || s.offsets.front() != 0 || static_cast<hsize_t>(s.offsets.back()) != pdims[0]
        || !std::is_sorted(s.offsets.begin(), s.offsets.end()))
        throw FormatError(path, "/showers/offsets must start at 0, never decrease and end at the number of points.");
    if (h5::hasAttribute(g, "geometry"))
        s.geometry.name = h5::readStringAttribute(g, "geometry");
    if (h5::hasAttribute(g, "layer_z"))
        s.geometry.layerZ = h5::readDoubleListAttribute(g, "layer_z");
    if (h5::hasAttribute(g, "cell_size"))
        s.geometry.cellSize = h5::readDoubleAttribute(g, "cell_size");
    if (h5::hasAttribute(g, "radiation_length"))
        s.geometry.radiationLength = h5::readDoubleAttribute(g, "radiation_length");
    if (h5::hasAttribute(g, "moliere_radius"))
        s.geometry.moliereRadius = h5::readDoubleAttribute(g, "moliere_radius");
    return s;
}

} // namespace

bool isHepgenFile(const std::string& path)
{
    if (!h5::hasHdf5Signature(path))
        return false;
    try {
        H5::H5File file(path, H5F_ACC_RDONLY);
        return file.attrExists("hepgen_schema");
    } catch (const H5::Exception&) {
        return false;
    }
}

void writeHepgenFile(const Dataset& dataset, const std::string& path)
{
    translatingErrors("writing " + path, [&] {
        H5::H5File file = h5::createForWriting(path);
        h5::writeAttribute(file, "hepgen_schema", static_cast<long long>(kHepgenSchemaVersion));
        h5::writeAttribute(file, "kind", kindName(dataset.kind));
        h5::writeAttribute(file, "description", dataset.description);
        if (dataset.kind == DatasetKind::Table) {
            if (!dataset.table)
                throw ConfigError("The data set has no table to write.");
            writeTable(file, *dataset.table);
        } else {
            if (!dataset.showers)
                throw ConfigError("The data set has no showers to write.");
            writeShowers(file, *dataset.showers);
        }
    });
}

struct HepgenTableReader::Impl {
    std::string path;
    H5::H5File file;
    H5::DataSet data;
    std::size_t rows = 0;
    std::vector<std::string> columns;
    std::vector<std::string> units;
    bool hasLabels = false, hasWeights = false;
};

HepgenTableReader::HepgenTableReader(const std::string& path)
    : m(std::make_unique<Impl>())
{
    m->path = path;
    translatingErrors("reading " + path, [&] {
        m->file = h5::openForReading(path);
        if (!m->file.attrExists("hepgen_schema"))
            throw FormatError(path, "not a HEPGen Studio file (no hepgen_schema attribute).");
        const long long version = h5::readIntAttribute(m->file, "hepgen_schema");
        if (version > kHepgenSchemaVersion)
            throw FormatError(path,
                fmt::format("written with schema version {}, newer than this program reads ({}).", version,
                    kHepgenSchemaVersion));
        if (!h5::exists(m->file, "/table/data"))
            throw FormatError(path, "/table/data is missing.");
        m->data = m->file.openDataSet("/table/data");
        const auto dims = h5::shape(m->data);
        if (dims.size() != 2)
            throw FormatError(path,
                fmt::format(
                    "/table/data must be 2-dimensional (events x features) but has {} dimensions.", dims.size()));
        m->rows = dims[0];
        if (!h5::hasAttribute(m->data, "columns"))
            throw FormatError(path, "/table/data has no 'columns' attribute naming its features.");
        m->columns = h5::readStringListAttribute(m->data, "columns");
        if (m->columns.size() != dims[1])
            throw FormatError(
                path, fmt::format("/table/data has {} features but {} column names.", dims[1], m->columns.size()));
        if (h5::hasAttribute(m->data, "units"))
            m->units = h5::readStringListAttribute(m->data, "units");
        if (!m->units.empty() && m->units.size() != m->columns.size())
            throw FormatError(path, "the 'units' attribute does not have one entry per column.");
        for (const char* name : { "/table/label", "/table/weight" }) {
            if (!h5::exists(m->file, name))
                continue;
            const auto d = h5::shape(m->file.openDataSet(name));
            if (d.size() != 1 || d[0] != m->rows)
                throw FormatError(path, fmt::format("{} must hold one entry per event ({}).", name, m->rows));
        }
        m->hasLabels = h5::exists(m->file, "/table/label");
        m->hasWeights = h5::exists(m->file, "/table/weight");
    });
}

HepgenTableReader::~HepgenTableReader() = default;
HepgenTableReader::HepgenTableReader(HepgenTableReader&&) noexcept = default;
HepgenTableReader& HepgenTableReader::operator=(HepgenTableReader&&) noexcept = default;

std::size_t HepgenTableReader::rows() const { return m->rows; }
const std::vector<std::string>& HepgenTableReader::columns() const { return m->columns; }

Table HepgenTableReader::read(std::size_t begin, std::size_t end, const std::vector<std::string>& columns) const
{
    end = std::min(end, m->rows);
    begin = std::min(begin, end);
    Table full;
    full.columns = m->columns;
    std::vector<std::size_t> picked;
    for (const auto& c : columns)
        picked.push_back(full.columnIndex(c));
    if (columns.empty())
        for (std::size_t j = 0; j < m->columns.size(); ++j)
            picked.push_back(j);

    Table out;
    for (std::size_t j : picked) {
        out.columns.push_back(m->columns[j]);
        if (!m->units.empty())
            out.units.push_back(m->units[j]);
    }
    const std::size_t n = end - begin, f = m->columns.size(), g = picked.size();
    out.values.resize(n * g);
    translatingErrors("reading " + m->path, [&] {
        std::vector<float> buffer;
        for (std::size_t b = begin; b < end; b += kRowsPerRead) {
            const std::size_t e = std::min<std::size_t>(end, b + kRowsPerRead);
            buffer.resize((e - b) * f);
            h5::readRows(m->data, b, e, H5::PredType::NATIVE_FLOAT, buffer.data());
            for (std::size_t i = b; i < e; ++i)
                for (std::size_t k = 0; k < g; ++k)
                    out.values[(i - begin) * g + k] = buffer[(i - b) * f + picked[k]];
        }
        if (m->hasLabels) {
            out.labels.resize(n);
            h5::readRows(m->file.openDataSet("/table/label"), begin, end, H5::PredType::NATIVE_INT8, out.labels.data());
        }
        if (m->hasWeights) {
            out.weights.resize(n);
            h5::readRows(
                m->file.openDataSet("/table/weight"), begin, end, H5::PredType::NATIVE_FLOAT, out.weights.data());
        }
    });
    return out;
}

Dataset readHepgenFile(const std::string& path, std::size_t maxEvents)
{
    return translatingErrors("reading " + path, [&] {
        H5::H5File file = h5::openForReading(path);
        if (!file.attrExists("hepgen_schema"))
            throw FormatError(path, "not a HEPGen Studio file (no hepgen_schema attribute).");
        Dataset ds;
        ds.source = path;
        ds.format = fmt::format("HEPGen schema v{}", h5::readIntAttribute(file, "hepgen_schema"));
        if (file.attrExists("description"))
            ds.description = h5::readStringAttribute(file, "description");
        const std::string kind = file.attrExists("kind") ? h5::readStringAttribute(file, "kind") : "table";
        if (kind == "showers") {
            ds.kind = DatasetKind::Showers;
            ds.showers = readShowers(path, file);
        } else if (kind == "table") {
            ds.kind = DatasetKind::Table;
            HepgenTableReader reader(path);
            if (reader.rows() == 0)
                throw FormatError(path, "the table holds no events.");
            const std::size_t n = maxEvents > 0 ? std::min(maxEvents, reader.rows()) : reader.rows();
            ds.table = reader.read(0, n);
            if (n < reader.rows())
                ds.description
                    = fmt::format("first {} of {} events (the file is larger than the memory allowed for it); {}", n,
                        reader.rows(), ds.description);
        } else {
            throw FormatError(path, fmt::format("unknown kind '{}' (expected 'table' or 'showers').", kind));
        }
        return ds;
    });
}

} // namespace hepgen::data
