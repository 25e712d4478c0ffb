#include "core/data/NumpyReader.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <istream>
#include <zlib.h>

namespace hepgen::data {

namespace {

// ---- .npy (numpy/lib/format.py) ----------------------------------------------------------------

struct NpyHeader {
    std::string descr;
    bool fortranOrder = false;
    std::vector<std::size_t> shape;
    std::size_t headerBytes = 0; // magic + version + length + dict
};

enum class Dtype { F4, F8, I1, U1, I4, I8 };

std::size_t dtypeSize(Dtype d)
{
    switch (d) {
    case Dtype::F4:
    case Dtype::I4: return 4;
    case Dtype::F8:
    case Dtype::I8: return 8;
    case Dtype::I1:
    case Dtype::U1: return 1;
    }
    return 1;
}

// The error context: the file, and for an .npz the array in it.
struct Source {
    std::string path;
    std::string member; // empty for a .npy
    std::string prefix() const { return member.empty() ? std::string() : "array '" + member + "': "; }
};

[[noreturn]] void fail(const Source& src, const std::string& problem)
{
    throw FormatError(src.path, src.prefix() + problem);
}

Dtype parseDtype(const std::string& descr, const Source& src)
{
    if (descr.size() < 2)
        fail(src, fmt::format("unknown dtype '{}'.", descr));
    const char order = descr[0];
    const std::string kind = descr.substr(1);
    if (kind == "O")
        fail(src,
            fmt::format("the array holds Python objects (dtype '{}'), which cannot be read as numbers; save a "
                        "numeric array (e.g. arr.astype('<f8')).",
                descr));
    if (order == '>' && kind.size() > 1 && kind[1] != '1')
        fail(src,
            fmt::format("the array is big-endian (dtype '{}'); save it little-endian, e.g. "
                        "arr.astype('<{}').",
                descr, kind));
    static const std::pair<const char*, Dtype> known[] = { { "f4", Dtype::F4 }, { "f8", Dtype::F8 },
        { "i4", Dtype::I4 }, { "i8", Dtype::I8 }, { "i1", Dtype::I1 }, { "u1", Dtype::U1 }, { "b1", Dtype::U1 } };
    for (const auto& [name, type] : known)
        if (kind == name && (order == '<' || order == '|' || order == '=' || dtypeSize(type) == 1))
            return type;
    fail(src,
        fmt::format("unsupported dtype '{}'; supported are float32, float64, int32, int64, int8, uint8 and "
                    "bool ('<f4', '<f8', '<i4', '<i8', '|i1', '|u1', '|b1').",
            descr));
}

// The value of `key` in numpy's header dict, e.g. {'descr': '<f8', 'fortran_order': False, 'shape': (200, 6), }.
std::string dictValue(const std::string& dict, const std::string& key, const Source& src)
{
    std::size_t pos = dict.find("'" + key + "'");
    if (pos == std::string::npos)
        pos = dict.find("\"" + key + "\"");
    if (pos == std::string::npos)
        fail(src, fmt::format("the .npy header has no '{}' entry: {}", key, dict));
    pos = dict.find(':', pos + key.size() + 2);
    if (pos == std::string::npos)
        fail(src, "the .npy header dictionary is malformed: " + dict);
    pos = dict.find_first_not_of(" \t", pos + 1);
    if (pos == std::string::npos)
        fail(src, "the .npy header dictionary is malformed: " + dict);
    const char open = dict[pos];
    const char close = open == '(' ? ')' : open == '[' ? ']' : open == '\'' || open == '"' ? open : ',';
    std::size_t end = dict.find(close, pos + 1);
    if (close == ',' && end == std::string::npos)
        end = dict.find('}', pos);
    if (end == std::string::npos)
        fail(src, "the .npy header dictionary is malformed: " + dict);
    return close == ',' ? dict.substr(pos, end - pos) : dict.substr(pos, end - pos + 1);
}

NpyHeader parseHeader(std::istream& in, const Source& src)
{
    char magic[8] = {};
    if (!in.read(magic, 8))
        fail(src, "the file is too short to be a NumPy .npy array.");
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0)
        fail(src, "this is not a NumPy .npy array (its first bytes are not the magic \\x93NUMPY).");
    const int major = static_cast<unsigned char>(magic[6]), minor = static_cast<unsigned char>(magic[7]);
    std::size_t lengthBytes = 0;
    if (major == 1)
        lengthBytes = 2;
    else if (major == 2 || major == 3)
        lengthBytes = 4;
    else
        fail(src, fmt::format("unsupported .npy format version {}.{} (known: 1.0, 2.0, 3.0).", major, minor));
    unsigned char len[4] = {};
    if (!in.read(reinterpret_cast<char*>(len), static_cast<std::streamsize>(lengthBytes)))
        fail(src, "the .npy header is truncated.");
    std::size_t dictBytes = 0;
    for (std::size_t k = 0; k < lengthBytes; ++k)
        dictBytes |= static_cast<std::size_t>(len[k]) << (8 * k);
    std::string dict(dictBytes, '\0');
    if (!in.read(dict.data(), static_cast<std::streamsize>(dictBytes)))
        fail(src, "the .npy header is truncated.");

