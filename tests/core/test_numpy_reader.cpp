// The NumPy readers: every .npy / .npz variant NumPy writes (tests/data/make_fixtures_lhco.py)
// gives the same table as the numpy-computed CSV, and every bad input names file and problem.
#include "core/data/NumpyReader.h"
#include "core/util/Error.h"

#include "TestSupport.h"
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <QtTest>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

using namespace hepgen;
using namespace hepgen::data;
using hepgen::test::errorOf;
using hepgen::test::fixture;
using hepgen::test::lhcoExpectedRows;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

class TestNumpyReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cathodeArrayHasItsSixColumns()
    {
        const Table t = readNpy(fixture("cathode_sr.npy"));
        const auto expected = lhcoExpectedRows();
        QCOMPARE(t.rows(), std::size_t(200));
        QVERIFY((t.columns == std::vector<std::string> { "mjj", "mj_min", "delta_mj", "tau21_min", "tau21_max" }));
        QVERIFY((t.units == std::vector<std::string> { "TeV", "TeV", "TeV", "", "" }));
        QCOMPARE(t.labels.size(), std::size_t(200));
        for (std::size_t i = 0; i < t.rows(); ++i) {
            for (std::size_t j = 0; j < 5; ++j)
                QCOMPARE(t.at(i, j), static_cast<float>(expected[i][j])); // float64 → float32 exactly
            QCOMPARE(int(t.labels[i]), int(expected[i][6]));
        }
        QVERIFY(t.weights.empty());
    }

    void everyVariantGivesTheSameTable_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("float32") << "cathode_sr_f4.npy";
        QTest::newRow("Fortran order") << "cathode_sr_fortran.npy";
        QTest::newRow("format version 2.0") << "cathode_sr_v2.npy";
        QTest::newRow("format version 3.0") << "cathode_sr_v3.npy";
        QTest::newRow("npz, deflated") << "cathode.npz";
        QTest::newRow("npz, stored") << "cathode_stored.npz";
        QTest::newRow("npz, 'data' among others") << "with_data.npz";
    }
    void everyVariantGivesTheSameTable()
    {
        QFETCH(QString, file);
        const std::string path = fixture(qPrintable(file));
        const Table t = file.endsWith(".npz") ? readNpz(path) : readNpy(path);
        const Table reference = readNpy(fixture("cathode_sr.npy"));
        QVERIFY(t.columns == reference.columns);
        QVERIFY(t.values == reference.values); // float32 files hold float(x), as does our float table
        QVERIFY(t.labels == reference.labels);
    }

    void integerAndOneDimensionalArrays()
    {
        const auto expected = lhcoExpectedRows();
        const Table i4 = readNpy(fixture("cathode_i4.npy")); // round(1000 x [mjj, mj_min, delta_mj]), int32
        QVERIFY((i4.columns == std::vector<std::string> { "col0", "col1", "col2" }));
        QVERIFY(i4.labels.empty());
        for (std::size_t i = 0; i < i4.rows(); ++i)
            for (std::size_t j = 0; j < 3; ++j)
                QCOMPARE(i4.at(i, j), static_cast<float>(std::nearbyint(expected[i][j] * 1000)));
        const Table i8 = readNpy(fixture("cathode_i8_1d.npy"), { "is_signal" }); // shape (200,), int64
        QCOMPARE(i8.cols(), std::size_t(1));
        QCOMPARE(i8.rows(), std::size_t(200));
        for (std::size_t i = 0; i < i8.rows(); ++i)
            QCOMPARE(i8.at(i, 0), static_cast<float>(expected[i][6]));
        QVERIFY(readNpy(fixture("cathode_i8_1d.npy")).columns == std::vector<std::string> { "col0" });
    }

    void givenNamesAndTheLabelColumn()
    {
        const Table t = readNpy(fixture("cathode_sr.npy"), { "a", "b", "c", "d", "e", "label" });
        QVERIFY((t.columns == std::vector<std::string> { "a", "b", "c", "d", "e" }));
        QVERIFY(t.labels == readNpy(fixture("cathode_sr.npy")).labels);
        const Table noLabel = readNpy(fixture("cathode_sr_fortran.npy"), { "a", "b", "c", "d", "e", "truth" });
        QCOMPARE(noLabel.cols(), std::size_t(6));
        QVERIFY(noLabel.labels.empty());
        const auto expected = lhcoExpectedRows();
        for (std::size_t i = 0; i < noLabel.rows(); ++i)
            QCOMPARE(noLabel.at(i, 5), static_cast<float>(expected[i][6]));
        // A label column that is not 0/1/-1 is refused, naming the row.
        const std::string path = fixture("cathode_sr.npy");
        const std::string msg = errorOf<FormatError>([&] {
            readNpy(path, { "label", "b", "c", "d", "e", "f" });
        }).toStdString();
        QVERIFY2(contains(msg, path) && contains(msg, "label column holds") && contains(msg, "at row 0"), msg.c_str());
    }

    void npzArraysAreChosenByName()
    {
        const std::string path = fixture("two_arrays.npz");
        QVERIFY((npzArrayNames(path) == std::vector<std::string> { "x", "y" }));
        const std::string msg = errorOf<FormatError>([&] { readNpz(path); }).toStdString();
        QVERIFY2(contains(msg, path) && contains(msg, "several arrays (x, y)"), msg.c_str());
        const Table y = readNpz(path, {}, "y"); // delta_mj, tau21_min, tau21_max, label
        QVERIFY((y.columns == std::vector<std::string> { "col0", "col1", "col2", "col3" }));
        const Table named = readNpz(path, { "delta_mj", "tau21_min", "tau21_max", "label" }, "y.npy");
        const Table reference = readNpy(fixture("cathode_sr.npy"));
        QVERIFY(named.labels == reference.labels);
        QCOMPARE(named.units[0], std::string("TeV"));
        for (std::size_t i = 0; i < named.rows(); ++i)
            for (std::size_t j = 0; j < 3; ++j)
                QCOMPARE(named.at(i, j), reference.at(i, j + 2));
        const std::string absent = errorOf<FormatError>([&] { readNpz(path, {}, "z"); }).toStdString();
        QVERIFY2(
            contains(absent, path) && contains(absent, "no array 'z'") && contains(absent, "x, y"), absent.c_str());
    }

    void wrongNumberOfNamesIsAConfigError()
    {
        const std::string path = fixture("cathode_sr.npy");
        const std::string msg = errorOf<ConfigError>([&] { readNpy(path, { "mjj", "mj_min" }); }).toStdString();
        QVERIFY2(contains(msg, path) && contains(msg, "6 column(s) but 2 column name(s)"), msg.c_str());
        const std::string npz = fixture("cathode.npz");
        const std::string inNpz = errorOf<ConfigError>([&] { readNpz(npz, { "a" }); }).toStdString();
        QVERIFY2(contains(inNpz, npz) && contains(inNpz, "array 'arr_0'") && contains(inNpz, "but 1 column name"),
            inNpz.c_str());
    }

    void badFilesNameTheFileAndTheProblem_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("problem");
        QTest::newRow("truncated")
            << "truncated.npy"
            << "truncated: its header promises 200 x 6 values of '<f8' (9600 bytes) but only 9500";
        QTest::newRow("bad magic") << "bad_magic.npy"
                                   << "not a NumPy .npy array";
        QTest::newRow("big-endian") << "big_endian.npy"
                                    << "big-endian (dtype '>f8')";
        QTest::newRow("object") << "object.npy"
                                << "Python objects (dtype '|O')";
        QTest::newRow("npz given as npy") << "cathode.npz"
                                          << "not a NumPy .npy array";
        QTest::newRow("HDF5 given as npy") << "lhco_fixed.h5"
                                           << "not a NumPy .npy array";
    }
    void badFilesNameTheFileAndTheProblem()
    {
        QFETCH(QString, file);
        QFETCH(QString, problem);
        const std::string path = fixture(qPrintable(file));
        const std::string msg = errorOf<FormatError>([&] { readNpy(path); }).toStdString();
        QVERIFY2(contains(msg, path) && contains(msg, problem.toStdString()), msg.c_str());
    }

    void badArchivesNameTheFileAndTheProblem()
    {
        const std::string npy = fixture("cathode_sr.npy");
        std::string msg = errorOf<FormatError>([&] { readNpz(npy); }).toStdString();
        QVERIFY2(contains(msg, npy) && contains(msg, "end-of-directory record is missing"), msg.c_str());
        const std::string missing = fixture("no_such.npz");
        msg = errorOf<FileError>([&] { readNpz(missing); }).toStdString();
        QVERIFY2(contains(msg, missing) && contains(msg, "does not exist"), msg.c_str());

        // Damage NumPy's compressed member: flip bytes inside the deflate stream.
        QTemporaryDir dir;
        std::ifstream in(fixture("cathode.npz"), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::string damaged = dir.filePath("damaged.npz").toStdString();
        for (std::size_t k = 200; k < 260; ++k)
            bytes[k] = static_cast<char>(bytes[k] ^ 0x5A);
        std::ofstream(damaged, std::ios::binary) << bytes;
        msg = errorOf<FormatError>([&] { readNpz(damaged); }).toStdString();
        QVERIFY2(contains(msg, damaged) && contains(msg, "array 'arr_0'") && contains(msg, "damaged"), msg.c_str());

        // Cut the stored archive short: its directory (at the end) is gone.
        std::ifstream in2(fixture("cathode_stored.npz"), std::ios::binary);
        std::string stored((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
        const std::string cut = dir.filePath("cut.npz").toStdString();
        std::ofstream(cut, std::ios::binary) << stored.substr(0, stored.size() / 2);
        msg = errorOf<FormatError>([&] { readNpz(cut); }).toStdString();
        QVERIFY2(contains(msg, cut) && contains(msg, "end-of-directory"), msg.c_str());
    }

    // Timing on a large file, only when one is given: HEPGEN_NPY_FILE=/path/to/array.npy or .npz.
    void readsALargeFile()
    {
        const char* path = std::getenv("HEPGEN_NPY_FILE");
        if (!path)
            QSKIP("set HEPGEN_NPY_FILE to time a large file");
        QElapsedTimer timer;
        timer.start();
        const Table t = QString(path).endsWith(".npz") ? readNpz(path) : readNpy(path);
        qInfo("%zu x %zu values read in %lld ms", t.rows(), t.cols(), static_cast<long long>(timer.elapsed()));
        QVERIFY(t.rows() > 0);
    }
};

QTEST_GUILESS_MAIN(TestNumpyReader)
#include "test_numpy_reader.moc"
