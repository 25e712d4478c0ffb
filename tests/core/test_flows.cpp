// Normalizing-flow building blocks as mathematical invariants (the zuko test_flows.py checklist):
// the rational-quadratic spline (inverse, log-det vs autograd, monotonicity, tails, knots,
// identity), every bijection kind (identity at init, invertibility, log-det vs the full autograd
// Jacobian with and without context, gradients reach every parameter, MADE's autoregressive
// structure), and whole flows (density integrates to 1, sampling matches the density, deep
// clone, context handling, option errors, a quick fit to a known Gaussian).
#include "core/models/flows/Flow.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <sstream>

using namespace hepgen::models::flows;

namespace {

const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);

double maxAbs(const torch::Tensor& t) { return t.numel() == 0 ? 0.0 : t.abs().max().item<double>(); }

/// Adds scale * N(0, 1) noise to every parameter (moves zero-initialised layers off the identity).
void perturb(torch::nn::Module& m, double scale)
{
    torch::NoGradGuard noGrad;
    for (auto& p : m.parameters())
        p.add_(scale * torch::randn_like(p));
}

/// Per-sample Jacobian (N, Dout, Din) of a row-wise map f: (N, Din) -> (N, Dout), by autograd.
torch::Tensor jacobian(const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& x)
{
    const auto xr = x.detach().clone().requires_grad_(true);
    const auto y = f(xr);
    std::vector<torch::Tensor> rows;
    for (int64_t i = 0; i < y.size(1); ++i) {
        auto g = torch::autograd::grad({ y.select(1, i).sum() }, { xr }, {}, /*retain_graph=*/true,
            /*create_graph=*/false, /*allow_unused=*/true)[0];
        rows.push_back(g.defined() ? g : torch::zeros_like(xr));
    }
    return torch::stack(rows, 1);
}

/// One layer of the given kind over d features (c context columns), in float64.
std::shared_ptr<Bijection> makeLayer(const QString& kind, int64_t d, int64_t c)
{
    const std::vector<int64_t> hidden { 16, 16 };
    const auto spline = SplineOptions().bins(5).tailBound(3.0);
    std::shared_ptr<Bijection> b;
    if (kind == "affine-coupling")
        b = AffineCoupling(AffineCouplingOptions(d).context(c).hidden(hidden)).ptr();
    else if (kind == "affine-coupling-softplus")
        b = AffineCoupling(
            AffineCouplingOptions(d).context(c).hidden(hidden).transformOdd(true).scale(AffineScale::Softplus))
                .ptr();
    else if (kind == "rqs-coupling")
        b = RqsCoupling(RqsCouplingOptions(d).context(c).hidden(hidden).spline(spline)).ptr();
    else if (kind == "maf-affine")
        b = MafAffine(MafAffineOptions(d).context(c).hidden(hidden)).ptr();
    else if (kind == "maf-rqs")
        b = MafRqs(MafRqsOptions(d).context(c).hidden(hidden).spline(spline)).ptr();
    else
        b = Permutation(PermutationOptions(d).kind(PermutationKind::Random).seed(3)).ptr();
    b->to(torch::kFloat64);
    return b;
}

void addKinds()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("context");
    for (const char* k : { "affine-coupling", "affine-coupling-softplus", "rqs-coupling", "maf-affine", "maf-rqs" })
        for (int c : { 0, 2 })
            QTest::newRow(qPrintable(QString("%1/c%2").arg(k).arg(c))) << QString(k) << c;
    QTest::newRow("permutation") << QString("permutation") << 0;
}

/// Trapezoid weights of an n-point grid with spacing h.
torch::Tensor trapezoidWeights(int64_t n, double h)
{
    auto w = torch::full({ n }, h, f64);
    w[0] = h / 2;
    w[n - 1] = h / 2;
    return w;
}

} // namespace

