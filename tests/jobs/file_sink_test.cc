// Filesystem sinks: Hive partitions, JSON Lines, publication on checkpoint, and exactly-once
// output across a crash (Abort) at arbitrary points.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "job_test_util.h"

namespace fluxgate::jobs {
namespace {

namespace fs = std::filesystem;

class FileSinkTest : public testing::JobFixture {
 protected:
  // Every line of every published (non-hidden) file under `dir`, keyed by relative path.
  std::map<std::string, std::vector<std::string>> Published(const std::string& dir) {
    std::map<std::string, std::vector<std::string>> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      std::ifstream f(e.path());
      std::string line;
      auto& lines = out[fs::relative(e.path(), dir).string()];
      while (std::getline(f, line)) lines.push_back(line);
    }
    return out;
  }
  std::vector<std::string> AllLines(const std::string& dir) {
    std::vector<std::string> all;
    for (auto& [path, lines] : Published(dir)) all.insert(all.end(), lines.begin(), lines.end());
    std::sort(all.begin(), all.end());
    return all;
  }
};

std::string Script(const std::string& out_path) {
  return R"(
SET 'execution.checkpointing.interval' = '200 ms';
SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE src (
  device_id STRING, ts TIMESTAMP(3), v DOUBLE,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'telemetry', 'format' = 'json',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE out (device_id STRING, ts TIMESTAMP(3), v DOUBLE, `hour` STRING)
  PARTITIONED BY (`hour`)
  WITH ('connector' = 's3', 'path' = ')" +
         out_path + R"(', 'format' = 'json',
        'sink.rolling-policy.rollover-interval' = '500 ms');
INSERT INTO out SELECT device_id, ts, v, DATE_FORMAT(ts, 'HH') FROM src;
)";
}

std::string Rec(int i) {
  char ts[64];
  std::snprintf(ts, sizeof ts, "2026-11-25T%02d:%02d:%02d.%03dZ", 10 + (i / 3600000) % 3,
                (i / 60000) % 60, (i / 1000) % 60, i % 1000);
  return "{\"device_id\":\"d" + std::to_string(i % 7) + "\",\"ts\":\"" + ts +
         "\",\"v\":" + std::to_string(i) + ".5}";
}

TEST_F(FileSinkTest, HivePartitionedJsonLinesPublishedOnCheckpoint) {
  auto job = MakeJob(Script("s3://iot-analytics/processed-data/"));
  ASSERT_NE(job, nullptr);
  {
    Status st = job->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Append("telemetry", {"{\"device_id\":\"a\",\"ts\":\"2026-11-25T10:05:00.120Z\",\"v\":1.5}",
                       "{\"device_id\":\"b\",\"ts\":\"2026-11-25T11:00:00Z\",\"v\":2}"});
  WaitRead(*job, 2);
  ASSERT_TRUE(job->Stop().ok());  // a graceful stop publishes the open files
  const std::string dir = dir_ + "/objects/iot-analytics/processed-data";
  auto files = Published(dir);
  ASSERT_EQ(files.size(), 2u);
  auto it = files.begin();
  EXPECT_EQ(it->first.rfind("hour=10/part-", 0), 0u) << it->first;
  EXPECT_EQ(it->first.substr(it->first.size() - 5), ".json") << it->first;
  ASSERT_EQ(it->second.size(), 1u);
  // Flink's JSON format: the partition column is in the path, not the file.
  EXPECT_EQ(it->second[0], R"({"device_id":"a","ts":"2026-11-25 10:05:00.12","v":1.5})");
  ++it;
  EXPECT_EQ(it->first.rfind("hour=11/part-", 0), 0u) << it->first;
  EXPECT_EQ(it->second[0], R"({"device_id":"b","ts":"2026-11-25 11:00:00","v":2.0})");
}

TEST_F(FileSinkTest, NothingIsVisibleBeforeACheckpointCommits) {
  std::string sql = Script(dir_ + "/plain");
  sql.replace(sql.find("'200 ms'"), 8, "'1 h'");
  auto job = MakeJob(sql);
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Start().ok());
  Append("telemetry", {Rec(1), Rec(2)});
  WaitRead(*job, 2);
  clock_.Advance(10'000);  // files roll, but no checkpoint runs for an hour
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(AllLines(dir_ + "/plain").empty());
  job->Abort();  // a crash: staged files stay hidden and are discarded on restart
  EXPECT_TRUE(AllLines(dir_ + "/plain").empty());
}

// Feeds records in several rounds; after each round the job either stops gracefully or
// crashes (Abort) at a random moment, and a new job with the same name resumes from the
// last checkpoint. In the end every record is in the output exactly once.
TEST_F(FileSinkTest, ExactlyOnceAcrossCrashes) {
  const std::string out = dir_ + "/exactly-once";
  const std::string sql = Script(out);
  std::mt19937 rng(42);
  int next = 0;
  const int kRounds = 6, kPerRound = 3000;
  for (int round = 0; round < kRounds; ++round) {
    auto job = MakeJob(sql);
    ASSERT_NE(job, nullptr);
    {
      Status st = job->Start();
      ASSERT_TRUE(st.ok()) << "round " << round << ": " << st.ToString();
    }
    for (int batch = 0; batch < 6; ++batch) {
      std::vector<std::string> recs;
      for (int i = 0; i < kPerRound / 6; ++i) recs.push_back(Rec(next++));
      Append("telemetry", recs, "k" + std::to_string(batch));
      clock_.Advance(std::uniform_int_distribution<int>(0, 300)(rng));
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 20)(rng)));
    }
    if (round % 2 == 0) {
      job->Abort();
    } else {
      WaitRead(*job, 1);
      ASSERT_TRUE(job->Stop().ok());
    }
  }
  // A last run drains everything and stops gracefully.
  auto job = MakeJob(sql);
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Start().ok());
  for (int i = 0; i < 3000; ++i) {
    clock_.Advance(100);
    if (AllLines(out).size() >= static_cast<size_t>(next)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto st = job->status();
    ASSERT_NE(st.state, JobState::kFailed) << st.error;
  }
  ASSERT_TRUE(job->Stop().ok());
  auto lines = AllLines(out);
  std::set<std::string> unique(lines.begin(), lines.end());
  EXPECT_EQ(unique.size(), lines.size()) << "duplicates in the published output";
  EXPECT_EQ(lines.size(), static_cast<size_t>(next)) << "missing rows";
}

}  // namespace
}  // namespace fluxgate::jobs
