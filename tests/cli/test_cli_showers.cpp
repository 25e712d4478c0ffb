// `hepgen evaluate-showers` as a user runs it: two simulator files compared with --json (the keys, small
// separation powers, an AUC near 0.5), the text summary, an energy range, a CaloClouds file written by our
// writer evaluated against its source (identical), and one-line errors for a table, an empty range, a missing
// file.
#include "core/data/CaloCloudsIO.h"
#include "core/data/DatasetIO.h"

#include "CliRun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

QJsonObject observable(const QJsonObject& result, const QString& name)
{
    for (const auto& o : result["observables"].toArray())
        if (o.toObject()["name"].toString() == name)
            return o.toObject();
    return {};
}

} // namespace

class TestCliShowers : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_a, m_b;

private Q_SLOTS:
    void initTestCase()
    {
        m_a = m_dir.filePath("a.h5");
        m_b = m_dir.filePath("b.h5");
        for (const auto& [file, seed] : { std::pair(m_a, "1"), std::pair(m_b, "2") }) {
            const CliRun g = runCliQuiet({ "generate", "showers", "-n", "800", "--seed", seed, "-o", file });
            QVERIFY2(g.code == 0, qPrintable(g.err));
        }
    }

    void jsonOfTwoSimulatorSamples()
    {
        const CliRun r = runCliQuiet({ "evaluate-showers", "--reference", m_a, "--generated", m_b, "--json" });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["n_reference"].toInt(), 800);
        QCOMPARE(j["n_generated"].toInt(), 800);
        const QJsonObject c = j["classifier"].toObject();
        QVERIFY2(std::abs(c["auc"].toDouble() - 0.5) < 4 * c["auc_null_sigma"].toDouble() + 0.01,
            qPrintable(QString::number(c["auc"].toDouble())));
        QCOMPARE(c["features"].toInt(), 156);
        const QJsonObject ratio = observable(j, "E_vis/E_inc");
        QVERIFY(!ratio.isEmpty());
        QVERIFY(ratio["separation_power"].toDouble() < 0.05);
        QCOMPARE(ratio["edges"].toArray().size(), ratio["reference"].toArray().size() + 1);
        QVERIFY(!observable(j, "E layer 29").isEmpty());
        QVERIFY(!observable(j, "radial profile").isEmpty());
    }

    void textSummaryAndEnergyRange()
    {
        const CliRun r = runCliQuiet({ "evaluate-showers", "--reference", m_a, "--generated", m_b, "--energy-range", "40",
            "60", "--no-classifier" });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("with E_inc in [40, 60] GeV"));
        QVERIFY(r.out.contains("E_vis/E_inc"));
        QVERIFY(r.out.contains("layer energy"));
        QVERIFY(!r.out.contains("classifier AUC"));
    }

    void caloCloudsExportEvaluatesAsIdentical()
    {
        // Our CaloClouds writer's file against the showers it was written from: every distance vanishes (hit
        // energies pass through GeV and back: float rounding may move a value lying on a bin edge).
        const auto source = hepgen::data::readDataset(m_a.toStdString());
        const QString clouds = m_dir.filePath("a_clouds.h5");
        QCOMPARE(hepgen::data::writeCaloClouds(*source.showers, clouds.toStdString()), std::size_t(0));
        const CliRun r = runCliQuiet({ "evaluate-showers", "--reference", m_a, "--generated", clouds, "--json" });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const auto& o : j["observables"].toArray()) {
            const QJsonObject ob = o.toObject();
            QVERIFY2(ob["separation_power"].toDouble() < 1e-3, qPrintable(ob["name"].toString()));
        }
        QCOMPARE(j["notes"].toArray().first().toString(),
            QStringLiteral("The generated showers carry no layer geometry; the reference showers' layers are used."));
    }

    void badInputIsOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty range") << QStringList { "--energy-range", "500", "600" } << "No reference showers";
        QTest::newRow("reversed range") << QStringList { "--energy-range", "60", "40" } << "not a valid range";
    }

    void badInputIsOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const CliRun r = runCliQuiet(QStringList { "evaluate-showers", "--reference", m_a, "--generated", m_b } + args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count('\n'), 0);
    }

    void tableOrMissingFileIsExplained()
    {
        const QString table = m_dir.filePath("toy.h5");
        QCOMPARE(runCliQuiet({ "generate", "toy2d", "--events", "100", "-o", table }).code, 0);
        CliRun r = runCliQuiet({ "evaluate-showers", "--reference", table, "--generated", m_b });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("holds a table") && r.err.contains("not showers"), qPrintable(r.err));
        r = runCliQuiet({ "evaluate-showers", "--reference", m_a, "--generated", m_dir.filePath("missing.h5") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("missing.h5"), qPrintable(r.err));
        r = runCliQuiet({ "evaluate-showers", "--reference", m_a });
        QCOMPARE(r.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliShowers)
#include "test_cli_showers.moc"
