#pragma once
// Tensor helpers shared by the model tests.
#include <torch/torch.h>

#include <vector>

namespace hepgen::test {

/// True when both lists hold bit-identical tensors, in order.
inline bool sameTensors(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!torch::equal(a[i], b[i]))
            return false;
    return true;
}

/// Detached deep copies (snapshots of parameters before an operation).
inline std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& v)
{
    std::vector<torch::Tensor> out;
    for (const auto& t : v)
        out.push_back(t.detach().clone());
    return out;
}

} // namespace hepgen::test
