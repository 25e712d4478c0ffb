// `hepgen-studio --screenshot PNG` as the docs and users run it: opens on the demo (or a given
// file or view), writes a real picture of the window and exits 0; bad arguments exit non-zero.
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

    void unknownViewIsRefused()
    {
        QString err;
        QCOMPARE(runStudio({ "--view", "nowhere", "--screenshot", m_dir.filePath("x.png") }, m_dir.path(), &err), 2);
        QVERIFY(err.contains("unknown workspace 'nowhere'"));
    }
};

QTEST_GUILESS_MAIN(TestStudioScreenshot)
#include "test_studio_screenshot.moc"
