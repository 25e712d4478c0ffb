#include "core/training/Lab.h"

#include "core/util/Error.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace hepgen::training {

namespace {

std::vector<float> toFloats(const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return { c.data_ptr<float>(), c.data_ptr<float>() + c.numel() };
}

/// Model units (float32) -> original units.
torch::Tensor original(const Run& run, const torch::Tensor& y)
{
    return run.features.inverse(y.detach().to(torch::kCPU, torch::kFloat64)).to(torch::kFloat32);
}

/// The grid's points (ny*nx, 2) in original units, row j = y index, column i = x index.
torch::Tensor gridPoints(const LabGrid& g)
{
    auto xs = torch::linspace(g.xMin, g.xMax, g.nx, torch::kFloat64);
    auto ys = torch::linspace(g.yMin, g.yMax, g.ny, torch::kFloat64);
    auto mesh = torch::meshgrid({ ys, xs }, "ij");
    return torch::stack({ mesh[1].reshape(-1), mesh[0].reshape(-1) }, 1);
}

LabField evaluateField(hepgen::models::GenerativeModel& model, const Run& run,
    const hepgen::models::DiagnosticInfo& info, const torch::Tensor& context, const LabFrameRequest& request)
{
    using Kind = hepgen::models::DiagnosticInfo::Kind;
    const auto device = model.device();
    LabField field;
    field.name = info.name;
    field.label = info.label;
    field.time = request.fieldTime;
    auto ctx = [&](int64_t n) {
        return context.defined() ? context.expand({ n, context.size(1) }).to(device) : context;
    };
    switch (info.kind) {
    case Kind::Scalar: {
        field.kind = LabField::Kind::Scalar;
        field.grid = request.grid;
        const auto x = gridPoints(field.grid);
        const auto y = run.features.forward(x);
        auto v = model.diagnostic(info.name, y.to(device, torch::kFloat32), ctx(x.size(0)), request.fieldTime)
                     .to(torch::kCPU, torch::kFloat64);
        if (info.name == "log_density") // densities in the original units: + log|det dy/dx|
            v = v + run.features.logAbsDetJacobian(x);
        const auto c = v.contiguous();
        field.values.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
        break;
    }
    case Kind::Vector: {
        field.kind = LabField::Kind::Vector;
        field.grid = request.grid;
        field.grid.nx = field.grid.ny = request.vectorGrid;
        const auto x = gridPoints(field.grid);
        const auto y = run.features.forward(x);
        const auto v = model.diagnostic(info.name, y.to(device, torch::kFloat32), ctx(x.size(0)), request.fieldTime)
                           .to(torch::kCPU, torch::kFloat64);
        // A velocity in model units pushed through the inverse preprocessing: a small step, mapped, divided.
        constexpr double eps = 1e-4;
        const auto dx = (run.features.inverse(y + eps * v) - run.features.inverse(y)) / eps;
        const auto c = dx.contiguous();
        field.values.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
        break;
    }
    case Kind::Reconstruction: {
        field.kind = LabField::Kind::Reconstruction;
        const int64_t n = static_cast<int64_t>(request.dataEvents.size()) / 2;
        if (n == 0)
            break;
        const auto x = torch::from_blob(const_cast<float*>(request.dataEvents.data()), { n, 2 }, torch::kFloat32)
                           .to(torch::kFloat64);
        const auto r = original(
            run, model.diagnostic(info.name, run.features.forward(x).to(device, torch::kFloat32), ctx(n), 0.0))
                           .to(torch::kFloat64);
        const auto c = torch::cat({ x, r }, 1).contiguous();
        field.values.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
        break;
    }
    }
    return field;
}

} // namespace

LabFrame computeLabFrame(
    hepgen::models::GenerativeModel& model, const Run& run, const LabFrameRequest& request, const JobControl& job)
{
    const auto t0 = std::chrono::steady_clock::now();
    torch::NoGradGuard noGrad; // grad mode is per thread: this runs on a preview thread
    model.train(false);
    torch::Tensor context;
    if (run.conditional()) {
        if (request.context.size() != run.contextColumns.size())
            throw ConfigError("This model is conditional: give one value per context column for its preview.");
        context = run.context.forward(torch::tensor(request.context, torch::kFloat64).reshape({ 1, -1 }))
                      .to(torch::kFloat32);
    }
    hepgen::models::SampleOptions options;
    options.seed = request.seed;
    options.recordTrajectory = request.trajectory;
    options.shouldStop = [&job] { return job.stopRequested(); };
    const auto out = model.sample(request.samples, context, options);

    LabFrame frame;
    frame.dims = out.samples.size(1);
    frame.samples = toFloats(original(run, out.samples));
    const auto& tr = out.trajectory;
    for (std::size_t k = 0; k < tr.size(); ++k) {
        frame.trajectoryTimes.push_back(k < tr.times.size() ? tr.times[k] : static_cast<double>(k));
        frame.xt.push_back(toFloats(original(run, tr.xt[k])));
        frame.x0.push_back(toFloats(original(run, k < tr.x0Pred.size() ? tr.x0Pred[k] : tr.xt[k])));
    }
    if (frame.dims == 2)
        for (const auto& info : model.diagnostics()) {
            job.throwIfStopped();
            frame.fields.push_back(evaluateField(model, run, info, context, request));
        }
    frame.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return frame;
}

LabSession::LabSession(const RunRequest& request, const hepgen::data::Table& table)
{
    PreparedRun prepared = prepareRun(request, table);
    m_run = std::move(prepared.run);
    m_train = std::move(prepared.train);
    m_validation = std::move(prepared.validation);
    m_dir = request.outputDir;
}

LabSession::LabSession(const std::string& runDir)
    : m_run(loadRun(runDir))
    , m_dir(runDir)
    , m_finished(true)
{
}

StopReason LabSession::advance(int64_t untilStep, const JobControl& job, const Trainer::EpochCallback& onEpoch)
{
    if (!canTrain())
        throw ConfigError("This run was opened from disk without its data; it can be viewed and sampled only.");
    const StopReason reason = m_run.trainer->fit(m_train, m_validation, job, onEpoch, untilStep);
    m_finished = reason == StopReason::Finished || reason == StopReason::EarlyStopped;
    return reason;
}

int64_t LabSession::totalSteps() const
{
    const auto& c = m_run.trainer->config();
    const int64_t n = m_train.size();
    const int64_t perEpoch = n == 0 ? 0 : (n + c.batchSize - 1) / c.batchSize;
    const int64_t all = perEpoch * c.epochs;
    return c.maxSteps > 0 ? std::min(all, c.maxSteps) : all;
}

std::unique_ptr<hepgen::models::GenerativeModel> LabSession::snapshot()
{
    std::unique_ptr<hepgen::models::GenerativeModel> copy;
    m_run.trainer->withEmaWeights([&] { copy = m_run.model->clone(); });
    return copy;
}

void LabSession::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw FileError(dir, "cannot create the run directory (" + ec.message() + ").");
    // saveCheckpoint() keeps the data section of an existing config.json: bring it along first.
    if (!fs::equivalent(fs::path(dir), fs::path(m_dir), ec))
        fs::copy_file(
            fs::path(m_dir) / "config.json", fs::path(dir) / "config.json", fs::copy_options::overwrite_existing, ec);
    if (ec)
        throw FileError(dir, "cannot write config.json (" + ec.message() + ").");
    m_run.trainer->saveCheckpoint(dir);
}

} // namespace hepgen::training
