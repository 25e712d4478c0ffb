// CaloChallenge and CaloClouds: the binning XML gives the official voxel counts, voxels and points
// convert into each other without losing energy, files written by h5py (tests/data/
// make_fixtures_calo.py) read back with the energies they hold, our writer produces the community
// layout, and every bad input gets an error naming the file and the problem.
#include "core/data/CaloBinning.h"
#include "core/data/CaloChallengeIO.h"
#include "core/data/CaloCloudsIO.h"
#include "core/util/Error.h"

#include "TestSupport.h"
#include <H5Cpp.h>
#include <QTemporaryDir>

#include <QtTest>

#include <cmath>
#include <fstream>
#include <numeric>
#include <random>

using namespace hepgen;
using namespace hepgen::data;

namespace {

const double kPi = 3.14159265358979323846;

std::string shared(const char* file) { return hepgen::test::bundledBinning(file); }
using hepgen::test::fixture;

template <class F>
QString errorOf(F&& f)
{
    return hepgen::test::errorOf<FileError>(std::forward<F>(f));
}

/// Sparse random voxel showers (about 5 % of the voxels filled), fixed seed.
std::vector<float> randomVoxels(std::size_t n, std::size_t voxels, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution filled(0.05);
    std::lognormal_distribution<float> energy(1.0f, 1.5f);
    std::vector<float> v(n * voxels, 0.0f);
    for (float& x : v)
        if (filled(rng))
            x = energy(rng);
    return v;
}

std::vector<double> layerSums(const std::vector<float>& voxels, const CaloBinning& b, std::size_t shower)
{
    std::vector<double> sums;
    for (std::size_t l = 0; l < b.layers.size(); ++l) {
        const float* begin = voxels.data() + shower * b.voxels() + b.layerOffset(l);
        sums.push_back(std::accumulate(begin, begin + b.layers[l].voxels(), 0.0));
    }
    return sums;
}

double showerEnergy(const Showers& s, std::size_t i)
{
    double e = 0;
    for (auto p = s.offsets[i]; p < s.offsets[i + 1]; ++p)
        e += s.points[4 * p + 3];
    return e;
}

void writeFloats(H5::H5File& file, const std::string& name, const std::vector<hsize_t>& dims)
{
    const auto count = std::accumulate(dims.begin(), dims.end(), hsize_t(1), std::multiplies<>());
    std::vector<float> values(count, 1.0f);
    H5::DataSet ds
        = file.createDataSet(name, H5::PredType::IEEE_F32LE, H5::DataSpace(static_cast<int>(dims.size()), dims.data()));
    ds.write(values.data(), H5::PredType::NATIVE_FLOAT);
}

} // namespace

class TestCaloIo : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }
    std::string writeText(const char* name, const std::string& text) const
    {
        std::ofstream(path(name)) << text;
        return path(name);
    }

