#include "core/data/Hdf5Util.h"

#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>

namespace hepgen::data::h5 {

bool hasHdf5Signature(const std::string& path)
{
    static constexpr std::array<unsigned char, 8> kSignature { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    // The superblock may sit at 0 or at 512 * 2^k bytes (files with a user block).
    for (std::streamoff offset = 0; offset <= (1 << 20); offset = offset == 0 ? 512 : offset * 2) {
        std::array<unsigned char, 8> head {};
        in.clear();
        in.seekg(offset);
        if (!in.read(reinterpret_cast<char*>(head.data()), head.size()))
            return false;
        if (head == kSignature)
            return true;
    }
    return false;
}

H5::H5File openForReading(const std::string& path)
{
    std::ifstream probe(path, std::ios::binary);
    if (!probe)
        throw FileError(path, "the file does not exist or cannot be read.");
    if (!hasHdf5Signature(path))
        throw FileError(path, "this is not an HDF5 file (no HDF5 signature found).");
    try {
        return H5::H5File(path, H5F_ACC_RDONLY);
    } catch (const H5::Exception&) {
        throw FileError(path, "the HDF5 file cannot be opened; it may be truncated or damaged.");
    }
}

H5::H5File createForWriting(const std::string& path)
{
    try {
        return H5::H5File(path, H5F_ACC_TRUNC);
    } catch (const H5::Exception&) {
        throw FileError(path, "cannot create the file (check the directory exists and is writable).");
    }
}

bool exists(const H5::H5Location& file, const std::string& path)
{
    std::string prefix;
    std::size_t pos = 0;
    while (pos < path.size()) {
        const std::size_t next = path.find('/', pos + 1);
        prefix = path.substr(0, next);
        if (prefix.size() > 1 && !file.nameExists(prefix))
            return false;
        if (next == std::string::npos)
            break;
        pos = next;
    }
    return true;
}

bool hasAttribute(const H5::H5Object& obj, const std::string& name) { return obj.attrExists(name); }

long long readIntAttribute(const H5::H5Object& obj, const std::string& name)
{
    long long v = 0;
    obj.openAttribute(name).read(H5::PredType::NATIVE_LLONG, &v);
    return v;
}

double readDoubleAttribute(const H5::H5Object& obj, const std::string& name)
{
    double v = 0;
    obj.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &v);
    return v;
}

std::vector<std::string> readStringListAttribute(const H5::H5Object& obj, const std::string& name)
{
    H5::Attribute attr = obj.openAttribute(name);
    H5::DataType type = attr.getDataType();
    if (type.getClass() != H5T_STRING)
        throw Error("attribute '" + name + "' is not a string attribute");
    const H5::StrType strType = attr.getStrType();
    const hssize_t n = attr.getSpace().getSimpleExtentNpoints();
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(n));
    if (strType.isVariableStr()) {
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        attr.read(strType, ptrs.data());
        for (char* p : ptrs) {
            out.emplace_back(p ? p : "");
            H5free_memory(p);
        }
    } else {
        const std::size_t width = strType.getSize();
        std::vector<char> buffer(width * static_cast<std::size_t>(n));
        attr.read(strType, buffer.data());
        for (hssize_t i = 0; i < n; ++i) {
            const char* p = buffer.data() + static_cast<std::size_t>(i) * width;
            out.emplace_back(p, strnlen(p, width));
        }
    }
    return out;
}

std::string readStringAttribute(const H5::H5Object& obj, const std::string& name)
{
    const auto list = readStringListAttribute(obj, name);
    return list.empty() ? std::string() : list.front();
}

std::vector<double> readDoubleListAttribute(const H5::H5Object& obj, const std::string& name)
{
    H5::Attribute attr = obj.openAttribute(name);
    std::vector<double> out(static_cast<std::size_t>(attr.getSpace().getSimpleExtentNpoints()));
    if (!out.empty())
        attr.read(H5::PredType::NATIVE_DOUBLE, out.data());
    return out;
}

void writeAttribute(H5::H5Object& obj, const std::string& name, long long value)
{
    obj.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_LLONG, &value);
}

void writeAttribute(H5::H5Object& obj, const std::string& name, double value)
{
    obj.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_DOUBLE, &value);
}

void writeAttribute(H5::H5Object& obj, const std::string& name, const std::string& value)
{
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(H5T_CSET_UTF8);
    obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

void writeAttribute(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values)
{
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(H5T_CSET_UTF8);
    const hsize_t n = values.size();
    std::vector<const char*> ptrs;
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    H5::Attribute attr = obj.createAttribute(name, type, H5::DataSpace(1, &n));
    if (n > 0)
        attr.write(type, ptrs.data());
}

void writeAttribute(H5::H5Object& obj, const std::string& name, const std::vector<double>& values)
{
    const hsize_t n = values.size();
    H5::Attribute attr = obj.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, &n));
    if (n > 0)
        attr.write(H5::PredType::NATIVE_DOUBLE, values.data());
}

std::vector<hsize_t> shape(const H5::DataSet& ds)
{
    const H5::DataSpace space = ds.getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    if (!dims.empty())
        space.getSimpleExtentDims(dims.data());
    return dims;
}

void writeChunked(H5::Group& group, const std::string& name, const H5::PredType& fileType, const H5::PredType& memType,
    const std::vector<hsize_t>& dims, const void* data)
{
    std::vector<hsize_t> maxDims = dims;
    maxDims[0] = H5S_UNLIMITED;
    // About 1 MiB per chunk: big enough for fast sequential reads, small enough to read lazily.
    hsize_t rowBytes = fileType.getSize();
    for (std::size_t i = 1; i < dims.size(); ++i)
        rowBytes *= std::max<hsize_t>(1, dims[i]);
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::clamp<hsize_t>((1u << 20) / rowBytes, 1, std::max<hsize_t>(1, dims[0]));
    for (std::size_t i = 1; i < chunk.size(); ++i)
        chunk[i] = std::max<hsize_t>(1, chunk[i]);
    H5::DSetCreatPropList props;
    props.setChunk(static_cast<int>(chunk.size()), chunk.data());
    props.setShuffle();
    props.setDeflate(4);
    H5::DataSpace space(static_cast<int>(dims.size()), dims.data(), maxDims.data());
    H5::DataSet ds = group.createDataSet(name, fileType, space, props);
    if (dims[0] > 0)
        ds.write(data, memType);
}

void readRows(const H5::DataSet& ds, hsize_t begin, hsize_t end, const H5::PredType& memType, void* out)
{
    std::vector<hsize_t> dims = shape(ds);
    if (end <= begin)
        return;
    H5::DataSpace fileSpace = ds.getSpace();
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = begin;
    count[0] = end - begin;
    fileSpace.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
    H5::DataSpace memSpace(static_cast<int>(count.size()), count.data());
    ds.read(out, memType, memSpace, fileSpace);
}

} // namespace hepgen::data::h5
