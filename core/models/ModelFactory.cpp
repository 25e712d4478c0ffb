#include "core/models/ModelFactory.h"

#include "core/models/DdpmModel.h"
#include "core/models/EdmModel.h"
#include "core/models/FlowMatchingModel.h"

namespace hepgen::models {

const std::vector<FamilyEntry>& familyTable()
{
    static const std::vector<FamilyEntry> table {
        { "ddpm", "Denoising diffusion (Ho et al. 2020): eps-prediction MLP, DDPM or DDIM sampling",
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
    };
    return table;
}

} // namespace hepgen::models
