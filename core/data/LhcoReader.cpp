#include "core/data/LhcoReader.h"

#include "core/data/Hdf5Util.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

namespace hepgen::data {

namespace {

constexpr hsize_t kRowsPerRead = 1 << 13; // 8192 x 15 doubles (~1 MB) stay in cache
constexpr std::size_t kRawFeatures = 14;  // lhcoRawColumns() without `label`
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum Raw : std::size_t { Px1, Py1, Pz1, M1, Tau1J1, Tau2J1, Tau3J1, Px2, Py2, Pz2, M2, Tau1J2, Tau2J2, Tau3J2, Lbl };

// One event: raw[0..13] in GeV (lhcoRawColumns() order) → out[0..5] (lhcoDerivedColumns()).
// Definitions as in CATHODE's run_data_preparation_LHCORD.py (arXiv:2109.00546).
void deriveEvent(const double* r, float* out)
{
    const double e1 = std::sqrt(r[Px1] * r[Px1] + r[Py1] * r[Py1] + r[Pz1] * r[Pz1] + r[M1] * r[M1]);
    const double e2 = std::sqrt(r[Px2] * r[Px2] + r[Py2] * r[Py2] + r[Pz2] * r[Pz2] + r[M2] * r[M2]);
    const double px = r[Px1] + r[Px2], py = r[Py1] + r[Py2], pz = r[Pz1] + r[Pz2];
    const double mjj = std::sqrt((e1 + e2) * (e1 + e2) - (px * px + py * py + pz * pz));
    const double tau21j1 = r[Tau2J1] / (r[Tau1J1] + 1e-5), tau21j2 = r[Tau2J2] / (r[Tau1J2] + 1e-5);
    // numpy argmin / argmax pick the first jet on a tie, so jet 1 is then both lighter and heavier.
    const bool oneLighter = !(r[M2] < r[M1]), oneHeavier = !(r[M2] > r[M1]);
    const double mLight = oneLighter ? r[M1] : r[M2], mHeavy = oneHeavier ? r[M1] : r[M2];
    const double eta1 = std::asinh(r[Pz1] / std::sqrt(r[Px1] * r[Px1] + r[Py1] * r[Py1]));
    const double eta2 = std::asinh(r[Pz2] / std::sqrt(r[Px2] * r[Px2] + r[Py2] * r[Py2]));
    // φ1 − φ2 from one atan2 of (sin, cos) of the difference: already wrapped into [−π, π], and
    // half the cost of two atan2 calls on 1.1M events.
    const double dphi = std::atan2(r[Py1] * r[Px2] - r[Px1] * r[Py2], r[Px1] * r[Px2] + r[Py1] * r[Py2]);
    out[0] = static_cast<float>(mjj / 1000.0);
    out[1] = static_cast<float>(mLight / 1000.0);
    out[2] = static_cast<float>((mHeavy - mLight) / 1000.0);
    out[3] = static_cast<float>(oneLighter ? tau21j1 : tau21j2);
    out[4] = static_cast<float>(oneHeavier ? tau21j1 : tau21j2);
    out[5] = static_cast<float>(std::sqrt((eta1 - eta2) * (eta1 - eta2) + dphi * dphi));
}

// 0 → background, 1 → signal, NaN → unknown; anything else is a FormatError naming file and row.
std::int8_t toLabel(double v, const std::string& source, std::size_t row)
{
    if (std::isnan(v))
        return static_cast<std::int8_t>(Label::Unknown);
    if (v == 0.0 || v == 1.0 || v == -1.0)
        return static_cast<std::int8_t>(v);
    throw FormatError(source,
        fmt::format("the label column holds {} at row {}; labels must be 0 (background), "
                    "1 (signal) or -1 (unknown).",
            v, row));
}

Table emptyDerivedTable()
{
    Table t;
    t.columns = lhcoDerivedColumns();
    t.units = { "TeV", "TeV", "TeV", "", "", "" };
    return t;
}

// Appends `n` events of `raw` (n x 15, label column NaN when absent) to `out`.
void appendDerived(const std::vector<double>& raw, std::size_t n, bool hasLabel, const std::string& source, Table& out)
{
    const std::size_t first = out.rows(), f = out.cols();
    out.values.resize((first + n) * f);
    for (std::size_t i = 0; i < n; ++i) {
        deriveEvent(&raw[i * (kRawFeatures + 1)], &out.values[(first + i) * f]);
        if (hasLabel)
            out.labels.push_back(toLabel(raw[i * (kRawFeatures + 1) + Lbl], source, first + i));
    }
}

std::string missingColumnsMessage(const std::vector<std::string>& missing, const std::vector<std::string>& found)
{
    return fmt::format("this is not an LHC Olympics features file: the column(s) {} are missing; the file has {}.",
        fmt::join(missing, ", "),
        found.empty() ? std::string("no columns") : fmt::format("{}", fmt::join(found, ", ")));
}

// ---- pandas HDF5 layouts ---------------------------------------------------------------------

// Python's raw-unicode-escape (pickle protocol 0 'V' strings): latin-1 bytes and \uXXXX /
// \UXXXXXXXX escapes, returned as UTF-8.
std::string fromRawUnicodeEscape(const std::string& raw)
{
    std::string s;
    auto utf8 = [&s](std::uint32_t c) {
        const int extra = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
        static constexpr unsigned char kLead[] = { 0x00, 0xC0, 0xE0, 0xF0 };
        s += static_cast<char>(kLead[extra] | (c >> (6 * extra)));
        for (int k = extra - 1; k >= 0; --k)
            s += static_cast<char>(0x80 | ((c >> (6 * k)) & 0x3F));
    };
    for (std::size_t k = 0; k < raw.size(); ++k) {
        std::size_t digits = 0;
        if (raw[k] == '\\' && k + 1 < raw.size())
            digits = raw[k + 1] == 'u' ? 4 : raw[k + 1] == 'U' ? 8 : 0;
        if (digits && k + 2 + digits <= raw.size()) {
            utf8(static_cast<std::uint32_t>(std::stoul(raw.substr(k + 2, digits), nullptr, 16)));
            k += 1 + digits;
        } else {
            utf8(static_cast<unsigned char>(raw[k]));
        }
    }
    return s;
}

// The strings of a pickle (pandas stores the column lists of the table layout as pickled Python
// lists, protocol 0 in PyTables' attributes, e.g. "(lp0\nVpxj1\np1\na."), in order of appearance.
// A small opcode walker (opcodes as in CPython's Lib/pickletools.py); throws std::runtime_error.
std::vector<std::string> pickledStrings(const std::string& p)
{
    std::vector<std::string> strings;
    std::map<std::string, std::string> memo;
    std::optional<std::string> top; // the object last pushed, when it is a string
    std::size_t i = 0;
    auto need = [&](std::size_t n) {
        if (i + n > p.size())
            throw std::runtime_error("truncated pickle");
    };
    auto line = [&] {
        const std::size_t eol = p.find('\n', i);
        if (eol == std::string::npos)
            throw std::runtime_error("truncated pickle");
        std::string s = p.substr(i, eol - i);
        i = eol + 1;
        return s;
    };
    auto uint = [&](std::size_t n) {
        need(n);
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < n; ++k)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i + k])) << (8 * k);
        i += n;
        return v;
    };
    auto push = [&](std::string s) {
        strings.push_back(s);
        top = std::move(s);
    };
    auto is = [](char op, std::string_view set) { return set.find(op) != std::string_view::npos; };
    // Opcodes with a length-prefixed string: (opcode, bytes of the length).
    static const std::map<char, std::size_t> kCounted { { 'X', 4 }, { '\x8c', 1 }, { '\x8d', 8 }, { 'U', 1 },
        { 'T', 4 }, { 'C', 1 }, { 'B', 4 } };
    // Opcodes with a fixed-size non-string argument: PROTO, FRAME, BININT1/2, BININT, BINFLOAT.
    static const std::map<char, std::size_t> kFixed { { '\x80', 1 }, { '\x95', 8 }, { 'K', 1 }, { 'M', 2 }, { 'J', 4 },
        { 'G', 8 } };
    while (i < p.size()) {
        const char op = p[i++];
        if (op == '.')
            return strings;
        if (op == 'V') {
            push(fromRawUnicodeEscape(line()));
        } else if (op == 'S') { // Python 2 str repr: 'abc' or "abc"
            std::string s = line();
            if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"'))
                s = s.substr(1, s.size() - 2);
            push(s);
        } else if (const auto c = kCounted.find(op); c != kCounted.end()) {
            const std::size_t n = static_cast<std::size_t>(uint(c->second));
            need(n);
            push(p.substr(i, n));
            i += n;
        } else if (is(op, "pqr\x94")) { // PUT, BINPUT, LONG_BINPUT, MEMOIZE
            const std::string key = op == 'p' ? line()
                : op == '\x94'                ? std::to_string(memo.size())
                                              : std::to_string(uint(op == 'q' ? 1 : 4));
            memo[key] = top.value_or(std::string());
        } else if (is(op, "ghj")) { // GET, BINGET, LONG_BINGET
            const std::string key = op == 'g' ? line() : std::to_string(uint(op == 'h' ? 1 : 4));
            const auto it = memo.find(key);
            if (it != memo.end() && !it->second.empty())
                push(it->second);
            else
                top.reset();
        } else if (const auto f = kFixed.find(op); f != kFixed.end()) {
            uint(f->second);
            top.reset();
        } else if (is(op, "ILF")) { // INT, LONG, FLOAT as text
            line();
            top.reset();
        } else if (op == 'c') { // GLOBAL module\nname\n
            line();
            line();
            top.reset();
        } else if (op != '\0' && is(op, "(])}ltdaesuN012\x85\x86\x87\x88\x89")) { // containers, no argument
            top.reset();
        } else {
            throw std::runtime_error(fmt::format("unsupported pickle opcode 0x{:02x}", static_cast<unsigned char>(op)));
        }
    }
    throw std::runtime_error("pickle without STOP");
}

