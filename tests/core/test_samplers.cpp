// Noise schedules, samplers and ODE solvers checked as maths: schedule identities and closed forms, exact
// denoisers for Gaussian data (every sampler must then reproduce the data's mean and std), convergence orders of
// the ODE solvers, trajectory bookkeeping, exact OT pairing against brute force, and every failure path.
#include "core/samplers/FlowMatching.h"
#include "core/samplers/NoiseSchedule.h"
#include "core/samplers/Samplers.h"
#include "core/util/Error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace hepgen::samplers;

namespace {

// Gaussian data x0 ~ N(mu, s^2) per dimension: every optimal denoiser is linear and known in closed form.
struct Gaussian {
    torch::Tensor mu = torch::tensor({ { 1.0, -2.0 } });
    torch::Tensor s = torch::tensor({ { 0.5, 2.0 } });

    torch::Tensor muLike(const torch::Tensor& x) const { return mu.to(x.options()); }
    torch::Tensor varLike(const torch::Tensor& x) const { return s.pow(2).to(x.options()); }

    // E[eps | x_t] for x_t = sqrt(a) x0 + sqrt(1-a) eps: Cov(eps, x_t) / Var(x_t) (x_t - E x_t).
    EpsilonFn epsilon(const NoiseSchedule& schedule) const
    {
        return [this, schedule](const torch::Tensor& xt, const torch::Tensor& t) {
            const auto a = schedule.gather(schedule.alphaBars(torch::kFloat64), t, xt);
            return (1.0 - a).sqrt() * (xt - a.sqrt() * muLike(xt)) / (a * varLike(xt) + 1.0 - a);
        };
    }
    // EDM: D(x; sigma) = E[x0 | x0 + sigma eps = x] = mu + s^2 / (s^2 + sigma^2) (x - mu).
    DenoiserFn denoiser() const
    {
        return [this](const torch::Tensor& x, const torch::Tensor& sigma) {
            const auto s2 = varLike(x), sg2 = sigma.reshape({ -1, 1 }).pow(2);
            return muLike(x) + s2 / (s2 + sg2) * (x - muLike(x));
        };
    }
    // Flow matching, x_t = (1-t) x0 + t eps: E[x_t] = (1-t) mu, V_t = (1-t)^2 s^2 + t^2 and
    // E[eps - x0 | x_t] = -mu + (t - (1-t) s^2) / V_t (x_t - (1-t) mu). Its flow map from t = 1 is x(0) = mu + s x(1).
    VelocityFn velocity() const
    {
        return [this](const torch::Tensor& x, const torch::Tensor& t) {
            const auto tt = t.reshape({ -1, 1 }), s2 = varLike(x);
            const auto V = (1.0 - tt).pow(2) * s2 + tt.pow(2);
            return -muLike(x) + (tt - (1.0 - tt) * s2) / V * (x - (1.0 - tt) * muLike(x));
        };
    }
    torch::Tensor exactFlowMap(const torch::Tensor& x1) const { return muLike(x1) + s.to(x1.options()) * x1; }

