#include "core/data/CaloBinning.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <utility>

namespace hepgen::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::size_t kMaxXmlBytes = 64u << 20; // a binning XML is a few kB; refuse anything absurd

using Attributes = std::vector<std::pair<std::string, std::string>>;

/// A minimal reader for the XML subset of the binning files: elements with quoted attributes,
/// comments, processing instructions, <!DOCTYPE ..> and whitespace. Character data other than
/// whitespace is rejected (the dialect has none), which also catches files that are not XML.
class XmlScanner {
public:
    XmlScanner(std::string text, std::string path)
        : m_text(std::move(text))
        , m_path(std::move(path))
    {
    }

    /// Calls onStart(name, attributes, line) for every element and onEnd(name) when it closes
    /// (self-closing elements get both).
    template <class Start, class End>
    void scan(Start&& onStart, End&& onEnd)
    {
        std::vector<std::string> open;
        bool sawElement = false;
        while (m_pos < m_text.size()) {
            const std::size_t lt = m_text.find('<', m_pos);
            const std::size_t stop = lt == std::string::npos ? m_text.size() : lt;
            for (std::size_t i = m_pos; i < stop; ++i)
                if (!isSpace(m_text[i])) {
                    m_pos = i;
                    fail("unexpected text outside of a tag");
                }
            if (lt == std::string::npos)
                break;
            m_pos = lt;
            if (startsWith("<!--")) {
                skipPast("-->", "unterminated comment");
            } else if (startsWith("<?")) {
                skipPast("?>", "unterminated processing instruction");
            } else if (startsWith("<![CDATA[")) {
                fail("unexpected CDATA section");
            } else if (startsWith("<!")) {
                skipPast(">", "unterminated declaration");
            } else if (startsWith("</")) {
                m_pos += 2;
                const std::string name = readName();
                skipSpace();
                expect('>');
                if (open.empty() || open.back() != name)
                    fail(open.empty() ? fmt::format("closing tag </{}> without an opening tag", name)
                                      : fmt::format("closing tag </{}> does not match <{}>", name, open.back()));
                open.pop_back();
                onEnd(name);
            } else {
                ++m_pos;
                const int line = lineAt(m_pos);
                const std::string name = readName();
                if (sawElement && open.empty())
                    fail(fmt::format("a second root element <{}>", name));
                sawElement = true;
                Attributes attributes;
                bool selfClosing = false;
                for (;;) {
                    skipSpace();
                    if (startsWith("/>")) {
                        m_pos += 2;
                        selfClosing = true;
                        break;
                    }
                    if (startsWith(">")) {
                        ++m_pos;
                        break;
                    }
                    std::string key = readName();
                    skipSpace();
                    expect('=');
                    skipSpace();
                    std::string value = readQuoted();
                    for (const auto& kv : attributes)
                        if (kv.first == key)
                            fail(fmt::format("attribute '{}' given twice", key));
                    attributes.emplace_back(std::move(key), std::move(value));
                }
                onStart(name, attributes, line);
                if (selfClosing)
                    onEnd(name);
                else
                    open.push_back(name);
            }
        }
        if (!open.empty())
            fail(fmt::format("<{}> is never closed", open.back()));
        if (!sawElement)
            fail("no XML element found");
    }

