// The hepgen executable as a user runs it: help and version, one-line errors with non-zero exit
// for unknown commands, bad options and bad files, and a generate → info round trip with --json.
#include "CliRun.h"

#include <H5Cpp.h>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void helpListsTheContract()
    {
        const CliRun r = runCli({ "--help" });
        QCOMPARE(r.code, 0);
        for (const char* sub : { "generate", "info", "train", "sample", "evaluate-showers", "hunt", "map" })
            QVERIFY2(r.out.contains(QLatin1String(sub)), sub);
    }

    void versionNamesTheLinkedLibraries()
    {
        const CliRun r = runCli({ "--version" });
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("hepgen "));
        QVERIFY(r.out.contains("LibTorch: 1."));
        QVERIFY(r.out.contains("HDF5: 1."));
    }

    void errorsAreOneLineAndNonZero_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown command") << QStringList { "frobnicate" } << "unknown command 'frobnicate'";
        QTest::newRow("no command") << QStringList {} << "subcommand is required";
        QTest::newRow("bad option") << QStringList { "info", "--no-such-option", "x.h5" } << "--no-such-option";
        QTest::newRow("bad shape") << QStringList { "generate", "toy2d", "--shape", "banana", "-o", "x.h5" }
                                   << "banana";
        QTest::newRow("missing file") << QStringList { "info", "/no/such/file.h5" }
                                      << "/no/such/file.h5: the file does not exist";
        QTest::newRow("not hdf5") << QStringList { "info", QStringLiteral(HEPGEN_SOURCE_DIR "/README.md") }
                                  << "neither an HDF5 file nor a NumPy file";
    }
    void errorsAreOneLineAndNonZero()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const CliRun r = runCli(args);
        QVERIFY2(r.code > 0, qPrintable(QString::number(r.code)));
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.startsWith("hepgen"), qPrintable(r.err));
        // The message is one line; usage errors may add the one "CliRun 'hepgen --help'" hint.
        QVERIFY2(lineCount(r.err) <= 2, qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void generateThenInfoJson()
    {
        const QString file = m_dir.filePath("moons.h5");
        const CliRun gen = runCli(
            { "--quiet", "generate", "toy2d", "--shape", "moons", "--events", "5000", "--seed", "3", "-o", file });
        QVERIFY2(gen.code == 0, qPrintable(gen.err));
        const CliRun info = runCli({ "info", file, "--json" });
        QVERIFY2(info.code == 0, qPrintable(info.err));
        QJsonParseError error;
        const QJsonObject j = QJsonDocument::fromJson(info.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(j["kind"].toString(), QString("table"));
        QCOMPARE(j["events"].toInt(), 5000);
        QCOMPARE(j["columns"].toArray().size(), 2);
        QCOMPARE(j["columns"].toArray()[0].toObject()["name"].toString(), QString("x"));
        QVERIFY(std::abs(j["columns"].toArray()[0].toObject()["mean"].toDouble()) < 0.1);
        QCOMPARE(j["events_with_non_finite"].toInt(), 0);
        QCOMPARE(lineCount(info.out), 1); // one JSON object
    }

    void trainThenSampleWithTrajectory()
    {
        const QString data = m_dir.filePath("rings.h5");
        QCOMPARE(runCli({ "-q", "generate", "toy2d", "--shape", "rings", "-n", "2000", "-o", data }).code, 0);
        const QString run = m_dir.filePath("run");
        const CliRun train = runCli({ "-q", "train", "--model", "flow-rqs", "--data", data, "--epochs", "2", "--seed", "4",
            "-o", run, "--json" });
        QVERIFY2(train.code == 0, qPrintable(train.err));
        const QJsonObject j = QJsonDocument::fromJson(train.out.toUtf8()).object();
        QCOMPARE(j["epochs"].toInt(), 2);
        QVERIFY(std::isfinite(j["validation_loss"].toDouble()));
        for (const char* f : { "config.json", "checkpoint.pt", "metrics.json" })
            QVERIFY2(QFile::exists(run + "/" + f), f);

        const QString out = m_dir.filePath("samples.h5");
        const CliRun sample
            = runCli({ "-q", "sample", "--run", run, "--n", "300", "--seed", "1", "--trajectory", "-o", out });
        QVERIFY2(sample.code == 0, qPrintable(sample.err));
        const CliRun info = runCli({ "info", out, "--json" });
        const QJsonObject i = QJsonDocument::fromJson(info.out.toUtf8()).object();
        QCOMPARE(i["events"].toInt(), 300);
        QCOMPARE(i["columns"].toArray()[1].toObject()["name"].toString(), QString("y"));
        // the rings have radius <= 2.75 + noise: samples in the original units, not standardised ones
        QVERIFY(i["columns"].toArray()[0].toObject()["std"].toDouble() > 1.0);
        H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
        QVERIFY(file.nameExists("/trajectory"));
        hsize_t dims[3] = {};
        file.openDataSet("/trajectory/xt").getSpace().getSimpleExtentDims(dims);
        QCOMPARE(dims[1], hsize_t(300));
        QCOMPARE(dims[2], hsize_t(2));

        const CliRun again
            = runCli({ "-q", "sample", "--run", run, "--n", "300", "--seed", "1", "-o", m_dir.filePath("b.h5") });
        QCOMPARE(again.code, 0);
    }

    void trainErrorsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown family") << QStringList { "train", "--model", "magic", "--data", "x.h5", "-o", "r" }
                                        << "Unknown model family 'magic'";
        QTest::newRow("unknown column") << QStringList { "train", "--model", "vae", "--data",
            QStringLiteral(HEPGEN_TEST_DATA_DIR "/cathode_sr.npy"), "--columns", "mjj,nope", "-o", "r" }
                                        << "no column 'nope'";
        QTest::newRow("no run") << QStringList { "sample", "--run", "/no/such/run", "-o", "x.h5" } << "/no/such/run";
    }
    void trainErrorsAreOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const CliRun r = runCli(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(lineCount(r.err) == 1, qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