    // Largest |mean - mu| / s and |std / s - 1| over the dimensions.
    std::pair<double, double> momentErrors(const torch::Tensor& x) const
    {
        const auto xd = x.to(torch::kFloat64);
        const double meanErr = ((xd.mean(0, true) - mu) / s).abs().max().item<double>();
        const double stdErr = (xd.std(0, true, true) / s - 1.0).abs().max().item<double>();
        return { meanErr, stdErr };
    }
};

// With N = 4000 per dimension the standard errors are 1/sqrt(N) = 0.016 (mean / s) and 1/sqrt(2N) = 0.011 (std / s);
// the tolerances are ~5 standard errors plus room for the sampler's own (discretisation) bias.
constexpr int64_t kSamples = 4000;
constexpr double kMeanTol = 0.08, kStdTol = 0.06;

void checkMoments(
    const Gaussian& g, const torch::Tensor& x, const char* what, double meanTol = kMeanTol, double stdTol = kStdTol)
{
    const auto [meanErr, stdErr] = g.momentErrors(x);
    qInfo("%s: |mean-mu|/s = %.4f (tol %.2f), |std/s-1| = %.4f (tol %.2f)", what, meanErr, meanTol, stdErr, stdTol);
    QVERIFY2(meanErr < meanTol, what);
    QVERIFY2(stdErr < stdTol, what);
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

void checkTrajectory(const SampleResult& r, const torch::Tensor& noise, size_t entries, double firstTime)
{
    const auto& tr = r.trajectory;
    QCOMPARE(tr.size(), entries);
    QCOMPARE(tr.times.size(), entries);
    QCOMPARE(tr.x0Pred.size(), entries);
    QVERIFY(torch::equal(tr.xt.front(), noise));
    QVERIFY(torch::equal(tr.xt.back(), r.sample));
    QCOMPARE(tr.times.front(), firstTime);
    QCOMPARE(tr.times.back(), 0.0);
    QVERIFY(torch::equal(tr.x0Pred.back(), r.sample));
    for (const auto& p : tr.x0Pred)
        QCOMPARE(p.sizes(), noise.sizes());
}

double pairingCost(const torch::Tensor& x0, const torch::Tensor& eps, const std::vector<int64_t>& perm)
{
    return (x0 - eps.index_select(0, torch::tensor(perm, torch::kLong))).pow(2).sum().item<double>();
}

} // namespace

class TestSamplers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void scheduleIdentities()
    {
        for (const auto kind : { BetaSchedule::Linear, BetaSchedule::Cosine }) {
            const int64_t T = 400;
            const NoiseSchedule sched(NoiseScheduleOptions().steps(T).kind(kind));
            const auto b = sched.betas(torch::kFloat64), a = sched.alphas(torch::kFloat64);
            const auto ab = sched.alphaBars(torch::kFloat64), abPrev = sched.alphaBarsPrev(torch::kFloat64);
            QCOMPARE(sched.betas().scalar_type(), torch::kFloat32);
            QVERIFY(maxAbsDiff(a, 1.0 - b) == 0.0);
            QVERIFY(maxAbsDiff(ab, torch::cumprod(a, 0)) < 1e-15);
            QVERIFY((ab.slice(0, 1) < ab.slice(0, 0, T - 1)).all().item<bool>()); // strictly decreasing
            QVERIFY((b > 0).all().item<bool>() && (b < 1).all().item<bool>());
            QCOMPARE(abPrev[0].item<double>(), 1.0);
            QVERIFY(maxAbsDiff(abPrev.slice(0, 1), ab.slice(0, 0, T - 1)) == 0.0);
            const auto bt = sched.posteriorVariances(torch::kFloat64);
            QCOMPARE(bt[0].item<double>(), 0.0);
            QVERIFY((bt <= b).all().item<bool>());
            QVERIFY(maxAbsDiff(sched.snr(torch::kFloat64), ab / (1 - ab)) < 1e-12);
            QVERIFY(maxAbsDiff(sched.edmSigmas(torch::kFloat64).pow(2) * sched.snr(torch::kFloat64),
                        torch::ones({ T }, torch::kFloat64))
                < 1e-12);
            QVERIFY(maxAbsDiff(sched.noiseStds(torch::kFloat64).pow(2), 1 - ab) < 1e-15);
        }
        // Linear: 1e-4 .. 0.02 scaled by 1000/T.
        const NoiseSchedule lin(NoiseScheduleOptions().steps(500));
        QVERIFY(std::abs(lin.betas(torch::kFloat64)[0].item<double>() - 2e-4) < 1e-15);
        QVERIFY(std::abs(lin.betas(torch::kFloat64)[499].item<double>() - 0.04) < 1e-15);
        // Cosine: alphaBar(index i) = f((i+1)/T) / f(0), f(u) = cos^2((u+s)/(1+s) pi/2), until beta hits the clip.
        const int64_t T = 1000;
        const double s = 0.008;
        const NoiseSchedule cos(NoiseScheduleOptions().steps(T).kind(BetaSchedule::Cosine));
        const auto b = cos.betas(torch::kFloat64);
        const auto clipped = (b >= 0.999).nonzero();
        QCOMPARE(clipped.size(0), int64_t(1)); // only the last step: alphaBar(T) = 0 would give beta = 1
        QCOMPARE(clipped[0][0].item<int64_t>(), T - 1);
        QCOMPARE(b[T - 1].item<double>(), 0.999);
        const auto u = torch::arange(1, T + 1, torch::kFloat64) / double(T);
        const auto closed
            = torch::cos((u + s) / (1 + s) * M_PI / 2).pow(2) / std::pow(std::cos(s / (1 + s) * M_PI / 2), 2);
        const double err = maxAbsDiff(cos.alphaBars(torch::kFloat64).slice(0, 0, T - 1), closed.slice(0, 0, T - 1));
        qInfo("cosine alphaBar vs closed form: %.2e (tol 1e-12)", err);
        QVERIFY(err < 1e-12);
    }

