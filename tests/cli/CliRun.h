#pragma once
// The CLI tests' one way of running hepgen (HEPGEN_CLI_PATH, defined for them in tests/CMakeLists.txt): one
// process, its exit code and both output streams.
#include <QProcess>
#include <QString>
#include <QStringList>

struct CliRun {
    int code = -1; ///< -1: it crashed or did not finish within 5 minutes
    QString out, err;
};

/// Runs hepgen with `args` and waits for it (5 minutes at most).
inline CliRun runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(HEPGEN_CLI_PATH), args);
    CliRun r;
    if (!p.waitForFinished(300000))
        return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

/// hepgen --quiet --threads 1 `args` (results do not depend on the thread count; no progress on stderr).
inline CliRun runCliQuiet(const QStringList& args)
{
    return runCli(QStringList { QStringLiteral("--quiet"), QStringLiteral("--threads"), QStringLiteral("1") } + args);
}

/// Lines of text in `s`, ignoring leading and trailing white space.
inline int lineCount(const QString& s) { return s.trimmed().isEmpty() ? 0 : static_cast<int>(s.trimmed().count('\n')) + 1; }
