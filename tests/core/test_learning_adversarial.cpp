// Learning test of the GAN, WGAN-GP and VAE families (issue 4, "Done means"): trained with fixed seeds on the
// two-moons toy, their samples must pass the classifier two-sample test against fresh truth samples with
// AUC <= 0.65.
#include "LearningTestSupport.h"
#include "core/util/Runtime.h"

#include <QtTest>

using hepgen::test::LearningCase;

Q_DECLARE_METATYPE(LearningCase)

class TestLearningAdversarial : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { hepgen::initialiseRuntime(1); } // one LibTorch and one BLAS thread

    void learnsTwoMoons_data()
    {
        QTest::addColumn<LearningCase>("c");
        QTest::newRow("gan") << LearningCase { "gan", "moons", 3000 };
        QTest::newRow("wgan-gp") << LearningCase { "wgan-gp", "moons", 2000 };
        QTest::newRow("vae") << LearningCase { "vae", "moons", 3000 };
    }
    void learnsTwoMoons()
    {
        QFETCH(LearningCase, c);
        const auto r = hepgen::test::runLearningCase(c);
        QVERIFY2(r.test.auc <= 0.65, qPrintable(QString("AUC %1").arg(r.test.auc)));
    }
};

QTEST_GUILESS_MAIN(TestLearningAdversarial)
#include "test_learning_adversarial.moc"
