// The hunt's protocol (core/anomaly/Hunt.h), with the fast BDT: every SR event is scored once, by a
// model that did not train on it (a memorising classifier on random labels stays at AUC 0.5 out of
// fold); the IAD's one-file rule moves half the SR background into the template and says so, while a
// separate background file leaves the data whole;
// results are reproducible for a seed; the JSON has the CLI's keys; scores export; bad settings,
// bad windows and missing labels are ConfigErrors; a stop request cancels.
#include "core/anomaly/Hunt.h"
#include "core/data/DatasetIO.h"
#include "core/data/DijetGenerator.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>

using namespace hepgen::anomaly;
using hepgen::data::Table;

namespace {

Table dijet(std::size_t background, double sOverB, std::uint64_t seed)
{
    hepgen::data::DijetOptions o;
    o.background = background;
    o.signal = 0;
    o.sOverB = sOverB;
    o.seed = seed;
    return hepgen::data::generateDijet(o);
}

HuntConfig fastBdt(const std::string& method)
{
    HuntConfig c;
    c.method = method;
    c.classifier = "bdt";
    c.folds = 3;
    c.classifiers.bdt.rounds = 60;
    c.maxReferenceEvents = 5000;
    return c;
}

std::size_t count(const std::vector<std::uint8_t>& v) { return std::size_t(std::count(v.begin(), v.end(), 1)); }

} // namespace

class TestHuntProtocol : public QObject {
    Q_OBJECT
    Table m_table = dijet(20000, 0.05, 3);

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void outOfFoldScoresDoNotRemember()
    {
        // Random labels and pure-noise features: nothing to learn. A deep BDT without early stopping
        // memorises its training events (in-sample AUC near 1); scored out of fold it must stay at 0.5.
        Table t;
        t.columns = { "mjj", "a", "b", "c" };
        std::mt19937_64 rng(9);
        std::normal_distribution<float> g;
        for (int i = 0; i < 3000; ++i) {
            t.values.insert(t.values.end(), { 3.5f, g(rng), g(rng), g(rng) });
            t.labels.push_back(std::int8_t(rng() % 2));
        }
        HuntConfig c = fastBdt("supervised");
        c.classifiers.bdt.maxDepth = 10;
        c.classifiers.bdt.rounds = 100;
        c.classifiers.bdt.earlyStopping = 0;
        c.classifiers.bdt.subsample = 1.0;
        const HuntResult r = runHunt(t, c);
        QCOMPARE(r.nSr, std::size_t(3000));
        QCOMPARE(count(r.events.signalRegion), std::size_t(3000));
        // sigma(AUC) for 1500 + 1500 events is ~0.011.
        qInfo("out-of-fold AUC on random labels: %.4f", r.auc);
        QVERIFY2(std::abs(r.auc - 0.5) < 0.035, qPrintable(QString::number(r.auc)));
    }

    void iadTemplateRule()
    {
        const WindowCounts before = countWindows(MassWindows {}, m_table);
        const HuntResult r = runHunt(m_table, fastBdt("iad"));
        const std::size_t template_ = std::size_t(std::llround(0.5 * double(before.srBackground)));
        QCOMPARE(r.nSr, before.sr - template_);
        QCOMPARE(count(r.events.signalRegion), r.nSr);
        std::size_t signal = 0, background = 0;
        for (std::size_t i = 0; i < r.events.size(); ++i)
            if (r.events.signalRegion[i]) {
                signal += r.events.label[i] == 1;
                background += r.events.label[i] == 0;
            }
        QCOMPARE(signal, before.srSignal);
        QCOMPARE(background, before.srBackground - template_);
        QCOMPARE(r.sOverB, double(signal) / double(background));
        QCOMPARE(r.nSb, before.sb);
        QCOMPARE(r.notes.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(r.notes[0]).contains("became the background template"));
        QVERIFY(r.auc > 0.6);
    }

