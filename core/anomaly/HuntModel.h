#pragma once
// The trained models of a finished hunt, kept so that new events can be scored after the hunt:
// the Maps workspace and `hepgen map` draw a hunt's score over feature space with them. No torch in
// this header (the widgets and the maps code see it); the implementation is core/anomaly/FoldModels.h.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hepgen::anomaly {

/// The trained models of a finished hunt, kept so new events can be scored (Maps workspace, hepgen map).
/// Not thread-safe: one thread at a time calls it (a map worker); it runs without gradients.
class HuntModel {
public:
    virtual ~HuntModel() = default;
    virtual std::string method() const = 0;
    /// Feature columns the models read, in order, and the mass column (density methods condition on it).
    virtual const std::vector<std::string>& features() const = 0;
    virtual const std::string& massColumn() const = 0;
    /// Number of member models K (fold models × ensemble members where the classifier is an ensemble).
    virtual int64_t members() const = 0;
    /// Score of every event under every member, K x N row-major. rows: N x F floats in features() order
    /// (raw units, as in the table); mass: N values (ignored by methods that do not use it).
    /// ConfigError for wrong sizes. The hunt's score of an event is the mean over members (score()).
    virtual std::vector<float> memberScores(const std::vector<float>& rows, const std::vector<float>& mass) const = 0;
    /// The mean over all K members per event (N values), on the scale of the hunt's event scores
    /// (classifiers: a probability; anode/ranode: a log-density ratio). ConfigError for wrong sizes.
    std::vector<float> score(const std::vector<float>& rows, const std::vector<float>& mass) const;

    /// The classifier ("mlp", "bdt"; "" for the density-only methods anode and ranode).
    virtual std::string classifier() const = 0;
    /// Number of folds of the hunt; the members of fold i are rows i*K/folds .. (i+1)*K/folds - 1 of
    /// memberScores(), and their mean is the score the hunt gave the events of fold i.
    virtual int64_t folds() const = 0;
    /// Writes the models into directory `dir` (created; hunt_model.json says what is there) so that
    /// loadHuntModel(dir) scores exactly as this model does. FileError when it cannot be written.
    virtual void save(const std::string& dir) const = 0;
};

/// Reads a hunt model that HuntModel::save() wrote (`hepgen hunt --save-model DIR`). FileError when the
/// directory or one of its files is missing, FormatError for foreign content or another version.
std::shared_ptr<const HuntModel> loadHuntModel(const std::string& dir);

} // namespace hepgen::anomaly
