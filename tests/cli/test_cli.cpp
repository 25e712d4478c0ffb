// The hepgen executable as a user runs it: help and version, one-line errors with non-zero exit
// for unknown commands, bad options and bad files, and a generate → info round trip with --json.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run hepgen(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(HEPGEN_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(120000))
        return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

int lineCount(const QString& s) { return s.trimmed().isEmpty() ? 0 : static_cast<int>(s.trimmed().count('\n')) + 1; }

} // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void helpListsTheContract()
    {
        const Run r = hepgen({"--help"});
        QCOMPARE(r.code, 0);
        for (const char* sub : {"generate", "info", "train", "sample", "evaluate-showers", "hunt", "map"})
            QVERIFY2(r.out.contains(QLatin1String(sub)), sub);
    }

    void versionNamesTheLinkedLibraries()
    {
        const Run r = hepgen({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("hepgen "));
        QVERIFY(r.out.contains("LibTorch: 1."));
        QVERIFY(r.out.contains("HDF5: 1."));
    }

    void errorsAreOneLineAndNonZero_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
        QTest::newRow("no command") << QStringList{} << "subcommand is required";
        QTest::newRow("bad option") << QStringList{"info", "--no-such-option", "x.h5"} << "--no-such-option";
        QTest::newRow("bad shape") << QStringList{"generate", "toy2d", "--shape", "banana", "-o", "x.h5"} << "banana";
        QTest::newRow("missing file") << QStringList{"info", "/no/such/file.h5"} << "/no/such/file.h5: the file does not exist";
        QTest::newRow("not hdf5") << QStringList{"info", QStringLiteral(HEPGEN_SOURCE_DIR "/README.md")}
                                  << "neither an HDF5 file nor a NumPy file";
        QTest::newRow("pending") << QStringList{"hunt", "--data", "x.h5"} << "not available in this version";
    }
    void errorsAreOneLineAndNonZero()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const Run r = hepgen(args);
        QVERIFY2(r.code > 0, qPrintable(QString::number(r.code)));
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.startsWith("hepgen"), qPrintable(r.err));
        // The message is one line; usage errors may add the one "Run 'hepgen --help'" hint.
        QVERIFY2(lineCount(r.err) <= 2, qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void generateThenInfoJson()
    {
        const QString file = m_dir.filePath("moons.h5");
        const Run gen = hepgen({"--quiet", "generate", "toy2d", "--shape", "moons", "--events", "5000", "--seed", "3", "-o", file});
        QVERIFY2(gen.code == 0, qPrintable(gen.err));
        const Run info = hepgen({"info", file, "--json"});
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
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
