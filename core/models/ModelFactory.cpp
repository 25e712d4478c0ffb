#include "core/models/ModelFactory.h"

#include "core/models/ConsistencyModel.h"
#include "core/models/DdpmModel.h"
#include "core/models/EdmModel.h"
#include "core/models/FlowMatchingModel.h"
#include "core/models/FlowModel.h"
#include "core/models/GanModels.h"
#include "core/models/VaeModel.h"

namespace hepgen::models {

const std::vector<FamilyEntry>& familyTable()
{
    static const std::vector<FamilyEntry> table {
        { "gan", "Non-saturating GAN: MLP generator and discriminator (Goodfellow et al. 2014).",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<GanModel>("gan", s, c); } },
        { "wgan-gp",
            "Wasserstein GAN with gradient penalty, 5 critic steps per generator step (Gulrajani et al. 2017).",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<GanModel>("wgan-gp", s, c); } },
        { "vae", "Variational auto-encoder with a beta-weighted KL and a Gaussian decoder (Kingma & Welling 2014).",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<VaeModel>(s, c); } },
        { "flow-affine", "Normalizing flow of affine coupling layers (RealNVP, Dinh et al. 2017); exact density.",
            [](const ModelShape& s, const nlohmann::json& c) {
                return std::make_unique<FlowModel>("flow-affine", s, c);
            } },
        { "flow-rqs", "Normalizing flow of rational-quadratic spline couplings (Durkan et al. 2019); exact density.",
            [](const ModelShape& s, const nlohmann::json& c) {
                return std::make_unique<FlowModel>("flow-rqs", s, c);
            } },
        { "maf-affine", "Masked autoregressive flow, affine (Papamakarios et al. 2017); exact density.",
            [](const ModelShape& s, const nlohmann::json& c) {
                return std::make_unique<FlowModel>("maf-affine", s, c);
            } },
        { "maf-rqs", "Masked autoregressive flow with rational-quadratic splines (Durkan et al. 2019); exact density.",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<FlowModel>("maf-rqs", s, c); } },
        { "ddpm", "Denoising diffusion (Ho et al. 2020): eps-prediction MLP, DDPM or DDIM sampling.",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<DdpmModel>(s, c); } },
        { "edm", "EDM diffusion (Karras et al. 2022): preconditioned denoiser, Heun sampling",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<EdmModel>(s, c); } },
        { "cfm", "Conditional flow matching (Lipman et al. 2023): velocity MLP on straight paths, ODE sampling",
            [](const ModelShape& s, const nlohmann::json& c) {
                return std::make_unique<FlowMatchingModel>(s, c, false);
            } },
        { "cfm-ot", "Flow matching with mini-batch optimal-transport pairing (Tong et al. 2024), ODE sampling",
            [](const ModelShape& s, const nlohmann::json& c) {
                return std::make_unique<FlowMatchingModel>(s, c, true);
            } },
        { "bayes-cfm", "Bayesian flow matching: variational Bayesian velocity MLP, samples and densities with a spread",
            [](const ModelShape& s, const nlohmann::json& c) {
                return std::make_unique<FlowMatchingModel>(s, c, false, true);
            } },
        { "consistency",
            "Consistency model (Song et al. 2023): 1-2 step sampling; distilled from an edm run (--teacher) or trained",
            [](const ModelShape& s, const nlohmann::json& c) { return std::make_unique<ConsistencyModel>(s, c); } },
    };
    return table;
}

} // namespace hepgen::models