class TestFlows : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(11); }

    // ---- rational-quadratic spline ------------------------------------------------------------
    void splineInvertsAndLogDetsCancel()
    {
        const int64_t n = 500, d = 3, k = 6;
        const auto x = 2.5 * torch::randn({ n, d }, f64); // ~23 % outside [-3, 3]
        const auto w = torch::randn({ n, d, k }, f64), h = torch::randn({ n, d, k }, f64);
        const auto u = 2 * torch::randn({ n, d, k - 1 }, f64);
        const auto fwd = rationalQuadraticSpline(x, w, h, u, false);
        const auto inv = rationalQuadraticSpline(fwd.outputs, w, h, u, true);
        const double roundTrip = maxAbs(inv.outputs - x), cancel = maxAbs(fwd.logAbsDet + inv.logAbsDet);
        qInfo("spline: max |g^-1(g(x)) - x| = %.2e, max |logdet_f + logdet_inv| = %.2e", roundTrip, cancel);
        QVERIFY(roundTrip < 1e-10);
        QVERIFY(cancel < 1e-10);
        QVERIFY(torch::isfinite(fwd.logAbsDet).all().item<bool>());

        // Extreme parameters (x10) make the map nearly flat in places (dy/dx down to ~1e-8), where x is
        // ill-determined by y: there the honest check is backward stability, g(g^-1(y)) == y.
        const auto y = 2.5 * torch::randn({ n, d }, f64);
        const auto w10 = 10 * w, h10 = 10 * h, u10 = 10 * u;
        const auto back = rationalQuadraticSpline(y, w10, h10, u10, true);
        const auto again = rationalQuadraticSpline(back.outputs, w10, h10, u10, false);
        const double residual = maxAbs(again.outputs - y);
        qInfo("spline, parameters x10: max |g(g^-1(y)) - y| = %.2e (min dy/dx %.1e)", residual,
            again.logAbsDet.min().exp().item<double>());
        QVERIFY(residual < 1e-10); // x's rounding (~1e-15) times slopes up to ~1e3 (height / min width)
    }

    void splineLogDetMatchesAutograd()
    {
        const int64_t n = 300, d = 2, k = 5;
        const auto x = 2 * torch::randn({ n, d }, f64);
        const auto w = torch::randn({ n, d, k }, f64), h = torch::randn({ n, d, k }, f64);
        const auto u = torch::randn({ n, d, k - 1 }, f64);
        for (bool inverse : { false, true }) {
            const auto xr = x.clone().requires_grad_(true);
            const auto r = rationalQuadraticSpline(xr, w, h, u, inverse);
            // Elementwise map: d(sum y)/dx is the diagonal of the Jacobian.
            const auto dydx = torch::autograd::grad({ r.outputs.sum() }, { xr })[0];
            const double err = maxAbs(dydx.log() - r.logAbsDet);
            qInfo("spline (inverse=%d): max |log dy/dx (autograd) - logAbsDet| = %.2e", int(inverse), err);
            QVERIFY(err < 1e-10);
        }
    }

    void splineIsMonotonicWithIdentityTails()
    {
        const int64_t n = 4001, k = 8;
        const double bound = 3.0;
        const auto x = torch::linspace(-5, 5, n, f64).unsqueeze(1);
        const auto w = torch::randn({ 1, 1, k }, f64).expand({ n, 1, k });
        const auto h = torch::randn({ 1, 1, k }, f64).expand({ n, 1, k });
        const auto u = torch::randn({ 1, 1, k - 1 }, f64).expand({ n, 1, k - 1 });
        for (bool inverse : { false, true }) {
            const auto r = rationalQuadraticSpline(x, w, h, u, inverse, bound);
            QVERIFY((r.outputs.diff(1, 0) > 0).all().item<bool>());
            const auto outside = (x.abs() > bound);
            QCOMPARE(maxAbs((r.outputs - x).masked_select(outside)), 0.0);
            QCOMPARE(maxAbs(r.logAbsDet.masked_select(outside)), 0.0);
            // Boundary derivatives are 1: the map joins the tails with slope 1 (C1).
            const auto edge = torch::tensor({ { -bound + 1e-7 }, { bound - 1e-7 } }, f64);
            const auto re = rationalQuadraticSpline(
                edge, w.narrow(0, 0, 2), h.narrow(0, 0, 2), u.narrow(0, 0, 2), inverse, bound);
            QVERIFY(maxAbs(re.outputs - edge) < 1e-6);
            QVERIFY(maxAbs(re.logAbsDet) < 1e-5);
        }
    }

    void splineHitsKnotsAndZeroParamsGiveIdentity()
    {
        const int64_t k = 7;
        const double bound = 2.0, minW = 1e-3, minH = 1e-3;
        const auto w = torch::randn({ 1, 1, k }, f64), h = torch::randn({ 1, 1, k }, f64);
        const auto u = torch::randn({ 1, 1, k - 1 }, f64);
        // Knots recomputed from the paper's parametrisation: softmax, floor, cumulate, scale to [-B, B].
        const auto knotsOf = [&](const torch::Tensor& p, double minSize) {
            const auto s = minSize + (1 - minSize * k) * torch::softmax(p.flatten(), 0);
            return torch::cat({ torch::full({ 1 }, -bound, f64), 2 * bound * torch::cumsum(s, 0) - bound });
        };
        const auto xk = knotsOf(w, minW).unsqueeze(1), yk = knotsOf(h, minH).unsqueeze(1); // (K+1, 1)
        const auto expand = [&](const torch::Tensor& p) { return p.expand({ k + 1, 1, p.size(2) }); };
        const auto fwd = rationalQuadraticSpline(xk, expand(w), expand(h), expand(u), false, bound, minW, minH);
        const auto inv = rationalQuadraticSpline(yk, expand(w), expand(h), expand(u), true, bound, minW, minH);
        const double knotErr = std::max(maxAbs(fwd.outputs - yk), maxAbs(inv.outputs - xk));
        qInfo("spline: max error at the knots = %.2e", knotErr);
        QVERIFY(knotErr < 1e-12);

        const int64_t n = 1000;
        const auto x = torch::linspace(-bound, bound, n, f64).unsqueeze(1).repeat({ 1, 3 });
        const auto zw = torch::zeros({ n, 3, k }, f64), zu = torch::zeros({ n, 3, k - 1 }, f64);
        for (bool inverse : { false, true }) {
            const auto r = rationalQuadraticSpline(x, zw, zw, zu, inverse, bound, minW, minH);
            const double err = std::max(maxAbs(r.outputs - x), maxAbs(r.logAbsDet));
            qInfo("spline: zero parameters, max deviation from identity = %.2e", err);
            QVERIFY(err < 1e-12);
        }
        // Float32 too: the identity holds to float rounding.
        const auto r32 = rationalQuadraticSpline(x.to(torch::kFloat32), zw.to(torch::kFloat32), zw.to(torch::kFloat32),
            zu.to(torch::kFloat32), false, bound);
        QVERIFY(maxAbs(r32.outputs - x.to(torch::kFloat32)) < 1e-5);
        QCOMPARE(r32.outputs.scalar_type(), torch::kFloat32);
    }

    void splineRejectsBadArguments()
    {
        const auto x = torch::zeros({ 4, 2 });
        const auto w = torch::zeros({ 4, 2, 5 }), u = torch::zeros({ 4, 2, 4 });
        using hepgen::ConfigError;
        QVERIFY_THROWS_EXCEPTION(ConfigError, rationalQuadraticSpline(x, w, w, w, false)); // K derivatives, not K-1
        QVERIFY_THROWS_EXCEPTION(ConfigError, rationalQuadraticSpline(x, torch::zeros({ 4, 3, 5 }), w, u, false));
        QVERIFY_THROWS_EXCEPTION(ConfigError, rationalQuadraticSpline(x, w, w, u, false, 0.0));
        QVERIFY_THROWS_EXCEPTION(ConfigError, rationalQuadraticSpline(x, w, w, u, false, 3.0, 0.25));
        QVERIFY_THROWS_EXCEPTION(ConfigError, rationalQuadraticSpline(x, w, w, u, false, 3.0, 1e-3, 1e-3, 1.0));
        QVERIFY_THROWS_EXCEPTION(ConfigError, rationalQuadraticSpline(x, torch::Tensor(), w, u, false));
    }

    // ---- every bijection kind ----------------------------------------------------------------
    void bijectionIsIdentityAtInit_data() { addKinds(); }
    void bijectionIsIdentityAtInit()
    {
        QFETCH(QString, kind);
        QFETCH(int, context);
        if (kind == "permutation")
            QSKIP("a permutation is not the identity by design");
        const int64_t d = 4;
        auto b = makeLayer(kind, d, context);
        const auto x = 1.5 * torch::randn({ 32, d }, f64);
        const auto c = context > 0 ? torch::randn({ 32, context }, f64) : torch::Tensor();
        for (bool inverse : { false, true }) {
            const auto r = inverse ? b->inverse(x, c) : b->forward(x, c);
            QVERIFY(maxAbs(r.outputs - x) < 1e-12);
            QVERIFY(maxAbs(r.logAbsDet) < 1e-12);
            QCOMPARE(r.logAbsDet.sizes(), (torch::IntArrayRef { 32 }));
        }
    }

    void bijectionInvertsAndMatchesJacobian_data() { addKinds(); }
    void bijectionInvertsAndMatchesJacobian()
    {
        QFETCH(QString, kind);
        QFETCH(int, context);
        const int64_t d = kind.startsWith("maf") ? 3 : 4;
        auto b = makeLayer(kind, d, context);
        perturb(*b, 0.25);
        const int64_t n = 64;
        const auto x = 1.5 * torch::randn({ n, d }, f64);
        const auto c = context > 0 ? torch::randn({ n, context }, f64) : torch::Tensor();
        const auto fwd = b->forward(x, c);
        const auto inv = b->inverse(fwd.outputs, c);
        const double roundTrip = maxAbs(inv.outputs - x), cancel = maxAbs(fwd.logAbsDet + inv.logAbsDet);
        QVERIFY2(roundTrip < 1e-10, qPrintable(QString("round trip error %1").arg(roundTrip)));
        QVERIFY2(cancel < 1e-10, qPrintable(QString("log-det cancellation error %1").arg(cancel)));
        QVERIFY(maxAbs(fwd.outputs - x) > 1e-3 || kind == "permutation"); // really moved off the identity

        // log|det J| of the full autograd Jacobian, both directions.
        const auto xs = x.narrow(0, 0, 8);
        const auto cs = context > 0 ? c.narrow(0, 0, 8) : torch::Tensor();
        const auto jf = jacobian([&](const torch::Tensor& t) { return b->forward(t, cs).outputs; }, xs);
        const auto zs = b->forward(xs, cs).outputs;
        const auto ji = jacobian([&](const torch::Tensor& t) { return b->inverse(t, cs).outputs; }, zs);
        const double errF = maxAbs(std::get<1>(torch::linalg::slogdet(jf)) - b->forward(xs, cs).logAbsDet);
        const double errI = maxAbs(std::get<1>(torch::linalg::slogdet(ji)) - b->inverse(zs, cs).logAbsDet);
        qInfo("%s c=%d: round trip %.1e, log-det vs autograd Jacobian: forward %.1e, inverse %.1e", qPrintable(kind),
            context, roundTrip, errF, errI);
        QVERIFY(errF < 1e-10);
        QVERIFY(errI < 1e-10);
        if (context > 0) // the context really conditions the map
            QVERIFY(maxAbs(b->forward(x, c).outputs - b->forward(x, c + 1).outputs) > 1e-3);
    }

    void bijectionGradientsReachEveryParameter_data() { addKinds(); }
    void bijectionGradientsReachEveryParameter()
    {
        QFETCH(QString, kind);
        QFETCH(int, context);
        if (kind == "permutation")
            QSKIP("a permutation has no parameters");
        const int64_t d = 4;
        auto b = makeLayer(kind, d, context);
        perturb(*b, 0.3);
        const auto x = torch::randn({ 64, d }, f64);
        const auto c = context > 0 ? torch::randn({ 64, context }, f64) : torch::Tensor();
        const auto r = b->forward(x, c);
        (r.outputs.square().sum() - r.logAbsDet.sum()).backward();
        for (const auto& p : b->named_parameters()) {
            const auto& g = p.value().grad();
            QVERIFY2(g.defined() && torch::isfinite(g).all().item<bool>(), qPrintable(QString::fromStdString(p.key())));
            QVERIFY2(maxAbs(g) > 0, qPrintable(QString::fromStdString(p.key())));
        }
    }

    void madeIsAutoregressive()
    {
        const int64_t d = 5;
        for (int64_t c : { 0, 2 }) {
            Made made(MadeOptions(d, 3).context(c).hidden({ 12, 12 }));
            made->to(torch::kFloat64);
            perturb(*made, 0.5);
            const auto x = torch::randn({ 6, d }, f64);
            const auto ctx = c > 0 ? torch::randn({ 6, c }, f64) : torch::Tensor();
            // Output block of feature i must not depend on x_j for j >= i, and must depend on x_<i.
            const auto j = jacobian([&](const torch::Tensor& t) { return made->forward(t, ctx).flatten(1); }, x);
            for (int64_t i = 0; i < d; ++i) {
                const auto block = j.narrow(1, 3 * i, 3);
                QCOMPARE(maxAbs(block.narrow(2, i, d - i)), 0.0);
                if (i > 0)
                    QVERIFY(maxAbs(block.narrow(2, 0, i)) > 0);
            }
            // The MAF Jacobian is therefore lower triangular, with the log-det its diagonal's.
            MafRqs maf(MafRqsOptions(d).context(c).hidden({ 12, 12 }).spline(SplineOptions().bins(4)));
            maf->to(torch::kFloat64);
            perturb(*maf, 0.5);
            const auto jm = jacobian([&](const torch::Tensor& t) { return maf->forward(t, ctx).outputs; }, x);
            QCOMPARE(maxAbs(jm.triu(1)), 0.0);
            QVERIFY(maxAbs(jm.diagonal(0, 1, 2).abs().log().sum(1) - maf->forward(x, ctx).logAbsDet) < 1e-10);
        }
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, Made(MadeOptions(0, 2)));
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, Made(MadeOptions(3, 2).hidden({})));
    }

    void permutationIsSeededAndReversible()
    {
        Permutation a(PermutationOptions(9).kind(PermutationKind::Random).seed(5));
        Permutation b(PermutationOptions(9).kind(PermutationKind::Random).seed(5));
        Permutation other(PermutationOptions(9).kind(PermutationKind::Random).seed(6));
        QCOMPARE(a->permutation(), b->permutation());
        QVERIFY(a->permutation() != other->permutation());
        auto sorted = a->permutation();
        std::sort(sorted.begin(), sorted.end());
        for (int64_t i = 0; i < 9; ++i)
            QCOMPARE(sorted[static_cast<size_t>(i)], i);
        Permutation rev(PermutationOptions(3).kind(PermutationKind::Reverse));
        const auto x = torch::tensor({ { 1.0, 2.0, 3.0 } });
        QCOMPARE(maxAbs(rev->forward(x).outputs - torch::tensor({ { 3.0, 2.0, 1.0 } })), 0.0);
        const auto y = torch::randn({ 4, 9 });
        QCOMPARE(maxAbs(a->inverse(a->forward(y).outputs).outputs - y), 0.0);
        QCOMPARE(maxAbs(a->forward(y).logAbsDet), 0.0);
    }

    // ---- whole flows ------------------------------------------------------------------------
    void flowDensityIntegratesToOne_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("features");
        QTest::addColumn<int>("context");
        QTest::addColumn<double>("halfWidth");
        QTest::addColumn<int>("points");
        QTest::newRow("maf-rqs 1D") << "maf-rqs" << 1 << 0 << 12.0 << 4801;
        QTest::newRow("affine-coupling 1D | c") << "affine-coupling" << 1 << 1 << 40.0 << 16001;
        QTest::newRow("rqs-coupling 2D | c") << "rqs-coupling" << 2 << 1 << 9.0 << 361;
        QTest::newRow("maf-affine 2D") << "maf-affine" << 2 << 0 << 12.0 << 481;
    }
    void flowDensityIntegratesToOne()
    {
        QFETCH(QString, kind);
        QFETCH(int, features);
        QFETCH(int, context);
        QFETCH(double, halfWidth);
        QFETCH(int, points);
        Flow flow(FlowOptions(features)
                      .kind(flowKindFromString(kind.toStdString()))
                      .context(context)
                      .layers(2)
                      .hidden({ 16, 16 })
                      .bins(6)
                      .permutation(PermutationKind::Random));
        flow->to(torch::kFloat64);
        perturb(*flow, 0.2);
        torch::NoGradGuard noGrad;
        const double h = 2 * halfWidth / (points - 1);
        const auto axis = torch::linspace(-halfWidth, halfWidth, points, f64);
        auto w = trapezoidWeights(points, h);
        torch::Tensor grid = axis.unsqueeze(1);
        if (features == 2) {
            const auto mesh = torch::meshgrid({ axis, axis }, "ij");
            grid = torch::stack({ mesh[0].flatten(), mesh[1].flatten() }, 1);
            w = torch::outer(w, w).flatten();
        }
        const auto c = context > 0 ? torch::full({ 1, context }, 0.7, f64) : torch::Tensor(); // one row, broadcast
        const auto logp = flow->logProb(grid, c);
        const double mass = (w * logp.exp()).sum().item<double>();
        // Tolerance: the density is C1 and piecewise smooth, so the trapezoid rule errs by
        // O(h^2 max|p''|) ~ 1e-4 at these spacings; the tails beyond the grid hold < 1e-10.
        qInfo("%s: integral of p over the grid = %.6f", qPrintable(kind), mass);
        QVERIFY(std::abs(mass - 1) < 2e-3);
        QVERIFY(logp.std().item<double>() > 0.1); // not a trivial flat-zero log-density
    }

    void flowSamplingMatchesDensity()
    {
        // 1D: the Monte-Carlo entropy of samples, -mean log p(x_i), matches -int p log p on a grid.
        Flow flow(FlowOptions(1).kind(FlowKind::MafRqs).layers(2).hidden({ 16, 16 }).bins(6));
        flow->to(torch::kFloat64);
        perturb(*flow, 0.3);
        torch::NoGradGuard noGrad;
        const int64_t points = 4801;
        const auto grid = torch::linspace(-12, 12, points, f64).unsqueeze(1);
        const auto logp = flow->logProb(grid);
        const double entropyGrid
            = -(trapezoidWeights(points, 24.0 / (points - 1)) * logp.exp() * logp).sum().item<double>();
        const int64_t n = 20000;
        const auto lp = flow->logProb(flow->sample(n));
        const double entropyMc = -lp.mean().item<double>(), stdErr = lp.std().item<double>() / std::sqrt(double(n));
        qInfo("entropy: grid %.4f, Monte Carlo %.4f +- %.4f", entropyGrid, entropyMc, stdErr);
        QVERIFY(std::abs(entropyMc - entropyGrid) < 4 * stdErr);
        QVERIFY(std::abs(entropyGrid - 0.5 * std::log(2 * M_PI * M_E)) > 10 * stdErr); // not just the base density

        // Every kind, with context: sampling direction and density direction agree.
        for (const auto kind :
            { FlowKind::AffineCoupling, FlowKind::RqsCoupling, FlowKind::MafAffine, FlowKind::MafRqs }) {
            Flow f(FlowOptions(3).kind(kind).context(2).layers(3).hidden({ 16 }).bins(5));
            f->to(torch::kFloat64);
            perturb(*f, 0.25);
            const auto z = torch::randn({ 256, 3 }, f64), c = torch::randn({ 256, 2 }, f64);
            const auto inv = f->inverseWithLogDet(z, c);
            const auto fwd = f->forwardWithLogDet(inv.outputs, c);
            const double zErr = maxAbs(fwd.outputs - z), ldErr = maxAbs(fwd.logAbsDet + inv.logAbsDet);
            const double lpErr = maxAbs(f->logProb(inv.outputs, c) - (standardNormalLogProb(z) - inv.logAbsDet));
            qInfo("%s: |f(f^-1(z)) - z| %.1e, log-det %.1e, log p %.1e", toString(kind).c_str(), zErr, ldErr, lpErr);
            QVERIFY(zErr < 1e-9 && ldErr < 1e-9 && lpErr < 1e-9);
            const auto s = f->sample(50, c.narrow(0, 0, 1));
            QCOMPARE(s.sizes(), (torch::IntArrayRef { 50, 3 }));
            QCOMPARE(s.scalar_type(), torch::kFloat64);
            QVERIFY(torch::isfinite(s).all().item<bool>());
        }
    }

    void flowCloneIsDeepAndIdentical()
    {
        Flow flow(FlowOptions(4)
                      .kind(FlowKind::MafRqs)
                      .context(1)
                      .layers(3)
                      .hidden({ 8 })
                      .permutation(PermutationKind::Random)
                      .seed(42));
        perturb(*flow, 0.2);
        const auto x = torch::randn({ 20, 4 }), c = torch::randn({ 20, 1 });
        const auto before = flow->logProb(x, c).detach();
        auto copy = std::dynamic_pointer_cast<FlowImpl>(flow->clone());
        QVERIFY(copy != nullptr);
        QCOMPARE(copy->parameters().size(), flow->parameters().size());
        QCOMPARE(maxAbs(copy->logProb(x, c) - before), 0.0);
        perturb(*copy, 0.5); // training the copy leaves the original alone
        QCOMPARE(maxAbs(flow->logProb(x, c) - before), 0.0);
        QVERIFY(maxAbs(copy->logProb(x, c) - before) > 1e-3);
        QCOMPARE(copy->bijections().size(), size_t(6));
        // A checkpoint round trip: parameters and MADE masks load into a flow built from the same options.
        std::stringstream archive;
        torch::save(flow, archive);
        Flow loaded(flow->options);
        torch::load(loaded, archive);
        QCOMPARE(maxAbs(loaded->logProb(x, c) - before), 0.0);
    }

    void flowContextBroadcastAndErrors()
    {
        using hepgen::ConfigError;
        Flow flow(FlowOptions(3).kind(FlowKind::MafAffine).context(2).layers(2).hidden({ 8 }));
        perturb(*flow, 0.2);
        const auto x = torch::randn({ 5, 3 });
        const auto row = torch::tensor({ 0.3f, -1.2f });
        const auto full = flow->logProb(x, row.unsqueeze(0).expand({ 5, 2 }).contiguous());
        QCOMPARE(full.sizes(), (torch::IntArrayRef { 5 }));
        QCOMPARE(full.scalar_type(), torch::kFloat32);
        QCOMPARE(maxAbs(flow->logProb(x, row.unsqueeze(0)) - full), 0.0);
        QCOMPARE(maxAbs(flow->logProb(x, row) - full), 0.0);
        QVERIFY_THROWS_EXCEPTION(ConfigError, flow->logProb(x));
        QVERIFY_THROWS_EXCEPTION(ConfigError, flow->logProb(x, torch::zeros({ 5, 3 })));
        QVERIFY_THROWS_EXCEPTION(ConfigError, flow->logProb(x, torch::zeros({ 4, 2 })));
        QVERIFY_THROWS_EXCEPTION(ConfigError, flow->logProb(torch::zeros({ 5, 2 }), torch::zeros({ 5, 2 })));
        QVERIFY_THROWS_EXCEPTION(ConfigError, flow->sample(4, torch::zeros({ 3, 2 })));
        Flow plain(FlowOptions(2).layers(1).hidden({ 8 }));
        QVERIFY_THROWS_EXCEPTION(ConfigError, plain->logProb(torch::zeros({ 5, 2 }), torch::zeros({ 5, 1 })));
        QCOMPARE(plain->sample(0).sizes(), (torch::IntArrayRef { 0, 2 }));
    }

    void couplingFlowsTransformEveryFeature()
    {
        // Two coupling layers must transform complementary halves: no feature may pass through
        // both unchanged (a reversal of an even D already swaps the alternating halves).
        for (const auto perm : { PermutationKind::None, PermutationKind::Reverse })
            for (int64_t d : { 2, 3, 4, 5 }) {
                Flow flow(FlowOptions(d).kind(FlowKind::AffineCoupling).layers(2).hidden({ 8 }).permutation(perm));
                perturb(*flow, 0.3);
                const auto x = torch::randn({ 16, d });
                const auto z = flow->forwardWithLogDet(x).outputs;
                for (int64_t i = 0; i < d; ++i)
                    for (int64_t j = 0; j < d; ++j)
                        QVERIFY2(maxAbs(z.select(1, i) - x.select(1, j)) > 1e-4,
                            qPrintable(QString("%1 features, %2: output %3 is input %4")
                                           .arg(d)
                                           .arg(QString::fromStdString(toString(perm)))
                                           .arg(i)
                                           .arg(j)));
            }
    }

    void flowOptionsValidation()
    {
        using hepgen::ConfigError;
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(2).layers(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(2).context(-1)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(2).bins(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(2).tailBound(0)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(2).hidden({})));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(2).kind(FlowKind::MafAffine).hidden({ 8, 0 })));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeFlow(FlowOptions(1).kind(FlowKind::AffineCoupling)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, flowKindFromString("glow"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, permutationKindFromString("shuffle"));
        for (const auto k : { FlowKind::AffineCoupling, FlowKind::RqsCoupling, FlowKind::MafAffine, FlowKind::MafRqs })
            QVERIFY(flowKindFromString(toString(k)) == k);
        for (const auto k : { PermutationKind::None, PermutationKind::Reverse, PermutationKind::Random })
            QVERIFY(permutationKindFromString(toString(k)) == k);
        // 1D autoregressive flows and 1D conditional couplings are fine.
        QCOMPARE(makeFlow(FlowOptions(1).kind(FlowKind::MafRqs))->logProb(torch::zeros({ 3, 1 })).sizes(),
            (torch::IntArrayRef { 3 }));
        QCOMPARE(makeFlow(FlowOptions(1).kind(FlowKind::RqsCoupling).context(1))
                     ->logProb(torch::zeros({ 3, 1 }), torch::zeros({ 3, 1 }))
                     .sizes(),
            (torch::IntArrayRef { 3 }));
    }

    void flowFitsGaussian()
    {
        // Maximum likelihood on a correlated 2D Gaussian (float32, as in the app): the fitted
        // density's KL divergence from the truth, estimated with the low-variance difference
        // mean(log p_true - log q) on fresh samples, must fall below 0.05 nats; equivalently the
        // mean log-likelihood comes within 0.05 of its bound -H(p).
        const auto mu = torch::tensor({ 1.0f, -0.5f });
        const auto chol = torch::tensor({ { 1.0f, 0.0f }, { 0.6f, 0.66332496f } }); // cov [[1, .6], [.6, .8]]
        const auto draw = [&](int64_t n) { return mu + torch::matmul(torch::randn({ n, 2 }), chol.t()); };
        const double logDetCov = 2 * std::log(0.66332496);
        const auto logpTrue = [&](const torch::Tensor& x) {
            const auto u = torch::linalg::solve_triangular(
                chol, (x - mu).t(), /*upper=*/false, /*left=*/true, /*unitriangular=*/false)
                               .t();
            return standardNormalLogProb(u) - 0.5 * logDetCov;
        };
        const double entropy = 1 + std::log(2 * M_PI) + 0.5 * logDetCov;

        Flow flow(FlowOptions(2).kind(FlowKind::RqsCoupling).layers(4).hidden({ 32, 32 }).bins(8).tailBound(5));
        torch::optim::Adam opt(flow->parameters(), torch::optim::AdamOptions(5e-3));
        for (int step = 0; step < 400; ++step) {
            opt.zero_grad();
            const auto loss = -flow->logProb(draw(256)).mean();
            loss.backward();
            opt.step();
        }
        torch::NoGradGuard noGrad;
        const auto test = draw(20000);
        const auto logq = flow->logProb(test);
        const double kl = (logpTrue(test) - logq).mean().item<double>();
        const double nll = -logq.mean().item<double>();
        const auto z = flow->forwardWithLogDet(test).outputs;
        const double roundTrip = maxAbs(flow->inverseWithLogDet(z).outputs - test);
        qInfo("fit: KL estimate %.4f nats, mean NLL %.4f vs entropy %.4f, float32 round trip %.1e", kl, nll, entropy,
            roundTrip);
        QVERIFY(kl < 0.05);
        QVERIFY(kl > -0.02); // a KL estimate far below 0 would mean a broken log-density
        QVERIFY(roundTrip < 1e-3);
    }
};

QTEST_GUILESS_MAIN(TestFlows)
#include "test_flows.moc"
