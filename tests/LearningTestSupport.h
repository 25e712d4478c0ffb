#pragma once
// The learning tests of the generative families (issue 4, "Done means"): train a family with fixed seeds and a
// small CPU budget on a standardised 2D toy through the Trainer (as `hepgen train` does), draw samples, and
// compare them with fresh truth samples by the classifier two-sample test of core/metrics.
#include "core/data/Preprocessing.h"
#include "core/data/Toy2D.h"
#include "core/metrics/TwoSampleTest.h"
#include "core/models/GenerativeModel.h"
#include "core/training/Trainer.h"

#include <QtTest>

#include <chrono>
#include <string>

namespace hepgen::test {

/// One learning case: a family (with config overrides of its defaults), a toy, the optimiser steps, and how
/// to sample (empty / 0: the family's defaults).
struct LearningCase {
    std::string family;
    std::string toy;
    int64_t steps = 2000;
    nlohmann::json config = nlohmann::json::object();
    std::string sampler {};
    int64_t sampleSteps = 0;
};

/// What a learning case measured.
struct LearningResult {
    hepgen::metrics::TwoSampleResult test;
    double trainSeconds = 0, sampleSeconds = 0, testSeconds = 0;
    double testNll = 0;     ///< flows: mean -log p(x) of fresh truth events in the original units (nats)
    double trueEntropy = 0; ///< flows on toys with a known density: mean -log p_true(x) of the same events
    std::unique_ptr<hepgen::models::GenerativeModel> model;
    hepgen::data::Preprocessing preprocessing { { "standardize" } }; ///< fitted on the training events
};

inline torch::Tensor toyTensor(const std::string& toy, int64_t n, uint64_t seed)
{
    const auto t = hepgen::data::generateToy2D(hepgen::data::parseToy2DShape(toy), static_cast<std::size_t>(n), seed);
    return torch::from_blob(const_cast<float*>(t.values.data()), { n, 2 }, torch::kFloat32).clone();
}

inline double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Trains `c` on 20000 standardised toy events (batch 256, the Trainer's default cosine schedule and clipping,
/// seed 1) into r.model.
inline LearningResult trainCase(const LearningCase& c)
{
    LearningResult r;
    const auto truth = toyTensor(c.toy, 20000, 1001);
    r.preprocessing.fit(truth);
    torch::manual_seed(1);
    r.model = hepgen::models::makeModel(c.family, { 2, 0 }, c.config);
    hepgen::training::TrainerConfig tc;
    tc.epochs = 1000000;
    tc.maxSteps = c.steps;
    tc.batchSize = 256;
    tc.seed = 1;
    hepgen::training::Trainer trainer(*r.model, tc);
    const auto start = std::chrono::steady_clock::now();
    trainer.fit({ r.preprocessing.forward(truth), {}, {} }, {});
    r.trainSeconds = secondsSince(start);
    return r;
}

/// Draws 5000 samples of r.model (seed 2) with c's sampler and runs the two-sample test against 5000 fresh toy
/// events (seed 3) with the metrics' default classifier; flows also get their test NLL on those events.
/// Prints one line of the learning table.
inline void sampleAndTest(const LearningCase& c, LearningResult& r)
{
    using Clock = std::chrono::steady_clock;
    const int64_t n = 5000;
    const auto& pre = r.preprocessing;
    hepgen::models::SampleOptions o;
    o.sampler = c.sampler;
    o.steps = c.sampleSteps;
    o.seed = 2;
    auto start = Clock::now();
    torch::Tensor samples;
    {
        torch::NoGradGuard noGrad;
        r.model->train(false);
        samples = pre.inverse(r.model->sample(n, {}, o).samples.to(torch::kFloat64)).to(torch::kFloat32);
    }
    r.sampleSeconds = secondsSince(start);

    const auto fresh = toyTensor(c.toy, n, 1003);
    start = Clock::now();
    r.test = hepgen::metrics::classifierTwoSampleTest(fresh, samples);
    r.testSeconds = secondsSince(start);

    if (r.model->hasLogDensity()) {
        torch::NoGradGuard noGrad;
        // log p_x(x) = log p_y(f(x)) + log|det df/dx| (the standardisation's Jacobian).
        const auto logp = r.model->logDensity(pre.forward(fresh), {}).to(torch::kFloat64)
            + pre.logAbsDetJacobian(fresh.to(torch::kFloat64));
        r.testNll = -logp.mean().item<double>();
        const auto shape = hepgen::data::parseToy2DShape(c.toy);
        if (hepgen::data::toy2DHasDensity(shape)) {
            std::vector<std::array<double, 2>> points;
            for (int64_t i = 0; i < fresh.size(0); ++i)
                points.push_back({ fresh[i][0].item<double>(), fresh[i][1].item<double>() });
            double sum = 0;
            for (double lp : hepgen::data::toy2DLogDensity(shape, points))
                sum -= lp;
            r.trueEntropy = sum / static_cast<double>(points.size());
        }
    }
    qInfo("learning | %-11s | %-10s | %-9s | %5lld steps | train %5.1f s | sample %5.1f s | test %4.1f s | AUC %.4f "
          "+- %.4f | JSD %.4f bits%s",
        c.family.c_str(), c.toy.c_str(),
        qPrintable(QString::fromStdString(c.sampler.empty() ? "default" : c.sampler)
            + (c.sampleSteps > 0 ? QString(" %1").arg(c.sampleSteps) : QString())),
        static_cast<long long>(c.steps), r.trainSeconds, r.sampleSeconds, r.testSeconds, r.test.auc,
        r.test.aucNullSigma, r.test.jsdBits,
        r.model->hasLogDensity()
            ? qPrintable(QString(" | test NLL %1 (true %2)").arg(r.testNll, 0, 'f', 4).arg(r.trueEntropy, 0, 'f', 4))
            : "");
}

/// trainCase() then sampleAndTest().
inline LearningResult runLearningCase(const LearningCase& c)
{
    auto r = trainCase(c);
    sampleAndTest(c, r);
    return r;
}

} // namespace hepgen::test
