// readDataset() recognises every supported format from the file's content (not its name) and reads
// the third-party fixtures in tests/data: pandas (both layouts), NumPy, CaloChallenge, CaloClouds.
#include "core/data/DatasetIO.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <H5Cpp.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace hepgen::data;

namespace {
using hepgen::test::fixture;
std::string binning(const char* name) { return hepgen::test::bundledBinning(name); }
} // namespace

class TestDatasetIO : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void detectsEachFormat_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::newRow("pandas fixed") << "lhco_fixed.h5" << int(FileFormat::LhcoPandasFixed);
        QTest::newRow("pandas table") << "lhco_table.h5" << int(FileFormat::LhcoPandasTable);
        QTest::newRow("npy") << "cathode_sr.npy" << int(FileFormat::CathodeNpy);
        QTest::newRow("npz") << "cathode.npz" << int(FileFormat::Npz);
        QTest::newRow("calochallenge") << "calochallenge_ds2_small.h5" << int(FileFormat::CaloChallenge);
        QTest::newRow("caloclouds") << "caloclouds_n4p.h5" << int(FileFormat::CaloClouds);
    }
    void detectsEachFormat()
    {
        QFETCH(QString, file);
        QFETCH(int, format);
        QCOMPARE(int(detectFormat(fixture(file.toUtf8().constData()))), format);
    }

    void readsTablesFromEveryTableFormat()
    {
        for (const char* f : { "lhco_fixed.h5", "lhco_table.h5" }) {
            const Dataset ds = readDataset(fixture(f));
            QCOMPARE(ds.kind, DatasetKind::Table);
            QCOMPARE(ds.table->columns.front(), std::string("mjj"));
            QVERIFY(ds.table->rows() > 0);
            QCOMPARE(ds.table->labels.size(), ds.table->rows());
            QCOMPARE(ds.source, fixture(f));
        }
        const Dataset npy = readDataset(fixture("cathode_sr.npy"));
        QCOMPARE(npy.table->cols(), std::size_t(5));
        QCOMPARE(npy.table->labels.size(), npy.table->rows());
        ReadOptions names;
        names.columnNames = { "a", "b", "c", "d", "e", "f" };
        const Dataset named = readDataset(fixture("cathode_sr.npy"), names);
        QCOMPARE(named.table->cols(), std::size_t(6));
        QVERIFY(named.table->labels.empty());
    }

    void readsShowerFormats()
    {
        ReadOptions xml;
        xml.binningXml = binning("binning_dataset_2.xml");
        const Dataset cc = readDataset(fixture("calochallenge_ds2_small.h5"), xml);
        QCOMPARE(cc.kind, DatasetKind::Showers);
        QCOMPARE(cc.showers->size(), std::size_t(5));
        const Dataset clouds = readDataset(fixture("caloclouds_np4.h5"));
        QCOMPARE(clouds.kind, DatasetKind::Showers);
        QVERIFY(clouds.showers->points.size() > 0);
    }

    void calochallengeFindsItsBundledBinning()
    {
        const Dataset ds = readDataset(fixture("calochallenge_ds2_small.h5"));
        QCOMPARE(ds.showers->size(), std::size_t(5));
        QVERIFY(QString::fromStdString(ds.description).contains("binning_dataset_2.xml"));
    }

    void calochallengeWithUnknownBinningSaysSo()
    {
        // A file whose voxel count matches no bundled binning, and no XML given.
        QTemporaryDir dir;
        const std::string odd = dir.filePath("odd.h5").toStdString();
        {
            H5::H5File f(odd, H5F_ACC_TRUNC);
            hsize_t sd[2] = { 2, 100 }, ed[2] = { 2, 1 };
            f.createDataSet("showers", H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, sd));
            f.createDataSet("incident_energies", H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, ed));
        }
        try {
            readDataset(odd);
            QFAIL("expected a FormatError");
        } catch (const hepgen::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("binning"), e.what());
            QVERIFY2(QString(e.what()).contains("odd.h5"), e.what());
        }
    }

    void npzMemberChoice()
    {
        ReadOptions pick;
        pick.npzMember = "y";
        QVERIFY(readDataset(fixture("two_arrays.npz"), pick).table->rows() > 0);
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, readDataset(fixture("two_arrays.npz")));
    }

    void contentWinsOverTheSuffix()
    {
        QTemporaryDir dir;
        const QString renamed = dir.filePath("really_numpy.h5");
        QVERIFY(QFile::copy(QString::fromStdString(fixture("cathode_sr.npy")), renamed));
        QCOMPARE(detectFormat(renamed.toStdString()), FileFormat::CathodeNpy);
        QVERIFY(readDataset(renamed.toStdString()).table->rows() > 0);
    }
};

QTEST_GUILESS_MAIN(TestDatasetIO)
#include "test_dataset_io.moc"