// A numeric block of columns: fixed layout /df/blockK_values (N x width), or one field of the
// table layout's compound /df/table (an array of `width` numbers, or a scalar when !isArray).
struct Block {
    H5::DataSet ds;
    std::string member; // table layout: compound member name; fixed layout: empty
    bool isArray = true;
    std::vector<std::string> names;
};

// Rows [begin, end) of a block as doubles, row-major (end - begin) x names.size().
void readBlock(const Block& b, hsize_t begin, hsize_t end, std::vector<double>& out)
{
    const std::size_t width = b.names.size();
    out.resize(static_cast<std::size_t>(end - begin) * width);
    if (b.member.empty()) {
        h5::readRows(b.ds, begin, end, H5::PredType::NATIVE_DOUBLE, out.data());
        return;
    }
    // A memory compound with just this member: HDF5 picks the field by name and converts its
    // numbers (int8, int64, float32, ...) to double.
    H5::CompType mem(sizeof(double) * width);
    const hsize_t dims = width;
    if (b.isArray)
        mem.insertMember(b.member, 0, H5::ArrayType(H5::PredType::NATIVE_DOUBLE, 1, &dims));
    else
        mem.insertMember(b.member, 0, H5::PredType::NATIVE_DOUBLE);
    H5::DataSpace fileSpace = b.ds.getSpace();
    const hsize_t start = begin, count = end - begin;
    fileSpace.selectHyperslab(H5S_SELECT_SET, &count, &start);
    H5::DataSpace memSpace(1, &count);
    b.ds.read(out.data(), mem, memSpace, fileSpace);
}

