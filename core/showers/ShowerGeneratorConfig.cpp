// ShowerGeneratorConfig::read: the defaults of every stage of the shower generator and the validation of a user's
// settings (unknown keys are refused by name, as everywhere else).
#include "core/models/Config.h"
#include "core/models/FlowModel.h"
#include "core/models/points/PointCloudModel.h"
#include "core/showers/ShowerGenerator.h"
#include "core/training/Trainer.h"
#include "core/util/Error.h"

namespace hepgen::showers {

namespace {

using hepgen::models::ConfigReader;
using hepgen::models::require;

nlohmann::json object() { return nlohmann::json::object(); }

/// A stage object {"model": ..., "trainer": ...}: both optional, nothing else.
std::pair<nlohmann::json, nlohmann::json> stage(const nlohmann::json& j, const std::string& what)
{
    ConfigReader r(j, what);
    nlohmann::json model = object(), trainer = object();
    r.read("model", model);
    r.read("trainer", trainer);
    r.rejectUnknownKeys();
    if (!model.is_object() || !trainer.is_object())
        throw ConfigError(what + ": 'model' and 'trainer' must be JSON objects.");
    return { model, trainer };
}

/// Trainer settings: `defaults` (with the generator's seed) overridden by `user`, validated, as JSON.
nlohmann::json trainer(
    hepgen::training::TrainerConfig defaults, const nlohmann::json& user, uint64_t seed, const std::string& what)
{
    defaults.seed = seed;
    ConfigReader r(user, what);
    defaults.read(r);
    r.rejectUnknownKeys();
    return defaults.toJson();
}

} // namespace

ShowerGeneratorConfig ShowerGeneratorConfig::read(const nlohmann::json& in)
{
    if (!in.is_object() && !in.is_null())
        throw ConfigError("The shower generator settings must be a JSON object.");
    const nlohmann::json json = in.is_null() ? object() : in;
    ConfigReader r(json, "shower generator config");
    nlohmann::json flow = object(), points = object(), distillation = object(), layout = object();
    int64_t maxShowers = 0;
    uint64_t seed = 1;
    r.read("flow", flow);
    r.read("points", points);
    r.read("distillation", distillation);
    r.read("layout", layout);
    r.read("max_showers", maxShowers);
    r.read("seed", seed);
    r.rejectUnknownKeys();
    require(maxShowers >= 0, "shower generator config", "max_showers", "non-negative (0: all)", maxShowers);

    ShowerGeneratorConfig c;
    c.json = { { "max_showers", maxShowers }, { "seed", seed } };

    {
        // The shower flow: a flow-rqs over the 2L + 4 per-shower features given log E_inc. Random permutations
        // between the couplings mix the hit, energy and centre blocks of the feature vector (a reverse permutation
        // would always condition the same halves on each other).
        auto [model, trainerJson] = stage(flow, "flow settings");
        nlohmann::json m = { { "layers", 8 }, { "hidden", { 128, 128 } }, { "bins", 8 }, { "tail_bound", 5.0 },
            { "permutation", "random" }, { "permutation_seed", seed }, { "lr", 1e-3 } };
        m.update(model);
        hepgen::training::TrainerConfig t;
        t.epochs = 60;
        t.patience = 5; // its validation NLL is lowest after 12-15 epochs of 9000 showers, then it over-fits
        t.batchSize = 256;
        t.emaDecay = 0.999;
        t.validationFraction = 0.1;
        c.json["flow"] = { { "model", hepgen::models::FlowModelConfig::read("flow-rqs", m).toJson() },
            { "trainer", trainer(t, trainerJson, seed, "flow trainer config") } };
    }
    {
        auto [model, trainerJson] = stage(points, "point-model settings");
        // The pointwise network trains on 128 random hits of each shower per step (PointModelConfig::trainPoints):
        // a step then costs the same for every shower size, and more showers fit into a step.
        if (!model.contains("train_points") && model.value("network", std::string("pointwise")) == "pointwise")
            model["train_points"] = 128;
        hepgen::training::TrainerConfig t;
        t.epochs = 20;
        t.batchSize = 32; // showers per batch
        t.emaDecay = 0.999;
        t.warmupSteps = 100;
        t.validationFraction = 0.1;
        c.json["points"] = { { "model", hepgen::models::points::PointModelConfig::fromJson(model).toJson() },
            { "trainer", trainer(t, trainerJson, seed, "point-model trainer config") } };
    }
    {
        // Distillation settings are checked again against the teacher when distill() runs (the student takes the
        // teacher's network); here only their form.
        auto [model, trainerJson] = stage(distillation, "distillation settings");
        nlohmann::json m = { { "training", "consistency" } };
        m.update(model);
        require(
            m.at("training") == "consistency", "distillation settings", "training", "consistency", m.at("training"));
        hepgen::models::points::PointModelConfig::fromJson(m); // form only
        hepgen::training::TrainerConfig t;
        t.epochs = 10;
        t.batchSize = 32;
        t.emaDecay = 0.999;
        t.validationFraction = 0.1;
        c.json["distillation"]
            = { { "model", model }, { "trainer", trainer(t, trainerJson, seed, "distillation trainer config") } };
    }
    {
        ConfigReader lr(layout, "layout settings");
        std::string depth = "auto", lateral = "auto", cores = "auto";
        lr.read("depth_axis", depth);
        lr.read("lateral", lateral);
        lr.read("core_hits", cores);
        lr.rejectUnknownKeys();
        require(depth == "auto" || depth == "x" || depth == "y" || depth == "z", "layout settings", "depth_axis",
            "auto, x, y or z", depth);
        require(lateral == "auto" || lateral == "cells" || lateral == "continuous", "layout settings", "lateral",
            "auto, cells or continuous", lateral);
        require(cores == "auto" || cores == "yes" || cores == "no", "layout settings", "core_hits", "auto, yes or no",
            cores);
        c.json["layout"] = { { "depth_axis", depth }, { "lateral", lateral }, { "core_hits", cores } };
    }
    return c;
}

} // namespace hepgen::showers
