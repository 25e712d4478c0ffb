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
    RanodeSignalModel(ConditionalDensity& background, int64_t epochs, std::uint64_t seed);
    ~RanodeSignalModel();

    /// Fits p_sig and w on SR events (x, m), keeping the epoch with the best validation likelihood
    /// (a seeded 20 % share). NumericError when the likelihood becomes non-finite; Cancelled on a stop.
    void fit(const torch::Tensor& x, const torch::Tensor& m, const JobControl& job);
    /// log p_sig(x|m) - log p_bg(x|m) (N), float64.
    torch::Tensor score(const torch::Tensor& x, const torch::Tensor& m);
    /// The fitted signal fraction w.
    double signalFraction() const;

private:
    ConditionalDensity& m_background;
    int64_t m_epochs;
    std::uint64_t m_seed;
    std::unique_ptr<hepgen::models::GenerativeModel> m_signal;
    torch::Tensor m_fractionLogit;
};

} // namespace hepgen::anomaly
