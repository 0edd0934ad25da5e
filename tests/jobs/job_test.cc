#include "jobs/job.h"

#include <algorithm>
#include <fstream>

#include "job_test_util.h"

namespace fluxgate::jobs {
namespace {

using testing::JobFixture;

constexpr const char* kSource = R"(
SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE src (
  device_id STRING,
  ts TIMESTAMP(3),
  v DOUBLE,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'telemetry', 'format' = 'json',
        'scan.stream.initpos' = 'TRIM_HORIZON');
)";

constexpr const char* kTumble = R"(
CREATE TABLE out (device_id STRING, ws TIMESTAMP(3), we TIMESTAMP(3), c BIGINT, a DOUBLE)
  WITH ('connector' = 'print');
INSERT INTO out
SELECT device_id, TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_END(ts, INTERVAL '1' MINUTE),
       COUNT(*), AVG(v)
FROM src GROUP BY device_id, TUMBLE(ts, INTERVAL '1' MINUTE);
)";

std::string Rec(const std::string& dev, const std::string& ts, double v) {
  return "{\"device_id\":\"" + dev + "\",\"ts\":\"" + ts + "\",\"v\":" + std::to_string(v) + "}";
}

TEST_F(JobFixture, TumblingWindowFiresWhenWatermarkPasses) {
  auto job = MakeJob(std::string(kSource) + kTumble);
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // The stream did not exist: the job created it.
  ASSERT_TRUE(log_->DescribeStream("telemetry").ok());
  Append("telemetry",
         {Rec("a", "2026-11-25T10:00:01Z", 1), Rec("b", "2026-11-25T10:00:30Z", 10),
          Rec("a", "2026-11-25T10:00:59.500Z", 3), Rec("a", "2026-11-25T10:01:00.500Z", 100)});
  // Watermark 10:01:00.500 - 1 s = 10:00:59.500 < window end - 1: nothing fires yet.
  WaitRead(*job, 4);
  EXPECT_TRUE(Rows().empty());
  Append("telemetry", {Rec("b", "2026-11-25T10:01:02Z", 5)});
  auto rows = WaitRows(2);
  ASSERT_TRUE(job->Stop().ok());
  std::sort(rows.begin(), rows.end());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], "+I[a, 2026-11-25 10:00:00.000, 2026-11-25 10:01:00.000, 2, 2.0]");
  EXPECT_EQ(rows[1], "+I[b, 2026-11-25 10:00:00.000, 2026-11-25 10:01:00.000, 1, 10.0]");
  EXPECT_EQ(job->status().state, JobState::kStopped);
  EXPECT_GE(job->status().last_checkpoint_id, 1u);
}

TEST_F(JobFixture, BadRecordsBecomeDeadLettersAndTheJobGoesOn) {
  auto job = MakeJob(std::string(kSource) + kTumble);
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("telemetry", {"not json", Rec("a", "2026-11-25T10:00:01Z", 1),
                       "{\"device_id\":\"a\",\"ts\":\"2026-11-25T10:00:02Z\",\"v\":\"hot\"}",
                       Rec("a", "2026-11-25T10:02:00Z", 1)});
  auto rows = WaitRows(1);
  ASSERT_TRUE(job->Stop().ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], "+I[a, 2026-11-25 10:00:00.000, 2026-11-25 10:01:00.000, 1, 1.0]");
  EXPECT_EQ(job->status().dead_letters, 2u);
  std::ifstream f(dir_ + "/jobs/test-job/dead-letters.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(f, line));
  EXPECT_NE(line.find("\"stream\":\"telemetry\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"sequence_number\":\"4"), std::string::npos) << line;
  EXPECT_NE(line.find("not json"), std::string::npos) << line;
}

