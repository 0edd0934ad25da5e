// OVER aggregations (the reference's §4 example) and non-windowed GROUP BY updates.
#include <algorithm>

#include "job_test_util.h"

namespace fluxgate::jobs {
namespace {

using testing::JobFixture;

constexpr const char* kOrders = R"(
SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE orders (
  product STRING, ts TIMESTAMP(3), amount INT,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'orders', 'format' = 'json',
        'scan.stream.initpos' = 'TRIM_HORIZON');
)";

std::string Order(const std::string& p, const std::string& ts, int amount) {
  return "{\"product\":\"" + p + "\",\"ts\":\"2026-11-25 " + ts +
         "\",\"amount\":" + std::to_string(amount) + "}";
}

class KeyedOpsTest : public JobFixture {
 protected:
  void SendReferenceOrders() {
    Append("orders",
           {Order("A", "10:00:00", 10), Order("B", "10:10:00", 1), Order("A", "10:30:00", 20),
            Order("A", "11:00:00", 5), Order("A", "11:20:00", 3), Order("Z", "12:00:00", 0)});
  }
};

TEST_F(KeyedOpsTest, OverRangeIntervalMatchesTheReference) {
  auto job = MakeJob(std::string(kOrders) + R"(
CREATE TABLE out (product STRING, ts TIMESTAMP(3), amount INT, r1h INT) WITH ('connector' = 'print');
INSERT INTO out
SELECT product, ts, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY ts
                    RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)
FROM orders;
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  SendReferenceOrders();
  auto rows = WaitRows(5);
  ASSERT_TRUE(job->Stop().ok());
  std::vector<std::string> a;
  for (const auto& r : rows) {
    if (r.rfind("+I[A,", 0) == 0) a.push_back(r);
  }
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], "+I[A, 2026-11-25 10:00:00.000, 10, 10]");
  EXPECT_EQ(a[1], "+I[A, 2026-11-25 10:30:00.000, 20, 30]");
  EXPECT_EQ(a[2], "+I[A, 2026-11-25 11:00:00.000, 5, 35]");  // 10:00 included: inclusive bound
  EXPECT_EQ(a[3], "+I[A, 2026-11-25 11:20:00.000, 3, 28]");
}

TEST_F(KeyedOpsTest, OverRowsFrameAndUnboundedCount) {
  auto job = MakeJob(std::string(kOrders) + R"(
CREATE TABLE out (product STRING, amount INT, r2 INT, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out
SELECT product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW),
  COUNT(*) OVER (PARTITION BY product ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
FROM orders;
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  SendReferenceOrders();
  auto rows = WaitRows(5);
  ASSERT_TRUE(job->Stop().ok());
  std::vector<std::string> a;
  for (const auto& r : rows) {
    if (r.rfind("+I[A,", 0) == 0) a.push_back(r);
  }
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], "+I[A, 10, 10, 1]");
  EXPECT_EQ(a[1], "+I[A, 20, 30, 2]");
  EXPECT_EQ(a[2], "+I[A, 5, 25, 2]");
  EXPECT_EQ(a[3], "+I[A, 3, 8, 2]");
}

TEST_F(KeyedOpsTest, OverStateSurvivesARestart) {
  const std::string sql = std::string(kOrders) + R"(
CREATE TABLE out (product STRING, amount INT, total INT) WITH ('connector' = 'print');
INSERT INTO out
SELECT product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
FROM orders;
)";
  auto job = MakeJob(sql);
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Start().ok());
  Append("orders", {Order("A", "10:00:00", 10), Order("A", "10:30:00", 20)});
  auto rows = WaitRows(1);
  ASSERT_TRUE(job->Stop().ok());
  job.reset();
  Append("orders", {Order("A", "11:00:00", 5), Order("B", "12:00:00", 1)});
  auto again = MakeJob(sql);
  ASSERT_TRUE(again->Start().ok());
  rows = WaitRows(3);
  ASSERT_TRUE(again->Stop().ok());
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0], "+I[A, 10, 10]");
  EXPECT_EQ(rows[1], "+I[A, 20, 30]");
  EXPECT_EQ(rows[2], "+I[A, 5, 35]");
}

TEST_F(KeyedOpsTest, GroupByEmitsAnUpdateStream) {
  auto job = MakeJob(std::string(kOrders) + R"(
CREATE TABLE out (product STRING, total INT, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT product, SUM(amount), COUNT(*) FROM orders GROUP BY product;
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("orders", {Order("A", "10:00:00", 10), Order("B", "10:10:00", 1)});
  auto rows = WaitRows(2);
  Append("orders", {Order("A", "10:30:00", 20)});
  rows = WaitRows(4);
  ASSERT_TRUE(job->Stop().ok());
  ASSERT_EQ(rows.size(), 4u);
  std::sort(rows.begin(), rows.begin() + 2);
  EXPECT_EQ(rows[0], "+I[A, 10, 1]");
  EXPECT_EQ(rows[1], "+I[B, 1, 1]");
  EXPECT_EQ(rows[2], "-U[A, 10, 1]");
  EXPECT_EQ(rows[3], "+U[A, 30, 2]");
}

}  // namespace
}  // namespace fluxgate::jobs
