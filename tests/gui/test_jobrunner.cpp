// The job runner every workspace uses: progress reaches the UI thread, Cancel cancels, an
// exception in the worker becomes failed(message), and only one job runs at a time.
#include "core/util/Error.h"
#include "widgets/JobRunner.h"

#include <QSignalSpy>
#include <QtTest>

#include <atomic>
#include <thread>

using hepgen::widgets::JobRunner;

class TestJobRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void successRunsCallbackOnUiThreadAndReportsProgress()
    {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::progress);
        QSignalSpy finished(&runner, &JobRunner::finished);
        bool callbackOnUiThread = false;
        int result = 0;
        QVERIFY(runner.start(
            "sum",
            [&result](const hepgen::JobControl& job) {
                for (int i = 1; i <= 100; ++i) {
                    result += i;
                    job.report(i / 100.0, "adding");
                }
            },
            [&] { callbackOnUiThread = QThread::currentThread() == qApp->thread(); }));
        QVERIFY(runner.isRunning());
        QVERIFY(finished.wait(5000));
        QCOMPARE(result, 5050);
        QVERIFY(callbackOnUiThread);
        QVERIFY(!runner.isRunning());
        QVERIFY(progress.count() >= 2); // the initial 0 and at least the final 1
        QCOMPARE(progress.last().at(0).toDouble(), 1.0);
    }

    void cancelStopsTheJob()
    {
        JobRunner runner;
        QSignalSpy cancelled(&runner, &JobRunner::cancelled);
        QSignalSpy finished(&runner, &JobRunner::finished);
        std::atomic<bool> entered { false };
        bool callbackRan = false;
        runner.start(
            "endless",
            [&entered](const hepgen::JobControl& job) {
                entered = true;
                for (;;) {
                    job.throwIfStopped();
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
            },
            [&] { callbackRan = true; });
        QTRY_VERIFY(entered.load());
        runner.cancel();
        QVERIFY(cancelled.wait(5000));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!callbackRan);
    }

    void exceptionBecomesFailedMessage()
    {
        JobRunner runner;
        QSignalSpy failed(&runner, &JobRunner::failed);
        runner.start(
            "broken", [](const hepgen::JobControl&) { throw hepgen::FormatError("data.h5", "unknown layout."); });
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).toString(), QString("broken"));
        QCOMPARE(failed.first().at(1).toString(), QString("data.h5: unknown layout."));
    }

    void oneJobAtATime()
    {
        JobRunner runner;
        std::atomic<bool> release { false };
        QSignalSpy finished(&runner, &JobRunner::finished);
        QVERIFY(runner.start("first", [&release](const hepgen::JobControl&) {
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }));
        QVERIFY(!runner.start("second", [](const hepgen::JobControl&) {}));
        release = true;
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toString(), QString("first"));
        QVERIFY(runner.start("third", [](const hepgen::JobControl&) {}));
        QVERIFY(finished.wait(5000));
    }

    void destroyingARunningRunnerWaitsForItsWorker()
    {
        std::atomic<bool> stopped { false };
        {
            JobRunner runner;
            runner.start("long", [&stopped](const hepgen::JobControl& job) {
                while (!job.stopRequested())
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                stopped = true;
            });
        }
        QVERIFY(stopped.load());
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_jobrunner.moc"