// The table layout's compound records read as stored, once per row range, so that float64 members
// are copied out by offset. Asking HDF5 for one member at a time through a converting memory
// type costs a type conversion per member and read (3x slower than pandas on 1.1M events).
class RawRecords {
public:
    // Copies rows [begin, end) of `b`'s member into `out` when it is float64 (scalar or array);
    // false when `b` is not such a member (the caller converts through HDF5 instead).
    bool readMember(const Block& b, hsize_t begin, hsize_t end, std::vector<double>& out)
    {
        if (b.member.empty())
            return false;
        const H5::CompType type = b.ds.getCompType();
        const int index = type.getMemberIndex(b.member);
        const H5::DataType member = type.getMemberDataType(static_cast<unsigned>(index));
        const H5::DataType element = member.getClass() == H5T_ARRAY ? member.getSuper() : member;
        if (!(element == H5::PredType::IEEE_F64LE) || member.getSize() != sizeof(double) * b.names.size())
            return false;
        if (m_begin != begin || m_end != end || !(m_ds.getId() == b.ds.getId())) {
            m_recordSize = type.getSize();
            m_bytes.resize(static_cast<std::size_t>(end - begin) * m_recordSize);
            H5::DataSpace fileSpace = b.ds.getSpace();
            const hsize_t count = end - begin;
            fileSpace.selectHyperslab(H5S_SELECT_SET, &count, &begin);
            H5::DataSpace memSpace(1, &count);
            b.ds.read(m_bytes.data(), type, memSpace, fileSpace);
            m_ds = b.ds;
            m_begin = begin;
            m_end = end;
        }
        const std::size_t offset = type.getMemberOffset(static_cast<unsigned>(index));
        const std::size_t width = b.names.size(), n = static_cast<std::size_t>(end - begin);
        out.resize(n * width);
        for (std::size_t i = 0; i < n; ++i)
            std::memcpy(&out[i * width], m_bytes.data() + i * m_recordSize + offset, width * sizeof(double));
        return true;
    }

private:
    H5::DataSet m_ds;
    hsize_t m_begin = 0, m_end = 0;
    std::size_t m_recordSize = 0;
    std::vector<unsigned char> m_bytes;
};

