#include "core/data/CaloCloudsIO.h"

#include "core/data/Hdf5Util.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace hepgen::data {

namespace {

constexpr hsize_t kFloatsPerBlock = 1u << 22; // 16 MiB per read block

std::string shapeText(const std::vector<hsize_t>& dims)
{
    return dims.empty() ? std::string("()") : fmt::format("({})", fmt::join(dims, ", "));
}

} // namespace

Dataset readCaloClouds(const std::string& path)
{
    return translatingErrors("reading " + path, [&] {
        H5::H5File file = h5::openForReading(path);
        std::vector<std::string> missing;
        for (const char* name : { "events", "energy" })
            if (!h5::exists(file, std::string("/") + name))
                missing.emplace_back(name);
        if (!missing.empty())
            throw FormatError(path,
                fmt::format("not a CaloClouds file: the dataset(s) {} are missing (expected "
                            "'events' and 'energy').",
                    fmt::join(missing, ", ")));
        const H5::DataSet events = file.openDataSet("events");
        const H5::DataSet energy = file.openDataSet("energy");
        const auto dims = h5::shape(events);
        const auto edims = h5::shape(energy);
        if (events.getTypeClass() != H5T_FLOAT || dims.size() != 3 || (dims[1] != 4 && dims[2] != 4))
            throw FormatError(path,
                fmt::format("'events' has shape {}{} but (N, 4, P) or (N, P, 4) floats holding "
                            "x, y, z, E were expected.",
                    shapeText(dims), events.getTypeClass() == H5T_FLOAT ? "" : " and does not hold floats"));
        // Axis order from the shape: the axis of length 4 holds x, y, z, E. If both are 4 the
        // shape is ambiguous; we assume (N, P, 4), the usual layout of point-cloud arrays.
        const bool featuresFirst = dims[1] == 4 && dims[2] != 4;
        const hsize_t n = dims[0], p = featuresFirst ? dims[2] : dims[1];
        if (!(edims.size() == 1 || (edims.size() == 2 && edims[1] == 1)) || edims[0] != n)
            throw FormatError(path,
                fmt::format("'energy' has shape {} but ({}, 1) was expected to match 'events' of "
                            "shape {}.",
                    shapeText(edims), n, shapeText(dims)));
        Showers s;
        s.geometry.name = "CaloClouds point clouds (axes as stored)";
        s.incidentEnergy.resize(n);
        if (n > 0)
            h5::readRows(energy, 0, n, H5::PredType::NATIVE_FLOAT, s.incidentEnergy.data());
        for (hsize_t i = 0; i < n; ++i)
            if (!std::isfinite(s.incidentEnergy[i]))
                throw FormatError(path, fmt::format("energy[{}] is {}.", i, s.incidentEnergy[i]));

        s.offsets.reserve(n + 1);
        s.offsets.push_back(0);
        const hsize_t rowFloats = 4 * std::max<hsize_t>(1, p);
        const hsize_t rowsPerBlock = std::max<hsize_t>(1, kFloatsPerBlock / rowFloats);
        std::vector<float> block;
        for (hsize_t begin = 0; begin < n; begin += rowsPerBlock) {
            const hsize_t end = std::min(n, begin + rowsPerBlock);
            block.resize((end - begin) * 4 * p);
            h5::readRows(events, begin, end, H5::PredType::NATIVE_FLOAT, block.data());
            for (hsize_t i = begin; i < end; ++i) {
                const float* row = block.data() + (i - begin) * 4 * p;
                for (hsize_t k = 0; k < p; ++k) {
                    float v[4];
                    for (hsize_t c = 0; c < 4; ++c)
                        v[c] = featuresFirst ? row[c * p + k] : row[k * 4 + c];
                    if (v[3] == 0.0f)
                        continue; // zero padding
                    if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]) || !std::isfinite(v[3]))
                        throw FormatError(path, fmt::format("point {} of event {} holds a NaN or Inf.", k, i));
                    // Hit energies are stored in GeV; Showers keep MeV.
                    s.points.insert(
                        s.points.end(), { v[0], v[1], v[2], static_cast<float>(static_cast<double>(v[3]) * 1000.0) });
                }
                s.offsets.push_back(static_cast<std::int64_t>(s.points.size() / 4));
            }
        }

        Dataset ds;
        ds.kind = DatasetKind::Showers;
        ds.source = path;
        ds.format = featuresFirst ? "CaloClouds (N, 4, P)" : "CaloClouds (N, P, 4)";
        ds.description = fmt::format("{} showers of up to {} points", n, p);
        ds.showers = std::move(s);
        return ds;
    });
}

