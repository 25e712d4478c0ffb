// The model lab's core: every configuration key has help; frames put the model's diagnostics on the right
// grid points in the original units (an identity-initialised flow gives the exact Gaussian density of the
// preprocessing, which integrates to one; flow-matching arrows are the model's velocity mapped back);
// a lab session advances exactly to the requested step and saves a run that opens again.
#include "core/models/ConfigHelp.h"
#include "core/models/FlowMatchingModel.h"
#include "core/models/ModelFactory.h"
#include "core/training/Lab.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace hepgen::training;

namespace {

/// Gaussian events with column means (3, -1) and standard deviations (2, 0.5).
hepgen::data::Table shiftedGaussian(int64_t n)
{
    torch::manual_seed(11);
    const auto x = torch::randn({ n, 2 }) * torch::tensor({ 2.0f, 0.5f }) + torch::tensor({ 3.0f, -1.0f });
    hepgen::data::Table t;
    t.columns = { "a", "b" };
    t.values.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    return t;
}

RunRequest request(const std::string& family, const QTemporaryDir& dir, nlohmann::json model = nlohmann::json::object())
{
    RunRequest r;
    r.family = family;
    r.config = { { "model", model }, { "trainer", { { "epochs", 2 }, { "batch_size", 64 } } } };
    r.outputDir = dir.filePath(QString::fromStdString(family)).toStdString();
    return r;
}

} // namespace

