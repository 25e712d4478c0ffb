#pragma once
// R-ANODE (Das, Kasieczka, Shih, arXiv:2312.11629): in the SR, data follow
//   p_data(x|m) = w p_sig(x|m) + (1 - w) p_bg(x|m),
// with p_bg the SB flow interpolated into the SR and frozen; a signal flow p_sig and the signal
// fraction w are fitted together by maximum likelihood on the SR data (their eq. 4). The anomaly
// score is the likelihood ratio log p_sig - log p_bg. Both flows work in the background density's
// preprocessed units, so the preprocessing Jacobian cancels in the ratio.
#include "core/anomaly/ConditionalDensity.h"

#include <memory>

namespace hepgen::anomaly {

class RanodeSignalModel {
public:
    /// `background` must be trained and outlive this model. `epochs` over the SR training events.
    /// `fixedFraction` > 0 holds w at that value (the paper's fixed-w variant); 0 fits w.
    RanodeSignalModel(ConditionalDensity& background, int64_t epochs, std::uint64_t seed, double fixedFraction = 0.0);
    ~RanodeSignalModel();

    /// Fits p_sig and w on SR events (x, m), keeping the epoch with the best validation likelihood
    /// (a seeded 20 % share). NumericError when the likelihood becomes non-finite; Cancelled on a stop.
    void fit(const torch::Tensor& x, const torch::Tensor& m, const JobControl& job);
    /// log p_sig(x|m) - log p_bg(x|m) (N), float64.
    torch::Tensor score(const torch::Tensor& x, const torch::Tensor& m);
    /// The fitted signal fraction w.
    double signalFraction() const;
    /// Writes the signal model and w into `dir` (created): ranode.json, ranode.pt. FileError when it cannot.
    void save(const std::string& dir) const;
    /// Reads what save() wrote, against the (loaded) background it was fitted with. FileError/FormatError.
    static std::shared_ptr<RanodeSignalModel> load(const std::string& dir, ConditionalDensity& background);

private:
    ConditionalDensity& m_background;
    int64_t m_epochs;
    std::uint64_t m_seed;
    double m_fixedFraction;
    std::unique_ptr<hepgen::models::GenerativeModel> m_signal;
    torch::Tensor m_fractionLogit;
};

} // namespace hepgen::anomaly
