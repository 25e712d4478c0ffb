// Table operations: row/column selection keeps labels and weights aligned; seeded splits partition
// the events, are reproducible and respect the fractions.
#include "core/data/Table.h"
#include "core/util/Error.h"

#include <QtTest>

#include <set>

using namespace hepgen::data;

class TestTable : public QObject {
    Q_OBJECT
    static Table make(std::size_t n)
    {
        Table t;
        t.columns = { "a", "b", "c" };
        t.units = { "TeV", "", "GeV" };
        for (std::size_t i = 0; i < n; ++i) {
            t.values.insert(t.values.end(), { float(i), float(10 * i), float(100 * i) });
            t.labels.push_back(static_cast<std::int8_t>(i % 2));
            t.weights.push_back(float(i) + 0.5f);
        }
        return t;
    }

private Q_SLOTS:
    void selectColumnsAndRows()
    {
        const Table t = make(10);
        const Table c = selectColumns(t, { "c", "a" });
        QVERIFY((c.columns == std::vector<std::string> { "c", "a" }));
        QVERIFY((c.units == std::vector<std::string> { "GeV", "TeV" }));
        QCOMPARE(c.at(3, 0), 300.f);
        QCOMPARE(c.at(3, 1), 3.f);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, selectColumns(t, { "nope" }));
        const Table r = selectRows(t, { 7, 2 });
        QCOMPARE(r.rows(), std::size_t(2));
        QCOMPARE(r.at(0, 1), 70.f);
        QCOMPARE(int(r.labels[0]), 1);
        QCOMPARE(r.weights[1], 2.5f);
    }

    void splitsPartitionReproducibly()
    {
        const Table t = make(1000);
        const auto s = splitTable(t, 0.2, 0.1, 42);
        QCOMPARE(s.train.rows(), std::size_t(700));
        QCOMPARE(s.validation.rows(), std::size_t(200));
        QCOMPARE(s.test.rows(), std::size_t(100));
        std::set<float> seen;
        for (const Table* part : { &s.train, &s.validation, &s.test })
            for (std::size_t i = 0; i < part->rows(); ++i) {
                seen.insert(part->at(i, 0));
                QCOMPARE(part->at(i, 1), 10 * part->at(i, 0)); // rows stay whole
                QCOMPARE(int(part->labels[i]), int(part->at(i, 0)) % 2);
            }
        QCOMPARE(seen.size(), std::size_t(1000)); // a partition: every event exactly once
        QVERIFY(splitTable(t, 0.2, 0.1, 42).test.values == s.test.values);
        QVERIFY(splitTable(t, 0.2, 0.1, 43).test.values != s.test.values);
        QVERIFY_THROWS_EXCEPTION(hepgen::ConfigError, splitTable(t, 0.6, 0.5, 1));
    }
};

QTEST_GUILESS_MAIN(TestTable)
#include "test_table.moc"
