// Learning test of the GAN, WGAN-GP and VAE families (issue 4, "Done means"): trained with fixed seeds on a 2D
// toy (two moons; the Gaussian mixture for the VAE), their samples must pass the classifier two-sample test
// against fresh truth samples with AUC <= 0.65.
#include "LearningTestSupport.h"
#include "core/util/Runtime.h"

#include <QtTest>

using hepgen::test::LearningCase;

Q_DECLARE_METATYPE(LearningCase)

class TestLearningAdversarial : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { hepgen::initialiseRuntime(1); } // one LibTorch and one BLAS thread

    void learnsTheToys_data()
    {
        QTest::addColumn<LearningCase>("c");
        QTest::newRow("gan") << LearningCase { "gan", "moons", 3000 };
        QTest::newRow("wgan-gp") << LearningCase { "wgan-gp", "moons", 2000 };
        // WGAN-GP with gp_lambda 0.1 (the default): moons 0.53 here; 8 Gaussians needs longer (AUC 0.74 after 2000
        // steps; 0.79 with lambda 10), measured and left out of the CPU budget.
        // The VAE's decoder-mean samples blur thin structures: on moons it reaches AUC 0.65 only after 8000 steps;
        // the smoother Gaussian mixture is its toy here.
        QTest::newRow("vae") << LearningCase { "vae", "mixture", 8000 };
    }
    void learnsTheToys()
    {
        QFETCH(LearningCase, c);
        const auto r = hepgen::test::runLearningCase(c);
        QVERIFY2(r.test.auc <= 0.65, qPrintable(QString("AUC %1").arg(r.test.auc)));
    }
};

QTEST_GUILESS_MAIN(TestLearningAdversarial)
#include "test_learning_adversarial.moc"
