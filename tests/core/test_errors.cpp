// The error hierarchy and job control: third-party errors become typed hepgen errors with
// readable messages; progress sub-ranges and ETA arithmetic are right.
#include "core/util/Error.h"
#include "core/util/Job.h"

#include <H5Cpp.h>
#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

using namespace hepgen;

class TestErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void torchErrorBecomesHepgenErrorWithoutBacktrace()
    {
        try {
            translatingErrors("multiplying", [] { return torch::mm(torch::ones({ 2, 3 }), torch::ones({ 2, 3 })); });
            QFAIL("expected an exception");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.startsWith("multiplying: tensor error:"), e.what());
            QVERIFY2(!msg.contains('\n'), "the message must be one line");
        }
    }

    void jsonErrorBecomesConfigError()
    {
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, translatingErrors("reading config.json", [] { return nlohmann::json::parse("{ not json"); }));
        try {
            translatingErrors("reading config.json", [] { return nlohmann::json::parse("{ not json"); });
        } catch (const ConfigError& e) {
            QVERIFY(QString(e.what()).contains("config.json: not valid JSON"));
        }
    }

    void hdf5ErrorBecomesFileError()
    {
        H5::Exception::dontPrint();
        QVERIFY_THROWS_EXCEPTION(FileError, translatingErrors("reading /nonexistent.h5", [] {
            return H5::H5File("/nonexistent/x.h5", H5F_ACC_RDONLY);
        }));
    }

    void hepgenErrorsPassUnchanged()
    {
        QVERIFY_THROWS_EXCEPTION(
            FormatError, translatingErrors("x", []() -> int { throw FormatError("f.h5", "bad layout"); }));
        try {
            throw FormatError("f.h5", "bad layout.");
        } catch (const FileError& e) {
            QCOMPARE(QString(e.what()), QString("f.h5: bad layout."));
            QCOMPARE(QString::fromStdString(e.path()), QString("f.h5"));
        }
    }

    void currentExceptionMessageNeverThrows()
    {
        try {
            throw 42;
        } catch (...) {
            QCOMPARE(QString::fromStdString(currentExceptionMessage("doing x")),
                QString("doing x: an unknown error occurred"));
        }
    }

    void subRangesMapProgressIntoTheParentRange()
    {
        std::vector<double> seen;
        JobControl job([&](double f, const std::string&) { seen.push_back(f); }, [] { return false; });
        const JobControl second = job.subRange(0.5, 1.0);
        second.report(0.0);
        second.report(0.5);
        second.subRange(0.5, 1.0).report(1.0);
        second.report(7.0); // clamped
        QCOMPARE(seen.size(), std::size_t(4));
        QCOMPARE(seen[0], 0.5);
        QCOMPARE(seen[1], 0.75);
        QCOMPARE(seen[2], 1.0);
        QCOMPARE(seen[3], 1.0);
    }

    void stopRequestThrowsCancelled()
    {
        bool stop = false;
        JobControl job({}, [&] { return stop; });
        job.throwIfStopped();
        stop = true;
        QVERIFY(job.stopRequested());
        QVERIFY_THROWS_EXCEPTION(Cancelled, job.throwIfStopped());
        QVERIFY(!JobControl().stopRequested());
    }

    void etaFormatting_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("seconds") << 45.2 << "45 s";
        QTest::newRow("minutes") << 187.0 << "3 min 07 s";
        QTest::newRow("hours") << 7500.0 << "2 h 05 min";
        QTest::newRow("negative") << -3.0 << "0 s";
    }
    void etaFormatting()
    {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(EtaEstimator::format(seconds)), text);
    }

    void etaSaysNothingTooEarly()
    {
        EtaEstimator eta;
        QVERIFY(!eta.secondsLeft(0.5).has_value()); // less than half a second elapsed
        QVERIFY(!eta.secondsLeft(0.001).has_value());
    }
};

QTEST_GUILESS_MAIN(TestErrors)
#include "test_errors.moc"