    NpyHeader h;
    h.headerBytes = 8 + lengthBytes + dictBytes;
    const std::string descr = dictValue(dict, "descr", src);
    if (descr.front() == '[')
        fail(src, "the array has a structured dtype (named fields), which is not supported; save a plain 2-D array.");
    if (descr.size() < 2 || (descr.front() != '\'' && descr.front() != '"'))
        fail(src, "the .npy header has a malformed 'descr': " + descr);
    h.descr = descr.substr(1, descr.size() - 2);
    const std::string fortran = dictValue(dict, "fortran_order", src);
    if (fortran.rfind("True", 0) == 0)
        h.fortranOrder = true;
    else if (fortran.rfind("False", 0) != 0)
        fail(src, "the .npy header has a malformed 'fortran_order': " + fortran);
    const std::string shape = dictValue(dict, "shape", src);
    for (std::size_t pos = 1; pos < shape.size();) {
        const std::size_t digit = shape.find_first_of("0123456789", pos);
        if (digit == std::string::npos)
            break;
        std::size_t used = 0;
        h.shape.push_back(static_cast<std::size_t>(std::stoull(shape.substr(digit), &used)));
        pos = digit + used;
    }
    return h;
}

std::int8_t toLabel(double v, const Source& src, std::size_t row)
{
    if (std::isnan(v))
        return static_cast<std::int8_t>(Label::Unknown);
    if (v == 0.0 || v == 1.0 || v == -1.0)
        return static_cast<std::int8_t>(v);
    fail(src,
        fmt::format("the label column holds {} at row {}; labels must be 0 (background), 1 (signal) or -1 "
                    "(unknown).",
            v, row));
}

double readValue(const char* p, Dtype d)
{
    switch (d) {
    case Dtype::F4: {
        float v;
        std::memcpy(&v, p, 4);
        return v;
    }
    case Dtype::F8: {
        double v;
        std::memcpy(&v, p, 8);
        return v;
    }
    case Dtype::I4: {
        std::int32_t v;
        std::memcpy(&v, p, 4);
        return static_cast<double>(v);
    }
    case Dtype::I8: {
        std::int64_t v;
        std::memcpy(&v, p, 8);
        return static_cast<double>(v);
    }
    case Dtype::I1: return static_cast<double>(static_cast<signed char>(*p));
    case Dtype::U1: return static_cast<double>(static_cast<unsigned char>(*p));
    }
    return 0;
}

std::string unitOf(const std::string& column)
{
    return column == "mjj" || column == "mj_min" || column == "mj_max" || column == "delta_mj" ? "TeV" : "";
}

// Reads one .npy array from `in` (positioned at its magic), `available` bytes long.
Table parseNpy(std::istream& in, std::uint64_t available, std::vector<std::string> names, const Source& src)
{
    const NpyHeader h = parseHeader(in, src);
    const Dtype dtype = parseDtype(h.descr, src);
    if (h.shape.empty() || h.shape.size() > 2)
        fail(src, fmt::format("the array has shape ({}); expected (N,) or (N, F).", fmt::join(h.shape, ", ")));
    const std::size_t n = h.shape[0], f = h.shape.size() == 2 ? h.shape[1] : 1;
    if (f == 0)
        fail(src, "the array has no columns (shape (N, 0)).");
    if (names.empty()) {
        if (f == cathodeColumns().size())
            names = cathodeColumns();
        else
            for (std::size_t j = 0; j < f; ++j)
                names.push_back(fmt::format("col{}", j));
    } else if (names.size() != f) {
        throw ConfigError(fmt::format("{}: {}the array has {} column(s) but {} column name(s) were given ({}).",
            src.path, src.prefix(), f, names.size(), fmt::join(names, ", ")));
    }
    const std::uint64_t itemSize = dtypeSize(dtype);
    const std::uint64_t dataBytes = static_cast<std::uint64_t>(n) * f * itemSize;
    if (available < h.headerBytes + dataBytes)
        fail(src,
            fmt::format("the file is truncated: its header promises {} x {} values of '{}' ({} bytes) but only {} "
                        "bytes follow.",
                n, f, h.descr, dataBytes, available > h.headerBytes ? available - h.headerBytes : 0));

    const std::size_t labelCol
        = static_cast<std::size_t>(std::find(names.begin(), names.end(), "label") - names.begin());
    const bool hasLabel = labelCol < f;
    Table t;
    for (std::size_t j = 0; j < f; ++j)
        if (j != labelCol) {
            t.columns.push_back(names[j]);
            t.units.push_back(unitOf(names[j]));
        }
    const std::size_t fOut = t.columns.size();
    if (fOut == 0)
        fail(src, "the only column is the label; there are no features to read.");
    t.values.resize(n * fOut);
    if (hasLabel)
        t.labels.resize(n);
    // Element k of the file is (i, j) = (k / f, k % f) in C order and (k % n, k / n) in Fortran order.
    constexpr std::size_t kChunkBytes = 1 << 20;
    const std::size_t total = n * f;
    std::vector<char> buffer;
    for (std::size_t k0 = 0; k0 < total;) {
        const std::size_t count = std::min<std::size_t>(total - k0, kChunkBytes / itemSize);
        buffer.resize(count * itemSize);
        if (!in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())))
            fail(src, "the file is truncated: reading its data stopped early.");
        for (std::size_t c = 0; c < count; ++c) {
            const std::size_t k = k0 + c;
            const std::size_t i = h.fortranOrder ? k % n : k / f, j = h.fortranOrder ? k / n : k % f;
            const double v = readValue(buffer.data() + c * itemSize, dtype);
            if (j == labelCol)
                t.labels[i] = toLabel(v, src, i);
            else
                t.values[i * fOut + (hasLabel && j > labelCol ? j - 1 : j)] = static_cast<float>(v);
        }
        k0 += count;
    }
    return t;
}

