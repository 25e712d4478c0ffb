#include "core/showers/ShowerTrajectoryFile.h"

#include "core/data/Hdf5Util.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace hepgen::showers {

namespace h5 = hepgen::data::h5;

void writeShowerTrajectory(const std::string& path, const ShowerTrajectory& t, std::size_t shower)
{
    translatingErrors("writing the trajectory to " + path, [&] {
        H5::H5File file(path, H5F_ACC_RDWR);
        if (h5::exists(file, "/trajectory"))
            throw FileError(path, "already holds a trajectory.");
        H5::Group g = file.createGroup("/trajectory");
        h5::writeAttribute(g, "sampler", t.sampler);
        h5::writeAttribute(g, "time_name", t.timeName);
        h5::writeAttribute(g, "post_processed", static_cast<long long>(t.postProcessed ? 1 : 0));
        h5::writeAttribute(g, "incident_energy", t.incidentEnergy);
        h5::writeAttribute(g, "shower", static_cast<long long>(shower));
        const auto frames = static_cast<hsize_t>(t.frames());
        h5::writeChunked(g, "times", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, { frames }, t.times.data());
        h5::writeChunked(
            g, "log10_snr", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, { frames }, t.log10Snr.data());
        std::vector<int64_t> offsets { 0 };
        std::vector<float> xt, x0;
        for (std::size_t k = 0; k < t.frames(); ++k) {
            xt.insert(xt.end(), t.xt[k].begin(), t.xt[k].end());
            x0.insert(x0.end(), t.x0Pred[k].begin(), t.x0Pred[k].end());
            offsets.push_back(static_cast<int64_t>(xt.size() / 4));
        }
        h5::writeChunked(
            g, "offsets", H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64, { frames + 1 }, offsets.data());
        const hsize_t points = xt.size() / 4;
        h5::writeChunked(g, "xt", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { points, 4 }, xt.data());
        h5::writeChunked(g, "x0_pred", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, { points, 4 }, x0.data());
    });
}

namespace {

/// A 1-D dataset of `n` values (n = 0: any length) as type T.
template <class T>
std::vector<T> readVector(
    const H5::Group& g, const std::string& name, const H5::PredType& type, hsize_t n, const std::string& path)
{
    if (!h5::exists(g, name))
        throw FormatError(path, "has a /trajectory group without the dataset '" + name + "'.");
    const H5::DataSet ds = g.openDataSet(name);
    const auto dims = h5::shape(ds);
    if (dims.size() != 1 || (n > 0 && dims[0] != n))
        throw FormatError(path,
            fmt::format(
                "/trajectory/{} must be a list of {} values.", name, n > 0 ? std::to_string(n) : "the frames'"));
    std::vector<T> out(dims[0]);
    if (!out.empty())
        h5::readRows(ds, 0, dims[0], type, out.data());
    return out;
}

/// A P x 4 float dataset.
std::vector<float> readPoints(const H5::Group& g, const std::string& name, hsize_t points, const std::string& path)
{
    if (!h5::exists(g, name))
        throw FormatError(path, "has a /trajectory group without the dataset '" + name + "'.");
    const H5::DataSet ds = g.openDataSet(name);
    const auto dims = h5::shape(ds);
    if (dims.size() != 2 || dims[1] != 4 || dims[0] != points)
        throw FormatError(path,
            fmt::format(
                "/trajectory/{} must hold {} points x 4 values (x, y, z, E), as its offsets say.", name, points));
    std::vector<float> out(points * 4);
    if (points > 0)
        h5::readRows(ds, 0, points, H5::PredType::NATIVE_FLOAT, out.data());
    return out;
}

} // namespace

std::optional<StoredShowerTrajectory> readShowerTrajectory(const std::string& path)
{
    if (!h5::hasHdf5Signature(path))
        return std::nullopt;
    H5::H5File file = h5::openForReading(path);
    if (!h5::exists(file, "/trajectory"))
        return std::nullopt;
    return translatingErrors("reading the trajectory of " + path, [&] {
        const H5::Group g = file.openGroup("/trajectory");
        StoredShowerTrajectory out;
        ShowerTrajectory& t = out.trajectory;
        for (const char* a : { "sampler", "time_name" })
            if (!h5::hasAttribute(g, a))
                throw FormatError(path, std::string("/trajectory lacks the attribute '") + a + "'.");
        t.sampler = h5::readStringAttribute(g, "sampler");
        t.timeName = h5::readStringAttribute(g, "time_name");
        t.postProcessed = h5::hasAttribute(g, "post_processed") && h5::readIntAttribute(g, "post_processed") != 0;
        t.incidentEnergy = h5::hasAttribute(g, "incident_energy") ? h5::readDoubleAttribute(g, "incident_energy") : 0.0;
        const long long shower = h5::hasAttribute(g, "shower") ? h5::readIntAttribute(g, "shower") : 0;
        if (shower < 0)
            throw FormatError(path, fmt::format("/trajectory names shower {}; an index is at least 0.", shower));
        out.shower = static_cast<std::size_t>(shower);

        t.times = readVector<double>(g, "times", H5::PredType::NATIVE_DOUBLE, 0, path);
        const hsize_t frames = t.times.size();
        if (frames == 0)
            throw FormatError(path, "/trajectory holds no frames.");
        for (const double v : t.times)
            if (!std::isfinite(v))
                throw FormatError(path, "/trajectory/times holds a value that is not a finite number.");
        t.log10Snr = readVector<double>(g, "log10_snr", H5::PredType::NATIVE_DOUBLE, frames, path);
        const auto offsets = readVector<int64_t>(g, "offsets", H5::PredType::NATIVE_INT64, frames + 1, path);
        if (offsets.front() != 0)
            throw FormatError(path, "/trajectory/offsets must start at 0.");
        for (std::size_t k = 0; k + 1 < offsets.size(); ++k)
            if (offsets[k + 1] < offsets[k])
                throw FormatError(path, "/trajectory/offsets must not decrease.");
        const auto points = static_cast<hsize_t>(offsets.back());
        const auto xt = readPoints(g, "xt", points, path), x0 = readPoints(g, "x0_pred", points, path);
        for (std::size_t k = 0; k < frames; ++k) {
            const auto from = static_cast<std::ptrdiff_t>(4 * offsets[k]),
                       to = static_cast<std::ptrdiff_t>(4 * offsets[k + 1]);
            t.xt.emplace_back(xt.begin() + from, xt.begin() + to);
            t.x0Pred.emplace_back(x0.begin() + from, x0.begin() + to);
        }
        return std::optional<StoredShowerTrajectory>(std::move(out));
    });
}

} // namespace hepgen::showers
