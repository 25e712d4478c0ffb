#include "core/training/Distillation.h"

#include "core/models/Config.h"
#include "core/models/ConsistencyModel.h"
#include "core/util/Error.h"

#include <filesystem>
#include <fmt/format.h>

namespace hepgen::training {

std::pair<Run, StopReason> distillRun(const std::string& teacherRunDir, const RunRequest& request,
    const hepgen::data::Table& table, const JobControl& job, const Trainer::EpochCallback& onEpoch)
{
    if (request.family != "consistency")
        throw ConfigError(
            fmt::format("Only the consistency family is distilled from a teacher (not {}).", request.family));
    hepgen::models::ConfigReader reader(request.config, "distillation config");
    nlohmann::json modelConfig = nlohmann::json::object(), trainerConfig = nlohmann::json::object();
    reader.read("model", modelConfig);
    reader.read("trainer", trainerConfig);
    reader.rejectUnknownKeys(); // preprocessing is the teacher's
    TrainerConfig trainer;
    hepgen::models::ConfigReader treader(trainerConfig, "trainer config");
    trainer.read(treader);
    treader.rejectUnknownKeys();

    Run teacher = loadRun(teacherRunDir);
    if (teacher.model->family() != "edm")
        throw ConfigError(
            fmt::format("The teacher must be an edm run; {} is a {} run.", teacherRunDir, teacher.model->family()));
    if ((!request.columns.empty() && request.columns != teacher.columns)
        || (!request.context.empty() && request.context != teacher.contextColumns))
        throw ConfigError("A distilled student models the teacher's columns and context; leave them out.");

    // The student's settings: the teacher's network and noise range, then what the request sets, then the teacher.
    const nlohmann::json tc = teacher.model->config();
    nlohmann::json student = nlohmann::json::object();
    for (const char* key : { "hidden", "activation", "time_embedding", "time_scale", "residual", "sigma_data",
             "sigma_min", "sigma_max", "rho" })
        student[key] = tc.at(key);
    student.update(modelConfig);
    student["teacher"] = std::filesystem::absolute(teacherRunDir).lexically_normal().string();

    Run run;
    run.columns = teacher.columns;
    run.contextColumns = teacher.contextColumns;
    run.units = teacher.units;
    run.features = teacher.features;
    run.context = teacher.context;
    const TrainingData all = runData(run, table);

    torch::manual_seed(trainer.seed);
    run.model = hepgen::models::makeModel(request.family, teacher.model->shape(), student);
    // The teacher with the weights it samples with (its EMA, where it had one).
    std::shared_ptr<hepgen::models::GenerativeModel> teacherModel;
    teacher.trainer->withEmaWeights([&] { teacherModel = teacher.model->clone(); });
    dynamic_cast<hepgen::models::ConsistencyModel&>(*run.model).setTeacher(teacherModel);
    // The Trainer after the student took the teacher's weights: its EMA starts from them.
    run.trainer = std::make_unique<Trainer>(*run.model, trainer);
    return fitPreparedRun(prepareRunData(std::move(run), all, request), request, job, onEpoch);
}

} // namespace hepgen::training
