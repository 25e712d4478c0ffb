// Saving and loading a hunt's trained models (HuntModel::save, loadHuntModel). A model directory holds
//   hunt_model.json   method, classifier, features, mass column, folds (format "hepgen-hunt-model", v1)
//   background/       the SB background density the folds share (LaCATHODE, ANODE, R-ANODE), if any
//   fold0/, fold1/... each fold's own networks; fold.json names the kind:
//                     "classifier" (classifier/: bdt.json + XGBoost model, or mlp.json + member*/),
//                     "anode" (signal_region/: the SR density), "ranode" (the signal flow and w).
#include "core/anomaly/FoldModels.h"
#include "core/anomaly/ModelFiles.h"
#include "core/util/Error.h"

#include <fmt/format.h>

#include <filesystem>

namespace hepgen::anomaly {

namespace fs = std::filesystem;

namespace {

std::string sub(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

} // namespace

void ClassifierFoldModel::save(const std::string& dir) const
{
    files::writeJson(dir, "fold.json", { { "kind", "classifier" }, { "latent", bool(m_latent) } }, "hepgen-fold-model");
    m_classifier->save(sub(dir, "classifier"));
}

void AnodeFoldModel::save(const std::string& dir) const
{
    files::writeJson(dir, "fold.json", { { "kind", "anode" } }, "hepgen-fold-model");
    m_signalRegion->save(sub(dir, "signal_region"));
}

void RanodeFoldModel::save(const std::string& dir) const
{
    files::writeJson(dir, "fold.json", { { "kind", "ranode" } }, "hepgen-fold-model");
    m_model->save(dir);
}

std::shared_ptr<FoldModel> loadFoldModel(const std::string& dir, const std::shared_ptr<ConditionalDensity>& background)
{
    const auto j = files::readJson(dir, "fold.json", "hepgen-fold-model");
    const std::string kind = j.value("kind", std::string());
    const bool needsBackground = kind == "anode" || kind == "ranode" || j.value("latent", false);
    if (needsBackground && !background)
        throw FormatError(dir, "needs the background density, but the model directory has none.");
    if (kind == "classifier")
        return std::make_shared<ClassifierFoldModel>(
            loadClassifier(sub(dir, "classifier")), j.value("latent", false) ? background : nullptr);
    if (kind == "anode")
        return std::make_shared<AnodeFoldModel>(ConditionalDensity::load(sub(dir, "signal_region")), background);
    if (kind == "ranode")
        return std::make_shared<RanodeFoldModel>(RanodeSignalModel::load(dir, *background), background);
    throw FormatError(sub(dir, "fold.json"), fmt::format("names an unknown kind of fold model '{}'.", kind));
}

void FoldedHuntModel::save(const std::string& dir) const
{
    std::shared_ptr<ConditionalDensity> background;
    for (const auto& f : m_folds)
        if (auto b = f->background()) {
            if (background && b != background)
                throw ConfigError("The folds of this hunt model do not share one background density.");
            background = b;
        }
    files::writeJson(dir, "hunt_model.json",
        { { "method", m_method }, { "classifier", m_classifier }, { "features", m_features },
            { "mass_column", m_massColumn }, { "folds", m_folds.size() }, { "members", members() },
            { "background", bool(background) } },
        "hepgen-hunt-model");
    if (background)
        background->save(sub(dir, "background"));
    for (std::size_t i = 0; i < m_folds.size(); ++i)
        m_folds[i]->save(sub(dir, fmt::format("fold{}", i)));
}

std::shared_ptr<const HuntModel> loadHuntModel(const std::string& dir)
{
    if (!fs::is_directory(dir))
        throw FileError(dir, "is not a directory (a hunt model is saved by hepgen hunt --save-model DIR).");
    const auto j = files::readJson(dir, "hunt_model.json", "hepgen-hunt-model");
    try {
        const auto folds = j.at("folds").get<int64_t>();
        if (folds < 1 || folds > 100)
            throw FormatError(sub(dir, "hunt_model.json"), fmt::format("names {} folds.", folds));
        std::shared_ptr<ConditionalDensity> background;
        if (j.at("background").get<bool>())
            background = ConditionalDensity::load(sub(dir, "background"));
        std::vector<std::shared_ptr<FoldModel>> models;
        for (int64_t i = 0; i < folds; ++i)
            models.push_back(loadFoldModel(sub(dir, fmt::format("fold{}", i)), background));
        auto model = std::make_shared<FoldedHuntModel>(j.at("method").get<std::string>(),
            j.at("classifier").get<std::string>(), j.at("features").get<std::vector<std::string>>(),
            j.at("mass_column").get<std::string>(), std::move(models));
        if (model->members() != j.at("members").get<int64_t>())
            throw FormatError(sub(dir, "hunt_model.json"),
                fmt::format(
                    "names {} members, but the folds hold {}.", j.at("members").get<int64_t>(), model->members()));
        return model;
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(sub(dir, "hunt_model.json"), fmt::format("is incomplete ({}).", e.what()));
    } catch (const ConfigError& e) {
        throw FormatError(dir, e.what());
    }
}

} // namespace hepgen::anomaly
