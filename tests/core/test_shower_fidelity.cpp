// Fidelity of the CaloClouds-style shower generator against the built-in simulator (issue #5), with fixed seeds and
// a budget of about four minutes on one core: the generator with its DEFAULT settings trained on 10 000 simulated
// 10-100 GeV photon showers (as the documented default run; 4000 scored AUC 0.786, too near the bound), sampled at
// the incident energies of a FRESH simulator sample of 1000, and compared with it by evaluateShowers() (the
// CaloChallenge metrics: separation power per observable, the high-level-feature classifier AUC) against issue #5's
// targets. docs/showers.md measures the default run on 1000 vs 5000 showers. The negative controls check that the
// same evaluation catches broken generators: showers that claim another incident energy than they were generated at
// fail the bounds.
#include "core/showers/Observables.h"
#include "core/showers/ShowerGenerator.h"
#include "core/showers/ShowerSimulator.h"
#include "core/util/Runtime.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

using namespace hepgen::showers;
using hepgen::data::Showers;
using json = nlohmann::json;

namespace {

constexpr std::size_t kTrainShowers = 10000, kReferenceShowers = 1000;
// Issue #5's targets: separation powers of E_vis/E_inc and of the number of hits <= 0.05, classifier AUC <= 0.75
// (with 40 bins and 1000 showers a sample's separation power from its own parent is of order 0.01 already).
constexpr double kMaxSeparationEvis = 0.05, kMaxSeparationHits = 0.05, kMaxSeparationProfile = 0.02, kIssueAuc = 0.75;

Showers simulated(std::size_t n, uint64_t seed)
{
    ShowerSimOptions o;
    o.showers = n;
    o.seed = seed;
    o.energyMin = 10.0;
    o.energyMax = 100.0;
    return simulateShowers(o);
}

/// The default settings, a fixed seed.
json defaults() { return { { "seed", 5 } }; }

std::vector<double> energiesOf(const Showers& s) { return { s.incidentEnergy.begin(), s.incidentEnergy.end() }; }

double separation(const ShowerEvaluation& e, const std::string& name)
{
    const auto* o = e.find(name);
    return o ? o->separationPower : std::nan("");
}

/// The headline numbers and the observables that separate most (what to look at when the AUC is high).
QString summary(const ShowerEvaluation& e)
{
    auto worst = e.observables;
    std::sort(
        worst.begin(), worst.end(), [](const auto& a, const auto& b) { return a.separationPower > b.separationPower; });
    QString s = QString("AUC %1 (null sigma %2), SP(E_vis/E_inc) %3, SP(hits) %4, SP(hit energy) %5; largest SP:")
                    .arg(e.classifierAuc, 0, 'f', 3)
                    .arg(e.classifierAucNullSigma, 0, 'f', 3)
                    .arg(separation(e, "E_vis/E_inc"), 0, 'f', 4)
                    .arg(separation(e, "number of hits"), 0, 'f', 4)
                    .arg(separation(e, "hit energy"), 0, 'f', 4);
    for (std::size_t k = 0; k < std::min<std::size_t>(8, worst.size()); ++k)
        s += QString(" %1 %2;").arg(QString::fromStdString(worst[k].name)).arg(worst[k].separationPower, 0, 'f', 3);
    return s;
}

} // namespace

class TestShowerFidelity : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Showers m_reference;
    std::unique_ptr<ShowerGenerator> m_generator;
    Showers m_generated; ///< at the reference showers' incident energies

    ShowerEvaluation evaluate(const Showers& generated) const
    {
        EvaluationOptions o;
        o.seed = 3;
        return evaluateShowers(m_reference, generated, o);
    }

    Showers generate(const std::vector<double>& energies, const std::string& sampler = {}) const
    {
        ShowerSampleRequest r;
        r.incidentEnergy = energies;
        r.sampler = sampler;
        r.seed = 17;
        return m_generator->sample(r).showers;
    }

private Q_SLOTS:
    void initTestCase()
    {
        hepgen::initialiseRuntime(1);
        QElapsedTimer clock;
        clock.start();
        const Showers training = simulated(kTrainShowers, 101);
        m_reference = simulated(kReferenceShowers, 202); // fresh: another seed than the training showers
        qInfo("simulated in %.1f s", 1e-3 * static_cast<double>(clock.restart()));
        m_generator = ShowerGenerator::train(
            training, ShowerGeneratorConfig::read(defaults()), m_dir.filePath("run").toStdString());
        qInfo("trained in %.1f s", 1e-3 * static_cast<double>(clock.restart()));
        m_generated = generate(energiesOf(m_reference));
        qInfo("generated in %.1f s", 1e-3 * static_cast<double>(clock.restart()));
    }

    void generatorMatchesTheSimulator()
    {
        QElapsedTimer clock;
        clock.start();
        const auto e = evaluate(m_generated);
        qInfo("evaluated in %.1f s", 1e-3 * static_cast<double>(clock.restart()));
        qInfo("%s", qPrintable(summary(e)));
        QCOMPARE(e.nGenerated, kReferenceShowers);
        QVERIFY2(separation(e, "E_vis/E_inc") <= kMaxSeparationEvis, qPrintable(summary(e)));
        QVERIFY2(separation(e, "number of hits") <= kMaxSeparationHits, qPrintable(summary(e)));
        QVERIFY2(separation(e, "longitudinal profile") <= kMaxSeparationProfile, qPrintable(summary(e)));
        QVERIFY2(e.classifierAuc <= kIssueAuc, qPrintable(summary(e)));
    }

    void wrongEnergyFails()
    {
        // Broken generators: (a) the generated showers with their incident energies shuffled among them, i.e. every
        // shower generated at another energy than it claims (the energy spectrum itself stays right); (b) every
        // shower claiming 20 % more than it was generated at (a miscalibration).
        Showers shuffled = m_generated;
        std::mt19937_64 rng(7);
        std::shuffle(shuffled.incidentEnergy.begin(), shuffled.incidentEnergy.end(), rng);
        const auto e = evaluate(shuffled);
        qInfo("shuffled energies: %s", qPrintable(summary(e)));
        QVERIFY2(separation(e, "E_vis/E_inc") > kMaxSeparationEvis, qPrintable(summary(e)));
        // The classifier sees it too, but weakly at 1000 vs 1000 showers (AUC 0.70 measured): the reference's
        // E_vis/E_inc is a spike 2 % wide inside the shuffled spread, a narrow feature for 500 training events of
        // each. Against 5000 reference showers it scores 0.89 (docs/showers.md).
        QVERIFY2(e.classifierAuc > 0.5 + 5 * e.classifierAucNullSigma, qPrintable(summary(e)));
        Showers scaled = m_generated;
        for (float& energy : scaled.incidentEnergy)
            energy *= 1.2f;
        const auto s = evaluate(scaled);
        qInfo("energies 20 %% high: %s", qPrintable(summary(s)));
        QVERIFY2(separation(s, "E_vis/E_inc") > kMaxSeparationEvis, qPrintable(summary(s)));
        QVERIFY2(s.classifierAuc > kIssueAuc, qPrintable(summary(s)));
    }
};

QTEST_GUILESS_MAIN(TestShowerFidelity)
#include "test_shower_fidelity.moc"