std::size_t writeCaloClouds(const Showers& s, const std::string& path)
{
    const hsize_t n = s.size();
    if (s.offsets.size() != n + 1 || s.offsets.front() != 0
        || static_cast<std::size_t>(s.offsets.back()) * 4 != s.points.size())
        throw ConfigError("Shower offsets do not match the points.");
    hsize_t p = 1;
    for (hsize_t i = 0; i < n; ++i) {
        if (s.offsets[i + 1] < s.offsets[i])
            throw ConfigError("Shower offsets do not match the points.");
        p = std::max<hsize_t>(p, static_cast<hsize_t>(s.offsets[i + 1] - s.offsets[i]));
    }
    if (p == 4)
        p = 5; // (N, 4, 4) would be read as (N, P, 4)
    std::size_t dropped = 0;
    translatingErrors("writing " + path, [&] {
        H5::H5File file = h5::createForWriting(path);
        H5::Group root = file.openGroup("/");
        h5::writeChunked(
            root, "energy", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { n, 1 }, s.incidentEnergy.data());
        // `events` block by block, so that N x 4 x P never has to fit in memory.
        const hsize_t rowFloats = 4 * p;
        const hsize_t dims[3] = { n, 4, p }, maxDims[3] = { H5S_UNLIMITED, 4, p };
        const hsize_t chunk[3]
            = { std::clamp<hsize_t>((1u << 20) / (4 * rowFloats), 1, std::max<hsize_t>(1, n)), 4, p };
        H5::DSetCreatPropList props;
        props.setChunk(3, chunk);
        props.setShuffle();
        props.setDeflate(4);
        H5::DataSet ds = root.createDataSet("events", H5::PredType::IEEE_F32LE, H5::DataSpace(3, dims, maxDims), props);
        const hsize_t rowsPerBlock = std::max<hsize_t>(1, kFloatsPerBlock / rowFloats / chunk[0]) * chunk[0];
        std::vector<float> block;
        for (hsize_t begin = 0; begin < n; begin += rowsPerBlock) {
            const hsize_t end = std::min(n, begin + rowsPerBlock);
            block.assign((end - begin) * rowFloats, 0.0f);
            for (hsize_t i = begin; i < end; ++i) {
                float* row = block.data() + (i - begin) * rowFloats;
                hsize_t k = 0;
                for (auto h = s.offsets[i]; h < s.offsets[i + 1]; ++h) {
                    const float* v = s.points.data() + 4 * h;
                    const float e = static_cast<float>(static_cast<double>(v[3]) / 1000.0); // MeV -> GeV
                    if (e == 0.0f) {
                        ++dropped;
                        continue;
                    }
                    row[0 * p + k] = v[0];
                    row[1 * p + k] = v[1];
                    row[2 * p + k] = v[2];
                    row[3 * p + k] = e;
                    ++k;
                }
            }
            H5::DataSpace fileSpace = ds.getSpace();
            const hsize_t start[3] = { begin, 0, 0 }, count[3] = { end - begin, 4, p };
            fileSpace.selectHyperslab(H5S_SELECT_SET, count, start);
            ds.write(block.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(3, count), fileSpace);
        }
    });
    return dropped;
}

} // namespace hepgen::data
