// File sink formats: gzip- and zstd-compressed JSON Lines and raw lines (suffixes, one
// member / frame per checkpoint, exactly-once across crashes), and the options' errors.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>
#include <set>

#include "job_test_util.h"
#include "parquet/reader.h"
#include "store/file_system.h"
#include "store/part_file_codec.h"

namespace fluxgate::jobs {
namespace {

namespace fs = std::filesystem;

std::string Rec(int i);  // below: one telemetry record, a function of i

class FileSinkFormatTest : public testing::JobFixture {
 protected:
  // Feeds records over four runs of the job described by `sql`, each ended by a crash
  // (Abort, at a random moment) or a graceful Stop; returns how many records were fed, or -1
  // if a run could not star
  int FeedThroughCrashes(const std::string& sql, unsigned seed, int per_batch) {
    std::mt19937 rng(seed);
    int next = 0;
    for (int round = 0; round < 4; ++round) {
      auto job = MakeJob(sql);
      if (job == nullptr || !job->Start().ok()) return -1;
      for (int batch = 0; batch < 5; ++batch) {
        std::vector<std::string> recs;
        for (int i = 0; i < per_batch; ++i) recs.push_back(Rec(next++));
        Append("telemetry", recs, "k" + std::to_string(batch));
        clock_.Advance(std::uniform_int_distribution<int>(0, 300)(rng));
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 20)(rng)));
      }
      if (round % 2 == 0) {
        job->Abort();
      } else {
        WaitRead(*job, 1);
        if (!job->Stop().ok()) return -1;
      }
    }
    return next;
  }

  // Runs the job once more until `published()` counts `want` rows (or it fails), then stops
  // it gracefully.
  void FinishRun(const std::string& sql, const std::function<size_t()>& published, size_t want) {
    auto job = MakeJob(sql);
    ASSERT_NE(job, nullptr);
    ASSERT_TRUE(job->Start().ok());
    for (int i = 0; i < 3000; ++i) {
      clock_.Advance(100);
      if (published() >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      auto st = job->status();
      ASSERT_NE(st.state, JobState::kFailed) << st.error;
    }
    ASSERT_TRUE(job->Stop().ok());
  }

  // Published files under `dir` (relative path -> decompressed contents), by suffix.
  std::map<std::string, std::string> Published(const std::string& dir) {
    std::map<std::string, std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      auto bytes = store::DefaultFileSystem()->ReadFile(e.path().string());
      EXPECT_TRUE(bytes.ok());
      store::LineCompression c = name.ends_with(".gz")    ? store::LineCompression::kGzip
                                 : name.ends_with(".zst") ? store::LineCompression::kZstd
                                                          : store::LineCompression::kNone;
      auto text = store::DecompressAll(c, *bytes);
      EXPECT_TRUE(text.ok()) << name << ": " << text.status().ToString();
      out[fs::relative(e.path(), dir).string()] = text.ok() ? *text : "";
    }
    return out;
  }
  std::vector<std::string> AllLines(const std::string& dir) {
    std::vector<std::string> all;
    for (auto& [path, text] : Published(dir)) {
      size_t start = 0;
      while (start < text.size()) {
        size_t nl = text.find('\n', start);
        all.push_back(text.substr(start, nl - start));
        start = nl + 1;
      }
    }
    std::sort(all.begin(), all.end());
    return all;
  }
};

std::string Script(const std::string& out_path, const std::string& format,
                   const std::string& compression, const std::string& rollover = "500 ms") {
  const bool raw = format == "raw";
  return R"(
SET 'execution.checkpointing.interval' = '200 ms';
SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE src (
  device_id STRING, ts TIMESTAMP(3), v DOUBLE,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kinesis', 'stream' = 'telemetry', 'format' = 'json',
        'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE out ()" +
         std::string(raw ? "line STRING" : "device_id STRING, ts TIMESTAMP(3), v DOUBLE") +
         R"(, `hour` STRING)
  PARTITIONED BY (`hour`)
  WITH ('connector' = 's3', 'path' = ')" +
         out_path + "', 'format' = '" + format + "', 'compression' = '" + compression + R"(',
        'sink.rolling-policy.rollover-interval' = ')" +
         rollover + R"(');
INSERT INTO out SELECT )" +
         std::string(raw ? "device_id || ':' || CAST(v AS STRING)" : "device_id, ts, v") +
         R"(, DATE_FORMAT(ts, 'HH') FROM src;
)";
}