    [[noreturn]] void fail(const std::string& what, int line = 0) const
    {
        throw FormatError(m_path,
            fmt::format("not a valid CaloChallenge binning XML (line {}: {}).", line > 0 ? line : lineAt(m_pos), what));
    }

private:
    static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    static bool isNameChar(char c)
    {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
    }
    int lineAt(std::size_t pos) const
    {
        return 1 + static_cast<int>(std::count(m_text.begin(), m_text.begin() + std::min(pos, m_text.size()), '\n'));
    }
    bool startsWith(const char* s) const { return m_text.compare(m_pos, std::char_traits<char>::length(s), s) == 0; }
    void skipSpace()
    {
        while (m_pos < m_text.size() && isSpace(m_text[m_pos]))
            ++m_pos;
    }
    void skipPast(const char* end, const char* problem)
    {
        const std::size_t at = m_text.find(end, m_pos);
        if (at == std::string::npos)
            fail(problem);
        m_pos = at + std::char_traits<char>::length(end);
    }
    void expect(char c)
    {
        if (m_pos >= m_text.size() || m_text[m_pos] != c)
            fail(m_pos >= m_text.size() ? fmt::format("file ends where '{}' was expected", c)
                                        : fmt::format("'{}' expected but '{}' found", c, m_text[m_pos]));
        ++m_pos;
    }
    std::string readName()
    {
        const std::size_t begin = m_pos;
        while (m_pos < m_text.size() && isNameChar(m_text[m_pos]))
            ++m_pos;
        if (m_pos == begin)
            fail(m_pos >= m_text.size() ? "file ends inside a tag" : "a tag or attribute name was expected");
        return m_text.substr(begin, m_pos - begin);
    }
    std::string readQuoted()
    {
        if (m_pos >= m_text.size() || (m_text[m_pos] != '"' && m_text[m_pos] != '\''))
            fail("attribute values must be quoted");
        const char quote = m_text[m_pos++];
        const std::size_t end = m_text.find(quote, m_pos);
        if (end == std::string::npos)
            fail("unterminated attribute value");
        std::string raw = m_text.substr(m_pos, end - m_pos);
        m_pos = end + 1;
        // The five predefined entities; numeric references do not occur in binning files.
        static const std::pair<const char*, char> kEntities[]
            = { { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' }, { "&amp;", '&' } };
        std::string out;
        for (std::size_t i = 0; i < raw.size();) {
            bool replaced = false;
            if (raw[i] == '&')
                for (const auto& [entity, c] : kEntities)
                    if (raw.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
                        out += c;
                        i += std::char_traits<char>::length(entity);
                        replaced = true;
                        break;
                    }
            if (!replaced)
                out += raw[i++];
        }
        return out;
    }

    std::string m_text;
    std::string m_path;
    std::size_t m_pos = 0;
};

const std::string* findAttribute(const Attributes& attributes, const std::string& key)
{
    for (const auto& kv : attributes)
        if (kv.first == key)
            return &kv.second;
    return nullptr;
}

std::string trimmed(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool parseInt(const std::string& text, long& value)
{
    const std::string t = trimmed(text);
    if (t.empty())
        return false;
    char* end = nullptr;
    errno = 0;
    value = std::strtol(t.c_str(), &end, 10);
    return errno == 0 && end == t.c_str() + t.size();
}

struct ParsedBin {
    std::string name;
    int pid = 0;
    std::vector<CaloBinning::Layer> layers;
};

CaloBinning::Layer parseLayer(const XmlScanner& xml, const Attributes& attributes, int line, std::size_t index)
{
    CaloBinning::Layer layer;
    long value = 0;
    const std::string* id = findAttribute(attributes, "id");
    if (id && !parseInt(*id, value))
        xml.fail(fmt::format("<Layer id=\"{}\"> is not an integer", *id), line);
    layer.id = id ? static_cast<int>(value) : static_cast<int>(index);

    const std::string* alpha = findAttribute(attributes, "n_bin_alpha");
    if (!alpha)
        xml.fail(fmt::format("layer {} has no n_bin_alpha", layer.id), line);
    if (!parseInt(*alpha, value) || value < 1 || value > 1000000)
        xml.fail(fmt::format("layer {}: n_bin_alpha=\"{}\" is not a positive integer", layer.id, *alpha), line);
    layer.nAlpha = static_cast<int>(value);

    const std::string* edges = findAttribute(attributes, "r_edges");
    if (!edges)
        xml.fail(fmt::format("layer {} has no r_edges", layer.id), line);
    std::stringstream list(*edges);
    std::string item;
    while (std::getline(list, item, ',')) {
        const std::string t = trimmed(item);
        char* end = nullptr;
        const double r = t.empty() ? NAN : std::strtod(t.c_str(), &end);
        if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(r) || r < 0
            || (!layer.rEdges.empty() && r <= layer.rEdges.back()))
            xml.fail(fmt::format("layer {}: r_edges=\"{}\" must be increasing non-negative numbers", layer.id, *edges),
                line);
        layer.rEdges.push_back(r);
    }
    if (layer.rEdges.empty())
        xml.fail(fmt::format("layer {}: r_edges is empty", layer.id), line);
    return layer;
}

} // namespace

std::size_t CaloBinning::voxels() const { return layerOffset(layers.size()); }

std::size_t CaloBinning::layerOffset(std::size_t layer) const
{
    std::size_t offset = 0;
    for (std::size_t l = 0; l < layer && l < layers.size(); ++l)
        offset += layers[l].voxels();
    return offset;
}

std::vector<float> CaloBinning::voxelCentres() const
{
    std::vector<float> out;
    out.reserve(voxels() * 3);
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const Layer& layer = layers[l];
        const double z = l < layerZ.size() ? layerZ[l] : static_cast<double>(l);
        const double width = 2.0 * kPi / layer.nAlpha;
        for (int a = 0; a < layer.nAlpha; ++a) {
            // Alpha centres as in the challenge's XMLHandler: midpoints of linspace(-pi, pi, n + 1).
            const double alpha = -kPi + (a + 0.5) * width;
            for (std::size_t r = 0; r < layer.nR(); ++r) {
                const double rMid = 0.5 * (layer.rEdges[r] + layer.rEdges[r + 1]);
                out.push_back(static_cast<float>(rMid * std::cos(alpha)));
                out.push_back(static_cast<float>(rMid * std::sin(alpha)));
                out.push_back(static_cast<float>(z));
            }
        }
    }
    return out;
}

