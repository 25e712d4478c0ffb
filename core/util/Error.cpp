#include "core/util/Error.h"

#include <H5Cpp.h>
#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

namespace hepgen {

namespace {

std::string withContext(const std::string& context, const std::string& message)
{
    return context.empty() ? message : context + ": " + message;
}

// LibTorch messages carry a C++ backtrace and source locations; keep the first line only.
std::string firstLine(std::string text)
{
    const auto eol = text.find('\n');
    if (eol != std::string::npos)
        text.resize(eol);
    return text;
}

} // namespace

FileError::FileError(const std::string& path, const std::string& problem)
    : Error(path.empty() ? problem : path + ": " + problem)
    , m_path(path)
{
}

void rethrowTranslated(const std::string& context)
{
    try {
        throw;
    } catch (const Error&) {
        throw;
    } catch (const H5::Exception& e) {
        std::string detail = e.getDetailMsg();
        if (detail.empty())
            detail = "HDF5 error in " + e.getFuncName();
        throw FileError(context, "the HDF5 library reported: " + detail);
    } catch (const nlohmann::json::parse_error& e) {
        throw ConfigError(withContext(context, std::string("not valid JSON (") + e.what() + ")"));
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(withContext(context, std::string("unexpected JSON content (") + e.what() + ")"));
    } catch (const c10::Error& e) {
        throw Error(withContext(context, "tensor error: " + firstLine(e.what_without_backtrace())));
    } catch (const std::bad_alloc&) {
        throw Error(withContext(context, "out of memory"));
    } catch (const std::exception& e) {
        throw Error(withContext(context, e.what()));
    } catch (...) {
        throw Error(withContext(context, "an unknown error occurred"));
    }
}

std::string currentExceptionMessage(const std::string& context) noexcept
{
    try {
        rethrowTranslated(context);
    } catch (const Error& e) {
        return e.what();
    } catch (...) {
        return "an unknown error occurred";
    }
}

} // namespace hepgen
