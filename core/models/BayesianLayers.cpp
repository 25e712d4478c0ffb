#include "core/models/BayesianLayers.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace hepgen::models {

double inverseSoftplus(double sigma) { return sigma > 20 ? sigma : std::log(std::expm1(sigma)); }

BayesLinearImpl::BayesLinearImpl(const BayesLinearOptions& o)
    : options(o)
{
    reset();
}

void BayesLinearImpl::reset()
{
    if (options.in() <= 0 || options.out() <= 0)
        throw ConfigError("A Bayesian linear layer needs positive input and output widths.");
    if (!(options.priorStd() > 0) || !(options.initialSigma() > 0) || !std::isfinite(options.priorStd())
        || !std::isfinite(options.initialSigma()))
        throw ConfigError(fmt::format("A Bayesian layer needs a positive prior standard deviation and initial sigma "
                                      "(got {} and {}).",
            options.priorStd(), options.initialSigma()));
    // Means as torch::nn::Linear initialises its weights: U(-1/sqrt(in), 1/sqrt(in)) (Kaiming uniform, a = sqrt(5)).
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in()));
    const double rho = inverseSoftplus(options.initialSigma());
    weightMu = register_parameter("weight_mu", torch::empty({ options.out(), options.in() }).uniform_(-bound, bound));
    weightRho = register_parameter("weight_rho", torch::full({ options.out(), options.in() }, rho));
    biasMu = register_parameter("bias_mu", torch::empty({ options.out() }).uniform_(-bound, bound));
    biasRho = register_parameter("bias_rho", torch::full({ options.out() }, rho));
    m_weightEps = torch::Tensor();
    m_biasEps = torch::Tensor();
}

torch::Tensor BayesLinearImpl::weightSigma() const { return torch::nn::functional::softplus(weightRho); }

torch::Tensor BayesLinearImpl::biasSigma() const { return torch::nn::functional::softplus(biasRho); }

void BayesLinearImpl::drawWeights(const c10::optional<at::Generator>& generator)
{
    const auto opts = weightMu.options().requires_grad(false);
    if (generator) {
        m_weightEps = torch::randn(weightMu.sizes(), *generator, opts.device(torch::kCPU)).to(weightMu.device());
        m_biasEps = torch::randn(biasMu.sizes(), *generator, opts.device(torch::kCPU)).to(biasMu.device());
    } else {
        m_weightEps = torch::randn(weightMu.sizes(), opts);
        m_biasEps = torch::randn(biasMu.sizes(), opts);
    }
    m_mode = WeightMode::Fixed;
}

torch::Tensor BayesLinearImpl::forward(const torch::Tensor& x)
{
    if (m_mode == WeightMode::Mean)
        return torch::nn::functional::linear(x, weightMu, biasMu);
    torch::Tensor we = m_weightEps, be = m_biasEps;
    if (m_mode == WeightMode::Sample || !we.defined()) {
        // Reparameterisation trick (Kingma & Welling 2014; Blundell et al. 2015, Sec. 3.2): w = mu + sigma * eps.
        we = torch::randn_like(weightMu);
        be = torch::randn_like(biasMu);
    }
    return torch::nn::functional::linear(x, weightMu + weightSigma() * we, biasMu + biasSigma() * be);
}

torch::Tensor BayesLinearImpl::kl() const
{
    // KL(N(mu, s^2) || N(0, p^2)) = ln(p / s) + (s^2 + mu^2) / (2 p^2) - 1/2, per weight.
    const double p = options.priorStd();
    auto term = [p](const torch::Tensor& mu, const torch::Tensor& s) {
        return (std::log(p) - s.log() + (s.pow(2) + mu.pow(2)) / (2 * p * p) - 0.5).sum();
    };
    return term(weightMu, weightSigma()) + term(biasMu, biasSigma());
}

} // namespace hepgen::models
