// Our own HDF5 schema: bit-exact round trips of tables and showers, lazy reads of row ranges and
// columns, and a clear error naming the file for every kind of bad input.
#include "core/data/DatasetIO.h"
#include "core/data/HepgenSchema.h"
#include "core/data/Summary.h"
#include "core/util/Error.h"

#include "TestSupport.h"
#include <H5Cpp.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace hepgen;
using namespace hepgen::data;

namespace {

Table makeTable(std::size_t n)
{
    Table t;
    t.columns = { "mjj", "mj_min", "tau21" };
    t.units = { "TeV", "TeV", "" };
    for (std::size_t i = 0; i < n; ++i) {
        t.values.push_back(3.0f + 1e-3f * static_cast<float>(i));
        t.values.push_back(std::nextafter(0.1f, 1.0f) * static_cast<float>(i % 7));
        t.values.push_back(1.0f / static_cast<float>(i + 3));
        t.labels.push_back(static_cast<std::int8_t>(i % 3) - 1);
        t.weights.push_back(0.5f + static_cast<float>(i));
    }
    return t;
}

Dataset asDataset(Table t)
{
    Dataset ds;
    ds.kind = DatasetKind::Table;
    ds.description = "unit test";
    ds.table = std::move(t);
    return ds;
}

template <class F>
QString errorOf(F&& f)
{
    return hepgen::test::errorOf<FileError>(std::forward<F>(f));
}

} // namespace

