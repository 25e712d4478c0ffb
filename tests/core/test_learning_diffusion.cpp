// Learning test of the diffusion and flow-matching families (issue 4, "Done means"): trained with fixed seeds
// on the 8-Gaussians toy, their samples must pass the classifier two-sample test against fresh truth samples
// with AUC <= 0.60.
#include "LearningTestSupport.h"
#include "core/util/Runtime.h"

#include <QtTest>

using hepgen::test::LearningCase;

Q_DECLARE_METATYPE(LearningCase)

class TestLearningDiffusion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { hepgen::initialiseRuntime(1); } // one LibTorch and one BLAS thread

    void learnsEightGaussians_data()
    {
        QTest::addColumn<LearningCase>("c");
        // ddpm: the cosine schedule (with the default alphaBar floor, without which DDIM explodes on it) and 50 DDIM
        // steps (linear schedule: AUC 0.71 after 4000 steps; the 1000-step ancestral sampler costs 20x more).
        QTest::newRow("ddpm") << LearningCase { "ddpm", "8gaussians", 6000, { { "schedule", "cosine" } }, "ddim", 50 };
        QTest::newRow("edm") << LearningCase { "edm", "8gaussians", 4000 };
        QTest::newRow("cfm") << LearningCase { "cfm", "8gaussians", 2000 };
        QTest::newRow("cfm-ot") << LearningCase { "cfm-ot", "8gaussians", 2000 };
    }
    void learnsEightGaussians()
    {
        QFETCH(LearningCase, c);
        const auto r = hepgen::test::runLearningCase(c);
        QVERIFY2(r.test.auc <= 0.60, qPrintable(QString("AUC %1").arg(r.test.auc)));
    }
};

QTEST_GUILESS_MAIN(TestLearningDiffusion)
#include "test_learning_diffusion.moc"