std::string Rec(int i) {
  char ts[64];
  std::snprintf(ts, sizeof ts, "2026-11-25T%02d:%02d:%02d.%03dZ", 10 + (i / 3600000) % 3,
                (i / 60000) % 60, (i / 1000) % 60, i % 1000);
  return "{\"device_id\":\"d" + std::to_string(i % 7) + "\",\"ts\":\"" + ts +
         "\",\"v\":" + std::to_string(i) + ".5}";
}

TEST_F(FileSinkFormatTest, GzipJsonLinesHaveTheSuffixAndOneMemberPerCheckpoint) {
  // A long rollover: the file stays open over several checkpoints, each ending a member.
  auto job = MakeJob(Script("s3://b/gz/", "json", "gzip", "1 h"));
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Start().ok());
  Append("telemetry", {Rec(1), Rec(2)});
  WaitRead(*job, 2);
  const uint64_t cp = job->status().last_checkpoint_id;
  for (int i = 0; i < 2000 && job->status().last_checkpoint_id < cp + 2; ++i) {
    clock_.Advance(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Append("telemetry", {Rec(3)});
  WaitRead(*job, 3);
  ASSERT_TRUE(job->Stop().ok());
  const std::string dir = dir_ + "/objects/b/gz";
  auto files = Published(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files.begin()->first.ends_with(".json.gz")) << files.begin()->first;
  EXPECT_TRUE(files.begin()->first.starts_with("hour=10/part-")) << files.begin()->first;
  EXPECT_EQ(AllLines(dir).size(), 3u);
  // Two members at least: the gzip magic appears again after the first one.
  auto bytes = store::DefaultFileSystem()->ReadFile(dir + "/" + files.begin()->first);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(bytes->find("\x1f\x8b\x08", 1), std::string::npos) << "one gzip member only";
}

TEST_F(FileSinkFormatTest, RawLinesCanBeZstdCompressed) {
  auto job = MakeJob(Script(dir_ + "/raw", "raw", "zstd"));
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Start().ok());
  Append("telemetry", {Rec(1), Rec(8)});
  WaitRead(*job, 2);
  ASSERT_TRUE(job->Stop().ok());
  auto files = Published(dir_ + "/raw");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files.begin()->first.ends_with(".json.zst")) << files.begin()->first;
  EXPECT_EQ(files.begin()->second, "d1:1.5\nd1:8.5\n");
}

// As FileSinkTest.ExactlyOnceAcrossCrashes, with compressed files: a crash may cut a file
// anywhere after its last checkpoint; the resumed file must still be one valid stream.
class CompressedExactlyOnce : public FileSinkFormatTest,
                              public ::testing::WithParamInterface<const char*> {};

TEST_P(CompressedExactlyOnce, AcrossCrashes) {
  const std::string out = dir_ + "/exactly-once";
  const std::string sql = Script(out, "json", GetParam(), "2 s");
  const int next = FeedThroughCrashes(sql, 7, 400);
  ASSERT_GE(next, 0) << "a run of the job could not start or stop";
  FinishRun(
      sql, [&] { return AllLines(out).size(); }, static_cast<size_t>(next));
  auto lines = AllLines(out);
  std::set<std::string> unique(lines.begin(), lines.end());
  EXPECT_EQ(unique.size(), lines.size()) << "duplicates in the published output";
  EXPECT_EQ(lines.size(), static_cast<size_t>(next)) << "missing rows";
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressedExactlyOnce, ::testing::Values("gzip", "zstd"));

