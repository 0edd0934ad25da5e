// Restart, torn tails, corruption, lost indexes and injected I/O failures.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "log/log_manager.h"
#include "log_test_util.h"

namespace fluxgate::log {
namespace {

using testing::AppendOne;
using testing::AppendSync;
using testing::FilesWithExt;
using testing::ReadAll;
using testing::ShardDirPath;
using testing::TempDir;

LogOptions Opts(const std::string& dir) {
  LogOptions o;
  o.data_dir = dir;
  o.segment_bytes = 2048;
  o.index_interval_bytes = 128;
  return o;
}

void Fill(LogManager& log, const std::string& stream, int n, int start = 0) {
  for (int i = start; i < start + n; ++i) {
    auto r = AppendOne(log, stream, "key", "record-" + std::to_string(i));
    ASSERT_TRUE(r[0].ok);
    ASSERT_EQ(r[0].offset, static_cast<ShardOffset>(i));
  }
}

void ExpectRecords(LogManager& log, const std::string& stream, int n) {
  auto recs = ReadAll(log, stream, 0);
  ASSERT_EQ(recs.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(recs[i].offset, static_cast<ShardOffset>(i));
    EXPECT_EQ(recs[i].data, "record-" + std::to_string(i));
  }
}

TEST(RecoveryTest, RestartKeepsOffsetsDataAndMetadata) {
  TempDir dir;
  {
    auto log = LogManager::Open(Opts(dir.path()));
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->CreateStream("..", 1, StreamMode::kProvisioned, {{"k", "v w"}}).ok());
    ASSERT_TRUE((*log)->CreateStream(".", 1, StreamMode::kOnDemand, {}).ok());
    ASSERT_TRUE((*log)->SetRetentionHours("..", 72).ok());
    Fill(**log, "..", 100);
    // Destructor closes.
  }
  auto log = LogManager::Open(Opts(dir.path()));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)->ListStreams(), (std::vector<std::string>{".", ".."}));
  auto m = (*log)->DescribeStream("..");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->retention_hours, 72);
  EXPECT_EQ(m->tags.at("k"), "v w");
  EXPECT_EQ((*log)->DescribeStream(".")->mode, StreamMode::kOnDemand);
  EXPECT_EQ((*log)->recovery_report().streams, 2);
  EXPECT_EQ((*log)->recovery_report().records, 100u);
  EXPECT_EQ((*log)->recovery_report().torn_tails_truncated, 0);
  ExpectRecords(**log, "..", 100);
  Fill(**log, "..", 10, 100);  // offsets continue
  ExpectRecords(**log, "..", 110);
}

TEST(RecoveryTest, TornTailIsTruncatedAndEverythingBeforeStays) {
  TempDir dir;
  {
    auto log = LogManager::Open(Opts(dir.path()));
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->CreateStream("s", 1, StreamMode::kProvisioned, {}).ok());
    Fill(**log, "s", 50);
  }
  auto segs = FilesWithExt(ShardDirPath(dir.path(), "s", 0), ".seg");
  ASSERT_FALSE(segs.empty());
  const std::string active = segs.back();
  const auto size = std::filesystem::file_size(active);
  std::filesystem::resize_file(active, size - 5);  // cut the last frame in half

  auto log = LogManager::Open(Opts(dir.path()));
  ASSERT_TRUE(log.ok());
  const RecoveryReport& rep = (*log)->recovery_report();
  EXPECT_EQ(rep.torn_tails_truncated, 1);
  EXPECT_GT(rep.bytes_truncated, 0u);
  ExpectRecords(**log, "s", 49);
  // A torn frame was never acknowledged (its fsync never finished), so its offset is
  // simply reused and the log stays dense.
  auto r = AppendOne(**log, "s", "key", "record-49");
  EXPECT_EQ(r[0].offset, 49u);
  ExpectRecords(**log, "s", 50);
}

TEST(RecoveryTest, FlippedByteInActiveSegmentTruncatesThereAndReports) {
  TempDir dir;
  LogOptions o = Opts(dir.path());
  o.segment_bytes = 1 << 20;  // one segment
  {
    auto log = LogManager::Open(o);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->CreateStream("s", 1, StreamMode::kProvisioned, {}).ok());
    Fill(**log, "s", 40);
  }
  auto segs = FilesWithExt(ShardDirPath(dir.path(), "s", 0), ".seg");
  ASSERT_EQ(segs.size(), 1u);
  const auto size = std::filesystem::file_size(segs[0]);
  {
    std::fstream f(segs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 2));
    char c;
    f.read(&c, 1);
    c ^= 0x40;
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(&c, 1);
  }
  auto log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  const RecoveryReport& rep = (*log)->recovery_report();
  EXPECT_EQ(rep.torn_tails_truncated, 1);
  EXPECT_GT(rep.bytes_truncated, size / 3);
  auto recs = ReadAll(**log, "s", 0);
  EXPECT_GT(recs.size(), 10u);
  EXPECT_LT(recs.size(), 40u);
  for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].data, "record-" + std::to_string(i));
  EXPECT_LT(std::filesystem::file_size(segs[0]), size);
  EXPECT_EQ((*(*log)->ShardBounds("s", 0)).second, recs.size());
}

