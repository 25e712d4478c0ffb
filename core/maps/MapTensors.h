#pragma once
// Internal to core/maps: moving a MapModel's plain rows into tensors and its answers back.
#include "core/maps/MapModel.h"

#include <torch/torch.h>

#include <vector>

namespace hepgen::maps::detail {

/// rows (n x width, row-major) as an (n, width) float32 tensor sharing their memory (valid while rows lives).
inline torch::Tensor rowsTensor(const std::vector<float>& rows, int64_t n, int64_t width)
{
    return torch::from_blob(const_cast<float*>(rows.data()), { n, width }, torch::kFloat32);
}

inline std::vector<double> toDoubles(const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return { c.data_ptr<double>(), c.data_ptr<double>() + c.numel() };
}

/// An evaluation from the model's answer (N) and its members' (K, N) (undefined: none).
inline MapEvaluation evaluation(const torch::Tensor& value, const torch::Tensor& members)
{
    MapEvaluation e;
    e.value = toDoubles(value);
    if (members.defined() && members.numel() > 0) {
        e.k = members.size(0);
        e.members = toDoubles(members);
    }
    return e;
}

} // namespace hepgen::maps::detail
