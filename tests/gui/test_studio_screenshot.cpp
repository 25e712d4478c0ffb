// `hepgen-studio --screenshot PNG` as the docs and users run it: opens on the demo (or a given
// file or view), writes a real picture of the window and exits 0; bad arguments exit non-zero.
// `--hunt` runs real hunts on the loaded file first (the docs' hunt pictures); a hunt that cannot
// run still leaves a picture, says why and exits 1.
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

int runStudio(const QStringList& args, const QString& configHome, QString* err = nullptr)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_CONFIG_HOME", configHome); // do not touch the user's settings
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(HEPGEN_STUDIO_PATH), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        return -1;
    }
    if (err)
        *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace

class TestStudioScreenshot : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void screenshotOfTheDemo()
    {
        const QString png = m_dir.filePath("shell.png");
        QString err;
        QCOMPARE(runStudio({ "--screenshot", png, "--view", "showers" }, m_dir.path(), &err), 0);
        const QImage img(png);
        QVERIFY2(!img.isNull(), qPrintable(err));
        QVERIFY(img.width() >= 800 && img.height() >= 500);
    }

    void screenshotOfABadFileShowsTheErrorAndStillExitsZero()
    {
        const QString bad = m_dir.filePath("bad.h5");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not hdf5 at all");
        f.close();
        const QString png = m_dir.filePath("error.png");
        QCOMPARE(runStudio({ bad, "--screenshot", png }, m_dir.path()), 0);
        QVERIFY(!QImage(png).isNull());
    }

    void huntsRunBeforeTheScreenshot()
    {
        const QString data = m_dir.filePath("dijet.h5");
        QCOMPARE(QProcess::execute(QStringLiteral(HEPGEN_CLI_PATH),
                     { "--quiet", "generate", "dijet", "-n", "30000", "--signal", "600", "--seed", "3", "-o", data }),
            0);
        const QString png = m_dir.filePath("hunt.png");
        QString err;
        QCOMPARE(runStudio({ data, "--hunt", "supervised:bdt,cwola:bdt", "--hunt-page", "bump", "--screenshot", png },
                     m_dir.path(), &err),
            0);
        QVERIFY2(err.contains("2 hunt(s) finished"), qPrintable(err));
        QVERIFY(!QImage(png).isNull());

        // An unknown method or classifier ends the batch with the reason; the picture is still taken.
        const QString bad = m_dir.filePath("bad-hunt.png");
        QCOMPARE(runStudio({ data, "--hunt", "nonsense", "--screenshot", bad }, m_dir.path(), &err), 1);
        QVERIFY2(err.contains("Unknown hunt") && err.contains("nonsense"), qPrintable(err));
        QVERIFY(!QImage(bad).isNull());
        QCOMPARE(runStudio({ data, "--hunt", "cwola:forest", "--screenshot", bad }, m_dir.path(), &err), 1);
        QVERIFY2(err.contains("Unknown classifier"), qPrintable(err));
        QCOMPARE(runStudio({ "--hunt-page", "nowhere", "--screenshot", bad }, m_dir.path(), &err), 2);
        QVERIFY(err.contains("unknown hunt page 'nowhere'"));
    }

    void unknownViewIsRefused()
    {
        QString err;
        QCOMPARE(runStudio({ "--view", "nowhere", "--screenshot", m_dir.filePath("x.png") }, m_dir.path(), &err), 2);
        QVERIFY(err.contains("unknown workspace 'nowhere'"));
    }
};

QTEST_GUILESS_MAIN(TestStudioScreenshot)
#include "test_studio_screenshot.moc"