// ---- .npz: zip archive (PKWARE APPNOTE.TXT sections 4.3.7, 4.3.12, 4.3.14-16, 4.5.3) ------------

std::uint64_t le(const char* p, std::size_t n)
{
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < n; ++k)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    return v;
}

struct ZipEntry {
    std::string name;
    std::uint16_t method = 0, flags = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressedSize = 0, size = 0, localHeaderOffset = 0;
};

std::string readAt(std::ifstream& in, std::uint64_t offset, std::size_t bytes, const std::string& path)
{
    std::string out(bytes, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(out.data(), static_cast<std::streamsize>(bytes)))
        throw FormatError(path, "the .npz archive is truncated or damaged.");
    return out;
}

std::vector<ZipEntry> zipDirectory(std::ifstream& in, std::uint64_t fileSize, const std::string& path)
{
    // The end-of-central-directory record (22 bytes + a comment of up to 65535) closes the file.
    const std::size_t tailBytes = static_cast<std::size_t>(std::min<std::uint64_t>(fileSize, 22 + 65535));
    const std::string tail = readAt(in, fileSize - tailBytes, tailBytes, path);
    const std::size_t eocd = tail.size() < 22 ? std::string::npos : tail.rfind(std::string("PK\x05\x06", 4));
    if (eocd == std::string::npos || eocd + 22 > tail.size())
        throw FormatError(path, "this is not a valid .npz (zip) archive: its end-of-directory record is missing.");
    std::uint64_t entries = le(&tail[eocd + 10], 2), cdSize = le(&tail[eocd + 12], 4),
                  cdOffset = le(&tail[eocd + 16], 4);
    const std::uint64_t eocdOffset = fileSize - tailBytes + eocd;
    if ((entries == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF) && eocdOffset >= 20) {
        const std::string locator = readAt(in, eocdOffset - 20, 20, path);
        if (locator.compare(0, 4, "PK\x06\x07", 4) == 0) {
            const std::string z64 = readAt(in, le(&locator[8], 8), 56, path);
            if (z64.compare(0, 4, "PK\x06\x06", 4) != 0)
                throw FormatError(path, "the .npz archive's zip64 end record is damaged.");
            entries = le(&z64[32], 8);
            cdSize = le(&z64[40], 8);
            cdOffset = le(&z64[48], 8);
        }
    }
    if (cdOffset + cdSize > fileSize)
        throw FormatError(path, "the .npz archive is truncated: its directory lies beyond the end of the file.");
    const std::string cd = readAt(in, cdOffset, static_cast<std::size_t>(cdSize), path);
    std::vector<ZipEntry> out;
    std::size_t pos = 0;
    for (std::uint64_t e = 0; e < entries; ++e) {
        if (pos + 46 > cd.size() || cd.compare(pos, 4, "PK\x01\x02", 4) != 0)
            throw FormatError(path, "the .npz archive's directory is damaged.");
        ZipEntry z;
        z.flags = static_cast<std::uint16_t>(le(&cd[pos + 8], 2));
        z.method = static_cast<std::uint16_t>(le(&cd[pos + 10], 2));
        z.crc = static_cast<std::uint32_t>(le(&cd[pos + 16], 4));
        z.compressedSize = le(&cd[pos + 20], 4);
        z.size = le(&cd[pos + 24], 4);
        const std::size_t nameLen = le(&cd[pos + 28], 2), extraLen = le(&cd[pos + 30], 2),
                          commentLen = le(&cd[pos + 32], 2);
        z.localHeaderOffset = le(&cd[pos + 42], 4);
        if (pos + 46 + nameLen + extraLen + commentLen > cd.size())
            throw FormatError(path, "the .npz archive's directory is damaged.");
        z.name = cd.substr(pos + 46, nameLen);
        // zip64 extra field (id 1): 8-byte values for exactly those fields that hold 0xFFFFFFFF.
        for (std::size_t x = pos + 46 + nameLen; x + 4 <= pos + 46 + nameLen + extraLen;) {
            const std::size_t id = le(&cd[x], 2), len = le(&cd[x + 2], 2);
            std::size_t f = x + 4;
            if (id == 1) {
                for (std::uint64_t* field : { &z.size, &z.compressedSize, &z.localHeaderOffset })
                    if (*field == 0xFFFFFFFF && f + 8 <= x + 4 + len) {
                        *field = le(&cd[f], 8);
                        f += 8;
                    }
            }
            x += 4 + len;
        }
        out.push_back(z);
        pos += 46 + nameLen + extraLen + commentLen;
    }
    return out;
}

