// A finished hunt's models as a map (core/maps/HuntMapModel.h): opened from a saved hunt directory like any other
// model, the map at a grid point is the hunt model's mean score of the event built from that point and the slice
// values (right axes, right bins), the uncertainty is the sample standard deviation over the fold models, the
// density methods take the mass as a condition and the classifiers do not. Small toy, fixed seeds, one thread.
#include "core/anomaly/Hunt.h"
#include "core/data/DijetGenerator.h"
#include "core/maps/HuntMapModel.h"
#include "core/maps/MapCompute.h"
#include "core/maps/MapModels.h"
#include "core/util/Error.h"

#include <ATen/Parallel.h>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hepgen::maps;

class TestMapHunt : public QObject {
    Q_OBJECT
    hepgen::data::Table m_table;
    QTemporaryDir m_dir;

    std::string savedHunt(const std::string& method, const std::string& name)
    {
        hepgen::anomaly::HuntConfig c;
        c.method = method;
        c.classifier = "bdt";
        c.folds = 3;
        c.seed = 5;
        c.classifiers.bdt.rounds = 40;
        c.density.trainer["epochs"] = 2;
        c.density.model = { { "layers", 2 }, { "hidden", { 16, 16 } } };
        const auto r = hepgen::anomaly::runHunt(m_table, c);
        const std::string dir = m_dir.filePath(QString::fromStdString(name)).toStdString();
        r.model->save(dir);
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(1);
        hepgen::data::DijetOptions o;
        o.background = 8000;
        o.sOverB = 0.2;
        o.seed = 23;
        m_table = hepgen::data::generateDijet(o);
    }

    void mapIsTheHuntScoreOnTheRightAxes()
    {
        const auto model = loadMapModel(savedHunt("supervised", "supervised"));
        auto* hunt = dynamic_cast<HuntMapModel*>(model.get());
        QVERIFY(hunt);
        QVERIFY(model->name().find("supervised") != std::string::npos);
        QCOMPARE(model->kinds(), std::vector<MapKind> { MapKind::Score });
        QVERIFY(model->conditions().empty()); // a classifier on the features does not read the mass
        QCOMPARE(model->members(MapKind::Score), int64_t(3));
        QCOMPARE(model->membersName(), std::string("fold models"));

        const auto& features = model->features();
        QVERIFY(features.size() >= 3);
        MapRequest r;
        r.kind = MapKind::Score;
        r.x = features[0];
        r.y = features[1];
        r.xBins = 7; // not square: a transposed map would not fit
        r.yBins = 5;
        r.xRange = std::make_pair(0.05, 0.6);
        r.yRange = std::make_pair(0.1, 0.5);
        for (std::size_t f = 2; f < features.size(); ++f)
            r.slices[features[f]] = 0.3 + 0.01 * static_cast<double>(f);
        const MapResult map = computeMap(*model, r, nullptr);
        QCOMPARE(map.members, int64_t(3));
        QVERIFY(map.hasUncertainty());

        // Every grid point against the hunt model itself, event by event.
        double worstValue = 0, worstSpread = 0, largestSpread = 0;
        for (int j = 0; j < map.y.bins; ++j)
            for (int i = 0; i < map.x.bins; ++i) {
                std::vector<float> row(features.size());
                row[0] = static_cast<float>(map.x.centre(i));
                row[1] = static_cast<float>(map.y.centre(j));
                for (std::size_t f = 2; f < features.size(); ++f)
                    row[f] = static_cast<float>(r.slices[features[f]]);
                const auto each = hunt->huntModel().memberScores(row, {});
                QCOMPARE(each.size(), std::size_t(3));
                const double mean = (double(each[0]) + each[1] + each[2]) / 3.0;
                double ss = 0;
                for (float e : each)
                    ss += (e - mean) * (e - mean);
                const double sd = std::sqrt(ss / 2.0); // K - 1 in the denominator (docs/file-format.md)
                worstValue = std::max(worstValue, std::abs(map.at(i, j) - mean));
                worstSpread = std::max(worstSpread, std::abs(map.uncertainty[map.index(i, j)] - sd));
                largestSpread = std::max(largestSpread, sd);
            }
        QVERIFY2(worstValue < 1e-6, qPrintable(QString::number(worstValue)));
        QVERIFY2(worstSpread < 1e-6, qPrintable(QString::number(worstSpread)));
        QVERIFY(largestSpread > 0); // folds trained on different events disagree somewhere

        // The map varies over the grid (it is not one value) and only a score is offered.
        const auto [lo, hi] = map.valueRange();
        QVERIFY(hi > lo);
        r.kind = MapKind::LogDensity;
        QVERIFY(!requestProblem(*model, r, nullptr).empty());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->evaluate(MapKind::LogDensity, {}, {}));
    }

    void densityMethodsTakeTheMass()
    {
        const auto model = loadMapModel(savedHunt("anode", "anode"));
        QCOMPARE(model->conditions(), std::vector<std::string> { "mjj" });
        const auto& features = model->features();
        std::vector<float> rows(2 * features.size(), 0.3f);
        const auto low = model->evaluate(MapKind::Score, rows, { 3.4f, 3.4f });
        const auto high = model->evaluate(MapKind::Score, rows, { 3.6f, 3.6f });
        QCOMPARE(low.value.size(), std::size_t(2));
        QCOMPARE(low.k, int64_t(3));
        QVERIFY(std::isfinite(low.value[0]) && std::isfinite(high.value[0]));
        QVERIFY(low.value[0] != high.value[0]); // the mass enters the densities
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->evaluate(MapKind::Score, rows, {})); // mass missing
    }

    void foreignDirectoriesAreExplained()
    {
        QTemporaryDir empty;
        try {
            loadMapModel(empty.path().toStdString());
            QFAIL("an empty directory was accepted");
        } catch (const hepgen::FileError& e) {
            QVERIFY2(QString(e.what()).contains("saved hunt"), e.what());
        }
        QFile json(empty.filePath("hunt_model.json"));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write("{\"format\": \"something else\"}");
        json.close();
        QVERIFY_THROWS_EXCEPTION(hepgen::FormatError, loadMapModel(empty.path().toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestMapHunt)
#include "test_map_hunt.moc"