// Rows of the Parquet part files under `dir`: "device_id|ts|v" per row, sorted, and the
// file names. Partition columns are in the path only.
struct ParquetRows {
  std::vector<std::string> rows;
  std::vector<std::string> files;
};
ParquetRows ReadParquetTree(const std::string& dir) {
  ParquetRows out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    out.files.push_back(fs::relative(e.path(), dir).string());
    auto bytes = store::DefaultFileSystem()->ReadFile(e.path().string());
    EXPECT_TRUE(bytes.ok());
    auto reader = parquet::FileReader::OpenOwned(*bytes);
    EXPECT_TRUE(reader.ok()) << name << ": " << reader.status().ToString();
    if (!reader.ok()) continue;
    EXPECT_EQ((*reader)->columns().size(), 3u) << "partition column written into " << name;
    auto batch = (*reader)->ReadAll();
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) continue;
    for (size_t r = 0; r < batch->num_rows(); ++r) {
      out.rows.push_back(batch->ValueToString(0, r) + "|" + batch->ValueToString(1, r) + "|" +
                         batch->ValueToString(2, r));
    }
  }
  std::sort(out.rows.begin(), out.rows.end());
  std::sort(out.files.begin(), out.files.end());
  return out;
}

TEST_F(FileSinkFormatTest, ParquetFilesRollOnEveryCheckpointAndHoldTypedColumns) {
  // Rollover is an hour: only the checkpoints roll the files.
  std::string sql = Script("s3://b/pq/", "parquet", "none", "1 h");
  sql.replace(sql.find(", 'compression' = 'none'"), 24, ", 'parquet.compression' = 'zstd'");
  auto job = MakeJob(sql);
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Start().ok());
  Append("telemetry", {Rec(1), Rec(2)});
  WaitRead(*job, 2);
  const uint64_t cp = job->status().last_checkpoint_id;
  for (int i = 0; i < 2000 && job->status().last_checkpoint_id < cp + 2; ++i) {
    clock_.Advance(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Append("telemetry", {Rec(3), "{\"device_id\":null,\"ts\":\"2026-11-25T11:00:00Z\",\"v\":null}"});
  WaitRead(*job, 4);
  ASSERT_TRUE(job->Stop().ok());
  auto got = ReadParquetTree(dir_ + "/objects/b/pq");
  ASSERT_EQ(got.files.size(), 3u);  // two checkpoints apart in hour 10, one in hour 11
  for (const auto& f : got.files) EXPECT_TRUE(f.ends_with(".parquet")) << f;
  EXPECT_TRUE(got.files[0].starts_with("hour=10/part-")) << got.files[0];
  EXPECT_TRUE(got.files[2].starts_with("hour=11/part-")) << got.files[2];
  EXPECT_EQ(got.rows, (std::vector<std::string>{
                          "NULL|2026-11-25 11:00:00.000|NULL", "d1|2026-11-25 10:00:00.001|1.5",
                          "d2|2026-11-25 10:00:00.002|2.5", "d3|2026-11-25 10:00:00.003|3.5"}));
}

TEST_F(FileSinkFormatTest, ParquetExactlyOnceAcrossCrashes) {
  const std::string out = dir_ + "/pq-eo";
  std::string sql = Script(out, "parquet", "none", "2 s");
  sql.replace(sql.find(", 'compression' = 'none'"), 24, "");
  const int next = FeedThroughCrashes(sql, 11, 300);
  ASSERT_GE(next, 0) << "a run of the job could not start or stop";
  FinishRun(
      sql, [&] { return ReadParquetTree(out).rows.size(); }, static_cast<size_t>(next));
  auto rows = ReadParquetTree(out).rows;
  std::set<std::string> unique(rows.begin(), rows.end());
  EXPECT_EQ(unique.size(), rows.size()) << "duplicates in the published output";
  EXPECT_EQ(rows.size(), static_cast<size_t>(next)) << "missing rows";
}

}  // namespace
}  // namespace fluxgate::jobs
