// The Maps workspace as a user drives it: model and feature pickers, a moved slice slider recomputes the map (the
// newest position wins, stale requests are dropped), the hover readout gives value ± uncertainty, linked axes,
// exports of the maps (PNG/PDF) and of the values (HDF5/CSV), a surrogate trained as a job, and bad input explained
// without a crash: no model, the same feature twice, a feature the model lacks, NaN answers, a directory that holds
// no model, a run without a density. With HEPGEN_SCREENSHOT_DIR set it writes the docs' screenshot.
#include "studio/HuntWorkspace.h"
#include "studio/MainWindow.h"
#include "studio/MapSlicePanel.h"
#include "studio/MapSourceModel.h"
#include "studio/MapsWorkspace.h"

#include "core/data/Dataset.h"
#include "core/anomaly/Hunt.h"
#include "core/data/DijetGenerator.h"
#include "core/maps/ClassifierMapModel.h"
#include "core/maps/MapCompute.h"
#include "core/maps/MapFile.h"
#include "core/training/Run.h"
#include "widgets/JobRunner.h"
#include "widgets/MapView.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <random>

using hepgen::maps::MapKind;
using hepgen::studio::HuntWorkspace;
using hepgen::studio::MapsWorkspace;

namespace {

/// Labelled two moons in x, y and a noise feature z (the slice).
std::shared_ptr<hepgen::data::Dataset> moons(std::size_t n)
{
    auto d = std::make_shared<hepgen::data::Dataset>();
    d->source = "test:moons";
    hepgen::data::Table t;
    t.columns = { "x", "y", "z" };
    t.units = { "cm", "cm", "" };
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> angle(0.0, M_PI);
    std::normal_distribution<double> noise(0.0, 0.1);
    for (std::size_t i = 0; i < n; ++i) {
        const bool upper = i % 2 == 0;
        const double a = angle(rng);
        const double x = upper ? std::cos(a) : 1.0 - std::cos(a);
        const double y = upper ? std::sin(a) : 0.5 - std::sin(a);
        t.values.push_back(static_cast<float>(2 * (x - 0.5 + noise(rng))));
        t.values.push_back(static_cast<float>(2 * (y - 0.25 + noise(rng))));
        t.values.push_back(static_cast<float>(noise(rng) * 10));
        t.labels.push_back(upper ? 1 : 0);
    }
    d->table = t;
    return d;
}

/// A model answering NaN for x > 0 (and x + y elsewhere).
class HalfBlank : public hepgen::maps::MapModel {
public:
    std::string name() const override { return "half blank"; }
    const std::vector<std::string>& features() const override { return m_f; }
    std::vector<MapKind> kinds() const override { return { MapKind::Score }; }
    int64_t members(MapKind) const override { return 0; }
    hepgen::maps::MapEvaluation evaluate(
        MapKind, const std::vector<float>& rows, const std::vector<float>&, const hepgen::JobControl&) override
    {
        hepgen::maps::MapEvaluation e;
        for (std::size_t i = 0; i + 1 < rows.size(); i += 2)
            e.value.push_back(rows[i] > 0 ? std::nan("") : rows[i] + rows[i + 1]);
        return e;
    }

private:
    std::vector<std::string> m_f { "x", "y" };
};

bool waitForMap(MapsWorkspace& w, int before, int ms = 60000)
{
    return QTest::qWaitFor([&] { return w.mapsShown() > before; }, ms);
}

std::shared_ptr<hepgen::data::Dataset> dijet(std::size_t background, std::size_t signal, uint64_t seed, const char* source)
{
    hepgen::data::DijetOptions o;
    o.background = background;
    o.signal = signal;
    o.seed = seed;
    auto d = std::make_shared<hepgen::data::Dataset>();
    d->source = source;
    d->table = hepgen::data::generateDijet(o);
    return d;
}

/// Waits until the shown map is one of `model` (a map of the previous model may still arrive first under load).
bool waitForMapOf(MapsWorkspace& w, const std::string& model, int ms = 60000)
{
    return QTest::qWaitFor([&] { return w.currentMap() && w.currentMap()->model == model; }, ms);
}

} // namespace

