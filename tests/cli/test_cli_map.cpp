// hepgen map as a user runs it: a density map of a model-lab run (the reference data found through the run), written
// as MAP.h5 in the documented layout (value rows = y bins, columns = x bins, axes at the bin centres) or as CSV, the
// distance-to-data kind, slices and partial dependence in the file's settings, and one-line errors for every bad
// request; hepgen surrogate refuses a model without a score.
#include "CliRun.h"

#include <H5Cpp.h>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <vector>

namespace {

std::vector<double> readDoubles(const H5::H5File& f, const std::string& path, std::vector<hsize_t>* dims)
{
    const auto ds = f.openDataSet(path);
    const auto space = ds.getSpace();
    dims->resize(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    space.getSimpleExtentDims(dims->data());
    std::size_t n = 1;
    for (auto d : *dims)
        n *= d;
    std::vector<double> v(n);
    ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
    return v;
}

std::string stringAttribute(const H5::H5Object& o, const std::string& name)
{
    const auto a = o.openAttribute(name);
    std::string s;
    a.read(a.getStrType(), s);
    return s;
}

} // namespace

class TestCliMap : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_data, m_run;

private Q_SLOTS:
    void initTestCase()
    {
        m_data = m_dir.filePath("moons.h5");
        QCOMPARE(runCli({ "-q", "generate", "toy2d", "--shape", "moons", "-n", "1500", "-o", m_data }).code, 0);
        m_run = m_dir.filePath("flows");
        const CliRun train = runCli({ "-q", "--threads", "1", "train", "--model", "maf-affine", "--ensemble", "2",
            "--data", m_data, "--epochs", "1", "-o", m_run });
        QVERIFY2(train.code == 0, qPrintable(train.err));
    }

