#include "core/anomaly/ModelFiles.h"

#include "core/util/Error.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace hepgen::anomaly::files {

namespace fs = std::filesystem;

void makeDirectory(const std::string& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw FileError(dir, "cannot create the directory (" + ec.message() + ").");
}

void writeJson(const std::string& dir, const std::string& name, nlohmann::json json, const std::string& format)
{
    makeDirectory(dir);
    json["format"] = format;
    json["version"] = 1;
    const auto path = (fs::path(dir) / name).string();
    std::ofstream out(path);
    out << json.dump(2) << "\n";
    if (!out)
        throw FileError(path, "cannot be written.");
}

nlohmann::json readJson(const std::string& dir, const std::string& name, const std::string& format)
{
    const auto path = (fs::path(dir) / name).string();
    std::ifstream in(path);
    if (!in)
        throw FileError(path, fmt::format("is missing (not a {} saved by HEPGen?).", format));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const std::exception&) {
        throw FormatError(path, "is not valid JSON.");
    }
    if (!j.is_object() || j.value("format", std::string()) != format)
        throw FormatError(path, fmt::format("is not a {} file.", format));
    if (j.value("version", 0) != 1)
        throw FormatError(
            path, fmt::format("is a {} of version {}; this HEPGen reads version 1.", format, j.value("version", 0)));
    return j;
}

void writeArchive(const std::string& dir, const std::string& name,
    const std::vector<std::shared_ptr<torch::nn::Module>>& modules,
    const std::vector<std::pair<std::string, torch::Tensor>>& tensors)
{
    makeDirectory(dir);
    const auto path = (fs::path(dir) / name).string();
    translatingErrors("writing " + path, [&] {
        torch::serialize::OutputArchive archive;
        for (std::size_t i = 0; i < modules.size(); ++i) {
            torch::serialize::OutputArchive sub;
            modules[i]->save(sub);
            archive.write(fmt::format("module{}", i), sub);
        }
        for (const auto& [key, t] : tensors)
            archive.write(key, t, true);
        archive.save_to(path);
    });
}

void readArchive(const std::string& dir, const std::string& name,
    const std::vector<std::shared_ptr<torch::nn::Module>>& modules,
    const std::vector<std::pair<std::string, torch::Tensor*>>& tensors)
{
    const auto path = (fs::path(dir) / name).string();
    if (!fs::exists(path))
        throw FileError(path, "is missing.");
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        for (std::size_t i = 0; i < modules.size(); ++i) {
            torch::serialize::InputArchive sub;
            archive.read(fmt::format("module{}", i), sub);
            modules[i]->load(sub);
        }
        for (const auto& [key, t] : tensors)
            archive.read(key, *t, true);
    } catch (const c10::Error& e) {
        // LibTorch's message carries a backtrace after its first line.
        std::string what = e.what_without_backtrace();
        what = what.substr(0, what.find('\n'));
        throw FormatError(path, fmt::format("does not hold the expected networks ({}).", what));
    }
}

} // namespace hepgen::anomaly::files