class TestLab : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void everySettingHasHelp()
    {
        for (const auto& family : hepgen::models::modelFamilies()) {
            const auto config = hepgen::models::makeModel(family, { 2, 0 })->config();
            for (const auto& [key, value] : config.items()) {
                const auto help = hepgen::models::configFieldHelp(family, key);
                QVERIFY2(!help.text.empty(), qPrintable(QString::fromStdString(family + ": " + key)));
                if (value.is_string() && !help.choices.empty())
                    QVERIFY2(std::find(help.choices.begin(), help.choices.end(), value.get<std::string>())
                            != help.choices.end(),
                        qPrintable(QString::fromStdString(family + ": " + key)));
            }
        }
        const auto trainer = TrainerConfig().toJson();
        for (const auto& [key, value] : trainer.items())
            QVERIFY2(!hepgen::models::configFieldHelp("trainer", key).text.empty(), key.c_str());
        // The same key means different things in different scopes.
        QVERIFY(hepgen::models::configFieldHelp("ddpm", "schedule").text
            != hepgen::models::configFieldHelp("trainer", "schedule").text);
        QVERIFY(hepgen::models::configFieldHelp("gan", "no_such_key").text.empty());
    }

    void densityFieldIsExactAndOnTheRightGridPoints()
    {
        // A fresh flow is the identity: in model units N(0, I); in the original units the Gaussian of the
        // standardisation (means and standard deviations of the data), whatever the data look like.
        const auto table = shiftedGaussian(4000);
        PreparedRun prepared = prepareRun(request("flow-affine", m_dir), table);
        const auto mean = torch::tensor({ 3.0, -1.0 }, torch::kFloat64);
        auto& run = prepared.run;
        LabFrameRequest req;
        req.samples = 500;
        req.grid = { -9, 15, -4, 2, 121, 61 };
        const LabFrame frame = computeLabFrame(*run.model, run, req);
        QCOMPARE(frame.dims, int64_t(2));
        QCOMPARE(frame.events(), int64_t(500));
        QCOMPARE(frame.fields.size(), std::size_t(1));
        const LabField& f = frame.fields[0];
        QCOMPARE(f.name, std::string("log_density"));
        QCOMPARE(f.values.size(), std::size_t(121 * 61));
        // Exact values at asymmetric points, index j*nx + i.
        const auto sd = run.features.inverse(torch::ones({ 1, 2 }, torch::kFloat64))
            - run.features.inverse(torch::zeros({ 1, 2 }, torch::kFloat64));
        const auto mu = run.features.inverse(torch::zeros({ 1, 2 }, torch::kFloat64));
        for (const auto& [i, j] : { std::pair { 10, 50 }, std::pair { 90, 7 }, std::pair { 60, 30 } }) {
            const double x = f.grid.x(i), y = f.grid.y(j);
            const double za = (x - mu[0][0].item<double>()) / sd[0][0].item<double>();
            const double zb = (y - mu[0][1].item<double>()) / sd[0][1].item<double>();
            const double expected = -0.5 * (za * za + zb * zb) - std::log(2 * M_PI)
                - std::log(sd[0][0].item<double>() * sd[0][1].item<double>());
            QVERIFY2(std::abs(f.values[static_cast<std::size_t>(j * f.grid.nx + i)] - expected) < 1e-4,
                qPrintable(QString("%1 %2").arg(i).arg(j)));
        }
        QVERIFY(torch::allclose(mu.squeeze(0), mean, 0, 0.1)); // the data's means
        // The density in the original units integrates to one over the grid (±6 sigma).
        const double cell = (f.grid.x(1) - f.grid.x(0)) * (f.grid.y(1) - f.grid.y(0));
        double integral = 0;
        for (double v : f.values)
            integral += std::exp(v) * cell;
        QVERIFY2(std::abs(integral - 1) < 0.01, qPrintable(QString::number(integral)));
        // Samples come back in the original units, and the trajectory (noise -> x) ends at the samples.
        const auto s = torch::from_blob(const_cast<float*>(frame.samples.data()), { 500, 2 }, torch::kFloat32);
        QVERIFY(std::abs(s.select(1, 0).mean().item<double>() - 3.0) < 0.3);
        QVERIFY(std::abs(s.select(1, 1).std().item<double>() - 0.5) < 0.06);
        QVERIFY(!frame.xt.empty());
        QCOMPARE(frame.xt.back(), frame.samples);
    }

    void vectorFieldIsTheVelocityInOriginalUnits()
    {
        const auto table = shiftedGaussian(2000);
        PreparedRun prepared = prepareRun(request("cfm", m_dir, { { "hidden", { 16, 16 } } }), table);
        auto& run = prepared.run;
        LabFrameRequest req;
        req.samples = 50;
        req.vectorGrid = 5;
        req.fieldTime = 0.3;
        req.grid = { -1, 7, -2, 0, 80, 80 };
        const LabFrame frame = computeLabFrame(*run.model, run, req);
        const LabField* flow = nullptr;
        for (const auto& f : frame.fields)
            if (f.name == "flow")
                flow = &f;
        QVERIFY(flow);
        QCOMPARE(flow->kind, LabField::Kind::Vector);
        QCOMPARE(flow->values.size(), std::size_t(5 * 5 * 2));
        auto& cfm = dynamic_cast<hepgen::models::FlowMatchingModel&>(*run.model);
        const int i = 3, j = 1;
        const auto x = torch::tensor({ { flow->grid.x(i), flow->grid.y(j) } }, torch::kFloat64);
        const auto y = run.features.forward(x).to(torch::kFloat32);
        torch::NoGradGuard noGrad;
        const auto v = -cfm.velocity(y, torch::full({ 1 }, 0.3f), {}).to(torch::kFloat64);
        const auto scale = run.features.inverse(torch::ones({ 1, 2 }, torch::kFloat64))
            - run.features.inverse(torch::zeros({ 1, 2 }, torch::kFloat64));
        const auto expected = (v * scale).squeeze(0);
        const std::size_t k = 2 * static_cast<std::size_t>(j * flow->grid.nx + i);
        QVERIFY(
            std::abs(flow->values[k] - expected[0].item<double>()) < 1e-3 * (1 + std::abs(expected[0].item<double>())));
        QVERIFY(std::abs(flow->values[k + 1] - expected[1].item<double>())
            < 1e-3 * (1 + std::abs(expected[1].item<double>())));
    }

    void otherFamiliesOfferTheirDiagnostics()
    {
        const auto table = shiftedGaussian(1000);
        for (const auto& [family, name] : { std::pair { "gan", "critic" }, std::pair { "vae", "reconstruction" } }) {
            PreparedRun prepared = prepareRun(request(family, m_dir), table);
            LabFrameRequest req;
            req.samples = 100;
            req.grid = { -1, 7, -2, 0, 10, 10 };
            req.dataEvents = { 3.0f, -1.0f, 4.0f, -0.5f };
            const LabFrame frame = computeLabFrame(*prepared.run.model, prepared.run, req);
            QCOMPARE(frame.fields.size(), std::size_t(1));
            QCOMPARE(frame.fields[0].name, std::string(name));
            if (std::string(family) == "gan") {
                for (double v : frame.fields[0].values)
                    QVERIFY(v > 0 && v < 1); // a probability
            } else {
                QCOMPARE(frame.fields[0].values.size(), std::size_t(8)); // (input, reconstruction) per event
                QCOMPARE(frame.fields[0].values[0], 3.0);
            }
        }
    }

    void sessionAdvancesToTheStepAndSavesARun()
    {
        const auto table = shiftedGaussian(2000);
        LabSession session(request("flow-rqs", m_dir, { { "hidden", { 16 } }, { "layers", 2 } }), table);
        QVERIFY(session.canTrain());
        QCOMPARE(session.totalSteps(), int64_t(2 * ((1800 + 63) / 64)));
        QCOMPARE(session.advance(5), StopReason::StepLimit);
        QCOMPARE(session.step(), int64_t(5));
        QVERIFY(!session.finished());
        auto snapshot = session.snapshot();
        const auto before = snapshot->parameters().front().clone();
        QCOMPARE(session.advance(7), StopReason::StepLimit);
        QVERIFY(torch::equal(snapshot->parameters().front(), before)); // a snapshot is a copy
        QCOMPARE(session.advance(0), StopReason::Finished);
        QVERIFY(session.finished());
        const QString saved = m_dir.filePath("saved");
        session.save(saved.toStdString());
        LabSession opened(saved.toStdString());
        QVERIFY(!opened.canTrain());
        QCOMPARE(opened.step(), session.step());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, opened.advance(0));
        QVERIFY_THROWS_EXCEPTION(hepgen::Error, LabSession(m_dir.filePath("missing").toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestLab)
#include "test_lab.moc"
