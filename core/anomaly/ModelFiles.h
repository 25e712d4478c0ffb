#pragma once
// Small file helpers for saving a hunt's trained models (core/anomaly/HuntModel.h): JSON files with a
// format tag and version, and torch modules / tensors in one archive. Internal to core/anomaly.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace hepgen::anomaly::files {

/// Creates `dir` (and parents); FileError when it cannot.
void makeDirectory(const std::string& dir);
/// Writes `json` with "format" and "version" set into dir/name; FileError when it cannot.
void writeJson(const std::string& dir, const std::string& name, nlohmann::json json, const std::string& format);
/// Reads dir/name and checks its format tag and version 1: FileError when missing, FormatError otherwise.
nlohmann::json readJson(const std::string& dir, const std::string& name, const std::string& format);
/// Saves modules (module0, module1, ...) and named tensors into the archive dir/name.
void writeArchive(const std::string& dir, const std::string& name,
    const std::vector<std::shared_ptr<torch::nn::Module>>& modules,
    const std::vector<std::pair<std::string, torch::Tensor>>& tensors = {});
/// Loads what writeArchive() wrote into the same modules and tensors (their shapes must match).
void readArchive(const std::string& dir, const std::string& name,
    const std::vector<std::shared_ptr<torch::nn::Module>>& modules,
    const std::vector<std::pair<std::string, torch::Tensor*>>& tensors = {});

} // namespace hepgen::anomaly::files
