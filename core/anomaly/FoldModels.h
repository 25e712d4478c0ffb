#pragma once
// The trained model of one fold of a hunt (internal to core, torch in the interface), and the
// HuntModel that keeps all folds of a finished hunt. The hunt scores its events through exactly
// these objects (the fold's score of an event is the mean of its members' scores), so a kept model
// reproduces the hunt's scores; Hunt.h describes the protocol.
#include "core/anomaly/Classifiers.h"
#include "core/anomaly/ConditionalDensity.h"
#include "core/anomaly/HuntModel.h"
#include "core/anomaly/Ranode.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// One fold's trained model. memberScores() runs without gradients; one thread at a time.
class FoldModel {
public:
    virtual ~FoldModel() = default;
    /// Number of members (ensemble networks; 1 for a BDT or a density ratio).
    virtual int64_t members() const = 0;
    /// Scores of events x (N, F) float32 with masses m (N) under each member: (members, N) float64.
    virtual torch::Tensor memberScores(const torch::Tensor& x, const torch::Tensor& m) = 0;
    /// The fold's score of each event: the mean over its members (N) float64.
    torch::Tensor score(const torch::Tensor& x, const torch::Tensor& m) { return memberScores(x, m).mean(0); }
    /// The SB background density the model uses (LaCATHODE, ANODE, R-ANODE), else null. Folds share it.
    virtual std::shared_ptr<ConditionalDensity> background() const { return nullptr; }
    /// Writes the fold's own networks into `dir` (fold.json says which kind); the background is saved
    /// once for all folds by FoldedHuntModel::save(). FileError when it cannot write.
    virtual void save(const std::string& dir) const = 0;
};

/// Reads a fold model save() wrote; `background` is the loaded shared background (null if none was
/// saved). FileError/FormatError.
std::shared_ptr<FoldModel> loadFoldModel(const std::string& dir, const std::shared_ptr<ConditionalDensity>& background);

/// A classifier trained on features (supervised, IAD, CWoLa, CATHODE) or on the latent space of a
/// background flow (LaCATHODE: `latent` given, events are mapped by latent->toLatent first).
class ClassifierFoldModel : public FoldModel {
public:
    ClassifierFoldModel(std::shared_ptr<EventClassifier> classifier, std::shared_ptr<ConditionalDensity> latent = {});
    int64_t members() const override { return m_classifier->members(); }
    torch::Tensor memberScores(const torch::Tensor& x, const torch::Tensor& m) override;
    std::shared_ptr<ConditionalDensity> background() const override { return m_latent; }
    void save(const std::string& dir) const override;

private:
    std::shared_ptr<EventClassifier> m_classifier;
    std::shared_ptr<ConditionalDensity> m_latent;
};

/// ANODE's fold model: log p_data(x|m) - log p_bg(x|m) (arXiv:2001.04990, eq. 3).
class AnodeFoldModel : public FoldModel {
public:
    AnodeFoldModel(std::shared_ptr<ConditionalDensity> signalRegion, std::shared_ptr<ConditionalDensity> background);
    int64_t members() const override { return 1; }
    torch::Tensor memberScores(const torch::Tensor& x, const torch::Tensor& m) override;
    std::shared_ptr<ConditionalDensity> background() const override { return m_background; }
    void save(const std::string& dir) const override;

private:
    std::shared_ptr<ConditionalDensity> m_signalRegion, m_background;
};

/// R-ANODE's fold model: log p_sig(x|m) - log p_bg(x|m) of the fitted signal model; it keeps the
/// background flow it was fitted against alive.
class RanodeFoldModel : public FoldModel {
public:
    RanodeFoldModel(std::shared_ptr<RanodeSignalModel> model, std::shared_ptr<ConditionalDensity> background);
    int64_t members() const override { return 1; }
    torch::Tensor memberScores(const torch::Tensor& x, const torch::Tensor& m) override;
    double signalFraction() const { return m_model->signalFraction(); }
    std::shared_ptr<ConditionalDensity> background() const override { return m_background; }
    void save(const std::string& dir) const override;

private:
    std::shared_ptr<RanodeSignalModel> m_model;
    std::shared_ptr<ConditionalDensity> m_background;
};

/// A finished hunt's models: the fold models in fold order, every fold with the same number of members.
class FoldedHuntModel : public HuntModel {
public:
    /// ConfigError when `folds` is empty or the folds differ in their number of members.
    FoldedHuntModel(std::string method, std::string classifier, std::vector<std::string> features,
        std::string massColumn, std::vector<std::shared_ptr<FoldModel>> folds);

    std::string method() const override { return m_method; }
    std::string classifier() const override { return m_classifier; }
    const std::vector<std::string>& features() const override { return m_features; }
    const std::string& massColumn() const override { return m_massColumn; }
    int64_t members() const override;
    int64_t folds() const override { return int64_t(m_folds.size()); }
    std::vector<float> memberScores(const std::vector<float>& rows, const std::vector<float>& mass) const override;
    void save(const std::string& dir) const override;

    /// The same on tensors: x (N, F), m (N) -> (K, N) float64.
    torch::Tensor memberScores(const torch::Tensor& x, const torch::Tensor& m) const;
    const std::vector<std::shared_ptr<FoldModel>>& foldModels() const { return m_folds; }

private:
    std::string m_method, m_classifier;
    std::vector<std::string> m_features;
    std::string m_massColumn;
    std::vector<std::shared_ptr<FoldModel>> m_folds;
};

} // namespace hepgen::anomaly