// A 1-D dataset of strings (pandas writes fixed-length bytes; accept variable-length too).
std::vector<std::string> readStringDataset(const H5::DataSet& ds)
{
    const H5::DataType type = ds.getDataType();
    if (type.getClass() != H5T_STRING)
        throw std::runtime_error("not a string dataset");
    const H5::StrType strType = ds.getStrType();
    const std::size_t n = static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints());
    std::vector<std::string> out;
    if (strType.isVariableStr()) {
        std::vector<char*> ptrs(n, nullptr);
        ds.read(ptrs.data(), strType);
        for (char* p : ptrs) {
            out.emplace_back(p ? p : "");
            H5free_memory(p);
        }
    } else {
        const std::size_t width = strType.getSize();
        std::vector<char> buffer(width * n);
        ds.read(buffer.data(), strType);
        for (std::size_t k = 0; k < n; ++k)
            out.emplace_back(buffer.data() + k * width, strnlen(buffer.data() + k * width, width));
    }
    return out;
}

bool isNumeric(const H5::DataType& t) { return t.getClass() == H5T_FLOAT || t.getClass() == H5T_INTEGER; }

// pandas' fixed layout: blockK_items names the columns of blockK_values (N x k).
std::vector<Block> fixedBlocks(const H5::H5File& file, const std::string& path, hsize_t& rows)
{
    std::vector<Block> blocks;
    rows = 0;
    for (int k = 0; h5::exists(file, fmt::format("/df/block{}_values", k)); ++k) {
        Block b;
        b.ds = file.openDataSet(fmt::format("/df/block{}_values", k));
        const auto itemsPath = fmt::format("/df/block{}_items", k);
        if (!h5::exists(file, itemsPath))
            throw FormatError(
                path, fmt::format("pandas fixed layout without {} (the names of block {}).", itemsPath, k));
        b.names = readStringDataset(file.openDataSet(itemsPath));
        const auto dims = h5::shape(b.ds);
        if (dims.size() != 2 || dims[1] != b.names.size())
            throw FormatError(path,
                fmt::format("/df/block{}_values is not an N x {} array as block{}_items says.", k, b.names.size(), k));
        if (k > 0 && dims[0] != rows)
            throw FormatError(path, "the pandas blocks have different numbers of rows.");
        rows = dims[0];
        if (isNumeric(b.ds.getDataType()))
            blocks.push_back(std::move(b)); // string or object blocks cannot hold the features
    }
    return blocks;
}

