#include "core/training/Run.h"

#include "core/models/Config.h"
#include "core/util/Error.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <tuple>

namespace hepgen::training {

namespace {

torch::Tensor columnsTensor(const hepgen::data::Table& t, const std::vector<std::string>& names)
{
    const hepgen::data::Table picked = hepgen::data::selectColumns(t, names);
    return torch::from_blob(const_cast<float*>(picked.values.data()),
        { static_cast<int64_t>(picked.rows()), static_cast<int64_t>(picked.cols()) }, torch::kFloat32)
        .clone();
}

// The columns as a tensor; ConfigError when they hold NaN or infinite values.
torch::Tensor finiteColumns(const hepgen::data::Table& t, const std::vector<std::string>& names)
{
    torch::Tensor x = columnsTensor(t, names);
    if (!torch::isfinite(x).all().item<bool>())
        throw ConfigError("The selected columns hold NaN or infinite values; drop those events first.");
    return x;
}

} // namespace

PreparedRun prepareRun(const RunRequest& request, const hepgen::data::Table& table)
{
    hepgen::models::ConfigReader reader(request.config, "run config");
    nlohmann::json modelConfig = nlohmann::json::object(), trainerConfig = nlohmann::json::object();
    std::vector<std::string> prepKinds { "standardize" }, contextKinds { "standardize" };
    double margin = 0.05;
    reader.read("model", modelConfig);
    reader.read("trainer", trainerConfig);
    reader.read("preprocessing", prepKinds);
    reader.read("context_preprocessing", contextKinds);
    reader.read("logit_margin", margin);
    reader.rejectUnknownKeys();

    Run run;
    run.contextColumns = request.context;
    run.columns = request.columns;
    if (run.columns.empty())
        for (const auto& c : table.columns)
            if (std::find(request.context.begin(), request.context.end(), c) == request.context.end())
                run.columns.push_back(c);
    if (run.columns.empty())
        throw ConfigError("No feature columns are left to model.");
    for (const auto& c : run.columns) {
        if (std::find(request.context.begin(), request.context.end(), c) != request.context.end())
            throw ConfigError(fmt::format("Column '{}' cannot be both a feature and a context.", c));
        run.units.push_back(table.units.empty() ? "" : table.units[table.columnIndex(c)]);
    }
    if (table.rows() < 2)
        throw ConfigError("Training needs at least two events.");

    TrainerConfig trainer;
    hepgen::models::ConfigReader treader(trainerConfig, "trainer config");
    trainer.read(treader);
    treader.rejectUnknownKeys();

    run.features = hepgen::data::Preprocessing(prepKinds, margin);
    run.features.fit(finiteColumns(table, run.columns));
    if (run.conditional()) {
        run.context = hepgen::data::Preprocessing(contextKinds, margin);
        run.context.fit(finiteColumns(table, run.contextColumns));
    }
    const TrainingData all = runData(run, table);

    const hepgen::models::ModelShape shape { static_cast<int64_t>(run.columns.size()),
        static_cast<int64_t>(run.contextColumns.size()) };
    torch::manual_seed(trainer.seed); // network initialisation
    run.model = hepgen::models::makeModel(request.family, shape, modelConfig);
    run.trainer = std::make_unique<Trainer>(*run.model, trainer);
    return prepareRunData(std::move(run), all, request);
}

TrainingData runData(const Run& run, const hepgen::data::Table& table)
{
    const torch::Tensor x = finiteColumns(table, run.columns);
    TrainingData all { run.features.forward(x.to(torch::kFloat64)).to(torch::kFloat32), {}, {} };
    if (run.conditional())
        all.context
            = run.context.forward(finiteColumns(table, run.contextColumns).to(torch::kFloat64)).to(torch::kFloat32);
    if (!table.weights.empty())
        all.weight = torch::tensor(table.weights, torch::kFloat32);
    return all;
}

PreparedRun prepareRunData(Run run, const TrainingData& all, const RunRequest& request)
{
    PreparedRun prepared;
    const TrainerConfig& trainer = run.trainer->config();
    std::tie(prepared.train, prepared.validation) = splitTrainValidation(all, trainer.validationFraction, trainer.seed);

    // Record the data side first: saveCheckpoint() keeps the "data" entry of an existing config.json.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(request.outputDir, ec);
    if (ec)
        throw FileError(request.outputDir, "cannot create the run directory (" + ec.message() + ").");
    nlohmann::json data = { { "source", request.dataDescription }, { "columns", run.columns }, { "units", run.units },
        { "context", run.contextColumns }, { "preprocessing", run.features.toJson() } };
    if (run.conditional())
        data["context_preprocessing"] = run.context.toJson();
    std::ofstream(fs::path(request.outputDir) / "config.json") << nlohmann::json { { "data", data } }.dump(2) << "\n";
    prepared.run = std::move(run);
    return prepared;
}

std::pair<Run, StopReason> trainRun(const RunRequest& request, const hepgen::data::Table& table, const JobControl& job,
    const Trainer::EpochCallback& onEpoch)
{
    return fitPreparedRun(prepareRun(request, table), request, job, onEpoch);
}

std::pair<Run, StopReason> fitPreparedRun(
    PreparedRun prepared, const RunRequest& request, const JobControl& job, const Trainer::EpochCallback& onEpoch)
{
    Run& run = prepared.run;
    StopReason reason = StopReason::Finished;
    try {
        reason = run.trainer->fit(prepared.train, prepared.validation, job, [&](const EpochMetrics& m) {
            run.trainer->saveCheckpoint(request.outputDir);
            if (onEpoch)
                onEpoch(m);
        });
    } catch (const NumericError&) {
        run.trainer->saveCheckpoint(request.outputDir); // the restored last good weights
        throw;
    }
    run.trainer->saveCheckpoint(request.outputDir);
    return { std::move(prepared.run), reason };
}

Run loadRun(const std::string& dir)
{
    const RunConfig config = readRunConfig(dir);
    Run run;
    const auto& data = config.extra;
    try {
        run.columns = data.at("columns").get<std::vector<std::string>>();
        run.units = data.value("units", std::vector<std::string>(run.columns.size()));
        run.contextColumns = data.value("context", std::vector<std::string> {});
        run.features = hepgen::data::Preprocessing::fromJson(data.at("preprocessing"));
        if (!run.contextColumns.empty())
            run.context = hepgen::data::Preprocessing::fromJson(data.at("context_preprocessing"));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(dir + "/config.json", std::string("the data section is incomplete: ") + e.what());
    }
    run.model = hepgen::models::makeModel(config.family, config.shape, config.model);
    run.trainer = std::make_unique<Trainer>(*run.model, config.trainer);
    run.trainer->loadCheckpoint(dir);
    return run;
}

hepgen::data::Table sampleRun(Run& run, int64_t n, const std::vector<double>& contextValues,
    const hepgen::models::SampleOptions& options, hepgen::samplers::Trajectory* trajectory)
{
    if (n < 1)
        throw ConfigError(fmt::format("The number of samples must be positive (got {}).", n));
    torch::Tensor context;
    if (run.conditional()) {
        if (contextValues.size() != run.contextColumns.size())
            throw ConfigError(fmt::format("This model is conditional on {}: give {} context value(s).",
                fmt::join(run.contextColumns, ", "), run.contextColumns.size()));
        context
            = run.context.forward(torch::tensor(contextValues, torch::kFloat64).reshape({ 1, -1 })).to(torch::kFloat32);
    }
    hepgen::models::SampleOutput out;
    run.model->train(false);
    run.trainer->withEmaWeights([&] { out = run.model->sample(n, context, options); });
    if (trajectory)
        *trajectory = out.trajectory;
    const torch::Tensor x = run.features.inverse(out.samples.to(torch::kFloat64)).to(torch::kFloat32).contiguous();
    hepgen::data::Table t;
    t.columns = run.columns;
    t.units = run.units;
    t.values.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    return t;
}

} // namespace hepgen::training
