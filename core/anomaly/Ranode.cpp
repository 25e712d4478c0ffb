#include "core/anomaly/Ranode.h"

#include "core/anomaly/ModelFiles.h"
#include "core/models/ModelFactory.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace hepgen::anomaly {

RanodeSignalModel::RanodeSignalModel(
    ConditionalDensity& background, int64_t epochs, std::uint64_t seed, double fixedFraction)
    : m_background(background)
    , m_epochs(epochs)
    , m_seed(seed)
    , m_fixedFraction(fixedFraction)
{
}

RanodeSignalModel::~RanodeSignalModel() = default;

double RanodeSignalModel::signalFraction() const
{
    return m_fractionLogit.defined() ? torch::sigmoid(m_fractionLogit).item<double>() : 0.0;
}

void RanodeSignalModel::fit(const torch::Tensor& x, const torch::Tensor& m, const JobControl& job)
{
    const auto y = m_background.preprocessFeatures(x), c = m_background.preprocessMass(m);
    torch::Tensor logBg;
    {
        torch::NoGradGuard noGrad;
        logBg = m_background.model().logDensity(y, c).detach();
    }
    torch::manual_seed(m_seed);
    const auto& dc = m_background.config();
    m_signal = hepgen::models::makeModel(dc.family, { y.size(1), 1 }, dc.model);
    // w starts at 1 %: a small signal is the case R-ANODE is for; the fit moves it where the data say.
    // A fixed w stays where it was put (no gradient, never stepped).
    const double w0 = m_fixedFraction > 0 ? m_fixedFraction : 0.01;
    m_fractionLogit
        = torch::full({ 1 }, std::log(w0 / (1 - w0)), torch::kFloat32).set_requires_grad(m_fixedFraction <= 0);
    torch::optim::Adam flowOpt(m_signal->parameters(), torch::optim::AdamOptions(1e-3));
    torch::optim::Adam fractionOpt(std::vector<torch::Tensor> { m_fractionLogit }, torch::optim::AdamOptions(2e-2));

    auto gen = at::detail::createCPUGenerator(m_seed ^ 0x7a1dULL);
    const int64_t n = y.size(0);
    const auto perm = torch::randperm(n, gen, torch::kLong);
    const int64_t nVal = std::max<int64_t>(1, n / 5);
    const auto val = perm.slice(0, 0, nVal), train = perm.slice(0, nVal);
    const auto nll = [&](const torch::Tensor& idx) {
        const auto lw = torch::log_sigmoid(m_fractionLogit), l1w = torch::log_sigmoid(-m_fractionLogit);
        const auto ls = m_signal->logDensity(y.index_select(0, idx), c.index_select(0, idx));
        return -torch::logsumexp(torch::stack({ lw + ls, l1w + logBg.index_select(0, idx) }), 0).mean();
    };
    const int64_t batch = 256;
    double best = std::numeric_limits<double>::infinity();
    std::vector<torch::Tensor> bestState;
    const auto snapshot = [&] {
        std::vector<torch::Tensor> s;
        for (const auto& p : m_signal->parameters())
            s.push_back(p.detach().clone());
        s.push_back(m_fractionLogit.detach().clone());
        return s;
    };
    for (int64_t epoch = 0; epoch < m_epochs; ++epoch) {
        m_signal->train(true);
        const auto order = train.index_select(0, torch::randperm(train.size(0), gen, torch::kLong));
        for (int64_t i = 0; i < order.size(0); i += batch) {
            job.throwIfStopped();
            flowOpt.zero_grad();
            fractionOpt.zero_grad();
            const auto loss = nll(order.slice(0, i, i + batch));
            if (!std::isfinite(loss.item<double>()))
                throw NumericError("R-ANODE's likelihood became non-finite while fitting the signal model.");
            loss.backward();
            torch::nn::utils::clip_grad_norm_(m_signal->parameters(), 1.0);
            flowOpt.step();
            if (m_fixedFraction <= 0)
                fractionOpt.step();
        }
        m_signal->train(false);
        double v = 0;
        {
            torch::NoGradGuard noGrad;
            v = nll(val).item<double>();
        }
        if (!std::isfinite(v))
            throw NumericError("R-ANODE's validation likelihood became non-finite while fitting the signal model.");
        if (v < best) {
            best = v;
            bestState = snapshot();
        }
        job.report(double(epoch + 1) / double(m_epochs), fmt::format("R-ANODE epoch {}", epoch + 1));
    }
    torch::NoGradGuard noGrad;
    auto params = m_signal->parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        params[i].copy_(bestState[i]);
    m_fractionLogit.copy_(bestState.back());
}

torch::Tensor RanodeSignalModel::score(const torch::Tensor& x, const torch::Tensor& m)
{
    torch::NoGradGuard noGrad;
    const auto y = m_background.preprocessFeatures(x), c = m_background.preprocessMass(m);
    return (m_signal->logDensity(y, c) - m_background.model().logDensity(y, c)).to(torch::kFloat64);
}

void RanodeSignalModel::save(const std::string& dir) const
{
    if (!m_signal)
        throw ConfigError("The R-ANODE signal model cannot be saved before it is fitted.");
    files::writeJson(dir, "ranode.json",
        { { "epochs", m_epochs }, { "seed", m_seed }, { "fixed_fraction", m_fixedFraction } }, "hepgen-ranode-signal");
    files::writeArchive(dir, "ranode.pt", m_signal->modules(), { { "fraction_logit", m_fractionLogit.detach() } });
}

std::shared_ptr<RanodeSignalModel> RanodeSignalModel::load(const std::string& dir, ConditionalDensity& background)
{
    const auto j = files::readJson(dir, "ranode.json", "hepgen-ranode-signal");
    auto model = std::make_shared<RanodeSignalModel>(
        background, j.value("epochs", int64_t(1)), j.value("seed", std::uint64_t(0)), j.value("fixed_fraction", 0.0));
    const auto& dc = background.config();
    model->m_signal = hepgen::models::makeModel(dc.family, background.model().shape(), dc.model);
    model->m_fractionLogit = torch::zeros({ 1 }, torch::kFloat32);
    files::readArchive(dir, "ranode.pt", model->m_signal->modules(), { { "fraction_logit", &model->m_fractionLogit } });
    model->m_signal->train(false);
    return model;
}

} // namespace hepgen::anomaly