TEST(RecoveryTest, ReadDetectsCorruptionOfASealedSegment) {
  TempDir dir;
  auto log = LogManager::Open(Opts(dir.path()));
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("s", 1, StreamMode::kProvisioned, {}).ok());
  Fill(**log, "s", 100);
  auto segs = FilesWithExt(ShardDirPath(dir.path(), "s", 0), ".seg");
  ASSERT_GT(segs.size(), 1u);
  {
    std::fstream f(segs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);  // inside the first frame's payload
    f.write("Z", 1);
  }
  auto r = (*log)->Read("s", 0, 0, 10, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find(segs[0]), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("position 16"), std::string::npos);
}

TEST(RecoveryTest, DeletedIndexFilesAreRebuilt) {
  TempDir dir;
  {
    auto log = LogManager::Open(Opts(dir.path()));
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->CreateStream("s", 1, StreamMode::kProvisioned, {}).ok());
    Fill(**log, "s", 300);
  }
  const std::string sdir = ShardDirPath(dir.path(), "s", 0);
  auto idx = FilesWithExt(sdir, ".idx");
  ASSERT_GT(idx.size(), 2u);
  for (auto& f : idx) std::filesystem::remove(f);
  {
    auto log = LogManager::Open(Opts(dir.path()));
    ASSERT_TRUE(log.ok());
    EXPECT_EQ((*log)->recovery_report().indexes_rebuilt, static_cast<int>(idx.size()));
    EXPECT_EQ(FilesWithExt(sdir, ".idx").size(), idx.size());
    ExpectRecords(**log, "s", 300);
    auto off = (*log)->Read("s", 0, 77, 1, 1 << 20);
    EXPECT_EQ(off->records.at(0).offset, 77u);
  }
  // A damaged index is rebuilt too.
  {
    std::ofstream f(idx[0], std::ios::binary | std::ios::trunc);
    f << "garbage";
  }
  auto log = LogManager::Open(Opts(dir.path()));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->recovery_report().indexes_rebuilt, 1);
  ExpectRecords(**log, "s", 300);
}

TEST(RecoveryTest, FsyncFailureFailsTheBatchAndNothingBecomesVisible) {
  TempDir dir;
  testing::FaultEnv env;
  LogOptions o = Opts(dir.path());
  o.env = &env;
  auto log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("s", 1, StreamMode::kProvisioned, {}).ok());
  Fill(**log, "s", 5);
  env.fail_syncs = 1;
  std::vector<AppendRecord> batch(3, AppendRecord{"key", "lost", std::nullopt});
  auto res = AppendSync(**log, "s", batch);
  ASSERT_EQ(res.size(), 3u);
  for (auto& r : res) {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_code, "InternalFailure");
  }
  EXPECT_EQ((*(*log)->ShardBounds("s", 0)).second, 5u);
  ExpectRecords(**log, "s", 5);
  // The shard recovers: the next append reuses the failed offsets, densely.
  Fill(**log, "s", 3, 5);
  ExpectRecords(**log, "s", 8);
  ASSERT_TRUE((*log)->Close().ok());
  auto again = LogManager::Open(o);
  ASSERT_TRUE(again.ok());
  ExpectRecords(**again, "s", 8);
}

TEST(RecoveryTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto a = LogManager::Open(Opts(dir.path()));
  ASSERT_TRUE(a.ok());
  auto b = LogManager::Open(Opts(dir.path()));
  EXPECT_FALSE(b.ok());
}

TEST(RecoveryTest, DeleteStreamRemovesFilesAndNameCanBeReused) {
  TempDir dir;
  auto log = LogManager::Open(Opts(dir.path()));
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("d", 2, StreamMode::kProvisioned, {}).ok());
  EXPECT_TRUE((*log)->CreateStream("d", 2, StreamMode::kProvisioned, {}).code() ==
              Status::Code::kAlreadyExists);
  Fill(**log, "d", 0);
  EXPECT_TRUE(AppendOne(**log, "d", "k", "v")[0].ok);
  ASSERT_TRUE((*log)->DeleteStream("d").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/streams/s-d"));
  EXPECT_TRUE((*log)->DeleteStream("d").IsNotFound());
  EXPECT_TRUE((*log)->DescribeStream("d").status().IsNotFound());
  ASSERT_TRUE((*log)->CreateStream("d", 1, StreamMode::kProvisioned, {}).ok());
  EXPECT_EQ(AppendOne(**log, "d", "k", "v")[0].offset, 0u);
  EXPECT_TRUE(
      (*log)->CreateStream("bad/name", 1, StreamMode::kProvisioned, {}).IsInvalidArgument());
}

}  // namespace
}  // namespace fluxgate::log