TEST_F(JobFixture, LateRecordsAreWrittenOutNotDropped) {
  auto job = MakeJob(std::string(kSource) + kTumble);
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("telemetry", {Rec("a", "2026-11-25T10:00:01Z", 1), Rec("a", "2026-11-25T10:05:00Z", 1)});
  WaitRows(1);
  Append("telemetry", {Rec("a", "2026-11-25T10:00:02Z", 7)});
  for (int i = 0; i < 2000 && job->status().late_records == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(job->Stop().ok());
  EXPECT_EQ(job->status().late_records, 1u);
  std::ifstream f(dir_ + "/jobs/test-job/late-records.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(f, line));
  EXPECT_NE(line.find("\"v\":7.0"), std::string::npos) << line;
}

TEST_F(JobFixture, RestartResumesFromCheckpointWithoutDuplicates) {
  const std::string sql = std::string(kSource) + kTumble;
  auto job = MakeJob(sql);
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("telemetry", {Rec("a", "2026-11-25T10:00:01Z", 1), Rec("a", "2026-11-25T10:01:30Z", 2)});
  auto rows = WaitRows(1);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(job->Stop().ok());  // final checkpoint: offsets + the open 10:01 window
  job.reset();

  Append("telemetry", {Rec("a", "2026-11-25T10:01:40Z", 4), Rec("a", "2026-11-25T10:03:00Z", 0)});
  auto again = MakeJob(sql);
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(again->Start().ok());
  rows = WaitRows(2);
  ASSERT_TRUE(again->Stop().ok());
  ASSERT_EQ(rows.size(), 2u);
  // The 10:01 window holds the record from before the restart and the one after.
  EXPECT_EQ(rows[1], "+I[a, 2026-11-25 10:01:00.000, 2026-11-25 10:02:00.000, 2, 3.0]");
  EXPECT_EQ(again->status().records_in, 2u);
}

TEST_F(JobFixture, ChangedPlanRefusesToRestoreAndSaysHow) {
  auto job = MakeJob(std::string(kSource) + kTumble);
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE(job->Stop().ok());
  job.reset();
  std::string changed = std::string(kSource) + kTumble;
  changed.replace(changed.find("AVG(v)"), 6, "MAX(v)");
  auto again = MakeJob(changed);
  ASSERT_NE(again, nullptr);
  Status s = again->Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("pipeline.name"), std::string::npos) << s.ToString();
}

TEST_F(JobFixture, FilterProjectAndHopWindowAcrossShards) {
  const std::string sql = std::string(kSource) + R"(
CREATE TABLE out (device_id STRING, ws TIMESTAMP(3), m DOUBLE) WITH ('connector' = 'print');
INSERT INTO out
SELECT device_id, window_start, MAX(v)
FROM TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE))
WHERE v > 0
GROUP BY device_id, window_start, window_end;
)";
  auto job = MakeJob(sql);
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // Different partition keys spread records over both shards.
  Append("telemetry", {Rec("a", "2026-11-25T10:00:10Z", 5)}, "k1");
  Append("telemetry", {Rec("a", "2026-11-25T10:00:40Z", -1)}, "k2");
  Append("telemetry", {Rec("a", "2026-11-25T10:00:50Z", 7)}, "k3");
  Append("telemetry", {Rec("z", "2026-11-25T10:05:00Z", 1)}, "k1");
  Append("telemetry", {Rec("z", "2026-11-25T10:05:00Z", 1)}, "k2");
  auto rows = WaitRows(3);
  ASSERT_TRUE(job->Stop().ok());
  std::sort(rows.begin(), rows.end());
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0], "+I[a, 2026-11-25 09:59:30.000, 5.0]");
  EXPECT_EQ(rows[1], "+I[a, 2026-11-25 10:00:00.000, 7.0]");
  EXPECT_EQ(rows[2], "+I[a, 2026-11-25 10:00:30.000, 7.0]");
}

}  // namespace
}  // namespace fluxgate::jobs