class TestHepgenSchema : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const char* name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() { H5::Exception::dontPrint(); }

    void tableRoundTripIsBitExact()
    {
        Table t = makeTable(200000); // several chunks
        t.values[5] = std::numeric_limits<float>::quiet_NaN();
        const std::string file = path("table.h5").toStdString();
        writeDataset(asDataset(t), file);
        QCOMPARE(detectFormat(file), FileFormat::HepgenSchema);
        const Dataset back = readDataset(file);
        QVERIFY(back.table.has_value());
        QCOMPARE(back.kind, DatasetKind::Table);
        QCOMPARE(back.description, std::string("unit test"));
        QVERIFY(back.table->columns == t.columns);
        QVERIFY(back.table->units == t.units);
        QCOMPARE(back.table->values.size(), t.values.size());
        QVERIFY(std::memcmp(back.table->values.data(), t.values.data(), t.values.size() * sizeof(float)) == 0);
        QVERIFY(back.table->labels == t.labels);
        QVERIFY(std::memcmp(back.table->weights.data(), t.weights.data(), t.weights.size() * sizeof(float)) == 0);
        QCOMPARE(countNonFiniteEvents(*back.table), std::size_t(1));
        QCOMPARE(dropNonFiniteEvents(*back.table).rows(), t.rows() - 1);
    }

    void lazyReaderReadsRowRangesAndColumns()
    {
        const Table t = makeTable(150000);
        const std::string file = path("lazy.h5").toStdString();
        writeDataset(asDataset(t), file);
        HepgenTableReader reader(file);
        QCOMPARE(reader.rows(), t.rows());
        const Table part = reader.read(65530, 131080, { "tau21", "mjj" }); // straddles two read blocks
        QCOMPARE(part.rows(), std::size_t(131080 - 65530));
        QVERIFY((part.columns == std::vector<std::string> { "tau21", "mjj" }));
        QVERIFY((part.units == std::vector<std::string> { "", "TeV" }));
        for (std::size_t i = 0; i < part.rows(); i += 977) {
            QCOMPARE(part.at(i, 0), t.at(65530 + i, 2));
            QCOMPARE(part.at(i, 1), t.at(65530 + i, 0));
            QCOMPARE(part.labels[i], t.labels[65530 + i]);
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, reader.read(0, 10, { "no_such_column" }));
    }

    void maxEventsReadsOnlyTheStart()
    {
        const Table t = makeTable(100000);
        const std::string file = path("big.h5").toStdString();
        writeDataset(asDataset(t), file);
        ReadOptions o;
        o.maxEvents = 1000;
        const Dataset part = readDataset(file, o);
        QCOMPARE(part.table->rows(), std::size_t(1000));
        QVERIFY(std::equal(part.table->values.begin(), part.table->values.end(), t.values.begin()));
        QVERIFY(QString::fromStdString(part.description).contains("first 1000 of 100000 events"));
    }

    void showersRoundTrip()
    {
        Showers s;
        s.geometry.name = "test calorimeter";
        s.geometry.layerZ = { 1.0, 2.5, 4.0 };
        s.geometry.cellSize = 5.1;
        s.offsets = { 0, 2, 2, 5 };
        s.incidentEnergy = { 10.f, 20.f, 30.f };
        for (int i = 0; i < 5 * 4; ++i)
            s.points.push_back(0.25f * static_cast<float>(i));
        Dataset ds;
        ds.kind = DatasetKind::Showers;
        ds.showers = s;
        const std::string file = path("showers.h5").toStdString();
        writeDataset(ds, file);
        const Dataset back = readDataset(file);
        QCOMPARE(back.kind, DatasetKind::Showers);
        QVERIFY(back.showers->points == s.points);
        QVERIFY(back.showers->offsets == s.offsets);
        QVERIFY(back.showers->incidentEnergy == s.incidentEnergy);
        QVERIFY(back.showers->geometry.layerZ == s.geometry.layerZ);
        QCOMPARE(back.showers->geometry.cellSize, 5.1);
        QCOMPARE(back.showers->hits(1), std::size_t(0));
        const auto summary = summarise(back);
        QCOMPARE(summary.totalHits, std::size_t(5));
        QCOMPARE(summary.events, std::size_t(3));
    }

    void missingFile()
    {
        const QString msg = errorOf([] { readDataset("/no/such/file.h5"); });
        QVERIFY2(msg.contains("/no/such/file.h5") && msg.contains("does not exist"), qPrintable(msg));
    }

    void notHdf5()
    {
        const std::string file = path("notes.h5").toStdString();
        std::ofstream(file) << "just some text, not HDF5\n";
        const QString msg = errorOf([&] { readDataset(file); });
        QVERIFY2(msg.contains("notes.h5") && msg.contains("neither an HDF5 file"), qPrintable(msg));
    }

    void truncatedFile()
    {
        const std::string good = path("good.h5").toStdString();
        writeDataset(asDataset(makeTable(50000)), good);
        std::ifstream in(good, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        const std::string cut = path("cut.h5").toStdString();
        std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
        const QString msg = errorOf([&] { readDataset(cut); });
        QVERIFY2(msg.contains("cut.h5") && (msg.contains("truncated") || msg.contains("HDF5")), qPrintable(msg));
    }

    void unknownHdf5Layout()
    {
        const std::string file = path("foreign.h5").toStdString();
        {
            H5::H5File f(file, H5F_ACC_TRUNC);
            hsize_t dims[1] = { 3 };
            f.createDataSet("something", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, dims));
        }
        const QString msg = errorOf([&] { readDataset(file); });
        QVERIFY2(msg.contains("foreign.h5") && msg.contains("unknown layout"), qPrintable(msg));
    }

    void wrongShapes()
    {
        const std::string file = path("wrongshape.h5").toStdString();
        {
            H5::H5File f(file, H5F_ACC_TRUNC);
            const long long version = 1;
            f.createAttribute("hepgen_schema", H5::PredType::NATIVE_LLONG, H5::DataSpace(H5S_SCALAR))
                .write(H5::PredType::NATIVE_LLONG, &version);
            H5::Group g = f.createGroup("/table");
            hsize_t dims[1] = { 10 };
            g.createDataSet("data", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, dims));
        }
        const QString msg = errorOf([&] { readDataset(file); });
        QVERIFY2(msg.contains("wrongshape.h5") && msg.contains("2-dimensional"), qPrintable(msg));
    }

    void columnCountMismatch()
    {
        const std::string file = path("mismatch.h5").toStdString();
        Table t = makeTable(10);
        writeDataset(asDataset(t), file);
        {
            H5::H5File f(file, H5F_ACC_RDWR);
            H5::DataSet d = f.openDataSet("/table/data");
            d.removeAttr("columns");
            H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
            hsize_t n = 2;
            const char* names[2] = { "a", "b" };
            d.createAttribute("columns", type, H5::DataSpace(1, &n)).write(type, names);
        }
        const QString msg = errorOf([&] { readDataset(file); });
        QVERIFY2(msg.contains("3 features but 2 column names"), qPrintable(msg));
    }

    void emptyTableIsReportedAsSuch()
    {
        const std::string file = path("empty.h5").toStdString();
        writeDataset(asDataset(makeTable(0)), file);
        QCOMPARE(HepgenTableReader(file).rows(), std::size_t(0)); // the lazy reader opens it
        const QString msg = errorOf([&] { readDataset(file); });
        QVERIFY2(msg.contains("empty.h5") && msg.contains("no events"), qPrintable(msg));
    }

    void unwritableDestination()
    {
        const QString msg = errorOf([] { writeDataset(asDataset(makeTable(3)), "/no/such/dir/out.h5"); });
        QVERIFY2(msg.contains("/no/such/dir/out.h5") && msg.contains("cannot create"), qPrintable(msg));
    }
};

QTEST_GUILESS_MAIN(TestHepgenSchema)
#include "test_hepgen_schema.moc"
