// hepgen train / sample for shower generators, as a user runs them: generate showers, train a tiny generator with
// distillation, sample at a fixed energy and over a range with the trajectory of the first shower stored beside the
// showers, and one-line errors for the wrong kind of data or run and for energies outside the trained range.
#include "CliRun.h"

#include <H5Cpp.h>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <vector>

namespace {

std::vector<long long> readInts(const H5::H5File& f, const char* name)
{
    const auto ds = f.openDataSet(name);
    hsize_t n = 0;
    ds.getSpace().getSimpleExtentDims(&n);
    std::vector<long long> v(n);
    ds.read(v.data(), H5::PredType::NATIVE_LLONG);
    return v;
}

std::vector<float> readFloats(const H5::H5File& f, const char* name)
{
    const auto ds = f.openDataSet(name);
    const auto n = static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints());
    std::vector<float> v(n);
    ds.read(v.data(), H5::PredType::NATIVE_FLOAT);
    return v;
}

} // namespace

class TestCliShowerGenerator : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_data, m_run;

private Q_SLOTS:
    void initTestCase()
    {
        m_data = m_dir.filePath("showers.h5");
        const CliRun g = runCli({ "-q", "generate", "showers", "--events", "150", "--seed", "3", "-o", m_data });
        QVERIFY2(g.code == 0, qPrintable(g.err));
    }

    void trainWithDistillation()
    {
        const QString config = m_dir.filePath("tiny.json");
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"flow": {"model": {"layers": 2, "hidden": [32, 32]}, "trainer": {"epochs": 3}},
                    "points": {"model": {"network": "epic", "epic_width": 32, "epic_global": 8, "epic_layers": 1},
                               "trainer": {"batch_size": 16}},
                    "distillation": {"trainer": {"epochs": 1, "batch_size": 16}}})");
        f.close();
        m_run = m_dir.filePath("run");
        const CliRun r = runCli({ "-q", "train", "--model", "shower", "--data", m_data, "--config", config, "--epochs",
            "1", "--seed", "2", "--distill", "-o", m_run, "--json" });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["model"].toString(), QString("shower"));
        QCOMPARE(j["samplers"].toArray().size(), 2);
        QCOMPARE(j["samplers"].toArray()[1].toString(), QString("consistency"));
        QCOMPARE(j["stages"].toObject()["points"].toObject()["epochs"].toInt(), 1);
        QCOMPARE(j["stages"].toObject()["flow"].toObject()["epochs"].toInt(), 3);
        QVERIFY(j["stages"].toObject().contains("student"));
        for (const char* file :
            { "config.json", "metrics.json", "flow/checkpoint.pt", "points/checkpoint.pt", "student/checkpoint.pt" })
            QVERIFY2(QFile::exists(m_run + "/" + file), file);
    }

    void sampleWithTrajectory()
    {
        const QString out = m_dir.filePath("generated.h5");
        const CliRun r = runCli({ "-q", "sample", "--run", m_run, "--n", "5", "--energy", "40", "--sampler", "consistency",
            "--seed", "3", "--trajectory", "-o", out });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const CliRun info = runCli({ "info", out, "--json" });
        QVERIFY2(info.out.contains("\"showers\""), qPrintable(info.out));
        H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
        const auto offsets = readInts(file, "/showers/offsets");
        QCOMPARE(offsets.size(), std::size_t(6));
        const auto energies = readFloats(file, "/showers/incident_energy");
        QCOMPARE(energies.front(), 40.0f);
        const auto points = readFloats(file, "/showers/points");
        const auto frames = readInts(file, "/trajectory/offsets");
        QCOMPARE(frames.size(), std::size_t(4)); // consistency: noise, jump, post-processed
        const auto xt = readFloats(file, "/trajectory/xt");
        // the last frame is the stored first shower, float for float
        const std::vector<float> last(xt.begin() + 4 * frames[2], xt.begin() + 4 * frames[3]);
        const std::vector<float> first(points.begin(), points.begin() + 4 * offsets[1]);
        QVERIFY(last == first);
        const auto g = file.openGroup("/trajectory");
        QVERIFY(g.attrExists("sampler") && g.attrExists("post_processed"));

        // Over a range; the default sampler; reproducible with the seed.
        const QString a = m_dir.filePath("a.h5"), b = m_dir.filePath("b.h5");
        for (const QString& path : { a, b })
            QCOMPARE(runCli({ "-q", "sample", "--run", m_run, "--n", "4", "--energy-range", "20", "60", "--seed", "8",
                                "-o", path })
                         .code,
                0);
        H5::H5File fa(a.toStdString(), H5F_ACC_RDONLY), fb(b.toStdString(), H5F_ACC_RDONLY);
        QVERIFY(readFloats(fa, "/showers/points") == readFloats(fb, "/showers/points"));
        for (const float e : readFloats(fa, "/showers/incident_energy"))
            QVERIFY(e >= 20 && e <= 60);
    }

    void errorsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("outside the trained range") << QStringList { "sample", "--run", "RUN", "--n", "2", "--energy",
            "500", "-o", "OUT" } << "outside the trained range";
        QTest::newRow("unknown sampler") << QStringList { "sample", "--run", "RUN", "--n", "2", "--sampler", "ddpm",
            "-o", "OUT" } << "Unknown sampler";
        QTest::newRow("table data") << QStringList { "train", "--model", "shower", "--data",
            QStringLiteral(HEPGEN_TEST_DATA_DIR "/cathode_sr.npy"), "-o", "OUT" }
                                    << "holds a table";
        QTest::newRow("bad setting") << QStringList { "train", "--model", "shower", "--data", "DATA", "--config",
            "CONFIG", "-o", "OUT" } << "unknown setting(s) pointz";
        QTest::newRow("energy for a table run")
            << QStringList { "sample", "--run", QStringLiteral(HEPGEN_TEST_DATA_DIR), "--energy", "5", "-o", "OUT" }
            << "not a shower generator";
        QTest::newRow("distil a non-shower run") << QStringList { "train", "--model", "shower", "--data", "DATA",
            "--teacher", QStringLiteral(HEPGEN_TEST_DATA_DIR), "-o", "OUT" }
                                                 << "not a shower generator";
    }
    void errorsAreOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        QFile bad(m_dir.filePath("bad.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"pointz": {}})");
        bad.close();
        for (QString& a : args) {
            a.replace("RUN", m_run);
            a.replace("OUT", m_dir.filePath("err.h5"));
            a.replace("DATA", m_data);
            a.replace("CONFIG", bad.fileName());
        }
        const CliRun r = runCli(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(lineCount(r.err) == 1, qPrintable(r.err));
        // ... and --allow-extrapolation turns the range refusal into a warning.
        if (QString(QTest::currentDataTag()) == "outside the trained range") {
            args.append("--allow-extrapolation");
            const CliRun ok = runCli(args);
            QCOMPARE(ok.code, 0);
            QVERIFY(ok.err.contains("warning"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliShowerGenerator)
#include "test_cli_shower_generator.moc"