std::string arrayName(const std::string& member)
{
    const std::string suffix = ".npy";
    return member.size() > suffix.size() && member.compare(member.size() - suffix.size(), suffix.size(), suffix) == 0
        ? member.substr(0, member.size() - suffix.size())
        : member;
}

std::ifstream openOrThrow(const std::string& path, std::uint64_t& size)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw FileError(path, "the file does not exist or cannot be read.");
    size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    return in;
}

// A read-only std::streambuf over a memory buffer, so that an inflated member parses like a file.
struct MemoryBuffer : std::streambuf {
    MemoryBuffer(char* begin, std::size_t size) { setg(begin, begin, begin + size); }
};

} // namespace

const std::vector<std::string>& cathodeColumns()
{
    static const std::vector<std::string> names { "mjj", "mj_min", "delta_mj", "tau21_min", "tau21_max", "label" };
    return names;
}

Table readNpy(const std::string& path, std::vector<std::string> columnNames)
{
    std::uint64_t size = 0;
    std::ifstream in = openOrThrow(path, size);
    return parseNpy(in, size, std::move(columnNames), Source { path, {} });
}

std::vector<std::string> npzArrayNames(const std::string& path)
{
    std::uint64_t size = 0;
    std::ifstream in = openOrThrow(path, size);
    std::vector<std::string> names;
    for (const ZipEntry& z : zipDirectory(in, size, path))
        names.push_back(arrayName(z.name));
    return names;
}

