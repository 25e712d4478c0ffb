// One conformance suite over every family in the model table (as diffusers tests every scheduler
// against one base): settings round-trip, a training step gives a finite loss, sampling has the
// right shape and is reproducible by seed, clones are independent, and a checkpoint written by the
// Trainer restores the model exactly (same samples for the same seed).
#include "core/models/GenerativeModel.h"
#include "core/models/ModelFactory.h"
#include "core/training/Trainer.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace hepgen::models;
using namespace hepgen::training;

namespace {

// Small networks so the whole suite stays fast; every family understands "hidden" or ignores it
// through its own defaults, so only the shared optimiser key is overridden here.
nlohmann::json smallConfig() { return nlohmann::json::object(); }

Batch toyBatch(int64_t n, int64_t context)
{
    torch::manual_seed(11);
    Batch b;
    b.x = torch::randn({ n, 2 }) * 0.5 + 0.3;
    if (context > 0)
        b.context = torch::randn({ n, context });
    return b;
}

SampleOptions seeded(uint64_t seed)
{
    SampleOptions o;
    o.seed = seed;
    o.steps = 5; // few sampler steps where the family has a sampler
    return o;
}

} // namespace

class TestModelConformance : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFamilyIsListed()
    {
        const auto names = modelFamilies();
        QVERIFY2(!names.empty(), "the family table is empty");
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel("no-such-family", { 2, 0 }));
    }

    void conformance_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<int>("context");
        QTest::addColumn<int>("ensemble");
        for (const auto& f : modelFamilies()) {
            QTest::newRow((f + "/unconditional").c_str()) << QString::fromStdString(f) << 0 << 1;
            QTest::newRow((f + "/conditional").c_str()) << QString::fromStdString(f) << 1 << 1;
        }
        // deep ensembles are built from any family through the "ensemble" key
        for (const char* f : { "flow-rqs", "cfm", "vae" })
            QTest::newRow((std::string(f) + "/ensemble of 2").c_str()) << QString(f) << 1 << 2;
    }
    void conformance()
    {
        QFETCH(QString, family);
        QFETCH(int, context);
        QFETCH(int, ensemble);
        const std::string f = family.toStdString();
        const ModelShape shape { 2, context };
        torch::manual_seed(1);
        nlohmann::json config = smallConfig();
        if (ensemble > 1)
            config["ensemble"] = ensemble;
        auto model = makeModel(f, shape, config);
        QCOMPARE(model->family(), f);
        QCOMPARE(model->shape().context, int64_t(context));

        // settings round trip and rejection of unknown keys
        auto again = makeModel(f, shape, model->config());
        QCOMPARE(again->config(), model->config());
        nlohmann::json bad = model->config();
        bad["no_such_setting"] = 1;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeModel(f, shape, bad));

        // a training step and a validation pass give finite losses
        const Batch batch = toyBatch(64, context);
        const auto report = model->trainStep(batch, 1.0);
        QVERIFY2(std::isfinite(report.loss), qPrintable(family));
        QVERIFY(std::isfinite(model->evaluate(batch).loss));

        // sampling: shape, finiteness, reproducibility
        const torch::Tensor c = context > 0 ? torch::full({ 1, context }, 0.5) : torch::Tensor();
        model->train(false);
        const auto a = model->sample(7, c, seeded(5)).samples;
        const auto b = model->sample(7, c, seeded(5)).samples;
        QCOMPARE(a.sizes().vec(), (std::vector<int64_t> { 7, 2 }));
        QVERIFY(torch::isfinite(a).all().item<bool>());
        QVERIFY2(torch::equal(a, b), "the same seed must give the same samples");
        if (context > 0)
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(3, torch::Tensor(), seeded(1)));
        else
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->sample(3, torch::ones({ 1, 1 }), seeded(1)));

        // densities only where tractable
        if (model->hasLogDensity())
            QVERIFY(torch::isfinite(model->logDensity(batch.x, batch.context)).all().item<bool>());
        else
            QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, model->logDensity(batch.x, batch.context));

        // clones are independent and do not disturb the global random stream (training continues exactly)
        model->train(true);
        torch::manual_seed(21);
        const auto expected = torch::rand({ 3 });
        torch::manual_seed(21);
        auto copy = model->clone();
        QVERIFY(torch::equal(torch::rand({ 3 }), expected));
        const auto before = model->parameters().front().clone();
        copy->trainStep(batch, 1.0);
        QVERIFY(torch::equal(model->parameters().front(), before));

        // a checkpoint restores the model exactly
        QTemporaryDir dir;
        TrainerConfig tc;
        tc.epochs = 1;
        Trainer trainer(*model, tc);
        trainer.saveCheckpoint(dir.path().toStdString());
        auto restored = makeModel(f, shape, model->config());
        Trainer other(*restored, tc);
        other.loadCheckpoint(dir.path().toStdString());
        model->train(false);
        restored->train(false);
        QVERIFY2(torch::equal(model->sample(5, c, seeded(9)).samples, restored->sample(5, c, seeded(9)).samples),
            "a restored checkpoint must sample like the original");
    }
};

QTEST_GUILESS_MAIN(TestModelConformance)
#include "test_model_conformance.moc"
