// hepgen train --ensemble N and consistency distillation (--model consistency --teacher RUN) as a user runs them:
// the run directories record the ensemble and the teacher, and sample without the teacher (1 step: a single jump).
#include "CliRun.h"

#include <H5Cpp.h>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestCliUncertainty : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_data;

private Q_SLOTS:
    void initTestCase()
    {
        m_data = m_dir.filePath("moons.h5");
        QCOMPARE(runCli({ "-q", "generate", "toy2d", "--shape", "moons", "-n", "1000", "-o", m_data }).code, 0);
    }

    void ensembleRunRoundTrips()
    {
        const QString run = m_dir.filePath("ensemble");
        const CliRun train = runCli(
            { "-q", "train", "--model", "flow-rqs", "--ensemble", "3", "--data", m_data, "--epochs", "1", "-o", run });
        QVERIFY2(train.code == 0, qPrintable(train.err));
        const QJsonObject config = readJson(run + "/config.json");
        QCOMPARE(config["family"].toString(), QString("flow-rqs"));
        QCOMPARE(config["model"].toObject()["ensemble"].toInt(), 3);
        const CliRun sample
            = runCli({ "-q", "sample", "--run", run, "--n", "100", "--seed", "2", "-o", m_dir.filePath("e.h5") });
        QVERIFY2(sample.code == 0, qPrintable(sample.err));
        QCOMPARE(runCli({ "-q", "train", "--model", "cfm", "--ensemble", "0", "--data", m_data, "-o", run }).code, 2);
    }

    void distilledRunSamplesWithoutTheTeacher()
    {
        const QString teacher = m_dir.filePath("edm"), student = m_dir.filePath("cd");
        const QString small = m_dir.filePath("small.json");
        {
            QFile f(small);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"model": {"hidden": [32, 32]}})");
        }
        CliRun r = runCli(
            { "-q", "train", "--model", "edm", "--config", small, "--data", m_data, "--epochs", "1", "-o", teacher });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = runCli({ "-q", "train", "--model", "consistency", "--teacher", teacher, "--data", m_data, "--epochs", "1",
            "-o", student });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject model = readJson(student + "/config.json")["model"].toObject();
        QVERIFY2(model["teacher"].toString().endsWith("edm"), qPrintable(model["teacher"].toString()));
        QCOMPARE(model["hidden"].toVariant().toList().size(), 2); // the teacher's network

        QVERIFY(QDir(teacher).removeRecursively()); // sampling needs no teacher
        const QString out = m_dir.filePath("cd.h5");
        r = runCli({ "-q", "sample", "--run", student, "--n", "50", "--seed", "1", "--trajectory", "-o", out });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
        hsize_t dims[3] = {};
        file.openDataSet("/trajectory/xt").getSpace().getSimpleExtentDims(dims);
        QCOMPARE(dims[0], hsize_t(2)); // noise and sample: one jump

        r = runCli({ "-q", "train", "--model", "cfm", "--teacher", student, "--data", m_data, "-o", student + "2" });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("--teacher"), qPrintable(r.err));
        r = runCli(
            { "-q", "train", "--model", "consistency", "--teacher", student, "--data", m_data, "-o", student + "3" });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("edm"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliUncertainty)
#include "test_cli_uncertainty.moc"