Table readNpz(const std::string& path, std::vector<std::string> columnNames, const std::string& member)
{
    std::uint64_t size = 0;
    std::ifstream in = openOrThrow(path, size);
    const std::vector<ZipEntry> entries = zipDirectory(in, size, path);
    std::vector<std::string> names;
    for (const ZipEntry& z : entries)
        names.push_back(arrayName(z.name));
    if (entries.empty())
        throw FormatError(path, "the .npz archive holds no arrays.");
    std::size_t pick = entries.size();
    if (!member.empty()) {
        pick = static_cast<std::size_t>(std::find(names.begin(), names.end(), arrayName(member)) - names.begin());
        if (pick == entries.size())
            throw FormatError(path,
                fmt::format(
                    "the .npz archive has no array '{}'; it holds {}.", arrayName(member), fmt::join(names, ", ")));
    } else if (entries.size() == 1) {
        pick = 0;
    } else {
        for (const char* preferred : { "data", "arr_0" })
            if (pick == entries.size())
                pick = static_cast<std::size_t>(std::find(names.begin(), names.end(), preferred) - names.begin());
        if (pick == entries.size())
            throw FormatError(path,
                fmt::format("the .npz archive holds several arrays ({}) and none is named 'data' or "
                            "'arr_0'; choose which one to read.",
                    fmt::join(names, ", ")));
    }
    const ZipEntry& z = entries[pick];
    const Source src { path, names[pick] };
    if (z.flags & 1)
        fail(src, "the member is encrypted; save the archive without a password.");
    const std::string local = readAt(in, z.localHeaderOffset, 30, path);
    if (local.compare(0, 4, "PK\x03\x04", 4) != 0)
        fail(src, "the archive's local header is damaged.");
    const std::uint64_t dataOffset = z.localHeaderOffset + 30 + le(&local[26], 2) + le(&local[28], 2);
    if (dataOffset + z.compressedSize > size)
        fail(src, "the .npz archive is truncated: the member's data lies beyond the end of the file.");
    if (z.method == 0) { // STORED (np.savez): stream it straight from the file
        in.clear();
        in.seekg(static_cast<std::streamoff>(dataOffset));
        return parseNpy(in, z.size, std::move(columnNames), src);
    }
    if (z.method != 8)
        fail(src,
            fmt::format(
                "zip compression method {} is not supported (only stored and deflated, as NumPy writes).", z.method));
    // DEFLATED (np.savez_compressed): raw deflate stream (no zlib header, windowBits -15).
    const std::string packed = readAt(in, dataOffset, static_cast<std::size_t>(z.compressedSize), path);
    std::vector<char> raw(static_cast<std::size_t>(z.size));
    z_stream zs {};
    if (inflateInit2(&zs, -15) != Z_OK)
        fail(src, "zlib could not be initialised.");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
    zs.next_out = reinterpret_cast<Bytef*>(raw.data());
    int rc = Z_OK;
    // zlib counts in uInt: feed and drain at most 1 GiB per call so that > 4 GiB members work.
    std::size_t inLeft = packed.size(), outLeft = raw.size();
    while (rc == Z_OK) {
        const uInt inStep = static_cast<uInt>(std::min<std::size_t>(inLeft, 1u << 30));
        const uInt outStep = static_cast<uInt>(std::min<std::size_t>(outLeft, 1u << 30));
        zs.avail_in = inStep;
        zs.avail_out = outStep;
        rc = inflate(&zs, Z_NO_FLUSH);
        inLeft -= inStep - zs.avail_in;
        outLeft -= outStep - zs.avail_out;
        if (rc == Z_OK && inStep == zs.avail_in && outStep == zs.avail_out)
            rc = Z_BUF_ERROR; // no progress
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || outLeft != 0)
        fail(src, "the compressed member is damaged or truncated (inflate failed).");
    uLong crc = crc32(0L, Z_NULL, 0);
    for (std::size_t off = 0; off < raw.size(); off += 1u << 30)
        crc = crc32(crc, reinterpret_cast<const Bytef*>(raw.data() + off),
            static_cast<uInt>(std::min<std::size_t>(raw.size() - off, 1u << 30)));
    if (crc != z.crc)
        fail(src, "the compressed member is damaged (CRC-32 mismatch).");
    MemoryBuffer buffer(raw.data(), raw.size());
    std::istream stream(&buffer);
    return parseNpy(stream, raw.size(), std::move(columnNames), src);
}

} // namespace hepgen::data