private Q_SLOTS:
    void initTestCase() { H5::Exception::dontPrint(); }

    void binningOfDatasets2And3()
    {
        const CaloBinning b2 = readCaloBinningXml(shared("binning_dataset_2.xml"));
        QCOMPARE(b2.layers.size(), std::size_t(45));
        for (const auto& layer : b2.layers) {
            QCOMPARE(layer.nR(), std::size_t(9));
            QCOMPARE(layer.nAlpha, 16);
        }
        QCOMPARE(b2.voxels(), std::size_t(6480));
        QCOMPARE(b2.particle, std::string("electron"));
        QCOMPARE(b2.pid, 11);
        QCOMPARE(b2.layerOffset(1), std::size_t(144));
        QCOMPARE(b2.layers[44].rEdges.back(), 41.85);
        QCOMPARE(b2.layerZ.size(), std::size_t(45));
        QCOMPARE(b2.layerZ[44], 44.0);

        const CaloBinning b3 = readCaloBinningXml(shared("binning_dataset_3.xml"));
        QCOMPARE(b3.layers.size(), std::size_t(45));
        QCOMPARE(b3.layers[0].nR(), std::size_t(18));
        QCOMPARE(b3.layers[0].nAlpha, 50);
        QCOMPARE(b3.voxels(), std::size_t(40500));
    }

    void binningOfDataset1HasPerLayerCounts()
    {
        // Counted by hand from the XML: nAlpha * (number of r edges - 1) per layer.
        const CaloBinning photons = readCaloBinningXml(shared("binning_dataset_1_photons.xml"));
        std::vector<std::size_t> expected(24, 0);
        expected[0] = 8, expected[1] = 160, expected[2] = 190, expected[3] = 5, expected[12] = 5;
        QCOMPARE(photons.layers.size(), std::size_t(24));
        for (std::size_t l = 0; l < 24; ++l)
            QCOMPARE(photons.layers[l].voxels(), expected[l]);
        QCOMPARE(photons.voxels(), std::size_t(368)); // evaluate.py's num_features for 1-photons
        QCOMPARE(photons.particle, std::string("photon"));
        QCOMPARE(photons.layerOffset(12), std::size_t(363));

        const CaloBinning pions = readCaloBinningXml(shared("binning_dataset_1_pions.xml"), "pion");
        std::vector<std::size_t> expectedPions(24, 0);
        expectedPions[0] = 8, expectedPions[1] = 100, expectedPions[2] = 100, expectedPions[3] = 5;
        expectedPions[12] = 150, expectedPions[13] = 160, expectedPions[14] = 10;
        for (std::size_t l = 0; l < 24; ++l)
            QCOMPARE(pions.layers[l].voxels(), expectedPions[l]);
        QCOMPARE(pions.voxels(), std::size_t(533)); // evaluate.py's num_features for 1-pions
    }

    void voxelCentresFollowTheChallengeConvention()
    {
        const CaloBinning b = readCaloBinningXml(shared("binning_dataset_2.xml"));
        const std::vector<float> c = b.voxelCentres();
        QCOMPARE(c.size(), std::size_t(3 * 6480));
        // (layer 3, alpha 5, r 2): index 3*144 + 5*9 + 2, r = (9.3 + 13.95)/2, alpha = -pi + 5.5 * 2pi/16.
        const std::size_t v = b.index(3, 5, 2);
        QCOMPARE(v, std::size_t(3 * 144 + 5 * 9 + 2));
        const double r = 11.625, alpha = -kPi + 5.5 * 2 * kPi / 16;
        QVERIFY(std::abs(c[3 * v] - r * std::cos(alpha)) < 1e-5);
        QVERIFY(std::abs(c[3 * v + 1] - r * std::sin(alpha)) < 1e-5);
        QCOMPARE(c[3 * v + 2], 3.0f);
        // A layer without alpha binning puts its voxels on the +x axis (alpha centre 0).
        const CaloBinning p = readCaloBinningXml(shared("binning_dataset_1_photons.xml"));
        const std::vector<float> cp = p.voxelCentres();
        QCOMPARE(cp[0], 2.5f);
        QCOMPARE(cp[1], 0.0f);
        QCOMPARE(cp[3 * 7], 500.0f);
    }

    void voxelsToShowersToVoxelsIsTheIdentity_data()
    {
        QTest::addColumn<QString>("xml");
        QTest::newRow("dataset 1 photons") << QString("binning_dataset_1_photons.xml");
        QTest::newRow("dataset 1 pions") << QString("binning_dataset_1_pions.xml");
        QTest::newRow("dataset 2") << QString("binning_dataset_2.xml");
        QTest::newRow("dataset 3") << QString("binning_dataset_3.xml");
    }
    void voxelsToShowersToVoxelsIsTheIdentity()
    {
        QFETCH(QString, xml);
        const CaloBinning b = readCaloBinningXml(shared(xml.toStdString().c_str()));
        const std::size_t n = 7;
        const std::vector<float> voxels = randomVoxels(n, b.voxels(), 42);
        const std::vector<float> incident = { 1000.f, 2048.f, 5e5f, 1e6f, 256.f, 3e3f, 7.5e4f };
        const Showers s = voxelsToShowers(voxels, incident, b);
        QCOMPARE(s.size(), n);
        QCOMPARE(static_cast<std::size_t>(s.offsets.back()),
            static_cast<std::size_t>(std::count_if(voxels.begin(), voxels.end(), [](float v) { return v != 0; })));
        QCOMPARE(s.incidentEnergy[2], 500.0f); // MeV -> GeV
        VoxelisationStats stats;
        const std::vector<float> back = showersToVoxels(s, b, &stats);
        QCOMPARE(stats.droppedHits, std::size_t(0));
        QVERIFY(back == voxels); // every voxel energy exactly
        for (std::size_t i = 0; i < n; ++i)
            QVERIFY(layerSums(back, b, i) == layerSums(voxels, b, i));
    }

    void showersToVoxelsSumsAndDropsHits()
    {
        const CaloBinning b = readCaloBinningXml(shared("binning_dataset_2.xml"));
        Showers s;
        s.incidentEnergy = { 50.f };
        const float hits[][4] = {
            { 1.0f, 0.8f, 0.2f, 2.0f },     // layer 0, r bin 0, alpha bin 9 (alpha = 0.67)
            { 1.5f, 1.4f, -0.4f, 3.0f },    // same voxel: energies add
            { -5.0f, 0.0f, 10.6f, 7.0f },   // alpha = +pi: same direction as -pi, alpha bin 0; layer 11, r bin 1
            { 30.0f, 30.0f, 20.0f, 11.0f }, // r = 42.4 mm > 41.85: dropped
            { 0.0f, 1.0f, 44.6f, 13.0f },   // beyond half a pitch after the last layer: dropped
            { 0.3f, 1.0f, 44.5f, 17.0f },   // exactly half a pitch: layer 44, alpha bin 11 (1.28), r bin 0
            { NAN, 1.0f, 3.0f, 19.0f },     // non-finite: dropped
        };
        for (const auto& h : hits)
            s.points.insert(s.points.end(), h, h + 4);
        s.offsets = { 0, 7 };
        VoxelisationStats stats;
        const std::vector<float> v = showersToVoxels(s, b, &stats);
        QCOMPARE(stats.droppedHits, std::size_t(3));
        QCOMPARE(stats.droppedEnergyMeV, 43.0);
        QCOMPARE(v[b.index(0, 9, 0)], 5.0f);
        QCOMPARE(v[b.index(11, 0, 1)], 7.0f);
        QCOMPARE(v[b.index(44, 11, 0)], 17.0f);
        QCOMPARE(std::accumulate(v.begin(), v.end(), 0.0), 29.0);

        // Dataset 1: hits nearest to a layer without voxels are dropped, too.
        const CaloBinning p = readCaloBinningXml(shared("binning_dataset_1_photons.xml"));
        s.points = { 3.0f, 0.0f, 5.0f, 1.0f, 3.0f, 0.0f, 12.2f, 2.0f };
        s.offsets = { 0, 2 };
        VoxelisationStats pstats;
        const std::vector<float> pv = showersToVoxels(s, p, &pstats);
        QCOMPARE(pstats.droppedHits, std::size_t(1));
        QCOMPARE(pv[p.layerOffset(12)], 2.0f);
    }

    void readsTheH5pyFixture()
    {
        const Dataset ds = readCaloChallenge(fixture("calochallenge_ds2_small.h5"), shared("binning_dataset_2.xml"));
        QCOMPARE(ds.kind, DatasetKind::Showers);
        QVERIFY(ds.showers.has_value());
        const Showers& s = *ds.showers;
        QCOMPARE(s.size(), std::size_t(5));
        // Numbers printed by make_fixtures_calo.py (numpy float64 sums of the float32 voxels).
        const std::size_t hits[] = { 55, 52, 66, 56, 70 };
        const double totals[]
            = { 619.8222738653421, 502.68477672338486, 409.29331113398075, 345.37209843844175, 354.0436505265534 };
        const float incidentGeV[] = { 1.024f, 4.096f, 65.536f, 262.144f, 1000.0f };
        for (std::size_t i = 0; i < 5; ++i) {
            QCOMPARE(s.hits(i), hits[i]);
            QVERIFY(std::abs(showerEnergy(s, i) - totals[i]) < 1e-9 * totals[i]);
            QCOMPARE(s.incidentEnergy[i], incidentGeV[i]);
        }
        // The hand-set voxel (shower 0, layer 3, alpha 5, r 2) = 123.5 MeV sits at that voxel's centre.
        const CaloBinning b = readCaloBinningXml(shared("binning_dataset_2.xml"));
        const std::vector<float> c = b.voxelCentres();
        const std::size_t v = b.index(3, 5, 2);
        bool found = false;
        for (auto k = s.offsets[0]; k < s.offsets[1]; ++k)
            if (s.points[4 * k + 3] == 123.5f) {
                found = true;
                QCOMPARE(s.points[4 * k], c[3 * v]);
                QCOMPARE(s.points[4 * k + 1], c[3 * v + 1]);
                QCOMPARE(s.points[4 * k + 2], 3.0f);
            }
        QVERIFY(found);
        const std::vector<float> voxels = showersToVoxels(s, b);
        QVERIFY(std::abs(layerSums(voxels, b, 0)[3] - 145.14833807945251) < 1e-9 * 145.2);
    }

    void calochallengeWriteReadRoundTrip()
    {
        const std::string xml = shared("binning_dataset_2.xml");
        const CaloBinning b = readCaloBinningXml(xml);
        const Showers in = *readCaloChallenge(fixture("calochallenge_ds2_small.h5"), xml).showers;
        const std::string file = path("written.h5");
        VoxelisationStats stats;
        writeCaloChallenge(in, file, b, &stats);
        QCOMPARE(stats.droppedHits, std::size_t(0));
        {
            // Exactly the community layout: two float32 datasets of shapes (N, 1) and (N, 6480).
            H5::H5File f(file, H5F_ACC_RDONLY);
            QCOMPARE(f.getNumObjs(), hsize_t(2));
            H5::DataSet e = f.openDataSet("incident_energies"), sh = f.openDataSet("showers");
            hsize_t de[2], ds[2];
            QCOMPARE(e.getSpace().getSimpleExtentDims(de), 2);
            QCOMPARE(sh.getSpace().getSimpleExtentDims(ds), 2);
            QCOMPARE(de[0], hsize_t(5));
            QCOMPARE(de[1], hsize_t(1));
            QCOMPARE(ds[0], hsize_t(5));
            QCOMPARE(ds[1], hsize_t(6480));
            QVERIFY(e.getDataType() == H5::PredType::IEEE_F32LE);
            QVERIFY(sh.getDataType() == H5::PredType::IEEE_F32LE);
            float mev[5];
            e.read(mev, H5::PredType::NATIVE_FLOAT);
            QCOMPARE(mev[4], 1.0e6f);
        }
        const Showers back = *readCaloChallenge(file, xml).showers;
        QVERIFY(back.offsets == in.offsets);
        QVERIFY(back.points == in.points);
        for (std::size_t i = 0; i < in.size(); ++i)
            QVERIFY(std::abs(back.incidentEnergy[i] - in.incidentEnergy[i]) <= 1e-6f * in.incidentEnergy[i]);

        // Off-centre hits: the file holds what showersToVoxels makes of them, shower by shower.
        Showers offCentre;
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<float> xy(-45.f, 45.f), z(-0.5f, 44.5f), e(0.1f, 10.f);
        offCentre.offsets = { 0 };
        for (int i = 0; i < 3; ++i) {
            for (int k = 0; k < 400; ++k)
                offCentre.points.insert(offCentre.points.end(), { xy(rng), xy(rng), z(rng), e(rng) });
            offCentre.offsets.push_back(static_cast<std::int64_t>(offCentre.points.size() / 4));
            offCentre.incidentEnergy.push_back(10.f * static_cast<float>(i + 1));
        }
        VoxelisationStats written, direct;
        writeCaloChallenge(offCentre, file, b, &written);
        const std::vector<float> expected = showersToVoxels(offCentre, b, &direct);
        QVERIFY(written.droppedHits > 0); // the corners of the square lie outside r = 41.85 mm
        QCOMPARE(written.droppedHits, direct.droppedHits);
        QVERIFY(showersToVoxels(*readCaloChallenge(file, xml).showers, b) == expected);
    }

    void caloCloudsBothAxisOrdersGiveTheSameShowers()
    {
        const Dataset a = readCaloClouds(fixture("caloclouds_n4p.h5"));
        const Dataset c = readCaloClouds(fixture("caloclouds_np4.h5"));
        QCOMPARE(a.format, std::string("CaloClouds (N, 4, P)"));
        QCOMPARE(c.format, std::string("CaloClouds (N, P, 4)"));
        const Showers& s = *a.showers;
        QVERIFY(s.points == c.showers->points);
        QVERIFY(s.offsets == c.showers->offsets);
        QVERIFY(s.incidentEnergy == c.showers->incidentEnergy);
        QVERIFY((s.offsets == std::vector<std::int64_t> { 0, 12, 62, 92 }));
        QVERIFY((s.incidentEnergy == std::vector<float> { 10.f, 47.5f, 90.f }));
        // Hit energies: GeV in the file, MeV in Showers. Totals printed by make_fixtures_calo.py.
        const double totalsGeV[] = { 0.013966098938908544, 0.10360065359782311, 0.05876495751726907 };
        for (std::size_t i = 0; i < 3; ++i)
            QVERIFY(std::abs(showerEnergy(s, i) - 1000 * totalsGeV[i]) < 1e-6 * 1000 * totalsGeV[i]);
        // First hit of shower 2 (padded at the front in the file).
        const float* hit = s.points.data() + 4 * 62;
        QCOMPARE(hit[0], -83.01004791259766f);
        QCOMPARE(hit[1], 23.0f);
        QCOMPARE(hit[2], 3.205374240875244f);
        QVERIFY(std::abs(hit[3] - 0.5477113300003111) < 1e-6);
    }

    void caloCloudsAmbiguousShapeIsReadAsPointsByFeatures()
    {
        const std::string file = path("square.h5");
        {
            H5::H5File f(file, H5F_ACC_TRUNC);
            const hsize_t dims[3] = { 1, 4, 4 }, edims[2] = { 1, 1 };
            // Row k = point k: (x, y, z, E) = (k, 10 + k, 20 + k, k == 3 ? 0 : 1 + k) in (N, P, 4) order.
            const float v[16] = { 0, 10, 20, 1, 1, 11, 21, 2, 2, 12, 22, 3, 3, 13, 23, 0 };
            f.createDataSet("events", H5::PredType::IEEE_F32LE, H5::DataSpace(3, dims))
                .write(v, H5::PredType::NATIVE_FLOAT);
            const float e = 20.f;
            f.createDataSet("energy", H5::PredType::IEEE_F32LE, H5::DataSpace(2, edims))
                .write(&e, H5::PredType::NATIVE_FLOAT);
        }
        const Dataset ds = readCaloClouds(file);
        QCOMPARE(ds.format, std::string("CaloClouds (N, P, 4)"));
        QVERIFY((ds.showers->points == std::vector<float> { 0, 10, 20, 1000, 1, 11, 21, 2000, 2, 12, 22, 3000 }));
    }

    void caloChallengeErrorsNameFileAndProblem()
    {
        const std::string data = fixture("calochallenge_ds2_small.h5");
        QString msg = errorOf([&] { readCaloChallenge(data, ""); });
        QVERIFY2(msg.contains(QString::fromStdString(data)) && msg.contains("need their binning XML"), qPrintable(msg));

        msg = errorOf([&] { readCaloChallenge(data, shared("binning_dataset_3.xml")); });
        QVERIFY2(msg.contains(QString::fromStdString(data)) && msg.contains("6480") && msg.contains("40500")
                && msg.contains("binning_dataset_3.xml"),
            qPrintable(msg));

        const std::string noXml = path("no_such_binning.xml");
        msg = errorOf([&] { readCaloChallenge(data, noXml); });
        QVERIFY2(msg.contains(QString::fromStdString(noXml)) && msg.contains("does not exist"), qPrintable(msg));

        const std::string missing = path("missing_showers.h5");
        {
            H5::H5File f(missing, H5F_ACC_TRUNC);
            writeFloats(f, "incident_energies", { 4, 1 });
        }
        msg = errorOf([&] { readCaloChallenge(missing, shared("binning_dataset_2.xml")); });
        QVERIFY2(msg.contains(QString::fromStdString(missing)) && msg.contains("'showers'") && msg.contains("missing"),
            qPrintable(msg));

        const std::string mismatch = path("mismatch.h5");
        {
            H5::H5File f(mismatch, H5F_ACC_TRUNC);
            writeFloats(f, "incident_energies", { 4, 1 });
            writeFloats(f, "showers", { 3, 6480 });
        }
        msg = errorOf([&] { readCaloChallenge(mismatch, shared("binning_dataset_2.xml")); });
        QVERIFY2(msg.contains(QString::fromStdString(mismatch)) && msg.contains("(4, 1)") && msg.contains("(3, 6480)"),
            qPrintable(msg));

        const std::string notHdf5 = shared("binning_dataset_2.xml");
        msg = errorOf([&] { readCaloChallenge(notHdf5, notHdf5); });
        QVERIFY2(msg.contains(QString::fromStdString(notHdf5)) && msg.contains("not an HDF5 file"), qPrintable(msg));
    }

    void badXmlIsAFormatErrorNamingFileAndLine_data()
    {
        QTest::addColumn<QString>("xml");
        QTest::addColumn<QString>("problem");
        const QString layer = R"(<Layer id="0" r_edges="0,1,2" n_bin_alpha="4"/>)";
        QTest::newRow("unclosed") << "<Bins>\n<Bin name=\"e\">\n" + layer + "\n</Bins>"
                                  << "line 4: closing tag </Bins> does not match <Bin>";
        QTest::newRow("never closed") << "<Bins><Bin name=\"e\">" + layer << "<Bin> is never closed";
        QTest::newRow("unquoted") << "<Bins>\n<Bin name=e>"
                                  << "line 2: attribute values must be quoted";
        QTest::newRow("bad r_edges")
            << "<Bins><Bin>\n<Layer id=\"7\" r_edges=\"0,5,3\" n_bin_alpha=\"1\"/></Bin></Bins>"
            << "line 2: layer 7: r_edges=\"0,5,3\" must be increasing";
        QTest::newRow("no n_bin_alpha") << "<Bins><Bin><Layer id=\"2\" r_edges=\"0,1\"/></Bin></Bins>"
                                        << "layer 2 has no n_bin_alpha";
        QTest::newRow("bad n_bin_alpha") << "<Bins><Bin><Layer r_edges=\"0,1\" n_bin_alpha=\"x\"/></Bin></Bins>"
                                         << "n_bin_alpha=\"x\" is not a positive integer";
        QTest::newRow("layer outside bin") << "<Bins>" + layer + "</Bins>"
                                           << "<Layer> outside of a <Bin>";
        QTest::newRow("no bin") << "<?xml version=\"1.0\"?>\n<!-- nothing -->\n<Bins/>"
                                << "no <Bin> element found";
        QTest::newRow("not xml") << "r_edges,0,1,2\n"
                                 << "line 1: unexpected text outside of a tag";
        QTest::newRow("empty") << ""
                               << "no XML element found";
        QTest::newRow("comment") << "<Bins><!-- oops </Bins>"
                                 << "unterminated comment";
    }
    void badXmlIsAFormatErrorNamingFileAndLine()
    {
        QFETCH(QString, xml);
        QFETCH(QString, problem);
        const std::string file = writeText("bad.xml", xml.toStdString());
        QString msg;
        try {
            readCaloBinningXml(file);
            msg = "<nothing thrown>";
        } catch (const FormatError& e) {
            msg = QString::fromUtf8(e.what());
        }
        QVERIFY2(msg.startsWith(QString::fromStdString(file) + ": ") && msg.contains(problem), qPrintable(msg));
    }

    void xmlToleratesCommentsAttributeOrderAndPicksTheParticle()
    {
        const std::string file = writeText("two.xml", R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- two particles, attributes in any order -->
<Bins>
  <Bin name="photon" pid="22">
    <Layer n_bin_alpha = '1' r_edges=" 0, 5 ,10 " id="0"></Layer>
    <Layer id="1" r_edges="0" n_bin_alpha="1" />
  </Bin>
  <Bin pid="211" name="pion">
    <!-- <Layer id="9" r_edges="0,1" n_bin_alpha="1"/> -->
    <Layer r_edges="0,1,2,3" n_bin_alpha="10" id="0"/>
  </Bin>
</Bins>
)");
        const CaloBinning first = readCaloBinningXml(file);
        QCOMPARE(first.particle, std::string("photon"));
        QCOMPARE(first.layers.size(), std::size_t(2));
        QVERIFY((first.layers[0].rEdges == std::vector<double> { 0, 5, 10 }));
        QCOMPARE(first.voxels(), std::size_t(2));
        const CaloBinning pion = readCaloBinningXml(file, "pion");
        QCOMPARE(pion.pid, 211);
        QCOMPARE(pion.layers.size(), std::size_t(1));
        QCOMPARE(pion.voxels(), std::size_t(30));
        QString msg = errorOf([&] { readCaloBinningXml(file, "kaon"); });
        QVERIFY2(msg.contains(QString::fromStdString(file)) && msg.contains("no <Bin name=\"kaon\">")
                && msg.contains("photon, pion"),
            qPrintable(msg));
    }

    void caloCloudsErrorsNameFileAndShape()
    {
        const std::string wrong = path("wrong_shape.h5");
        {
            H5::H5File f(wrong, H5F_ACC_TRUNC);
            writeFloats(f, "events", { 3, 5, 7 });
            writeFloats(f, "energy", { 3, 1 });
        }
        QString msg = errorOf([&] { readCaloClouds(wrong); });
        QVERIFY2(msg.contains(QString::fromStdString(wrong)) && msg.contains("(3, 5, 7)")
                && msg.contains("(N, 4, P) or (N, P, 4)"),
            qPrintable(msg));

        const std::string flat = path("flat.h5");
        {
            H5::H5File f(flat, H5F_ACC_TRUNC);
            writeFloats(f, "events", { 3, 200 });
            writeFloats(f, "energy", { 3, 1 });
        }
        msg = errorOf([&] { readCaloClouds(flat); });
        QVERIFY2(msg.contains(QString::fromStdString(flat)) && msg.contains("(3, 200)"), qPrintable(msg));

        const std::string energy = path("energy_mismatch.h5");
        {
            H5::H5File f(energy, H5F_ACC_TRUNC);
            writeFloats(f, "events", { 3, 4, 10 });
            writeFloats(f, "energy", { 2, 1 });
        }
        msg = errorOf([&] { readCaloClouds(energy); });
        QVERIFY2(
            msg.contains(QString::fromStdString(energy)) && msg.contains("'energy' has shape (2, 1)"), qPrintable(msg));

        const std::string noEnergy = path("no_energy.h5");
        {
            H5::H5File f(noEnergy, H5F_ACC_TRUNC);
            writeFloats(f, "events", { 3, 4, 10 });
        }
        msg = errorOf([&] { readCaloClouds(noEnergy); });
        QVERIFY2(msg.contains(QString::fromStdString(noEnergy)) && msg.contains("energy are missing"), qPrintable(msg));
    }
};

QTEST_GUILESS_MAIN(TestCaloIo)
#include "test_calo_io.moc"
