#pragma once
// Small pieces the model families share: checking a Batch against a ModelShape, the weighted mean
// of per-event losses, seeded initial noise, broadcasting a sampling context, and deep copies /
// device moves of networks and optimiser state (for clone() and to()).
#include "core/models/GenerativeModel.h"

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace hepgen::models::support {

/// Throws hepgen::ConfigError naming `family` unless batch.x is (N, D), batch.context is (N, C)
/// exactly when shape.context > 0 (undefined or empty otherwise) and batch.weight is undefined or (N).
void checkBatch(const Batch& batch, const ModelShape& shape, const std::string& family);

/// Throws hepgen::ConfigError unless x is (N, shape.features) and the context fits as in checkBatch.
void checkInput(
    const torch::Tensor& x, const torch::Tensor& context, const ModelShape& shape, const std::string& family);

/// The context for drawing n samples: (n, C) from a (n, C) or (1, C) context (a (C) vector counts as
/// one row); undefined for an unconditional model. Throws hepgen::ConfigError when a conditional
/// model gets no context or one of the wrong shape, or an unconditional model gets one.
torch::Tensor sampleContext(
    const torch::Tensor& context, int64_t n, const ModelShape& shape, const std::string& family);

/// sum_i w_i l_i / sum_i w_i over per-event losses l (N); the plain mean when `weight` is undefined.
torch::Tensor weightedMean(const torch::Tensor& perEvent, const torch::Tensor& weight);

/// Standard normal noise of `sizes` with `like`'s dtype and device. With a seed it comes from a
/// private CPU generator (so samples do not depend on the device or the global generator); without
/// one from the global generator of `like`'s device.
torch::Tensor initialNoise(at::IntArrayRef sizes, const torch::Tensor& like, const std::optional<uint64_t>& seed);

/// Copies every parameter and buffer of `from` into the same-named tensors of `to` (same architecture).
void copyModuleState(const torch::nn::Module& from, torch::nn::Module& to);

/// Deep-copies the optimiser state (moments, step counts; through torch::serialize, so no tensor is
/// shared) and the parameter-group options (learning rate, betas, ...) of `from` into `to`, whose
/// parameters correspond to those of `from` position by position; state tensors go to `device`
/// (their saved device when unset). `from` and `to` may be the same optimiser (to move its state).
void copyOptimizerState(torch::optim::Optimizer& from, torch::optim::Optimizer& to,
    const std::optional<torch::Device>& device = std::nullopt);

/// The given seed, or one drawn from the global generator (so that several samplers can share one seed).
uint64_t resolveSeed(const std::optional<uint64_t>& seed);

/// A mixture sample from K same-noise outputs of ensemble members or posterior draws (K >= 2): event i is taken from
/// draw c_i, drawn uniformly with a generator seeded by `seed` (another stream than the noise); spread is the
/// (unbiased) standard deviation over the K draws, (n, D); the trajectory, when every draw recorded one (same times),
/// follows each event's draw, so its last frame is the returned sample.
SampleOutput mixtureSample(const std::vector<SampleOutput>& draws, uint64_t seed);

/// Calls the sampling options' shouldStop() (throwing hepgen::Cancelled when it says stop).
void pollStop(const SampleOptions& options);

/// Saves the global CPU random generator's state and restores it on destruction, so that building a
/// clone (which initialises fresh networks before copying weights) leaves the training run's random
/// stream untouched.
class PreserveGlobalRng {
public:
    PreserveGlobalRng();
    ~PreserveGlobalRng();
    PreserveGlobalRng(const PreserveGlobalRng&) = delete;
    PreserveGlobalRng& operator=(const PreserveGlobalRng&) = delete;

private:
    torch::Tensor m_state;
};

} // namespace hepgen::models::support