CalorimeterGeometry CaloBinning::geometry() const
{
    CalorimeterGeometry g;
    const std::string file = source.substr(source.find_last_of("/\\") + 1);
    g.name = fmt::format("CaloChallenge {}{}; z = layer index", file.empty() ? std::string("binning") : file,
        particle.empty() ? std::string() : " (" + particle + ")");
    g.layerZ = layerZ;
    return g;
}

CaloBinning readCaloBinningXml(const std::string& xmlPath, const std::string& particle)
{
    std::ifstream in(xmlPath, std::ios::binary);
    if (!in)
        throw FileError(xmlPath, "the binning XML does not exist or cannot be read.");
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
    if (size > kMaxXmlBytes)
        throw FormatError(xmlPath, fmt::format("{} bytes is far too large for a CaloChallenge binning XML.", size));
    in.seekg(0);
    std::string text(size, '\0');
    if (size > 0 && !in.read(text.data(), static_cast<std::streamsize>(size)))
        throw FileError(xmlPath, "the binning XML could not be read.");

    XmlScanner xml(std::move(text), xmlPath);
    std::vector<ParsedBin> bins;
    bool inBin = false;
    xml.scan(
        [&](const std::string& name, const Attributes& attributes, int line) {
            if (name == "Bin") {
                if (inBin)
                    xml.fail("<Bin> inside another <Bin>", line);
                inBin = true;
                ParsedBin bin;
                if (const std::string* n = findAttribute(attributes, "name"))
                    bin.name = *n;
                long pid = 0;
                if (const std::string* p = findAttribute(attributes, "pid"); p && parseInt(*p, pid))
                    bin.pid = static_cast<int>(pid);
                bins.push_back(std::move(bin));
            } else if (name == "Layer") {
                if (!inBin)
                    xml.fail("<Layer> outside of a <Bin>", line);
                auto& layers = bins.back().layers;
                layers.push_back(parseLayer(xml, attributes, line, layers.size()));
            }
        },
        [&](const std::string& name) {
            if (name == "Bin")
                inBin = false;
        });

    if (bins.empty())
        throw FormatError(xmlPath,
            "no <Bin> element found; this does not look like a CaloChallenge "
            "binning_dataset_*.xml.");
    const ParsedBin* chosen = &bins.front();
    if (!particle.empty()) {
        chosen = nullptr;
        std::string names;
        for (const auto& bin : bins) {
            if (bin.name == particle && !chosen)
                chosen = &bin;
            names += (names.empty() ? "" : ", ") + bin.name;
        }
        if (!chosen)
            throw FormatError(
                xmlPath, fmt::format("no <Bin name=\"{}\"> in the binning XML (it has: {}).", particle, names));
    }
    if (chosen->layers.empty())
        throw FormatError(xmlPath, fmt::format("<Bin name=\"{}\"> has no <Layer> elements.", chosen->name));

    CaloBinning b;
    b.source = xmlPath;
    b.particle = chosen->name;
    b.pid = chosen->pid;
    b.layers = chosen->layers;
    for (std::size_t l = 0; l < b.layers.size(); ++l)
        b.layerZ.push_back(static_cast<double>(l));
    return b;
}

void appendVoxelShowers(
    const float* voxels, std::size_t n, const float* incidentMeV, const CaloBinning& b, Showers& out)
{
    if (out.offsets.empty())
        out.offsets.push_back(0);
    const std::size_t nv = b.voxels();
    const std::vector<float> centres = b.voxelCentres();
    for (std::size_t i = 0; i < n; ++i) {
        const float* row = voxels + i * nv;
        for (std::size_t v = 0; v < nv; ++v) {
            if (row[v] == 0.0f)
                continue;
            out.points.insert(out.points.end(), { centres[3 * v], centres[3 * v + 1], centres[3 * v + 2], row[v] });
        }
        out.offsets.push_back(static_cast<std::int64_t>(out.points.size() / 4));
        out.incidentEnergy.push_back(static_cast<float>(static_cast<double>(incidentMeV[i]) / 1000.0));
    }
}

