// Learning test of the flow families (issue 4, "Done means"): trained with fixed seeds on the Gaussian-mixture
// toy, whose density is known, the samples must pass the classifier two-sample test against fresh truth (AUC
// <= 0.60) and the test NLL on fresh events must be within 0.1 nats of the true entropy; an undertrained flow
// must fail both.
#include "LearningTestSupport.h"
#include "core/util/Runtime.h"

#include <QtTest>

using hepgen::test::LearningCase;

Q_DECLARE_METATYPE(LearningCase)

class TestLearningFlows : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { hepgen::initialiseRuntime(1); } // one LibTorch and one BLAS thread

    void learnsTheMixture_data()
    {
        QTest::addColumn<LearningCase>("c");
        for (const char* family : { "flow-affine", "flow-rqs", "maf-affine", "maf-rqs" })
            QTest::newRow(family) << LearningCase { family, "mixture", 1500 };
    }
    void learnsTheMixture()
    {
        QFETCH(LearningCase, c);
        const auto r = hepgen::test::runLearningCase(c);
        QVERIFY2(r.test.auc <= 0.60, qPrintable(QString("AUC %1").arg(r.test.auc)));
        // NLL - entropy estimates KL(p_true || p_model) >= 0 on the same fresh events (up to their noise).
        const double excess = r.testNll - r.trueEntropy;
        QVERIFY2(excess < 0.1 && excess > -0.02,
            qPrintable(QString("test NLL %1 vs entropy %2").arg(r.testNll).arg(r.trueEntropy)));
    }

    void anUndertrainedFlowFails()
    {
        // The negative control: after 40 steps the same flow is visibly wrong, and both checks must say so.
        const auto r = hepgen::test::runLearningCase({ "flow-affine", "mixture", 40 });
        QVERIFY2(r.test.auc > 0.60, qPrintable(QString("AUC %1").arg(r.test.auc)));
        QVERIFY(r.testNll - r.trueEntropy > 0.1);
    }
};

QTEST_GUILESS_MAIN(TestLearningFlows)
#include "test_learning_flows.moc"
