// The CaloClouds-layout writer: the community layout exactly ((N, 4, P) float32 events, zero padding after the
// hits, hit energies in GeV; (N, 1) energies in GeV), read back by our reader hit for hit, the (N, 4, 4) shape
// avoided, zero-energy hits counted, inconsistent showers refused; and the shower export entry point with its
// binning checks.
#include "core/data/CaloCloudsIO.h"
#include "core/data/Hdf5Util.h"
#include "core/showers/ShowerExport.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace hepgen::data;
using hepgen::test::errorOf;

namespace {

Showers threeShowers()
{
    Showers s;
    s.geometry.layerZ = { 1.0, 2.0, 3.0 };
    s.offsets = { 0, 2, 2, 5 }; // the middle shower has no hits
    s.incidentEnergy = { 10.f, 20.f, 30.f };
    s.points = { 1, 2, 1, 500, -1, -2, 2, 250, 3, 3, 1, 1000, 4, 4, 2, 0.5f, 5, 5, 3, 2 };
    return s;
}

} // namespace

class TestCaloCloudsWriter : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { H5::Exception::dontPrint(); } // errors arrive as exceptions (initialiseRuntime does this)

    void writesTheCommunityLayoutAndReadsBack()
    {
        const Showers s = threeShowers();
        const std::string path = m_dir.filePath("clouds.h5").toStdString();
        QCOMPARE(writeCaloClouds(s, path), std::size_t(0));
        {
            H5::H5File f(path, H5F_ACC_RDONLY);
            const auto dims = h5::shape(f.openDataSet("events"));
            QCOMPARE(dims, (std::vector<hsize_t> { 3, 4, 3 }));
            QCOMPARE(h5::shape(f.openDataSet("energy")), (std::vector<hsize_t> { 3, 1 }));
            std::vector<float> events(3 * 4 * 3);
            f.openDataSet("events").read(events.data(), H5::PredType::NATIVE_FLOAT);
            // Shower 0, feature E (row 3), points 0..2: 0.5 GeV, 0.25 GeV, padding.
            QCOMPARE(events[3 * 3 + 0], 0.5f);
            QCOMPARE(events[3 * 3 + 1], 0.25f);
            QCOMPARE(events[3 * 3 + 2], 0.0f);
            // Shower 1 is all padding.
            for (int k = 12; k < 24; ++k)
                QCOMPARE(events[k], 0.0f);
        }
        const Dataset d = readCaloClouds(path);
        QCOMPARE(d.format, std::string("CaloClouds (N, 4, P)"));
        const Showers& r = *d.showers;
        QVERIFY(r.offsets == s.offsets);
        QVERIFY(r.incidentEnergy == s.incidentEnergy);
        for (std::size_t i = 0; i < s.points.size(); ++i)
            QVERIFY(std::abs(r.points[i] - s.points[i]) <= 1e-6f * std::abs(s.points[i]));
    }

    void fourHitsArePaddedToFiveAndZeroEnergiesCounted()
    {
        Showers s;
        s.offsets = { 0, 4 };
        s.incidentEnergy = { 50.f };
        s.points = { 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 3, 3, 3, 4 };
        const std::string path = m_dir.filePath("four.h5").toStdString();
        QCOMPARE(writeCaloClouds(s, path), std::size_t(1)); // the E = 0 hit cannot be told from padding
        H5::H5File f(path, H5F_ACC_RDONLY);
        QCOMPARE(h5::shape(f.openDataSet("events")), (std::vector<hsize_t> { 1, 4, 5 }));
        const Dataset d = readCaloClouds(path);
        QCOMPARE(d.showers->hits(0), std::size_t(3));
    }

    void inconsistentShowersAreRefused()
    {
        Showers s = threeShowers();
        s.offsets[2] = 1; // decreasing
        QVERIFY(errorOf<hepgen::ConfigError>([&] {
            writeCaloClouds(s, m_dir.filePath("x.h5").toStdString());
        }).contains("offsets"));
        QVERIFY(!errorOf<hepgen::FileError>([&] {
            writeCaloClouds(threeShowers(), m_dir.filePath("no/dir.h5").toStdString());
        }).isEmpty());
    }

    void exportChecksTheBinningLayers()
    {
        using hepgen::showers::ShowerFileFormat;
        const Showers s = threeShowers();
        // Three layers: no bundled binning has them.
        QVERIFY(hepgen::showers::bundledBinningsWithLayers(3).empty());
        QString message = errorOf<hepgen::ConfigError>([&] {
            hepgen::showers::writeShowers(s, m_dir.filePath("c.h5").toStdString(), ShowerFileFormat::CaloChallenge);
        });
        QVERIFY2(message.contains("3 layers"), qPrintable(message));
        message = errorOf<hepgen::ConfigError>([&] {
            hepgen::showers::writeShowers(s, m_dir.filePath("c.h5").toStdString(), ShowerFileFormat::CaloChallenge,
                hepgen::test::bundledBinning("binning_dataset_2.xml"));
        });
        QVERIFY2(message.contains("45 layers") && message.contains("has 3"), qPrintable(message));
        // The ILD-like ECAL's 30 layers have exactly one bundled binning: ours.
        const auto thirty = hepgen::showers::bundledBinningsWithLayers(30);
        QCOMPARE(thirty.size(), std::size_t(1));
        QVERIFY(thirty.front().find("binning_ildlike_ecal.xml") != std::string::npos);
        QCOMPARE(hepgen::showers::bundledBinningsWithLayers(45).size(), std::size_t(2)); // data sets 2 and 3
        const auto report
            = hepgen::showers::writeShowers(s, m_dir.filePath("own.h5").toStdString(), ShowerFileFormat::CaloClouds);
        QCOMPARE(report.showers, std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestCaloCloudsWriter)
#include "test_caloclouds_writer.moc"
