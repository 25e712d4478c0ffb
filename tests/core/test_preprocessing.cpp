// Preprocessing steps invert exactly and report the log-Jacobian autograd finds, so flow densities
// can be given in the original units.
#include "core/data/Preprocessing.h"
#include "core/util/Error.h"

#include <QtTest>

using hepgen::data::Preprocessing;

class TestPreprocessing : public QObject {
    Q_OBJECT

    static torch::Tensor data()
    {
        torch::manual_seed(3);
        auto x = torch::randn({ 500, 3 }, torch::kFloat64) * torch::tensor({ 2.0, 0.1, 30.0 }, torch::kFloat64)
            + torch::tensor({ 5.0, -1.0, 100.0 }, torch::kFloat64);
        return x;
    }

private Q_SLOTS:
    void chains_data()
    {
        QTest::addColumn<QStringList>("kinds");
        QTest::newRow("standardize") << QStringList { "standardize" };
        QTest::newRow("minmax") << QStringList { "minmax" };
        QTest::newRow("logit") << QStringList { "logit" };
        QTest::newRow("logit+standardize (CATHODE)") << QStringList { "logit", "standardize" };
        QTest::newRow("minmax+logit+standardize") << QStringList { "minmax", "logit", "standardize" };
    }
    void chains()
    {
        QFETCH(QStringList, kinds);
        std::vector<std::string> k;
        for (const auto& s : kinds)
            k.push_back(s.toStdString());
        Preprocessing p(k);
        const auto x = data();
        p.fit(x);
        const auto y = p.forward(x);
        QVERIFY(torch::isfinite(y).all().item<bool>());
        // exact inverse (float64)
        QVERIFY((p.inverse(y) - x).abs().max().item<double>() < 1e-9);
        // log|det J| equals the autograd diagonal Jacobian (the steps are elementwise)
        const auto xs = x.slice(0, 0, 20).clone().requires_grad_(true);
        const auto ys = p.forward(xs);
        const auto grad = torch::autograd::grad({ ys.sum() }, { xs })[0];
        QVERIFY((p.logAbsDetJacobian(xs.detach()) - grad.abs().log().sum(1)).abs().max().item<double>() < 1e-9);
        // a JSON round trip gives the same map
        const Preprocessing back = Preprocessing::fromJson(p.toJson());
        QVERIFY((back.forward(x) - y).abs().max().item<double>() < 1e-12);
        if (kinds.last() == "standardize") {
            QVERIFY(y.mean(0).abs().max().item<double>() < 1e-9);
            QVERIFY((y.std(0) - 1).abs().max().item<double>() < 1e-9);
        }
    }

    void logitKeepsTheFittedRangeInsideTheMargin()
    {
        Preprocessing p({ "logit" }, 0.05);
        const auto x = data();
        p.fit(x);
        const auto y = p.forward(x);
        const double edge = std::log(0.05 / 0.95);
        QVERIFY(std::abs(std::get<0>(y.min(0)).min().item<double>() - edge) < 1e-9);
        QVERIFY(std::abs(std::get<0>(y.max(0)).max().item<double>() + edge) < 1e-9);
    }

    void constantFeaturesDoNotDivideByZero()
    {
        auto x = data();
        x.select(1, 1).fill_(7.0);
        for (const auto& kinds : { std::vector<std::string> { "standardize" }, { "minmax" }, { "logit" } }) {
            Preprocessing p(kinds);
            p.fit(x);
            QVERIFY(torch::isfinite(p.forward(x)).all().item<bool>());
            QVERIFY((p.inverse(p.forward(x)) - x).abs().max().item<double>() < 1e-9);
        }
    }

    void misuseIsAConfigError()
    {
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, Preprocessing({ "whiten" }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, Preprocessing({ "logit" }, 0.7));
        Preprocessing p;
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, p.forward(data()));
    }
};

QTEST_GUILESS_MAIN(TestPreprocessing)
#include "test_preprocessing.moc"