// pandas' table layout: compound /df/table with `index` and values_block_K (array fields) or data
// columns (scalar fields named by the column); names from the `<field>_kind` attributes.
std::vector<Block> tableBlocks(const H5::H5File& file, const std::string& path, hsize_t& rows)
{
    const H5::DataSet ds = file.openDataSet("/df/table");
    if (ds.getDataType().getClass() != H5T_COMPOUND)
        throw FormatError(path, "/df/table is not a compound dataset as pandas' table layout writes it.");
    const auto dims = h5::shape(ds);
    if (dims.size() != 1)
        throw FormatError(path, "/df/table is not one-dimensional as pandas' table layout writes it.");
    rows = dims[0];
    const H5::CompType type = ds.getCompType();
    const int members = type.getNmembers();
    std::vector<Block> blocks;
    for (int m = 0; m < members; ++m) {
        Block b;
        b.ds = ds;
        b.member = type.getMemberName(static_cast<unsigned>(m));
        if (b.member == "index")
            continue;
        const H5T_class_t cls = type.getMemberClass(static_cast<unsigned>(m));
        std::size_t width = 1;
        if (cls == H5T_ARRAY) {
            const H5::ArrayType at = type.getMemberArrayType(static_cast<unsigned>(m));
            std::vector<hsize_t> adims(static_cast<std::size_t>(at.getArrayNDims()));
            at.getArrayDims(adims.data());
            for (hsize_t d : adims)
                width *= static_cast<std::size_t>(d);
            if (!isNumeric(at.getSuper()))
                continue;
        } else if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
            continue;
        }
        b.isArray = cls == H5T_ARRAY;
        const std::string kindAttr = b.member + "_kind";
        try {
            if (ds.attrExists(kindAttr))
                b.names = pickledStrings(h5::readStringAttribute(ds, kindAttr));
            else if (b.member.rfind("values_block_", 0) != 0)
                b.names = { b.member };
            else if (file.openGroup("/df").attrExists("non_index_axes")) // one unnamed block: all columns
                b.names = pickledStrings(h5::readStringAttribute(file.openGroup("/df"), "non_index_axes"));
        } catch (const std::runtime_error& e) {
            throw FormatError(
                path, fmt::format("cannot read the column names of /df/table field '{}' ({}).", b.member, e.what()));
        }
        if (b.names.size() != width)
            throw FormatError(path,
                fmt::format(
                    "/df/table field '{}' holds {} values but {} column names.", b.member, width, b.names.size()));
        blocks.push_back(std::move(b));
    }
    return blocks;
}

Table readPandas(const std::string& path)
{
    H5::H5File file = h5::openForReading(path);
    if (!h5::exists(file, "/df"))
        throw FormatError(path,
            "no pandas DataFrame under /df (the LHC Olympics file is written with "
            "to_hdf(key='df')).");
    const H5::Group df = file.openGroup("/df");
    const std::string pandasType = df.attrExists("pandas_type") ? h5::readStringAttribute(df, "pandas_type") : "";
    hsize_t rows = 0;
    std::vector<Block> blocks;
    if (h5::exists(file, "/df/table"))
        blocks = tableBlocks(file, path, rows);
    else if (h5::exists(file, "/df/block0_values") && h5::exists(file, "/df/axis0"))
        blocks = fixedBlocks(file, path, rows);
    else
        throw FormatError(path,
            fmt::format("the pandas object under /df{} is in neither pandas' fixed layout "
                        "(/df/axis0, /df/block0_values) nor its table layout (/df/table).",
                pandasType.empty() ? "" : " (pandas_type '" + pandasType + "')"));

    // Where each raw column lives: (block, position in block).
    const auto& wanted = lhcoRawColumns();
    std::vector<std::pair<std::size_t, std::size_t>> where(wanted.size(), { SIZE_MAX, 0 });
    std::vector<std::string> found;
    for (std::size_t b = 0; b < blocks.size(); ++b)
        for (std::size_t k = 0; k < blocks[b].names.size(); ++k) {
            found.push_back(blocks[b].names[k]);
            const auto it = std::find(wanted.begin(), wanted.end(), blocks[b].names[k]);
            if (it != wanted.end())
                where[static_cast<std::size_t>(it - wanted.begin())] = { b, k };
        }
    std::vector<std::string> missing;
    for (std::size_t c = 0; c < kRawFeatures; ++c)
        if (where[c].first == SIZE_MAX)
            missing.push_back(wanted[c]);
    if (!missing.empty())
        throw FormatError(path, missingColumnsMessage(missing, found));
    const bool hasLabel = where[Lbl].first != SIZE_MAX;

    Table out = emptyDerivedTable();
    out.values.reserve(static_cast<std::size_t>(rows) * out.cols());
    if (hasLabel)
        out.labels.reserve(static_cast<std::size_t>(rows));
    std::vector<double> raw, chunk;
    RawRecords rawRecords;
    for (hsize_t begin = 0; begin < rows; begin += kRowsPerRead) {
        const hsize_t end = std::min(rows, begin + kRowsPerRead);
        const std::size_t n = static_cast<std::size_t>(end - begin);
        raw.assign(n * (kRawFeatures + 1), kNaN);
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            std::vector<std::pair<std::size_t, std::size_t>> take; // (raw column, position in block)
            for (std::size_t c = 0; c < where.size(); ++c)
                if (where[c].first == b)
                    take.emplace_back(c, where[c].second);
            if (take.empty())
                continue;
            if (!rawRecords.readMember(blocks[b], begin, end, chunk))
                readBlock(blocks[b], begin, end, chunk);
            const std::size_t width = blocks[b].names.size();
            for (std::size_t i = 0; i < n; ++i) // row by row: both buffers are read sequentially
                for (const auto& [c, k] : take)
                    raw[i * (kRawFeatures + 1) + c] = chunk[i * width + k];
        }
        appendDerived(raw, n, hasLabel, path, out);
    }
    return out;
}

} // namespace

