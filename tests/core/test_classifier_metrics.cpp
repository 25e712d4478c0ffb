// The classifier-based metrics: the MLP BinaryClassifier (learns XOR-like data, weights and class
// balancing, early stopping, seeds reproduce, cancellation, config errors) and the classifier two-sample
// test (AUC ~ 0.5 for one distribution within its null spread; close to the Bayes AUC Phi(delta / 2) and
// the analytic JSD for two shifted Gaussians).
#include "core/metrics/BinaryClassifier.h"
#include "core/metrics/Roc.h"
#include "core/metrics/TwoSampleTest.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>

using namespace hepgen::metrics;

namespace {
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// Uniform points on [-1, 1]^2 labelled 1 where x y > 0 (XOR of the signs).
std::pair<torch::Tensor, torch::Tensor> xorData(int64_t n, uint64_t seed)
{
    auto g = at::detail::createCPUGenerator(seed);
    const auto x = torch::rand({ n, 2 }, g) * 2 - 1;
    return { x, (x.select(1, 0) * x.select(1, 1) > 0).to(torch::kFloat32) };
}

std::vector<double> values(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat64).contiguous();
    return { c.data_ptr<double>(), c.data_ptr<double>() + c.numel() };
}

std::vector<int> intLabels(const torch::Tensor& y)
{
    std::vector<int> out;
    for (double v : values(y))
        out.push_back(static_cast<int>(v));
    return out;
}

/// JSD (bits) of N(0, 1) and N(delta, 1) by quadrature.
double gaussianJsdBits(double delta)
{
    double sum = 0;
    const double h = 1e-3;
    for (double x = -12; x < 12 + delta; x += h) {
        const double p = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
        const double q = std::exp(-0.5 * (x - delta) * (x - delta)) / std::sqrt(2 * M_PI);
        const double m = 0.5 * (p + q);
        sum += h * 0.5 * ((p > 0 ? p * std::log2(p / m) : 0) + (q > 0 ? q * std::log2(q / m) : 0));
    }
    return sum;
}
} // namespace

class TestClassifierMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void classifierLearnsXor()
    {
        const auto [x, y] = xorData(4000, 1);
        const auto [xt, yt] = xorData(4000, 2);
        BinaryClassifier c;
        const auto report = c.fit(x, y);
        QVERIFY(!report.trainLoss.empty());
        QCOMPARE(report.validationLoss.size(), report.trainLoss.size());
        const auto p = c.predict(xt);
        QCOMPARE(p.dtype(), torch::kFloat64);
        const double accuracy = ((p > 0.5).to(torch::kFloat32) == yt).to(torch::kFloat64).mean().item<double>();
        const double auc = rocAuc(values(p), intLabels(yt));
        qInfo("XOR: held-out accuracy %.4f, AUC %.4f after %zu epochs (best %lld)", accuracy, auc,
            report.trainLoss.size(), static_cast<long long>(report.bestEpoch));
        // No linear classifier does better than 0.5 here; the boundary is the two axes.
        QVERIFY(accuracy > 0.95);
        QVERIFY(auc > 0.98);
        QVERIFY(report.validationLoss[report.bestEpoch]
            == *std::min_element(report.validationLoss.begin(), report.validationLoss.end()));
    }

    void seedsReproduce()
    {
        const auto [x, y] = xorData(1000, 3);
        ClassifierConfig config;
        config.epochs = 5;
        config.seed = 42;
        BinaryClassifier a(config), b(config);
        torch::manual_seed(1);
        a.fit(x, y);
        torch::manual_seed(2); // the global stream must not matter
        b.fit(x, y);
        QVERIFY(torch::equal(a.predict(x), b.predict(x)));
        config.seed = 43;
        BinaryClassifier c(config);
        c.fit(x, y);
        QVERIFY(!torch::equal(a.predict(x), c.predict(x)));
    }

    void classBalancingAndWeights()
    {
        // Both classes from one distribution, 3000 labelled 0 and 1000 labelled 1: the best output is the
        // prior 1/4 without balancing and 1/2 with it; weights of 3 on class 1 balance it the same way.
        auto g = at::detail::createCPUGenerator(9);
        const auto x = torch::randn({ 4000, 2 }, g);
        const auto y = torch::cat({ torch::zeros({ 3000 }), torch::ones({ 1000 }) });
        ClassifierConfig config;
        config.epochs = 20;
        config.hidden = { 16 };
        config.learningRate = 1e-2; // the optimum is a constant: reach it quickly
        config.balanceClasses = false;
        BinaryClassifier plain(config);
        plain.fit(x, y);
        const double plainMean = plain.predict(x).mean().item<double>();
        BinaryClassifier weighted(config);
        weighted.fit(x, y, torch::cat({ torch::ones({ 3000 }), 3 * torch::ones({ 1000 }) }));
        const double weightedMean = weighted.predict(x).mean().item<double>();
        config.balanceClasses = true;
        BinaryClassifier balanced(config);
        balanced.fit(x, y);
        const double balancedMean = balanced.predict(x).mean().item<double>();
        qInfo("mean output: plain %.3f, weighted %.3f, balanced %.3f", plainMean, weightedMean, balancedMean);
        QVERIFY(std::abs(plainMean - 0.25) < 0.03);
        QVERIFY(std::abs(weightedMean - 0.5) < 0.04);
        QVERIFY(std::abs(balancedMean - 0.5) < 0.04);
    }

    void earlyStoppingKeepsTheBestEpoch()
    {
        // Pure noise labels: the validation loss stops improving at once, so patience 3 ends training early.
        auto g = at::detail::createCPUGenerator(4);
        const auto x = torch::randn({ 600, 3 }, g);
        const auto y = (torch::rand({ 600 }, g) > 0.5).to(torch::kFloat32);
        ClassifierConfig config;
        config.epochs = 200;
        config.patience = 3;
        config.hidden = { 128, 128 };
        config.learningRate = 3e-3;
        BinaryClassifier c(config);
        const auto report = c.fit(x, y);
        QVERIFY(report.earlyStopped);
        QCOMPARE(static_cast<int64_t>(report.trainLoss.size()), report.bestEpoch + 1 + config.patience);
    }

    void cancellationAndErrors()
    {
        const auto [x, y] = xorData(500, 5);
        BinaryClassifier c;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, c.predict(x));
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled, c.fit(x, y, {}, hepgen::JobControl({}, [] { return true; })));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, c.fit(x, y.slice(0, 0, 10)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, c.fit(x, y * 2));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, c.fit(x, torch::zeros({ 500 })));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, c.fit(x, y, -torch::ones({ 500 })));
        ClassifierConfig quick;
        quick.epochs = 1;
        BinaryClassifier q(quick);
        q.fit(x, y);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, q.predict(torch::zeros({ 4, 3 })));
    }

    void configFromJson()
    {
        const auto c = ClassifierConfig::fromJson({ { "hidden", { 8, 4 } }, { "lr", 0.01 }, { "seed", 7 } });
        QCOMPARE(c.hidden, (std::vector<int64_t> { 8, 4 }));
        QCOMPARE(c.learningRate, 0.01);
        QCOMPARE(c.seed, uint64_t(7));
        QCOMPARE(ClassifierConfig::fromJson(c.toJson()).toJson(), c.toJson());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ClassifierConfig::fromJson({ { "epoch", 3 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ClassifierConfig::fromJson({ { "hidden", { 0 } } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ClassifierConfig::fromJson({ { "validation_fraction", 1.0 } }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, ClassifierConfig::fromJson({ { "activation", "gelu" } }));
        const auto t = TwoSampleTestConfig::fromJson({ { "classifier", { { "epochs", 3 } } } });
        QCOMPARE(t.classifier.epochs, int64_t(3));
        QCOMPARE(t.classifier.patience, TwoSampleTestConfig::defaultClassifier().patience);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, TwoSampleTestConfig::fromJson({ { "test_fraction", 0 } }));
        QVERIFY_THROWS_EXCEPTION(
            hepgen::ConfigError, TwoSampleTestConfig::fromJson({ { "classifier", { { "x", 1 } } } }));
    }

    void twoSampleSameDistribution()
    {
        // 4000 events each, 2000 each held out: under the null the AUC's spread is 0.0091; allow 4 sigma.
        auto g = at::detail::createCPUGenerator(21);
        const auto a = torch::randn({ 4000, 2 }, g), b = torch::randn({ 4000, 2 }, g);
        const auto r = classifierTwoSampleTest(a, b);
        qInfo("same distribution: AUC %.4f +- %.4f, JSD %.4f bits", r.auc, r.aucNullSigma, r.jsdBits);
        QVERIFY(std::abs(r.aucNullSigma - std::sqrt(4001.0 / (12.0 * 2000 * 2000))) < 1e-12);
        QCOMPARE(r.heldOutEvents, int64_t(4000));
        QCOMPARE(r.trainEvents, int64_t(4000));
        QVERIFY(std::abs(r.auc - 0.5) < 4 * r.aucNullSigma);
        QVERIFY(r.jsdBits < 0.01);
        // The same seeds give the same answer.
        QCOMPARE(classifierTwoSampleTest(a, b).auc, r.auc);
    }

    void twoSampleShiftedGaussians()
    {
        // N(0, I) vs N((1, 0), I) in 2D: the Bayes classifier is a cut on x, AUC = Phi(1 / sqrt 2) = 0.760;
        // the JSD is that of the 1D pair. A held-out classifier does no better than Bayes (up to noise).
        auto g = at::detail::createCPUGenerator(22);
        const auto a = torch::randn({ 4000, 2 }, g);
        auto b = torch::randn({ 4000, 2 }, g);
        b.select(1, 0).add_(1.0);
        const auto r = classifierTwoSampleTest(a, b);
        const double bayes = phi(1.0 / std::sqrt(2.0)), jsd = gaussianJsdBits(1.0);
        qInfo("shifted Gaussians: AUC %.4f (Bayes %.4f), JSD %.4f bits (exact %.4f)", r.auc, bayes, r.jsdBits, jsd);
        QVERIFY(std::abs(r.auc - bayes) < 0.025);
        QVERIFY(r.jsdBits < jsd + 0.02);
        QVERIFY(r.jsdBits > jsd - 0.04);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, classifierTwoSampleTest(a, torch::zeros({ 10, 3 })));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, classifierTwoSampleTest(a, b.slice(0, 0, 3)));
    }
};

QTEST_GUILESS_MAIN(TestClassifierMetrics)
#include "test_classifier_metrics.moc"