    void alphaBarFloorKeepsDdimStable()
    {
        // The floor maps alphaBar to m + (1 - m) alphaBar and keeps alphaBar = prod(1 - beta).
        const double m = 1e-4;
        const NoiseSchedule plain(NoiseScheduleOptions().kind(BetaSchedule::Cosine));
        const NoiseSchedule floored(NoiseScheduleOptions().kind(BetaSchedule::Cosine).minAlphaBar(m));
        const auto ab = plain.alphaBars(torch::kFloat64), abf = floored.alphaBars(torch::kFloat64);
        QVERIFY(maxAbsDiff(abf, m + (1 - m) * ab) < 1e-12);
        QVERIFY(maxAbsDiff(abf, torch::cumprod(1 - floored.betas(torch::kFloat64), 0)) < 1e-12);
        QVERIFY((floored.betas(torch::kFloat64) > 0).all().item<bool>());
        // The last betas of the plain cosine schedule are 0.36, 0.44, 0.56, 0.75, 0.999; floored, all stay below 0.15.
        QVERIFY((floored.betas(torch::kFloat64) < 0.15).all().item<bool>());
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, NoiseSchedule(NoiseScheduleOptions().minAlphaBar(1.0)));
        // DDIM, 50 steps, cosine schedule, with a denoiser whose eps is off by 0.003 (a well-trained network's
        // error): without the floor the first step (sqrt(alphaBar_T) ~ 5e-5) blows the error up by ~600 and the
        // samples land far off; with it they keep the data's moments.
        const Gaussian g;
        const auto noise = torch::randn({ kSamples, 2 }, torch::kFloat64);
        auto sloppy = [&](const NoiseSchedule& sched) -> EpsilonFn {
            return [&g, sched](
                       const torch::Tensor& xt, const torch::Tensor& t) { return g.epsilon(sched)(xt, t) + 0.003; };
        };
        const auto bad = DdimSampler(plain).sample(sloppy(plain), noise, DdimSamplerOptions().steps(50));
        const auto good = DdimSampler(floored).sample(sloppy(floored), noise, DdimSamplerOptions().steps(50));
        const double badErr = g.momentErrors(bad.sample).first;
        qInfo("DDIM 50 steps, cosine, eps error 0.003: |mean-mu|/s = %.3f without floor, %.4f with floor 1e-4", badErr,
            g.momentErrors(good.sample).first);
        QVERIFY(badErr > 1.0);
        checkMoments(g, good.sample, "DDIM eta=0, 50 steps, cosine with alphaBar floor, eps error 0.003");
    }

    void addNoiseAndPredictX0AreInverse()
    {
        const NoiseSchedule sched(NoiseScheduleOptions().steps(1000).kind(BetaSchedule::Cosine));
        const auto x0 = torch::randn({ 16, 3, 2 }, torch::kFloat64), eps = torch::randn({ 16, 3, 2 }, torch::kFloat64);
        const auto t = torch::randint(0, 1000, { 16 }, torch::kLong);
        const auto xt = sched.addNoise(x0, eps, t);
        QCOMPARE(xt.sizes(), x0.sizes());
        const double e1 = maxAbsDiff(sched.predictX0(xt, eps, t), x0);
        const double e2 = maxAbsDiff(sched.predictEpsilon(xt, x0, t), eps);
        qInfo("predictX0(addNoise) error %.2e, predictEpsilon error %.2e (tol 1e-9)", e1, e2);
        QVERIFY(e1 < 1e-9 && e2 < 1e-9);
        // Sample by sample it is eq. 4; a 0-dim t applies to all; float t with whole numbers is accepted; float32 in,
        // float32 out.
        const double a = sched.alphaBars(torch::kFloat64)[t[3].item<int64_t>()].item<double>();
        QVERIFY(maxAbsDiff(xt[3], std::sqrt(a) * x0[3] + std::sqrt(1 - a) * eps[3]) < 1e-14);
        const auto xs = sched.addNoise(x0, eps, torch::tensor(int64_t(5)));
        QVERIFY(maxAbsDiff(xs, sched.addNoise(x0, eps, torch::full({ 16 }, 5, torch::kLong))) == 0.0);
        QVERIFY(maxAbsDiff(sched.addNoise(x0, eps, t.to(torch::kFloat32)), xt) == 0.0);
        QCOMPARE(sched.addNoise(x0.to(torch::kFloat32), eps.to(torch::kFloat32), t).scalar_type(), torch::kFloat32);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, sched.addNoise(x0, eps, torch::full({ 16 }, 1000, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, sched.addNoise(x0, eps, torch::full({ 16 }, -1, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, sched.addNoise(x0, eps, torch::full({ 16 }, 2.5)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, sched.addNoise(x0, eps, torch::zeros({ 15 }, torch::kLong)));
    }

    void posteriorMeanFormsAgree()
    {
        // Ho et al.: the two-coefficient mean of eq. 7 with x0 = predictX0(x_t, eps) equals the eps form of eq. 11,
        // 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - alphaBar_t) eps); the DDPM step is that mean plus sigma_t z.
        const NoiseSchedule sched(NoiseScheduleOptions().steps(200));
        const auto x0 = torch::randn({ 32, 4 }, torch::kFloat64), eps = torch::randn({ 32, 4 }, torch::kFloat64);
        const auto t = torch::randint(1, 200, { 32 }, torch::kLong);
        const auto xt = sched.addNoise(x0, eps, t);
        const auto post = sched.posterior(sched.predictX0(xt, eps, t), xt, t);
        const auto alpha = sched.gather(sched.alphas(torch::kFloat64), t, xt);
        const auto beta = sched.gather(sched.betas(torch::kFloat64), t, xt);
        const auto abar = sched.gather(sched.alphaBars(torch::kFloat64), t, xt);
        const auto epsForm = (xt - beta / (1 - abar).sqrt() * eps) / alpha.sqrt();
        const double err = maxAbsDiff(post.mean, epsForm);
        qInfo("posterior mean, two-coefficient vs eps form: %.2e (tol 1e-12)", err);
        QVERIFY(err < 1e-12);
        QVERIFY(maxAbsDiff(post.variance, sched.gather(sched.posteriorVariances(torch::kFloat64), t, xt)) == 0.0);
        const DdpmSampler ddpm(sched);
        const auto z = torch::randn({ 1, 4 }, torch::kFloat64);
        const auto step
            = ddpm.step(eps[0].unsqueeze(0), t[0].item<int64_t>(), xt[0].unsqueeze(0), z, PosteriorVariance::BetaTilde);
        QVERIFY(maxAbsDiff(step.prevSample, post.mean[0] + post.variance[0].sqrt() * z) < 1e-12);
        QVERIFY(maxAbsDiff(step.predOriginalSample, x0[0].unsqueeze(0)) < 1e-12);
    }

    void ddpmWithExactDenoiserReproducesGaussian()
    {
        const Gaussian g;
        const NoiseSchedule sched; // T = 1000, linear
        const DdpmSampler ddpm(sched);
        const auto noise = torch::randn({ kSamples, 2 });
        const auto r1 = ddpm.sample(g.epsilon(sched), noise, DdpmSamplerOptions().seed(1));
        checkMoments(g, r1.sample, "DDPM beta");
        const auto r2
            = ddpm.sample(g.epsilon(sched), noise, DdpmSamplerOptions().seed(2).variance(PosteriorVariance::BetaTilde));
        checkMoments(g, r2.sample, "DDPM beta~");
        QVERIFY(r1.trajectory.empty());
        // A fixed seed reproduces the run; another seed does not.
        const NoiseSchedule small(NoiseScheduleOptions().steps(50));
        const auto x = torch::randn({ 64, 2 });
        const auto a = DdpmSampler(small).sample(g.epsilon(small), x, DdpmSamplerOptions().seed(3)).sample;
        const auto b = DdpmSampler(small).sample(g.epsilon(small), x, DdpmSamplerOptions().seed(3)).sample;
        const auto c = DdpmSampler(small).sample(g.epsilon(small), x, DdpmSamplerOptions().seed(4)).sample;
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, c));
    }

    void ddimWithExactDenoiserReproducesGaussian()
    {
        // Few DDIM steps bias the std even with the exact denoiser (exact moment propagation gives, at T = 1000:
        // eta = 0, 50 steps: -5.6% linear / -3.1% cosine; 200 steps: -1.4% / -0.8%; eta = 1, 20 steps: -22% / -14%;
        // eta = 1, 200 steps, cosine: -1.9%), so the moment checks use 200 steps.
        const Gaussian g;
        for (const auto kind : { BetaSchedule::Linear, BetaSchedule::Cosine }) {
            const NoiseSchedule sched(NoiseScheduleOptions().kind(kind));
            const DdimSampler ddim(sched);
            const auto noise = torch::randn({ kSamples, 2 });
            const auto r = ddim.sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(200));
            checkMoments(g, r.sample,
                kind == BetaSchedule::Linear ? "DDIM eta=0, 200 steps, linear" : "DDIM eta=0, 200 steps, cosine");
            // Deterministic: the same noise gives the same sample (no generator involved).
            QVERIFY(
                torch::equal(ddim.sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(200)).sample, r.sample));
            if (kind == BetaSchedule::Cosine) {
                const auto rs = ddim.sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(200).eta(1.0).seed(5));
                checkMoments(g, rs.sample, "DDIM eta=1, 200 steps, cosine");
            }
        }
        const NoiseSchedule sched(NoiseScheduleOptions().steps(10).kind(BetaSchedule::Cosine));
        const auto ts = DdimSampler(sched).timesteps(4);
        QCOMPARE(ts, (std::vector<int64_t> { 9, 6, 3, 0 }));
        QCOMPARE(DdimSampler(sched).timesteps(1), (std::vector<int64_t> { 9 }));
        QCOMPARE(DdimSampler(sched).timesteps(10).size(), size_t(10));
    }

    void ddimEtaOneWithAllStepsIsDdpm()
    {
        // Song et al. eq. 16: eta = 1 and S = T gives sigma_t^2 = beta~_t and the posterior mean: DDPM with beta~.
        const Gaussian g;
        const NoiseSchedule sched(NoiseScheduleOptions().steps(100).kind(BetaSchedule::Cosine));
        const auto noise = torch::randn({ 256, 2 }, torch::kFloat64);
        const auto ddpm = DdpmSampler(sched).sample(
            g.epsilon(sched), noise, DdpmSamplerOptions().seed(9).variance(PosteriorVariance::BetaTilde));
        const auto ddim
            = DdimSampler(sched).sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(100).eta(1.0).seed(9));
        const double err = maxAbsDiff(ddpm.sample, ddim.sample);
        qInfo("DDIM(eta=1, S=T) vs DDPM(beta~), same noise: %.2e (tol 1e-9)", err);
        QVERIFY(err < 1e-9);
    }

    void edmWithExactDenoiserReproducesGaussian()
    {
        // The default 18 steps leave a +5.5% std bias on the narrow dimension (exact moment propagation); 50 steps
        // +0.6%. The N(0, sigmaMax^2) prior ignores mu, which shifts the mean by |mu| / sigmaMax = 0.025 s.
        const Gaussian g;
        const auto noise = 80.0 * torch::randn({ kSamples, 2 });
        const auto r = EdmSampler().sample(g.denoiser(), noise, EdmSamplerOptions().steps(50));
        checkMoments(g, r.sample, "EDM Heun, 50 steps");
        const auto churn = EdmSampler().sample(
            g.denoiser(), noise, EdmSamplerOptions().steps(50).sChurn(20).sTmin(0.05).sTmax(50).seed(2));
        checkMoments(g, churn.sample, "EDM Heun with churn, 50 steps");
        const auto sig = edmSigmaSchedule(18);
        QCOMPARE(sig.size(0), int64_t(19));
        QCOMPARE(sig[0].item<double>(), 80.0);
        QCOMPARE(sig[17].item<double>(), 0.002);
        const double rho = 7, i = 5; // eq. 5 in between
        QVERIFY(std::abs(sig[5].item<double>()
                    - std::pow(
                        std::pow(80.0, 1 / rho) + i / 17 * (std::pow(0.002, 1 / rho) - std::pow(80.0, 1 / rho)), rho))
            < 1e-12);
        QCOMPARE(sig[18].item<double>(), 0.0);
        QVERIFY((sig.slice(0, 1) < sig.slice(0, 0, 18)).all().item<bool>());
        QVERIFY(torch::equal(edmSigmaSchedule(1, 0.1, 5.0), torch::tensor({ 5.0, 0.0 }, torch::kFloat64)));
    }

    void odeSolversWithExactVelocityReproduceGaussian()
    {
        const Gaussian g;
        const auto noise = torch::randn({ kSamples, 2 });
        const std::vector<std::pair<OdeMethod, int64_t>> runs { { OdeMethod::Euler, 100 }, { OdeMethod::Heun, 20 },
            { OdeMethod::Rk4, 10 } };
        for (const auto& [method, steps] : runs) {
            const auto r = OdeSolver().sample(g.velocity(), noise, OdeSolverOptions().method(method).steps(steps));
            const char* name = method == OdeMethod::Euler ? "flow ODE Euler 100"
                : method == OdeMethod::Heun               ? "flow ODE Heun 20"
                                                          : "flow ODE RK4 10";
            checkMoments(g, r.sample, name);
            qInfo("%s: max |x - exact flow map| = %.2e", name, maxAbsDiff(r.sample, g.exactFlowMap(noise)));
        }
    }

    void odeSolverOrders_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<double>("order");
        QTest::newRow("euler") << int(OdeMethod::Euler) << 1.0;
        QTest::newRow("heun") << int(OdeMethod::Heun) << 2.0;
        QTest::newRow("rk4") << int(OdeMethod::Rk4) << 4.0;
    }

    void odeSolverOrders()
    {
        QFETCH(int, method);
        QFETCH(double, order);
        // Global error at t = 0 for S = 16, 32, 64, 128: each doubling must divide it by ~2^order. Two problems:
        // dx/dt = -x from t = 1 (exact x(0) = e x(1)) and the exact Gaussian flow map x(0) = mu + s x(1).
        const Gaussian g;
        const auto x1 = torch::randn({ 32, 2 }, torch::kFloat64);
        const VelocityFn decay = [](const torch::Tensor& x, const torch::Tensor&) { return -x; };
        const std::vector<std::pair<VelocityFn, torch::Tensor>> problems { { decay, x1 * std::exp(1.0) },
            { g.velocity(), g.exactFlowMap(x1) } };
        for (const auto& [v, exact] : problems) {
            std::vector<double> errors;
            for (int64_t S : { 16, 32, 64, 128 })
                errors.push_back(maxAbsDiff(
                    OdeSolver().sample(v, x1, OdeSolverOptions().method(OdeMethod(method)).steps(S)).sample, exact));
            for (size_t k = 0; k + 1 < errors.size(); ++k) {
                const double observed = std::log2(errors[k] / errors[k + 1]);
                qInfo("order %.0f: S=%d error %.3e -> %.3e, observed order %.3f (tol +-0.3)", order, 16 << k, errors[k],
                    errors[k + 1], observed);
                QVERIFY(std::abs(observed - order) < 0.3);
            }
        }
    }

    void odeSolverRunsBothWays()
    {
        const Gaussian g;
        const auto x1 = torch::randn({ 16, 2 }, torch::kFloat64);
        const auto opts = OdeSolverOptions().method(OdeMethod::Rk4).steps(40);
        const auto data = OdeSolver().sample(g.velocity(), x1, opts).sample;
        const auto back = OdeSolver().sample(g.velocity(), data, OdeSolverOptions(opts).t0(0.0).t1(1.0), true);
        const double err = maxAbsDiff(back.sample, x1);
        qInfo("RK4 40 steps 1 -> 0 -> 1 round trip: %.2e (tol 1e-7)", err);
        QVERIFY(err < 1e-7);
        QCOMPARE(back.trajectory.times.front(), 0.0);
        QCOMPARE(back.trajectory.times.back(), 1.0);
        QVERIFY(torch::equal(back.trajectory.xt.back(), back.sample));
        // At t = 1 (pure noise) the prediction x - t v = E[x0 | x_1] is the data mean.
        QVERIFY(maxAbsDiff(back.trajectory.x0Pred.back(), g.mu.expand({ 16, 2 })) < 1e-12);
    }

    void trajectoriesRecordEveryStep()
    {
        const Gaussian g;
        // float64: x0Pred at the noisiest step amplifies rounding by 1/sqrt(alphaBar_29) = 939.
        const NoiseSchedule sched(NoiseScheduleOptions().steps(30));
        const auto noise = torch::randn({ 8, 2 }, torch::kFloat64);
        const auto ddpm = DdpmSampler(sched).sample(g.epsilon(sched), noise, DdpmSamplerOptions().seed(1), true);
        checkTrajectory(ddpm, noise, 31, 30.0);
        const double x0err = maxAbsDiff(ddpm.trajectory.x0Pred.front(),
            sched.predictX0(
                noise, g.epsilon(sched)(noise, torch::full({ 8 }, 29.0)), torch::full({ 8 }, 29, torch::kLong)));
        qInfo("first x0Pred vs predictX0: %.2e (tol 1e-10)", x0err);
        QVERIFY(x0err < 1e-10);
        QVERIFY(torch::equal(
            ddpm.sample, DdpmSampler(sched).sample(g.epsilon(sched), noise, DdpmSamplerOptions().seed(1)).sample));

        const auto ddim = DdimSampler(sched).sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(7), true);
        checkTrajectory(ddim, noise, 8, 30.0);
        QVERIFY(torch::equal(ddim.trajectory.x0Pred[6], ddim.sample)); // eta = 0: the last step lands on its x0Pred
        for (size_t k = 1; k < ddim.trajectory.size(); ++k)
            QVERIFY(ddim.trajectory.times[k] < ddim.trajectory.times[k - 1]);

        const auto edmNoise = 80.0 * noise;
        const auto edm = EdmSampler().sample(g.denoiser(), edmNoise, EdmSamplerOptions().steps(6), true);
        checkTrajectory(edm, edmNoise, 7, 80.0);
        QVERIFY(maxAbsDiff(edm.trajectory.x0Pred[5], edm.sample) < 1e-5); // last step is Euler to sigma = 0

        for (const auto method : { OdeMethod::Euler, OdeMethod::Heun, OdeMethod::Rk4 }) {
            const auto ode = OdeSolver().sample(g.velocity(), noise, OdeSolverOptions().method(method).steps(5), true);
            checkTrajectory(ode, noise, 6, 1.0);
            QVERIFY(std::abs(ode.trajectory.times[1] - 0.8) < 1e-15);
            if (method == OdeMethod::Euler) // x - h v at t = h is exactly the last Euler step
                QVERIFY(torch::equal(ode.trajectory.x0Pred[4], ode.sample));
        }
    }

    void otPairingIsOptimal()
    {
        for (int64_t n = 1; n <= 7; ++n) {
            for (int rep = 0; rep < 3; ++rep) {
                const auto x0 = torch::randn({ n, 3 }, torch::kFloat64), eps = torch::randn({ n, 3 }, torch::kFloat64);
                const auto pairing = otPairing(x0, eps);
                std::vector<int64_t> perm(static_cast<size_t>(n)),
                    sorted(pairing.permutation.data_ptr<int64_t>(), pairing.permutation.data_ptr<int64_t>() + n);
                std::iota(perm.begin(), perm.end(), 0);
                const double identity = pairingCost(x0, eps, perm);
                double best = identity;
                do
                    best = std::min(best, pairingCost(x0, eps, perm));
                while (std::next_permutation(perm.begin(), perm.end()));
                QVERIFY(std::abs(pairing.cost - best) < 1e-12 * std::max(1.0, best));
                QVERIFY(pairing.cost <= identity + 1e-12);
                QVERIFY(torch::equal(pairing.eps, eps.index_select(0, pairing.permutation)));
                std::sort(sorted.begin(), sorted.end());
                QVERIFY(std::equal(sorted.begin(), sorted.end(), perm.begin())); // perm is the identity again here
            }
        }
        // A shuffled copy is undone exactly; larger batches stay valid and beat the identity and random pairings.
        const auto x0 = torch::randn({ 200, 4 });
        const auto shuffle = torch::randperm(200, torch::kLong);
        const auto undo = otPairing(x0, x0.index_select(0, shuffle));
        QCOMPARE(undo.cost, 0.0);
        QVERIFY(torch::equal(undo.eps, x0));
        const auto eps = torch::randn({ 200, 4 });
        const auto p = otPairing(x0, eps);
        QVERIFY(torch::equal(std::get<0>(p.permutation.sort()), torch::arange(200, torch::kLong)));
        const double identity = (x0.to(torch::kFloat64) - eps.to(torch::kFloat64)).pow(2).sum().item<double>();
        qInfo("OT pairing N=200: cost %.1f vs identity %.1f", p.cost, identity);
        QVERIFY(p.cost < identity);
        for (int k = 0; k < 20; ++k) {
            const auto other = eps.index_select(0, torch::randperm(200, torch::kLong));
            QVERIFY(p.cost <= (x0 - other).to(torch::kFloat64).pow(2).sum().item<double>());
        }
        // A small assignment with a unique optimum: rows take columns 1, 0, 2 (cost 1 + 2 + 2 = 5).
        QCOMPARE(solveAssignment({ 4, 1, 3, 2, 0, 5, 3, 2, 2 }, 3), (std::vector<int64_t> { 1, 0, 2 }));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, otPairing(x0, eps.slice(0, 0, 10)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, solveAssignment({ 1, 2, 3 }, 2));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, solveAssignment({ 1, NAN, 3, 4 }, 2));
    }

    void flowMatchingTarget()
    {
        const auto x0 = torch::randn({ 6, 2, 3 }), eps = torch::randn({ 6, 2, 3 });
        const auto t = torch::rand({ 6 });
        const auto [xt, target] = conditionalFlowMatchingTarget(x0, eps, t);
        QVERIFY(maxAbsDiff(xt[2], (1 - t[2]) * x0[2] + t[2] * eps[2]) < 1e-6);
        QVERIFY(torch::equal(target, eps - x0));
        QVERIFY(maxAbsDiff(conditionalFlowMatchingTarget(x0, eps, torch::tensor(0.0f)).xt, x0) == 0.0);
        QVERIFY(maxAbsDiff(conditionalFlowMatchingTarget(x0, eps, torch::tensor(1.0f)).xt, eps) == 0.0);
        // The prediction x_t - t v with the true v recovers x0 (the convention the ODE solver's x0Pred uses).
        QVERIFY(maxAbsDiff(xt - t.reshape({ 6, 1, 1 }) * target, x0) < 1e-5);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, conditionalFlowMatchingTarget(x0, eps.slice(0, 0, 3), t));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, conditionalFlowMatchingTarget(x0, eps, torch::rand({ 5 })));
    }

    void invalidOptionsAndCancellation()
    {
        using hepgen::ConfigError;
        const Gaussian g;
        QVERIFY_THROWS_EXCEPTION(ConfigError, NoiseSchedule(NoiseScheduleOptions().steps(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, NoiseSchedule(NoiseScheduleOptions().betaStart(0.03)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, NoiseSchedule(NoiseScheduleOptions().steps(10))); // beta_T = 2 > 1
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, NoiseSchedule(NoiseScheduleOptions().kind(BetaSchedule::Cosine).maxBeta(1.0)));
        const NoiseSchedule sched(NoiseScheduleOptions().steps(20).kind(BetaSchedule::Cosine));
        const auto noise = torch::randn({ 4, 2 });
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, DdimSampler(sched).sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(21)));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, DdimSampler(sched).sample(g.epsilon(sched), noise, DdimSamplerOptions().steps(0)));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, DdimSampler(sched).sample(g.epsilon(sched), noise, DdimSamplerOptions().eta(-0.5)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, DdpmSampler(sched).sample(g.epsilon(sched), torch::Tensor()));
        QVERIFY_THROWS_EXCEPTION(ConfigError, DdpmSampler(sched).step(noise, 20, noise, noise));
        const EpsilonFn wrongShape = [](const torch::Tensor& x, const torch::Tensor&) { return x.sum(1); };
        QVERIFY_THROWS_EXCEPTION(ConfigError, DdpmSampler(sched).sample(wrongShape, noise));
        QVERIFY_THROWS_EXCEPTION(ConfigError, edmSigmaSchedule(10, 1.0, 0.5));
        QVERIFY_THROWS_EXCEPTION(ConfigError, edmSigmaSchedule(10, 0.002, 80, 0.0));
        QVERIFY_THROWS_EXCEPTION(ConfigError, EdmSampler().sample(g.denoiser(), noise, EdmSamplerOptions().steps(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, OdeSolver().sample(g.velocity(), noise, OdeSolverOptions().steps(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, OdeSolver().sample(g.velocity(), noise, OdeSolverOptions().t1(1.0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, OdeSolver().sample(VelocityFn(), noise));

        // Progress counts every step; a stop request ends the run between steps.
        std::vector<int64_t> done;
        OdeSolver().sample(g.velocity(), noise, OdeSolverOptions().steps(5).progress([&](int64_t k, int64_t total) {
            QCOMPARE(total, int64_t(5));
            done.push_back(k);
        }));
        QCOMPARE(done, (std::vector<int64_t> { 1, 2, 3, 4, 5 }));
        int calls = 0;
        const EpsilonFn counting = [&](const torch::Tensor& x, const torch::Tensor& t) {
            ++calls;
            return g.epsilon(sched)(x, t);
        };
        int polls = 0;
        QVERIFY_THROWS_EXCEPTION(hepgen::Cancelled,
            DdpmSampler(sched).sample(counting, noise, DdpmSamplerOptions().shouldStop([&] { return ++polls > 3; })));
        QCOMPARE(calls, 3);
    }
};

QTEST_GUILESS_MAIN(TestSamplers)
#include "test_samplers.moc"
