// Retention with a fake clock: whole expired segments go, the trim offset advances, the
// active segment stays, and fully expired closed shards leave the metadata.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "log/log_manager.h"
#include "log_test_util.h"

namespace fluxgate::log {
namespace {

using testing::AppendOne;
using testing::FakeClock;
using testing::FilesWithExt;
using testing::ReadAll;
using testing::ShardDirPath;
using testing::TempDir;

constexpr int64_t kHour = 3'600'000;

TEST(RetentionTest, DeletesExpiredSegmentsAndAdvancesTrimOffset) {
  TempDir dir;
  FakeClock clock;
  LogOptions o;
  o.data_dir = dir.path();
  o.segment_bytes = 1024;
  o.clock = clock.Fn();
  auto log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("r", 1, StreamMode::kProvisioned, {}).ok());
  const std::string data(100, 'o');
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(AppendOne(**log, "r", "k", data)[0].ok);  // old
  clock.now_ms += 20 * kHour;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AppendOne(**log, "r", "k", data)[0].ok);  // newer
  const std::string sdir = ShardDirPath(dir.path(), "r", 0);
  const size_t segs_before = FilesWithExt(sdir, ".seg").size();
  ASSERT_GT(segs_before, 4u);

  // Nothing is older than 24 h yet.
  EXPECT_EQ(*(*log)->EnforceRetention(), 0);
  EXPECT_EQ((*(*log)->ShardBounds("r", 0)).first, 0u);

  clock.now_ms += 5 * kHour;  // old records are 25 h old, newer ones 5 h
  auto deleted = (*log)->EnforceRetention();
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(FilesWithExt(sdir, ".seg").size(), segs_before - static_cast<size_t>(*deleted));
  auto [trim, end] = *(*log)->ShardBounds("r", 0);
  EXPECT_GT(trim, 0u);
  EXPECT_LE(trim, 40u);  // nothing newer than the cutoff went
  EXPECT_EQ(end, 45u);
  auto recs = ReadAll(**log, "r", 0);
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs.front().offset, trim);  // reads from 0 are clamped to the trim offset
  EXPECT_EQ(recs.back().offset, 44u);

  // Everything expired: the active segment of an open shard is still kept.
  clock.now_ms += 100 * kHour;
  ASSERT_TRUE((*log)->EnforceRetention().ok());
  EXPECT_GE(FilesWithExt(sdir, ".seg").size(), 1u);
  EXPECT_EQ((*(*log)->ShardBounds("r", 0)).second, 45u);
  // Offsets continue after a restart even when old segments are gone.
  ASSERT_TRUE((*log)->Close().ok());
  log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(AppendOne(**log, "r", "k", data)[0].offset, 45u);
}

TEST(RetentionTest, RetentionHoursIsPerStreamAndClosedShardsAreDropped) {
  TempDir dir;
  FakeClock clock;
  LogOptions o;
  o.data_dir = dir.path();
  o.segment_bytes = 512;
  o.clock = clock.Fn();
  auto log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("long", 1, StreamMode::kProvisioned, {}).ok());
  ASSERT_TRUE((*log)->CreateStream("short", 1, StreamMode::kProvisioned, {}).ok());
  ASSERT_TRUE((*log)->SetRetentionHours("long", 48).ok());
  ASSERT_TRUE((*log)->SetRetentionHours("short", 1).ok());
  const std::string data(100, 'x');
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(AppendOne(**log, "long", "k", data)[0].ok);
    ASSERT_TRUE(AppendOne(**log, "short", "k", data)[0].ok);
  }
  // Close shard 0 of "short" by splitting it; its records stay readable until expiry.
  ASSERT_TRUE((*log)->SplitShard("short", 0, static_cast<u128>(1) << 127).ok());
  clock.now_ms += 2 * kHour;
  ASSERT_TRUE((*log)->EnforceRetention().ok());
  EXPECT_EQ((*(*log)->ShardBounds("long", 0)).first, 0u);
  auto desc = (*log)->DescribeStream("short");
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->shards.size(), 2u);  // parent 0 dropped, children 1 and 2 remain
  EXPECT_EQ(desc->shards[0].index, 1u);
  EXPECT_TRUE((*log)->ShardBounds("short", 0).status().IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(ShardDirPath(dir.path(), "short", 0)));
  // And it stays dropped after a restart.
  ASSERT_TRUE((*log)->Close().ok());
  log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->DescribeStream("short")->shards.size(), 2u);
}

TEST(RetentionTest, BackgroundThreadRunsPeriodically) {
  TempDir dir;
  FakeClock clock;
  LogOptions o;
  o.data_dir = dir.path();
  o.segment_bytes = 512;
  o.clock = clock.Fn();
  o.retention_check_interval_ms = 20;
  auto log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("b", 1, StreamMode::kProvisioned, {}).ok());
  const std::string data(100, 'x');
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(AppendOne(**log, "b", "k", data)[0].ok);
  clock.now_ms += 25 * kHour;
  ASSERT_TRUE(AppendOne(**log, "b", "k", data)[0].ok);
  for (int i = 0; i < 500 && (*(*log)->ShardBounds("b", 0)).first == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT((*(*log)->ShardBounds("b", 0)).first, 0u);
}

}  // namespace
}  // namespace fluxgate::log
