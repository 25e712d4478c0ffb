// The models a finished hunt keeps (core/anomaly/HuntModel.h): the members of the fold that scored
// an event reproduce the hunt's score of that event exactly (their mean is the fold model's score);
// the mean over all members is score(); wrong sizes are ConfigErrors.
// One row per kind of model: a BDT, an MLP ensemble, a classifier in a flow's latent space
// (LaCATHODE) and a density ratio (ANODE). Saved and loaded, a model scores exactly as before; bad
// model directories are FileErrors or FormatErrors. Small toy, fixed seeds, one thread.
#include "core/anomaly/Hunt.h"
#include "core/anomaly/HuntModel.h"
#include "core/data/DijetGenerator.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hepgen::anomaly;

namespace {

/// The feature rows (in the model's order) and masses of the given table rows.
void eventRows(const hepgen::data::Table& t, const HuntModel& model, const std::vector<std::size_t>& rows,
    std::vector<float>& x, std::vector<float>& m)
{
    std::vector<std::size_t> cols;
    for (const auto& f : model.features())
        cols.push_back(t.columnIndex(f));
    const std::size_t massCol = t.columnIndex(model.massColumn());
    x.clear();
    m.clear();
    for (std::size_t r : rows) {
        for (std::size_t c : cols)
            x.push_back(t.at(r, c));
        m.push_back(t.at(r, massCol));
    }
}

} // namespace

class TestHuntModel : public QObject {
    Q_OBJECT
    hepgen::data::Table m_table;

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(1);
        hepgen::data::DijetOptions o;
        o.background = 12000;
        o.sOverB = 0.2;
        o.seed = 17;
        m_table = hepgen::data::generateDijet(o);
    }

    void reproducesTheHunt_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("classifier");
        QTest::addColumn<int>("ensemble");
        QTest::newRow("supervised bdt") << "supervised"
                                        << "bdt" << 1;
        QTest::newRow("iad mlp x2") << "iad"
                                    << "mlp" << 2;
        QTest::newRow("lacathode bdt") << "lacathode"
                                       << "bdt" << 1;
        QTest::newRow("anode") << "anode"
                               << "mlp" << 1;
    }
    void reproducesTheHunt()
    {
        QFETCH(QString, method);
        QFETCH(QString, classifier);
        QFETCH(int, ensemble);
        HuntConfig c;
        c.method = method.toStdString();
        c.classifier = classifier.toStdString();
        c.folds = 3;
        c.seed = 5;
        c.classifiers.bdt.rounds = 60;
        c.classifiers.mlp.members = ensemble;
        c.classifiers.mlp.network = { { "epochs", 6 }, { "hidden", { 16, 16 } } };
        c.oversampling = 2;
        c.density.trainer["epochs"] = 3;
        c.density.model = { { "layers", 2 }, { "hidden", { 16, 16 } } };
        const HuntResult r = runHunt(m_table, c);
        QVERIFY(r.model);
        const HuntModel& model = *r.model;
        QCOMPARE(QString::fromStdString(model.method()), method);
        QCOMPARE(model.folds(), int64_t(3));
        QCOMPARE(model.members(), int64_t(3 * ensemble));
        QCOMPARE(model.features().size(), m_table.cols() - 1);

        std::vector<float> x, m;
        eventRows(m_table, model, r.events.row, x, m);
        const std::size_t n = r.events.size();
        const std::vector<float> each = model.memberScores(x, m);
        QCOMPARE(each.size(), std::size_t(model.members()) * n);

        // The members of an event's fold give the hunt's score of that event (up to float rounding).
        double worst = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const int fold = r.events.fold[i];
            QVERIFY(fold >= 0 && fold < 3);
            double mean = 0.0;
            for (int k = 0; k < ensemble; ++k)
                mean += each[std::size_t(fold * ensemble + k) * n + i];
            mean /= ensemble;
            const double scale = std::max(1.0, std::abs(double(r.events.score[i])));
            worst = std::max(worst, std::abs(mean - double(r.events.score[i])) / scale);
        }
        qInfo("%s: largest difference to the hunt's score %.2g", qPrintable(method), worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));

        // score() is the mean over all members. It is not the hunt's out-of-fold score: the members of the other
        // folds trained on the event (classifiers pull it towards its own class), so only the identity is exact.
        const std::vector<float> mean = model.score(x, m);
        QCOMPARE(mean.size(), n);
        double worstMean = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            double sum = 0.0;
            for (int64_t k = 0; k < model.members(); ++k)
                sum += each[std::size_t(k) * n + i];
            worstMean = std::max(worstMean, std::abs(sum / double(model.members()) - double(mean[i])));
        }
        QVERIFY2(worstMean < 1e-5, qPrintable(QString::number(worstMean)));

        // Saved and loaded, the model scores exactly as before.
        QTemporaryDir dir;
        const std::string path = dir.filePath("model").toStdString();
        model.save(path);
        const auto loaded = loadHuntModel(path);
        QCOMPARE(QString::fromStdString(loaded->method()), method);
        QCOMPARE(QString::fromStdString(loaded->classifier()), QString::fromStdString(model.classifier()));
        QVERIFY(loaded->features() == model.features());
        QCOMPARE(loaded->members(), model.members());
        const std::vector<float> again = loaded->memberScores(x, m);
        QCOMPARE(again.size(), each.size());
        double largest = 0.0;
        for (std::size_t i = 0; i < each.size(); ++i)
            largest = std::max(largest, double(std::abs(again[i] - each[i])));
        QVERIFY2(largest <= 1e-6, qPrintable(QString::number(largest)));
    }

    void badModelDirectories()
    {
        HuntConfig c;
        c.method = "supervised";
        c.classifier = "bdt";
        c.folds = 2;
        c.classifiers.bdt.rounds = 10;
        const HuntResult r = runHunt(m_table, c);
        QTemporaryDir dir;
        const QString path = dir.filePath("model");
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, loadHuntModel(path.toStdString())); // not there yet
        r.model->save(path.toStdString());
        QVERIFY(loadHuntModel(path.toStdString()));
        // A fold's files missing, then a foreign hunt_model.json.
        QVERIFY(QFile::remove(path + "/fold1/classifier/bdt-model.json"));
        QVERIFY_THROWS_EXCEPTION(hepgen::FileError, loadHuntModel(path.toStdString()));
        QFile json(path + "/hunt_model.json");
        QVERIFY(json.open(QIODevice::WriteOnly | QIODevice::Truncate));
        json.write("{\"format\": \"something else\"}");
        json.close();
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, loadHuntModel(path.toStdString()));
        QVERIFY(json.open(QIODevice::WriteOnly | QIODevice::Truncate));
        json.write("not json at all");
        json.close();
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, loadHuntModel(path.toStdString()));
    }

    void wrongSizesAreConfigErrors()
    {
        HuntConfig c;
        c.method = "supervised";
        c.classifier = "bdt";
        c.folds = 2;
        c.classifiers.bdt.rounds = 10;
        const HuntResult r = runHunt(m_table, c);
        const auto f = r.model->features().size();
        std::vector<float> x(3 * f, 0.5f), m(3, 3.5f);
        QCOMPARE(r.model->score(x, m).size(), std::size_t(3));
        QCOMPARE(r.model->score(x, {}).size(), std::size_t(3)); // a classifier on features needs no mass
        x.pop_back();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, r.model->score(x, m));
        x.push_back(0.5f);
        m.pop_back();
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, r.model->memberScores(x, m));
    }
};

QTEST_GUILESS_MAIN(TestHuntModel)
#include "test_hunt_model.moc"