    void iadWithSeparateBackground()
    {
        // A separate background file (another seed): its SR events are the template, the data stay whole
        // (same S/B as every other method sees), and a file without SR events is refused.
        const Table background = dijet(20000, 0.0, 44);
        const WindowCounts before = countWindows(MassWindows {}, m_table);
        const HuntResult r = runHunt(m_table, fastBdt("iad"), {}, &background);
        QCOMPARE(r.nSr, before.sr);
        QCOMPARE(r.sOverB, before.sOverB());
        QCOMPARE(r.notes.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(r.notes[0]).contains("separate background file"));
        QVERIFY2(r.auc > 0.55, qPrintable(QString::number(r.auc)));
        Table far = background;
        for (std::size_t i = 0; i < far.rows(); ++i)
            far.values[i * far.cols()] = 6.0f; // every event far above the SR
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, runHunt(m_table, fastBdt("iad"), {}, &far));
    }

    void everyEventOnceAndReproducible()
    {
        const HuntResult a = runHunt(m_table, fastBdt("cwola"));
        const WindowCounts w = countWindows(MassWindows {}, m_table);
        QCOMPARE(a.events.size(), w.sr + w.sb);
        QCOMPARE(count(a.events.signalRegion), w.sr);
        QCOMPARE(a.nSr, w.sr);
        QVERIFY(std::abs(a.sOverB - 0.05) < 0.002);
        const HuntResult b = runHunt(m_table, fastBdt("cwola"));
        QVERIFY(a.events.score == b.events.score);
        HuntConfig other = fastBdt("cwola");
        other.seed = 2;
        QVERIFY(runHunt(m_table, other).events.score != a.events.score);
        QVERIFY(!a.stages.empty() && a.stages[0].stage == "classifier");
        QVERIFY(a.seconds >= a.stages[0].seconds);
    }

    void jsonAndExport()
    {
        const HuntResult r = runHunt(m_table, fastBdt("supervised"));
        const auto j = r.toJson();
        for (const char* key :
            { "method", "classifier", "auc", "max_sic", "sic_curve", "n_sb", "n_sr", "s_over_b", "seconds" })
            QVERIFY2(j.contains(key), key);
        QCOMPARE(QString::fromStdString(j["method"].get<std::string>()), QString("supervised"));
        QVERIFY(!j["sic_curve"].empty() && j["sic_curve"][0].size() == 2);
        QVERIFY(r.auc > 0.8);
        QVERIFY(r.maxSic > 1.0);
        QTemporaryDir dir;
        const std::string csv = dir.filePath("scores.csv").toStdString();
        writeScores(r, csv);
        std::ifstream in(csv);
        std::string line;
        std::size_t lines = 0;
        std::getline(in, line);
        QCOMPARE(QString::fromStdString(line), QString("mass,score,label,signal_region,fold"));
        while (std::getline(in, line))
            ++lines;
        QCOMPARE(lines, r.events.size());
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, writeScores(r, "/no/such/dir/scores.csv"));
        // The HDF5 export reads back as a table in our schema: mass, score, signal_region, fold and the labels.
        const std::string h5 = dir.filePath("scores.h5").toStdString();
        writeScores(r, h5);
        const auto back = hepgen::data::readDataset(h5);
        QVERIFY(back.table.has_value());
        QCOMPARE(back.table->rows(), r.events.size());
        QVERIFY((back.table->columns == std::vector<std::string> { "mass", "score", "signal_region", "fold" }));
        QCOMPARE(back.table->at(7, 1), r.events.score[7]);
        QVERIFY(back.table->labels == r.events.label);
    }

    void badSettings_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown key") << R"({"method": "cwola", "foldz": 3})"
                                     << "foldz";
        QTest::newRow("unknown method") << R"({"method": "magic"})"
                                        << "method";
        QTest::newRow("classifier") << R"({"classifier": "svm"})"
                                    << "classifier";
        QTest::newRow("folds") << R"({"folds": 1})"
                               << "folds";
        QTest::newRow("sr shape") << R"({"sr": [3.3]})"
                                  << "sr";
        QTest::newRow("inverted sr") << R"({"method": "cwola", "sr": [3.7, 3.3]})"
                                     << "must be below its high edge";
        QTest::newRow("sr outside data") << R"({"method": "cwola", "sr": [12.0, 12.5]})"
                                         << "outside the data";
        QTest::newRow("overlapping sb") << R"({"method": "cwola", "sb": [3.4, 4.0]})"
                                        << "overlap";
        QTest::newRow("density key") << R"({"density": {"trainer": {"epochz": 1}}})"
                                     << "epochz";
    }
    void badSettings()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const QString message = hepgen::test::errorOf<hepgen::ConfigError>([&] {
            const auto c = HuntConfig::read(nlohmann::json::parse(json.toStdString()));
            runHunt(m_table, c);
        });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void labelsNeededAndCancel()
    {
        Table unlabelled = m_table;
        unlabelled.labels.clear();
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            runHunt(unlabelled, fastBdt("iad"));
        }).contains("truth labels"));
        // CWoLa needs no labels: scores without metrics, and a note.
        const HuntResult r = runHunt(unlabelled, fastBdt("cwola"));
        QVERIFY(std::isnan(r.auc));
        QVERIFY(r.toJson()["auc"].is_null());
        QVERIFY(QString::fromStdString(r.notes.back()).contains("no truth labels"));
        const hepgen::JobControl stop({}, [] { return true; });
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, runHunt(m_table, fastBdt("cwola"), stop));
    }
};

QTEST_GUILESS_MAIN(TestHuntProtocol)
#include "test_hunt_protocol.moc"
