// The hunt's classifiers: class-balancing weights by hand; the BDT (XGBoost) and the MLP ensemble
// reach the analytic Bayes AUC Phi(delta / sqrt 2) of two unit Gaussians on held-out events; both are
// reproducible with a seed (the BDT also across thread counts); every failure path is a ConfigError.
#include "core/anomaly/BdtClassifier.h"
#include "core/anomaly/Classifiers.h"
#include "core/metrics/Roc.h"
#include "core/util/Error.h"

#include "TestSupport.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::anomaly;

namespace {

/// n events of two Gaussians in 3D (unit width), class 1 shifted by delta along the first axis,
/// the other two axes pure noise; half of each class.
LabelledEvents gaussians(int64_t n, double delta, std::uint64_t seed)
{
    auto gen = at::detail::createCPUGenerator(seed);
    auto x = torch::randn({ n, 3 }, gen, torch::kFloat32);
    auto y = (torch::arange(n) % 2).to(torch::kFloat32);
    x.select(1, 0).add_(y * delta);
    return { x, y, {} };
}

double auc(const torch::Tensor& scores, const torch::Tensor& y)
{
    const auto s = scores.to(torch::kFloat64).contiguous();
    const auto l = y.to(torch::kInt).contiguous();
    return hepgen::metrics::rocAuc(std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()),
        std::vector<int>(l.data_ptr<int>(), l.data_ptr<int>() + l.numel()));
}

double bayesAuc(double delta) { return 0.5 * std::erfc(-delta / 2.0); } // Phi(delta / sqrt 2)

} // namespace

class TestAnomalyClassifiers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void balancing()
    {
        const auto y = torch::tensor({ 1.f, 1.f, 0.f, 0.f, 0.f, 0.f });
        const auto w = balancedWeights(y, {});
        // Total 6 split evenly: 3 over 2 signal events, 3 over 4 background events.
        QVERIFY(torch::allclose(w, torch::tensor({ 1.5f, 1.5f, 0.75f, 0.75f, 0.75f, 0.75f })));
        const auto w2 = balancedWeights(y, torch::tensor({ 2.f, 0.f, 1.f, 1.f, 1.f, 1.f }));
        // Total 6: class 1 holds weight 2 -> scale 1.5; class 0 holds 4 -> scale 0.75.
        QVERIFY(torch::allclose(w2, torch::tensor({ 3.f, 0.f, 0.75f, 0.75f, 0.75f, 0.75f })));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, balancedWeights(torch::zeros({ 4 }), {}));
    }

    void reachesBayesAuc_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("bdt") << "bdt";
        QTest::newRow("mlp") << "mlp";
    }
    void reachesBayesAuc()
    {
        QFETCH(QString, kind);
        ClassifierSettings s;
        s.mlp.members = 2;
        s.mlp.network = { { "epochs", 15 }, { "hidden", { 32, 32 } }, { "patience", 4 } };
        auto clf = makeClassifier(kind.toStdString(), s, 7);
        QCOMPARE(QString::fromStdString(clf->kind()), kind);
        clf->fit(gaussians(6000, 1.0, 1), {});
        const auto test = gaussians(20000, 1.0, 2);
        const double a = auc(clf->predict(test.x), test.y);
        // Bayes AUC 0.760; the test sample's own spread is ~0.004.
        qInfo("%s AUC %.4f (Bayes %.4f)", qPrintable(kind), a, bayesAuc(1.0));
        QVERIFY(a > bayesAuc(1.0) - 0.02 && a < bayesAuc(1.0) + 0.012);
        const auto p = clf->predict(test.x);
        QVERIFY(p.min().item<double>() >= 0 && p.max().item<double>() <= 1);
    }

    void reproducible_data() { reachesBayesAuc_data(); }
    void reproducible()
    {
        QFETCH(QString, kind);
        ClassifierSettings s;
        s.mlp.members = 1;
        s.mlp.network = { { "epochs", 3 }, { "hidden", { 16 } } };
        const auto train = gaussians(2000, 1.0, 3);
        const auto test = gaussians(500, 1.0, 4);
        auto a = makeClassifier(kind.toStdString(), s, 11), b = makeClassifier(kind.toStdString(), s, 11),
             c = makeClassifier(kind.toStdString(), s, 12);
        a->fit(train, {});
        b->fit(train, {});
        c->fit(train, {});
        QVERIFY(torch::equal(a->predict(test.x), b->predict(test.x)));
        QVERIFY(!torch::equal(a->predict(test.x), c->predict(test.x)));
    }

    void bdtThreadsDoNotChangeResults()
    {
        BdtConfig one, two;
        two.threads = 2;
        BdtClassifier a(one, 5), b(two, 5);
        const auto train = gaussians(3000, 1.0, 5);
        a.fit(train, {});
        b.fit(train, {});
        const auto test = gaussians(500, 1.0, 6);
        QVERIFY(torch::equal(a.predict(test.x), b.predict(test.x)));
        QVERIFY(a.bestIteration() >= 1);
    }

    void failures()
    {
        ClassifierSettings s;
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            makeClassifier("svm", s, 1);
        }).contains("Unknown classifier 'svm'"));
        BdtClassifier untrained(BdtConfig {}, 1);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, untrained.predict(torch::zeros({ 2, 3 })));
        auto oneClass = gaussians(100, 1.0, 1);
        oneClass.y.zero_();
        QVERIFY(
            hepgen::test::errorOf<hepgen::ConfigError>([&] { untrained.fit(oneClass, {}); }).contains("both classes"));
        nlohmann::json bad { { "max_depth", 0 } };
        hepgen::models::ConfigReader r(bad, "bdt config");
        BdtConfig c;
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] { c.read(r); }).contains("max_depth"));
        nlohmann::json unknown { { "depth", 3 } };
        hepgen::models::ConfigReader r2(unknown, "bdt config");
        BdtConfig fresh;
        fresh.read(r2);
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] { r2.rejectUnknownKeys(); }).contains("depth"));
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            untrained.fit(gaussians(2, 1.0, 1), {});
        }).contains("at least 4"));
        // XGBoost's own errors arrive translated, saying what failed.
        BdtClassifier trained(BdtConfig {}, 1);
        trained.fit(gaussians(200, 1.0, 1), {});
        QVERIFY(hepgen::test::errorOf<hepgen::ConfigError>([&] {
            trained.predict(torch::zeros({ 2, 5 }));
        }).contains("failed while predicting"));
        s.mlp.network = { { "no_such_key", 1 } };
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, makeClassifier("mlp", s, 1));
    }
};

QTEST_GUILESS_MAIN(TestAnomalyClassifiers)
#include "test_anomaly_classifiers.moc"