const std::vector<std::string>& lhcoRawColumns()
{
    static const std::vector<std::string> names { "pxj1", "pyj1", "pzj1", "mj1", "tau1j1", "tau2j1", "tau3j1", "pxj2",
        "pyj2", "pzj2", "mj2", "tau1j2", "tau2j2", "tau3j2", "label" };
    return names;
}

const std::vector<std::string>& lhcoDerivedColumns()
{
    static const std::vector<std::string> names { "mjj", "mj_min", "delta_mj", "tau21_min", "tau21_max", "delta_R_jj" };
    return names;
}

bool isLhcoPandasFile(const std::string& path)
{
    try {
        if (!h5::hasHdf5Signature(path))
            return false;
        H5::H5File file = h5::openForReading(path);
        return h5::exists(file, "/df/table")
            || (h5::exists(file, "/df/axis0") && h5::exists(file, "/df/block0_values"));
    } catch (...) {
        return false;
    }
}

Table readLhcoPandas(const std::string& path)
{
    return translatingErrors("reading " + path, [&] { return readPandas(path); });
}

Table deriveLhcoFeatures(const Table& raw, const std::string& source)
{
    const auto& wanted = lhcoRawColumns();
    std::vector<std::size_t> index(wanted.size(), SIZE_MAX);
    std::vector<std::string> missing;
    for (std::size_t c = 0; c < wanted.size(); ++c) {
        const auto it = std::find(raw.columns.begin(), raw.columns.end(), wanted[c]);
        if (it != raw.columns.end())
            index[c] = static_cast<std::size_t>(it - raw.columns.begin());
        else if (c != Lbl)
            missing.push_back(wanted[c]);
    }
    if (!missing.empty())
        throw FormatError(source, missingColumnsMessage(missing, raw.columns));
    const std::size_t n = raw.rows();
    if (!raw.labels.empty() && raw.labels.size() != n)
        throw FormatError(source, fmt::format("{} labels for {} rows.", raw.labels.size(), n));
    const bool labelColumn = index[Lbl] != SIZE_MAX;
    std::vector<double> rows(n * (kRawFeatures + 1), kNaN);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < wanted.size(); ++c)
            if (index[c] != SIZE_MAX)
                rows[i * (kRawFeatures + 1) + c] = static_cast<double>(raw.at(i, index[c]));
    Table out = emptyDerivedTable();
    appendDerived(rows, n, labelColumn && raw.labels.empty(), source, out);
    if (!raw.labels.empty())
        out.labels = raw.labels;
    return out;
}

} // namespace hepgen::data