    void densityMapFile()
    {
        const QString out = m_dir.filePath("map.h5");
        const CliRun r = runCli({ "--threads", "1", "map", "--run", m_run, "--x", "y", "--y", "x", "--grid", "12", "8",
            "--x-range", "-2", "2", "--json", "-o", out });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("recorded in the run"), qPrintable(r.err)); // reference data from config.json
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["kind"].toString(), QString("log_density"));
        QCOMPARE(j["members"].toInt(), 2);
        QCOMPARE(j["x"].toObject()["feature"].toString(), QString("y"));
        QCOMPARE(j["x"].toObject()["bins"].toInt(), 12);
        QCOMPARE(j["y"].toObject()["bins"].toInt(), 8);
        QCOMPARE(j["file"].toString(), out);
        QVERIFY(j["value_max"].toDouble() > j["value_min"].toDouble());

        H5::H5File f(out.toStdString(), H5F_ACC_RDONLY);
        QCOMPARE(stringAttribute(f, "kind"), std::string("map"));
        const auto g = f.openGroup("/map");
        QCOMPARE(stringAttribute(g, "map_kind"), std::string("log_density"));
        QCOMPARE(stringAttribute(g, "x_feature"), std::string("y"));
        QCOMPARE(stringAttribute(g, "y_feature"), std::string("x"));
        std::vector<hsize_t> dims;
        const auto value = readDoubles(f, "/map/value", &dims);
        QCOMPARE(dims, (std::vector<hsize_t> { 8, 12 })); // rows: y bins, columns: x bins
        readDoubles(f, "/map/uncertainty", &dims);
        QCOMPARE(dims, (std::vector<hsize_t> { 8, 12 }));
        const auto xc = readDoubles(f, "/map/x_centres", &dims);
        QCOMPARE(xc.size(), std::size_t(12));
        QVERIFY(std::abs(xc.front() - (-2 + 4.0 / 24)) < 1e-12); // bin centres
        const auto xe = readDoubles(f, "/map/x_edges", &dims);
        QCOMPARE(xe.size(), std::size_t(13));
        QCOMPARE(xe.front(), -2.0);
        QCOMPARE(xe.back(), 2.0);
        for (double v : value)
            QVERIFY(std::isfinite(v));
    }

    void distanceMapSlicesAndCsv()
    {
        const QString out = m_dir.filePath("ood.csv");
        const CliRun r = runCli({ "-q", "map", "--run", m_run, "--data", m_data, "--x", "x", "--y", "y", "--kind",
            "ood", "--grid", "5", "-o", out, "--json" });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object()["kind"].toString(), QString("ood"));
        QFile csv(out);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3 + 1 + 25);
        QCOMPARE(lines[3], QString("x_bin,y_bin,x,y,value"));
        QVERIFY(lines[4].startsWith("0,0,"));
        QVERIFY(lines[5].startsWith("1,0,"));
    }

    void conditionalRunWithSliceAndPartialDependence()
    {
        // Three columns: a flow of (x, y) conditioned on a third, mapped over x and the condition with y averaged.
        const QString data3 = m_dir.filePath("three.npy");
        // A plain (N, 3) float32 .npy: the reader names its columns col0, col1, col2.
        QFile npy(data3);
        QVERIFY(npy.open(QIODevice::WriteOnly));
        const int n = 400;
        QByteArray header
            = QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': (") + QByteArray::number(n) + ", 3), }";
        while ((10 + header.size() + 1) % 64 != 0)
            header += ' ';
        header += '\n';
        npy.write(QByteArray("\x93NUMPY\x01\x00", 8));
        const quint16 len = static_cast<quint16>(header.size());
        npy.write(reinterpret_cast<const char*>(&len), 2);
        npy.write(header);
        for (int i = 0; i < n; ++i) {
            const float row[3] = { std::sin(0.1f * i), std::cos(0.37f * i), 3.0f + 0.001f * i };
            npy.write(reinterpret_cast<const char*>(row), sizeof row);
        }
        npy.close();
        const QString run = m_dir.filePath("conditional");
        const CliRun train = runCli({ "-q", "--threads", "1", "train", "--model", "maf-affine", "--data", data3,
            "--columns", "col0,col1", "--context", "col2", "--epochs", "1", "-o", run });
        QVERIFY2(train.code == 0, qPrintable(train.err));
        const QString out = m_dir.filePath("cond.h5");
        const CliRun r = runCli({ "-q", "map", "--run", run, "--data", data3, "--x", "col0", "--y", "col2", "--slice",
            "col1=0.25", "--grid", "6", "--json", "-o", out });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object()["slices"].toObject()["col1"].toDouble(), 0.25);
        const CliRun pd = runCli({ "-q", "map", "--run", run, "--data", data3, "--x", "col0", "--y", "col2", "--pd",
            "--pd-events", "10", "--grid", "6", "--json", "-o", out });
        QVERIFY2(pd.code == 0, qPrintable(pd.err));
        const QJsonObject j = QJsonDocument::fromJson(pd.out.toUtf8()).object();
        QVERIFY(j["partial_dependence"].toBool());
        QCOMPARE(j["pd_events"].toInt(), 10);
    }

    void errorsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        const QString run = m_dir.filePath("flows");
        QTest::newRow("same feature") << QStringList { "map", "--run", run, "--x", "x", "--y", "x", "-o", "m.h5" }
                                      << "Both axes show 'x'";
        QTest::newRow("unknown feature") << QStringList { "map", "--run", run, "--x", "x", "--y", "q", "-o", "m.h5" }
                                         << "does not read 'q'";
        QTest::newRow("unknown kind") << QStringList { "map", "--run", run, "--x", "x", "--y", "y", "--kind", "heat",
            "-o", "m.h5" } << "Unknown map kind 'heat'";
        QTest::newRow("kind not offered") << QStringList { "map", "--run", run, "--x", "x", "--y", "y", "--kind",
            "score", "-o", "m.h5" } << "has no score map";
        QTest::newRow("bad slice") << QStringList { "map", "--run", run, "--x", "x", "--y", "y", "--slice", "x", "-o",
            "m.h5" } << "write FEATURE=VALUE";
        QTest::newRow("nan slice") << QStringList { "map", "--run", run, "--x", "x", "--y", "y", "--slice", "z=nan",
            "-o", "m.h5" } << "not a finite number";
        QTest::newRow("no run") << QStringList { "map", "--run", "/no/such/run", "--x", "x", "--y", "y", "-o", "m.h5" }
                                << "is not a directory";
        QTest::newRow("bad suffix") << QStringList { "map", "--run", run, "--x", "x", "--y", "y", "--grid", "3", "-o",
            "m.png" } << "use .h5 (HDF5) or .csv";
        QTest::newRow("grid") << QStringList { "map", "--run", run, "--x", "x", "--y", "y", "--grid", "1", "-o",
            "m.h5" } << "2 to 2000 bins";
        QTest::newRow("surrogate of a density") << QStringList { "surrogate", "--classifier", run, "--data", "x.h5",
            "-o", "s" } << "has no classifier score";
    }
    void errorsAreOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        QDir::setCurrent(m_dir.path());
        if (args.contains("x.h5"))
            args.replace(args.indexOf("x.h5"), m_data);
        const CliRun r = runCli(QStringList { "-q" } + args);
        QVERIFY2(r.code == 1 || r.code == 2, qPrintable(QString::number(r.code)));
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.trimmed().count('\n') <= 1, qPrintable(r.err));
    }
};

QTEST_MAIN(TestCliMap)
#include "test_cli_map.moc"
