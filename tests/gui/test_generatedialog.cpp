// The Generate dialog: each page maps its fields onto the generator options, and the settings
// come back the next time it opens. Set HEPGEN_SCREENSHOT_DIR to save a picture of each page.
#include "studio/GenerateDialog.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QtTest>

using hepgen::data::GeneratorKind;
using hepgen::studio::GenerateDialog;

class TestGenerateDialog : public QObject {
    Q_OBJECT
    template <class W>
    static W* field(GenerateDialog& d, const char* name)
    {
        W* w = d.findChild<W*>(name);
        if (!w)
            qFatal("no field %s", name);
        return w;
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void pagesMapToRequests()
    {
        GenerateDialog d;
        auto* tabs = d.findChild<QTabWidget*>();
        tabs->setCurrentIndex(0);
        field<QSpinBox>(d, "dijet/background")->setValue(12345);
        field<QComboBox>(d, "dijet/signalMode")->setCurrentIndex(1);
        field<QDoubleSpinBox>(d, "dijet/sOverB")->setValue(0.01);
        field<QSpinBox>(d, "dijet/noise")->setValue(3);
        auto r = d.request();
        QCOMPARE(r.kind, GeneratorKind::Dijet);
        QCOMPARE(r.dijet.background, std::size_t(12345));
        QCOMPARE(r.dijet.sOverB, 0.01);
        QCOMPARE(r.dijet.signal, std::size_t(0));
        QCOMPARE(r.dijet.noiseFeatures, std::size_t(3));
        QVERIFY(!field<QSpinBox>(d, "dijet/signal")->isEnabled()); // S/B mode disables the count

        tabs->setCurrentIndex(1);
        field<QDoubleSpinBox>(d, "showers/energyMin")->setValue(20);
        r = d.request();
        QCOMPARE(r.kind, GeneratorKind::Showers);
        QCOMPARE(r.showers.energyMin, 20.0);

        tabs->setCurrentIndex(2);
        field<QComboBox>(d, "toy/shape")->setCurrentText("rings");
        r = d.request();
        QCOMPARE(r.kind, GeneratorKind::Toy2D);
        QCOMPARE(r.toyShape, hepgen::data::Toy2DShape::Rings);

        if (qEnvironmentVariableIsSet("HEPGEN_SCREENSHOT_DIR")) {
            d.show();
            for (int i = 0; i < 3; ++i) {
                tabs->setCurrentIndex(i);
                QTest::qWait(50);
                d.grab().save(qEnvironmentVariable("HEPGEN_SCREENSHOT_DIR") + QString("/generate%1.png").arg(i));
            }
        }
        d.saveSettings();
    }

    void settingsAreRemembered()
    {
        GenerateDialog d; // the previous test saved its settings
        QCOMPARE(d.findChild<QTabWidget*>()->currentIndex(), 2);
        QCOMPARE(field<QSpinBox>(d, "dijet/background")->value(), 12345);
        QCOMPARE(field<QComboBox>(d, "toy/shape")->currentText(), QString("rings"));
        QCOMPARE(field<QDoubleSpinBox>(d, "showers/energyMin")->value(), 20.0);
    }
};

QTEST_MAIN(TestGenerateDialog)
#include "test_generatedialog.moc"
