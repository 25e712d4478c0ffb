// Each classifier-based method of the hunt, on a small dijet toy with a strong signal (S/B = 0.3 in
// the SR), beats random by a clear margin (AUC >= 0.6 out of fold), with the MLP ensemble and the
// BDT; the supervised reference is at the top. Fixed seeds, small budgets (one thread).
#include "core/anomaly/Hunt.h"
#include "core/data/DijetGenerator.h"

#include <QtTest>

using namespace hepgen::anomaly;

class TestHuntMethods : public QObject {
    Q_OBJECT
    hepgen::data::Table m_table;

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(1);
        hepgen::data::DijetOptions o;
        o.background = 20000;
        o.sOverB = 0.3;
        o.seed = 21;
        m_table = hepgen::data::generateDijet(o);
    }

    void beatsRandom_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("classifier");
        QTest::addColumn<double>("minAuc");
        QTest::newRow("supervised bdt") << "supervised"
                                        << "bdt" << 0.85;
        QTest::newRow("supervised mlp") << "supervised"
                                        << "mlp" << 0.85;
        QTest::newRow("iad bdt") << "iad"
                                 << "bdt" << 0.6;
        QTest::newRow("iad mlp") << "iad"
                                 << "mlp" << 0.6;
        QTest::newRow("cwola bdt") << "cwola"
                                   << "bdt" << 0.6;
        QTest::newRow("cathode bdt") << "cathode"
                                     << "bdt" << 0.6;
    }
    void beatsRandom()
    {
        QFETCH(QString, method);
        QFETCH(QString, classifier);
        QFETCH(double, minAuc);
        HuntConfig c;
        c.method = method.toStdString();
        c.classifier = classifier.toStdString();
        c.folds = 3;
        c.seed = 4;
        c.classifiers.bdt.rounds = 100;
        c.classifiers.mlp.members = 1;
        c.classifiers.mlp.network = { { "epochs", 15 }, { "hidden", { 32, 32 } }, { "patience", 4 } };
        c.maxReferenceEvents = 8000;
        c.oversampling = 2;
        c.density.trainer["epochs"] = 8;
        const HuntResult r = runHunt(m_table, c);
        qInfo("%s/%s: AUC %.3f, max SIC %.2f, %.1f s", qPrintable(method), qPrintable(classifier), r.auc, r.maxSic,
            r.seconds);
        QVERIFY2(r.auc >= minAuc, qPrintable(QString::number(r.auc)));
        QVERIFY(r.maxSic > 1.0);
        QCOMPARE(QString::fromStdString(r.classifier), classifier);
    }
};

QTEST_GUILESS_MAIN(TestHuntMethods)
#include "test_hunt_methods.moc"
