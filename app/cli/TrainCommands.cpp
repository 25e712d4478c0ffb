// hepgen train / hepgen sample: the model lab's core, headless.
#include "Commands.h"

#include "TerminalProgress.h"

#include "core/data/DatasetIO.h"
#include "core/data/Hdf5Util.h"
#include "core/models/GenerativeModel.h"
#include "core/models/ModelFactory.h"
#include "core/training/Distillation.h"
#include "core/training/Run.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

namespace hepgen::cli {

namespace {

const char* reasonText(hepgen::training::StopReason r)
{
    switch (r) {
    case hepgen::training::StopReason::Finished: return "finished";
    case hepgen::training::StopReason::EarlyStopped: return "stopped early (no validation gain)";
    case hepgen::training::StopReason::StepLimit: return "reached the step limit";
    case hepgen::training::StopReason::Cancelled: return "cancelled";
    }
    return "";
}

// Writes the trajectory beside the samples: /trajectory/times (S+1), xt and x0_pred (S+1, n, D),
// in the model's preprocessed units.
void writeTrajectory(const std::string& path, const hepgen::samplers::Trajectory& t)
{
    translatingErrors("writing the trajectory to " + path, [&] {
        H5::H5File file(path, H5F_ACC_RDWR);
        H5::Group g = file.createGroup("/trajectory");
        const auto steps = static_cast<hsize_t>(t.size());
        hepgen::data::h5::writeChunked(
            g, "times", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, { steps }, t.times.data());
        for (const auto& [name, frames] : { std::pair { "xt", &t.xt }, std::pair { "x0_pred", &t.x0Pred } }) {
            const auto all = torch::stack(*frames).to(torch::kFloat32).contiguous();
            std::vector<hsize_t> dims;
            for (auto d : all.sizes())
                dims.push_back(static_cast<hsize_t>(d));
            hepgen::data::h5::writeChunked(
                g, name, H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, dims, all.data_ptr<float>());
        }
    });
}

} // namespace

void addTrainCommands(CLI::App& app, const GlobalOptions& global, Action& action)
{
    struct TrainOptions {
        std::string family, data, config, output, teacher;
        std::vector<std::string> columns, context;
        std::optional<uint64_t> seed;
        std::optional<int64_t> epochs, ensemble;
        bool json = false, distill = false;
    };
    auto t = std::make_shared<TrainOptions>();
    std::string families;
    for (const auto& f : hepgen::models::familyTable())
        families += fmt::format("\n  {:<11} {}", f.name, f.description);
    families += fmt::format("\n  {:<11} {}", "shower",
        "CaloClouds-style shower generator (shower flow + point diffusion) on showers; see --config, --distill");
    CLI::App* train
        = app.add_subcommand("train", "Train a generative model on a table or showers; writes a run directory");
    train->add_option("--model", t->family, "Model family:" + families)->required();
    train->add_option("--data", t->data, "Data file (any supported table or shower format)")->required();
    train->add_option("--config", t->config, "JSON with optional \"model\", \"trainer\", \"preprocessing\" objects");
    train->add_option("--columns", t->columns, "Features to model (default: all but --context)")->delimiter(',');
    train->add_option("--context", t->context, "Columns to condition on (e.g. mjj)")->delimiter(',');
    train->add_option("--seed", t->seed, "Seed (overrides the config's trainer.seed)");
    train->add_option(
        "--epochs", t->epochs, "Epochs (overrides the config's trainer.epochs; shower: the point model's)");
    train->add_option("--ensemble", t->ensemble, "Train a deep ensemble of N members (model config \"ensemble\")")
        ->check(CLI::PositiveNumber);
    train->add_option("--teacher", t->teacher,
        "Run directory to distil: an edm run (--model consistency) or a shower run (--model shower; copied to -o)");
    train->add_flag("--distill", t->distill, "--model shower: consistency-distil the point model after training");
    train->add_option("-o,--output", t->output, "Run directory")->required();
    train->add_flag("--json", t->json, "Print the final metrics as one JSON object");
    train->callback([t, &global, &action] {
        action = [t, &global] {
            if (t->family == "shower")
                return trainShowers(
                    { t->data, t->config, t->output, t->teacher, t->seed, t->epochs, t->distill, t->json }, global);
            if (t->distill)
                throw ConfigError("--distill is for --model shower; tables distil with --model consistency --teacher.");
            hepgen::models::requireFamily(t->family); // before reading a possibly large file
            if (!t->teacher.empty() && t->family != "consistency")
                throw ConfigError("--teacher distils an edm run into --model consistency.");
            hepgen::training::RunRequest request;
            request.family = t->family;
            request.config = readConfigFile(t->config);
            if (t->seed)
                request.config["trainer"]["seed"] = *t->seed;
            if (t->epochs)
                request.config["trainer"]["epochs"] = *t->epochs;
            if (t->ensemble)
                request.config["model"]["ensemble"] = *t->ensemble;
            request.columns = t->columns;
            request.context = t->context;
            request.dataDescription = t->data;
            request.outputDir = t->output;
            const auto dataset = hepgen::data::readDataset(t->data);
            if (!dataset.table)
                throw ConfigError(fmt::format(
                    "{} holds showers; the table families train on tables (use --model shower for showers).", t->data));
            TerminalProgress progress("train", global.quiet);
            auto [run, reason] = t->teacher.empty()
                ? hepgen::training::trainRun(request, *dataset.table, progress.control())
                : hepgen::training::distillRun(t->teacher, request, *dataset.table, progress.control());
            progress.finish();
            const auto& h = run.trainer->history();
            if (t->json) {
                fmt::print("{}\n",
                    nlohmann::json { { "family", t->family }, { "run", t->output }, { "epochs", run.trainer->epoch() },
                        { "steps", run.trainer->step() }, { "train_loss", h.empty() ? 0.0 : h.back().trainLoss },
                        { "validation_loss", h.empty() ? 0.0 : h.back().validationLoss },
                        { "stopped", reasonText(reason) } }
                        .dump());
            } else if (!global.quiet) {
                fmt::print(stderr, "{} after {} epochs: train loss {:.4g}, validation loss {:.4g}; run in {}\n",
                    reasonText(reason), run.trainer->epoch(), h.empty() ? 0.0 : h.back().trainLoss,
                    h.empty() ? 0.0 : h.back().validationLoss, t->output);
            }
            return reason == hepgen::training::StopReason::Cancelled ? 130 : 0;
        };
    });

    struct SampleOptions {
        std::string run, output, sampler;
        int64_t n = 10000, steps = 0;
        std::vector<double> context, energy, energyRange;
        std::optional<uint64_t> seed;
        bool trajectory = false, allowExtrapolation = false;
    };
    auto s = std::make_shared<SampleOptions>();
    CLI::App* sample
        = app.add_subcommand("sample", "Sample from a trained run; writes a table or showers in our schema");
    sample->add_option("--run", s->run, "Run directory written by hepgen train")->required();
    sample->add_option("--n", s->n, "Number of samples")->capture_default_str();
    sample->add_option(
        "--sampler", s->sampler, "ddpm | ddim | edm-heun | euler | heun | rk4 | consistency (default: the family's)");
    sample->add_option("--steps", s->steps, "Sampler steps (default: the family's)");
    sample->add_option("--context", s->context, "Context values in the data's units, one per context column")
        ->delimiter(',');
    sample->add_option("--seed", s->seed, "Seed for reproducible samples");
    sample->add_flag("--trajectory", s->trajectory,
        "Also store every sampler step under /trajectory (showers: of the first shower)");
    sample->add_option("--energy", s->energy, "Shower runs: incident energy of every shower, GeV")->expected(1);
    sample
        ->add_option("--energy-range", s->energyRange,
            "Shower runs: incident energies uniform in LO HI, GeV (default: the trained range)")
        ->expected(2);
    sample->add_flag("--allow-extrapolation", s->allowExtrapolation,
        "Shower runs: generate energies outside the trained range (with a warning) instead of refusing");
    sample->add_option("-o,--output", s->output, "Output file (.h5)")->required();
    sample->callback([s, &global, &action] {
        action = [s, &global] {
            if (isShowerRun(s->run))
                return sampleShowers({ s->run, s->output, s->sampler, s->n, s->steps, s->seed, s->energy,
                                         s->energyRange, s->trajectory, s->allowExtrapolation },
                    global);
            if (!s->energy.empty() || !s->energyRange.empty() || s->allowExtrapolation)
                throw ConfigError(fmt::format("{} is not a shower generator's run; --energy, --energy-range and "
                                              "--allow-extrapolation are for shower runs.",
                    s->run));
            auto run = hepgen::training::loadRun(s->run);
            TerminalProgress progress("sample", global.quiet);
            const auto control = progress.control();
            hepgen::models::SampleOptions options;
            options.sampler = s->sampler;
            options.steps = s->steps;
            options.seed = s->seed;
            options.recordTrajectory = s->trajectory;
            options.shouldStop = [control] { return control.stopRequested(); };
            options.progress = [control](int64_t done, int64_t total) {
                control.report(static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, total)));
            };
            hepgen::samplers::Trajectory trajectory;
            torch::NoGradGuard noGrad;
            hepgen::data::Dataset ds;
            ds.kind = hepgen::data::DatasetKind::Table;
            ds.table = hepgen::training::sampleRun(run, s->n, s->context, options, &trajectory);
            ds.description = fmt::format("{} samples of the {} run {}", s->n, run.model->family(), s->run);
            progress.finish();
            hepgen::data::writeDataset(ds, s->output);
            if (s->trajectory)
                writeTrajectory(s->output, trajectory);
            if (!global.quiet)
                fmt::print(stderr, "wrote {} samples to {}\n", s->n, s->output);
            return 0;
        };
    });
}

} // namespace hepgen::cli
