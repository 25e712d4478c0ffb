#pragma once
// The one error hierarchy of HEPGen Studio. Everything core throws derives from hepgen::Error;
// third-party errors (HDF5, LibTorch, JSON) are translated into these at the boundary by
// translateException(), so the GUI and the CLI only ever show a message a user understands.
#include <exception>
#include <stdexcept>
#include <string>

namespace hepgen {

/// Root of every error core throws. what() is a complete sentence meant for the user.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

/// A file could not be opened, read or written (missing, unreadable, truncated, not HDF5).
class FileError : public Error {
public:
    FileError(const std::string& path, const std::string& problem);
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

/// A file was read but its content does not fit what was expected (unknown layout, wrong shape,
/// missing column, NaN values).
class FormatError : public FileError {
public:
    using FileError::FileError;
};

/// A user-given setting is invalid (bad option, out-of-range value, inconsistent config).
class ConfigError : public Error {
public:
    using Error::Error;
};

/// A computation went numerically wrong (NaN/Inf loss, diverging training run).
class NumericError : public Error {
public:
    using Error::Error;
};

/// The user cancelled a running job. Not a failure: callers report it as "cancelled".
class Cancelled : public Error {
public:
    Cancelled()
        : Error("Cancelled by the user.")
    {
    }
};

/// Rethrows the exception currently being handled (call only inside a catch block) as a
/// hepgen::Error subclass with a user-readable message: hepgen errors pass unchanged, LibTorch,
/// HDF5 and JSON errors are translated; `context` says what was being done ("reading x.h5").
[[noreturn]] void rethrowTranslated(const std::string& context = {});

/// The user-readable message of the exception currently being handled (call only inside a catch
/// block); for the outermost catch of the GUI, the CLI and worker threads. Never throws.
std::string currentExceptionMessage(const std::string& context = {}) noexcept;

/// Runs f and rethrows anything it throws as a translated hepgen error. Use at the boundary
/// between core and third-party code.
template <class F>
auto translatingErrors(const std::string& context, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (...) {
        rethrowTranslated(context);
    }
}

} // namespace hepgen
