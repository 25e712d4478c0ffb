#pragma once
// Helpers shared by the test executables: where the fixtures are, the message of an expected
// error, and the numpy-computed LHCO features the readers are compared with.
#include "core/util/Error.h"

#include <QString>

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hepgen::test {

/// A file in tests/data (third-party-written fixtures).
inline std::string fixture(const char* name) { return std::string(HEPGEN_TEST_DATA_DIR) + "/" + name; }

/// A bundled CaloChallenge binning in resources/calochallenge.
inline std::string bundledBinning(const char* name)
{
    return std::string(HEPGEN_RESOURCE_DIR) + "/calochallenge/" + name;
}

/// The message of the E that f throws, or an empty string if it throws none.
template <class E = hepgen::Error, class F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const E& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

/// tests/data/lhco_expected.csv: mjj, mj_min, delta_mj, tau21_min, tau21_max, delta_R_jj, label, as numpy
/// computed them (float64) from the raw columns of the LHCO fixtures.
inline std::vector<std::array<double, 7>> lhcoExpectedRows()
{
    std::ifstream in(fixture("lhco_expected.csv"));
    std::string line;
    std::getline(in, line); // header
    std::vector<std::array<double, 7>> rows;
    while (std::getline(in, line)) {
        std::array<double, 7> r {};
        std::stringstream ss(line);
        std::string cell;
        for (double& v : r) {
            std::getline(ss, cell, ',');
            v = std::strtod(cell.c_str(), nullptr);
        }
        rows.push_back(r);
    }
    return rows;
}

} // namespace hepgen::test