Showers voxelsToShowers(const std::vector<float>& voxels, const std::vector<float>& incidentMeV, const CaloBinning& b)
{
    const std::size_t nv = b.voxels();
    if (nv == 0)
        throw ConfigError("The calorimeter binning has no voxels.");
    if (voxels.size() != incidentMeV.size() * nv)
        throw ConfigError(
            fmt::format("{} voxel values do not make {} showers of {} voxels.", voxels.size(), incidentMeV.size(), nv));
    Showers s;
    s.geometry = b.geometry();
    appendVoxelShowers(voxels.data(), incidentMeV.size(), incidentMeV.data(), b, s);
    return s;
}

void voxeliseShowers(
    const Showers& s, std::size_t begin, std::size_t end, const CaloBinning& b, float* out, VoxelisationStats* stats)
{
    const std::size_t nl = b.layers.size();
    if (nl == 0)
        throw ConfigError("The calorimeter binning has no layers.");
    if (b.layerZ.size() != nl || !std::is_sorted(b.layerZ.begin(), b.layerZ.end()))
        throw ConfigError("The calorimeter binning needs one increasing layer z per layer.");
    if (end > s.size() || s.offsets.size() != s.size() + 1)
        throw ConfigError("Shower range or offsets do not match the showers.");
    const std::size_t nv = b.voxels();
    std::vector<std::size_t> offsets(nl);
    for (std::size_t l = 0; l < nl; ++l)
        offsets[l] = b.layerOffset(l);
    // Accept hits up to half a layer pitch beyond the first and last layer.
    const double zLow = nl > 1 ? b.layerZ[0] - 0.5 * (b.layerZ[1] - b.layerZ[0]) : -HUGE_VAL;
    const double zHigh = nl > 1 ? b.layerZ[nl - 1] + 0.5 * (b.layerZ[nl - 1] - b.layerZ[nl - 2]) : HUGE_VAL;

    std::vector<double> sum(nv);
    for (std::size_t i = begin; i < end; ++i) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (auto p = s.offsets[i]; p < s.offsets[i + 1]; ++p) {
            const float* hit = s.points.data() + 4 * p;
            const double x = hit[0], y = hit[1], z = hit[2], e = hit[3];
            auto drop = [&] {
                if (stats) {
                    ++stats->droppedHits;
                    if (std::isfinite(e))
                        stats->droppedEnergyMeV += e;
                }
            };
            if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z) || !std::isfinite(e) || z < zLow
                || z > zHigh) {
                drop();
                continue;
            }
            // Nearest layer; ties go to the lower layer.
            std::size_t l
                = static_cast<std::size_t>(std::lower_bound(b.layerZ.begin(), b.layerZ.end(), z) - b.layerZ.begin());
            if (l == nl || (l > 0 && z - b.layerZ[l - 1] <= b.layerZ[l] - z))
                l = l == 0 ? 0 : l - 1;
            const CaloBinning::Layer& layer = b.layers[l];
            const double r = std::hypot(x, y);
            if (layer.nR() == 0 || r < layer.rEdges.front() || r >= layer.rEdges.back()) {
                drop();
                continue;
            }
            const std::size_t rBin = static_cast<std::size_t>(
                std::upper_bound(layer.rEdges.begin(), layer.rEdges.end(), r) - layer.rEdges.begin() - 1);
            // alpha in [-pi, pi]; alpha = +pi is the same direction as -pi, i.e. bin 0.
            const double alpha = std::atan2(y, x);
            auto aBin = static_cast<long>(std::floor((alpha + kPi) / (2.0 * kPi) * layer.nAlpha));
            if (aBin >= layer.nAlpha)
                aBin -= layer.nAlpha;
            aBin = std::clamp<long>(aBin, 0, layer.nAlpha - 1);
            sum[offsets[l] + static_cast<std::size_t>(aBin) * layer.nR() + rBin] += e;
        }
        float* row = out + (i - begin) * nv;
        for (std::size_t v = 0; v < nv; ++v)
            row[v] = static_cast<float>(sum[v]);
    }
}

std::vector<float> showersToVoxels(const Showers& s, const CaloBinning& b, VoxelisationStats* stats)
{
    std::vector<float> out(s.size() * b.voxels());
    voxeliseShowers(s, 0, s.size(), b, out.data(), stats);
    return out;
}

} // namespace hepgen::data