class TestMapsWorkspace : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::shared_ptr<hepgen::data::Dataset> m_data;
    std::shared_ptr<hepgen::maps::ClassifierEnsembleModel> m_classifier;
    QString m_flowRun, m_ganRun;

    QString trainRun(const QString& name, const std::string& family, const nlohmann::json& config)
    {
        hepgen::training::RunRequest request;
        request.family = family;
        request.config = config;
        request.columns = { "x", "y" };
        request.outputDir = m_dir.filePath(name).toStdString();
        hepgen::training::trainRun(request, *m_data->table);
        return m_dir.filePath(name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath("config"));
        torch::set_num_threads(1);
        m_data = moons(3000);
        hepgen::metrics::ClassifierConfig c;
        c.hidden = { 32, 32 };
        c.epochs = 15;
        c.patience = 0;
        m_classifier = hepgen::maps::trainClassifierEnsemble(*m_data->table, { "x", "y", "z" }, 5, c, "moons MLP x5");
        m_flowRun = trainRun("flow", "maf-affine",
            { { "model", { { "ensemble", 2 }, { "layers", 2 }, { "hidden", { 16 } } } },
                { "trainer", { { "epochs", 1 } } } });
        m_ganRun = trainRun("gan", "gan", { { "trainer", { { "epochs", 1 } } } });
    }

    void pickersAndFirstMap()
    {
        hepgen::widgets::JobRunner jobs;
        MapsWorkspace w(&jobs, nullptr, nullptr);
        w.resize(1400, 800);
        w.show();
        QVERIFY2(w.problem().contains("Choose a model"), qPrintable(w.problem())); // no model yet: said, no crash
        QVERIFY(!w.mainView()->hasMap());
        w.setDataset(m_data);
        w.setGrid(80);
        const int before = w.mapsShown();
        w.addModel(m_classifier);
        QVERIFY(waitForMap(w, before));
        const auto* map = w.currentMap();
        QCOMPARE(map->kind, MapKind::Score);
        QCOMPARE(map->x.feature, std::string("x"));
        QCOMPARE(map->y.feature, std::string("y"));
        QCOMPARE(map->x.unit, std::string("cm"));
        QCOMPARE(map->x.bins, 80);
        QCOMPARE(map->members, int64_t(5));
        // The slice sits at the median as the spin box shows it (rounded to a thousandth of the range or finer).
        const auto zRange = hepgen::maps::defaultRange(*m_data->table, "z");
        QVERIFY(std::abs(map->slices.at("z") - hepgen::maps::dataMedians(*m_data->table, { "z" }).at("z"))
            <= 5e-4 * (zRange.second - zRange.first));
        QVERIFY(w.mainView()->hasMap() && w.sideView()->hasMap()); // score and its spread side by side
        QVERIFY(w.mainView()->overlayPoints() > 1000);             // the data points over both
        QVERIFY(w.sideView()->overlayPoints() > 1000);
        QVERIFY(w.mainView()->contourSegments() > 10);
        // The colour bar of a score: viridis over the values' range.
        const auto [lo, hi] = w.mainView()->colourRange();
        QVERIFY(lo >= 0 && hi <= 1 && hi > lo);

        // Kinds the model does not offer are refused with a reason; the distance to the data is always there.
        QVERIFY(!w.setKind(MapKind::LogDensity));
        QVERIFY(w.problem().contains("no log-density"));
        const int b2 = w.mapsShown();
        QVERIFY(w.setKind(MapKind::OutOfDistribution));
        QVERIFY(waitForMap(w, b2));
        QCOMPARE(w.currentMap()->kind, MapKind::OutOfDistribution);

        // Linked axes: zooming the left map moves the right one.
        const int b3 = w.mapsShown();
        QVERIFY(w.setKind(MapKind::Score));
        QVERIFY(waitForMap(w, b3));
        w.mainView()->setView(-1, 1, -0.5, 0.5);
        const auto shown = w.sideView()->view();
        QCOMPARE(shown[0], -1.0);
        QCOMPARE(shown[1], 1.0);
        QCOMPARE(shown[2], -0.5);
        QCOMPARE(shown[3], 0.5);
        w.sideView()->rescale(); // and back, the other way round
        QCOMPARE(w.mainView()->view()[1], w.currentMap()->x.hi);
    }

    void sliderRecomputesAndStaleRequestsAreDropped()
    {
        hepgen::widgets::JobRunner jobs;
        MapsWorkspace w(&jobs, nullptr, nullptr);
        w.show();
        w.setDataset(m_data);
        w.setGrid(200);
        int before = w.mapsShown();
        w.addModel(m_classifier);
        QVERIFY(waitForMap(w, before));
        QSlider* slider = w.slices()->slider("z");
        QVERIFY(slider && slider->isVisible());
        QVERIFY(!w.slices()->slider("x")->isVisible()); // on an axis: no slider

        // One move: a new map at the new slice value.
        before = w.mapsShown();
        QElapsedTimer latency;
        latency.start();
        slider->setValue(slider->maximum() * 9 / 10);
        QVERIFY(waitForMap(w, before));
        const double z = w.slices()->value("z");
        QCOMPARE(w.currentMap()->slices.at("z"), z);
        qInfo("200 x 200 map of an MLP ensemble of 5 after a slider move: on screen after %lld ms (map %.0f ms)",
            static_cast<long long>(latency.elapsed()), 1000 * w.currentMap()->seconds);

        // A fast drag: 30 positions within a few milliseconds. The UI never waits, most requests are dropped, and
        // the last map drawn is the last position.
        before = w.mapsShown();
        QElapsedTimer drag;
        drag.start();
        for (int k = 0; k < 30; ++k)
            slider->setValue(k * slider->maximum() / 30);
        const qint64 dragMs = drag.elapsed();
        QVERIFY2(dragMs < 500, qPrintable(QString::number(dragMs)));
        const double last = w.slices()->value("z");
        QTRY_VERIFY_WITH_TIMEOUT(w.currentMap() && w.currentMap()->slices.at("z") == last, 30000);
        QTest::qWait(200);
        const int drawn = w.mapsShown() - before;
        qInfo("30 slider steps in %lld ms: %d maps drawn", static_cast<long long>(dragMs), drawn);
        QVERIFY(drawn >= 1 && drawn < 30);
    }

    void hoverReadout()
    {
        hepgen::widgets::JobRunner jobs;
        MapsWorkspace w(&jobs, nullptr, nullptr);
        w.resize(1400, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.setDataset(m_data);
        w.setGrid(50);
        const int before = w.mapsShown();
        w.addModel(m_classifier);
        QVERIFY(waitForMap(w, before));
        const auto* map = w.currentMap();
        const double x = map->x.centre(10), y = map->y.centre(20);
        const QString text = w.readoutAt(x, y);
        const auto v = map->lookup(x, y);
        QVERIFY2(text.contains(QString::number(v->first, 'g', 4)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("± %1").arg(QString::number(v->second, 'g', 3))), qPrintable(text));
        QVERIFY2(text.contains("std over 5 ensemble members"), qPrintable(text));
        QCOMPARE(w.readoutAt(1e6, 0), QString("outside the map"));

        // The mouse over the middle of the left map.
        QWidget* plot = w.mainView()->findChild<QWidget*>();
        QVERIFY(plot);
        QTest::mouseMove(plot, plot->rect().center());
        QTRY_VERIFY(!w.readout().isEmpty());
        QVERIFY2(w.readout().contains("±"), qPrintable(w.readout()));
    }

    void exports()
    {
        hepgen::widgets::JobRunner jobs;
        MapsWorkspace w(&jobs, nullptr, nullptr);
        w.resize(1400, 800);
        w.show();
        QSignalSpy messages(&w, &MapsWorkspace::message);
        QVERIFY(!w.exportValues(m_dir.filePath("none.h5"))); // nothing to export yet: said
        w.setDataset(m_data);
        w.setGrid(30);
        const int before = w.mapsShown();
        w.addModel(m_classifier);
        QVERIFY(waitForMap(w, before));
        for (const char* name : { "maps.png", "maps.pdf" }) {
            QVERIFY(w.exportImage(m_dir.filePath(name)));
            QVERIFY(QFile(m_dir.filePath(name)).size() > 1000);
        }
        QVERIFY(w.exportValues(m_dir.filePath("values.h5")));
        const auto back = hepgen::maps::readMap(m_dir.filePath("values.h5").toStdString());
        QVERIFY(back.value == w.currentMap()->value);
        QVERIFY(back.uncertainty == w.currentMap()->uncertainty);
        QVERIFY(w.exportValues(m_dir.filePath("values.csv")));
        QVERIFY(QFile(m_dir.filePath("values.csv")).size() > 1000);
        QVERIFY(!w.exportImage(m_dir.filePath("maps.bmp")));
        QVERIFY(!w.exportValues(m_dir.filePath("values.txt")));
        QVERIFY(messages.count() >= 6);
    }

    void badInputIsExplained()
    {
        hepgen::widgets::JobRunner jobs;
        MapsWorkspace w(&jobs, nullptr, nullptr);
        w.show();
        w.setDataset(m_data);
        w.setGrid(20);
        int before = w.mapsShown();
        w.addModel(m_classifier);
        QVERIFY(waitForMap(w, before));

        // The same feature twice.
        QVERIFY(w.setAxes("x", "x"));
        QVERIFY2(w.problem().contains("Both axes show 'x'"), qPrintable(w.problem()));
        QVERIFY(!w.mainView()->hasMap());
        // A feature the model lacks.
        QVERIFY(!w.setAxes("x", "mjj"));
        QVERIFY2(w.problem().contains("does not read 'mjj'"), qPrintable(w.problem()));
        before = w.mapsShown();
        QVERIFY(w.setAxes("x", "y"));
        QVERIFY(waitForMap(w, before));

        // NaN answers: blank cells and a note, no crash.
        w.addModel(std::make_shared<HalfBlank>());
        QVERIFY(waitForMapOf(w, "half blank"));
        QVERIFY(w.currentMap()->nonFinite > 0);
        // No members: the right map says why it is empty.
        QVERIFY(!w.sideView()->hasMap());

        // A directory that holds no model, and a run without a density.
        QSignalSpy messages(&w, &MapsWorkspace::message);
        QVERIFY(!w.openModelDirectory(m_dir.filePath("config")));
        QVERIFY(!w.openModelDirectory(m_ganRun));
        QVERIFY2(w.problem().contains("has no density"), qPrintable(w.problem()));
        QVERIFY(messages.count() >= 2);
        // Partial dependence without data: said.
        w.setDataset(nullptr);
        QVERIFY(w.selectSource(QString::fromStdString(m_classifier->name())));
        w.setPartialDependence(true, 8);
        QVERIFY2(!w.problem().isEmpty(), "partial dependence needs data");
    }

    void densityRunsRatioAndSurrogateJob()
    {
        hepgen::widgets::JobRunner jobs;
        MapsWorkspace w(&jobs, nullptr, nullptr);
        w.show();
        w.setDataset(m_data);
        w.setGrid(24);
        int before = w.mapsShown();
        QVERIFY(w.openModelDirectory(m_flowRun));
        QVERIFY(waitForMap(w, before));
        QCOMPARE(w.currentMap()->kind, MapKind::LogDensity);
        QCOMPARE(w.currentMap()->members, int64_t(2)); // the ensemble's spread on the right
        QVERIFY(w.sideView()->hasMap());

        // The ANODE ratio against a second density run (a copy of the first: the ratio is then 0 everywhere).
        const QString copy = m_dir.filePath("flow-copy");
        std::filesystem::copy(m_flowRun.toStdString(), copy.toStdString(), std::filesystem::copy_options::recursive);
        QVERIFY(w.openModelDirectory(copy));
        QVERIFY(w.setRatioBackground(m_flowRun));
        QVERIFY(w.setKind(MapKind::DensityRatio));
        // The copy's own log-density map may still arrive first; the newest request's map follows it.
        QElapsedTimer waited;
        waited.start();
        while ((!w.currentMap() || w.currentMap()->kind != MapKind::DensityRatio) && waited.elapsed() < 60000)
            QTest::qWait(10);
        QCOMPARE(w.currentMap()->kind, MapKind::DensityRatio);
        for (double v : w.currentMap()->value)
            QVERIFY(std::abs(v) < 1e-4);

        // A surrogate of the classifier, trained as a job of the runner.
        w.addModel(m_classifier);
        QSignalSpy trained(&w, &MapsWorkspace::surrogateTrained);
        const QString dir = m_dir.filePath("surrogate");
        QVERIFY(w.trainSurrogate(dir, 2));
        QVERIFY(jobs.isRunning());
        QVERIFY(!w.trainSurrogate(dir, 2)); // one job at a time: said
        QVERIFY(trained.wait(120000));
        before = w.mapsShown();
        QVERIFY(w.selectSource(dir));
        QVERIFY(waitForMap(w, before));
        QCOMPARE(w.currentMap()->kind, MapKind::Score);
        QCOMPARE(w.currentMap()->members, int64_t(10));
    }

    void huntResultsAreModels()
    {
        hepgen::widgets::JobRunner jobs;
        HuntWorkspace hunt(&jobs);
        MapsWorkspace w(&jobs, nullptr, &hunt);
        w.resize(1400, 800);
        w.show();
        const auto d = dijet(20000, 800, 9, "test:dijet");
        hunt.setDataset(d);
        w.setDataset(d);
        w.setGrid(40);
        QVERIFY(hunt.setMethod("supervised"));
        QVERIFY(hunt.setClassifier("bdt"));
        QSignalSpy done(&hunt, &HuntWorkspace::huntFinished);
        QVERIFY(hunt.run());
        QVERIFY(done.wait(240000));
        // The finished hunt is listed once under its number, and maps as a score with the spread over its folds.
        const QString name = QStringLiteral("Hunt 1: supervised (bdt)");
        QVERIFY(w.sources()->find(name) >= 0);
        const int before = w.mapsShown();
        QVERIFY(w.selectSource(name));
        QVERIFY(waitForMap(w, before, 120000));
        const auto* map = w.currentMap();
        QCOMPARE(map->kind, MapKind::Score);
        QCOMPARE(map->members, hunt.result(0).model->members());
        QVERIFY(map->hasUncertainty());
        QCOMPARE(map->x.unit, std::string("TeV")); // the hunt's features carry the table's units
        const auto [lo, hi] = map->valueRange();
        QVERIFY(lo >= 0 && hi <= 1 && hi > lo);
        const int rows = w.sources()->rowCount();
        Q_EMIT hunt.huntFinished(); // listed again: no duplicate
        QCOMPARE(w.sources()->rowCount(), rows);
    }

    void mainWindowHostsTheWorkspace()
    {
        hepgen::studio::MainWindow window;
        QVERIFY(window.setWorkspace("maps"));
        QVERIFY(window.mapsWorkspace() != nullptr);
    }

    void screenshot()
    {
        const QByteArray dir = qgetenv("HEPGEN_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("set HEPGEN_SCREENSHOT_DIR to write the Maps screenshot");
        hepgen::studio::MainWindow window;
        window.resize(1600, 950);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto d = dijet(60000, 3000, 4, "dijet toy");
        // A supervised classifier ensemble on the substructure features (signal vs background), for the picture.
        hepgen::metrics::ClassifierConfig c;
        c.hidden = { 64, 64 };
        c.epochs = 10;
        auto ensemble = hepgen::maps::trainClassifierEnsemble(
            *d->table, { "mj_min", "delta_mj", "tau21_min", "tau21_max" }, 5, c, "supervised MLP x5");
        auto* w = window.mapsWorkspace();
        window.setWorkspace("maps");
        w->setDataset(d);
        w->setGrid(200);
        w->setOverlay(true, true);
        const int before = w->mapsShown();
        w->addModel(ensemble);
        QVERIFY(waitForMap(*w, before));
        const int b2 = w->mapsShown();
        QVERIFY(w->setAxes("delta_mj", "tau21_max"));
        QVERIFY(waitForMap(*w, b2));
        QTest::qWait(300);
        QVERIFY(window.screenshot().save(QDir(QString::fromUtf8(dir)).filePath("maps-score-uncertainty.png")));
    }
};

QTEST_MAIN(TestMapsWorkspace)
#include "test_mapsworkspace.moc"