namespace fluxgate::jobs {
namespace {

using MetadataTest = testing::JobFixture;

TEST_F(MetadataTest, MetadataColumnsAndRawFormat) {
  auto job = MakeJob(R"(
CREATE TABLE src (
  data STRING,
  pk STRING METADATA FROM 'partition-key' VIRTUAL,
  shard STRING METADATA FROM 'shard-id' VIRTUAL,
  seq STRING METADATA FROM 'sequence-number' VIRTUAL,
  arrival TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH ('connector' = 'kinesis', 'stream' = 'raw', 'format' = 'raw', 'shards' = '1',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE out (data STRING, pk STRING, shard STRING, seq STRING, y BIGINT)
  WITH ('connector' = 'print');
INSERT INTO out SELECT data, pk, shard, seq, EXTRACT(YEAR FROM arrival) FROM src;
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("raw", {"not json at all", "{\"a\":1}"}, "device-7");
  auto rows = WaitRows(2);
  ASSERT_TRUE(job->Stop().ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].rfind("+I[not json at all, device-7, shardId-000000000000, 4", 0), 0u)
      << rows[0];
  EXPECT_EQ(rows[1].rfind("+I[{\"a\":1}, device-7, shardId-000000000000, 4", 0), 0u) << rows[1];
  // Sequence numbers increase; the arrival year is this year's.
  auto seq = [](const std::string& row) {
    size_t a = row.find(", 4");
    return row.substr(a + 2, row.rfind(',') - a - 2);
  };
  EXPECT_LT(seq(rows[0]), seq(rows[1]));
  EXPECT_NE(rows[0].find(", 20"), std::string::npos) << rows[0];
  EXPECT_EQ(job->status().dead_letters, 0u);  // raw keeps what JSON could not parse
}

}  // namespace
}  // namespace fluxgate::jobs

namespace fluxgate::jobs {
namespace {

using WindowKindsTest = testing::JobFixture;

constexpr const char* kEvents = R"(
SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE src (
  device_id STRING, ts TIMESTAMP(3), v DOUBLE,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'telemetry', 'format' = 'json',
        'scan.stream.initpos' = 'TRIM_HORIZON');
)";

std::string Ev(const std::string& dev, const std::string& hms, double v) {
  return "{\"device_id\":\"" + dev + "\",\"ts\":\"2026-11-25 " + hms +
         "\",\"v\":" + std::to_string(v) + "}";
}

TEST_F(WindowKindsTest, LegacySessionWindowsPerDevice) {
  auto job = MakeJob(std::string(kEvents) + R"(
CREATE TABLE out (device_id STRING, s TIMESTAMP(3), e TIMESTAMP(3), n BIGINT, total DOUBLE)
  WITH ('connector' = 'print');
INSERT INTO out
SELECT device_id, SESSION_START(ts, INTERVAL '10' SECOND), SESSION_END(ts, INTERVAL '10' SECOND),
       COUNT(*), SUM(v)
FROM src GROUP BY device_id, SESSION(ts, INTERVAL '10' SECOND);
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // a: 10:00:00, 10:00:05 (one session: gap 10 s), 10:00:30 (a new one); out of order too.
  Append("telemetry", {Ev("a", "10:00:05", 2), Ev("a", "10:00:00", 1), Ev("b", "10:00:01", 7),
                       Ev("a", "10:00:30", 4), Ev("z", "10:05:00", 0)});
  auto rows = WaitRows(3);
  ASSERT_TRUE(job->Stop().ok());
  std::sort(rows.begin(), rows.end());
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0], "+I[a, 2026-11-25 10:00:00.000, 2026-11-25 10:00:15.000, 2, 3.0]");
  EXPECT_EQ(rows[1], "+I[a, 2026-11-25 10:00:30.000, 2026-11-25 10:00:40.000, 1, 4.0]");
  EXPECT_EQ(rows[2], "+I[b, 2026-11-25 10:00:01.000, 2026-11-25 10:00:11.000, 1, 7.0]");
}

TEST_F(WindowKindsTest, CumulateWindowTvf) {
  auto job = MakeJob(std::string(kEvents) + R"(
CREATE TABLE out (device_id STRING, ws TIMESTAMP(3), we TIMESTAMP(3), total DOUBLE)
  WITH ('connector' = 'print');
INSERT INTO out
SELECT device_id, window_start, window_end, SUM(v)
FROM TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '1' MINUTE))
GROUP BY device_id, window_start, window_end;
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("telemetry", {Ev("a", "10:00:05", 1), Ev("a", "10:00:25", 2), Ev("a", "10:00:45", 4),
                       Ev("a", "10:02:00", 0)});
  auto rows = WaitRows(3);
  ASSERT_TRUE(job->Stop().ok());
  std::vector<std::string> first;
  for (const auto& r : rows) {
    if (r.find("10:00:00.000") != std::string::npos) first.push_back(r);
  }
  std::sort(first.begin(), first.end());
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0], "+I[a, 2026-11-25 10:00:00.000, 2026-11-25 10:00:20.000, 1.0]");
  EXPECT_EQ(first[1], "+I[a, 2026-11-25 10:00:00.000, 2026-11-25 10:00:40.000, 3.0]");
  EXPECT_EQ(first[2], "+I[a, 2026-11-25 10:00:00.000, 2026-11-25 10:01:00.000, 7.0]");
}

TEST_F(WindowKindsTest, AllowedLatenessRefiresAsUpdate) {
  auto job = MakeJob(std::string(kEvents) + R"(
SET 'table.exec.emit.allow-lateness' = '1 min';
CREATE TABLE out (device_id STRING, ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'print');
INSERT INTO out
SELECT device_id, window_start, COUNT(*)
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY device_id, window_start, window_end;
)");
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("telemetry", {Ev("a", "10:00:01", 1), Ev("a", "10:00:20", 1)});
  auto rows = WaitRows(1);
  Append("telemetry", {Ev("a", "10:00:02", 1)});  // late, but within the allowed lateness
  Append("telemetry", {Ev("a", "10:00:30", 1)});  // moves the watermark on
  rows = WaitRows(3);
  ASSERT_TRUE(job->Stop().ok());
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0], "+I[a, 2026-11-25 10:00:00.000, 1]");
  EXPECT_NE(std::find(rows.begin(), rows.end(), "+U[a, 2026-11-25 10:00:00.000, 2]"), rows.end());
  EXPECT_EQ(job->status().late_records, 0u);
}

}  // namespace
}  // namespace fluxgate::jobs
