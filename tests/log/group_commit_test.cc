// Group commit across shards: one round flushes its dirty shards side by side on the sync
// pool, and a failed write/fsync of one shard fails that shard's records and nothing else.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <vector>

#include "log/hash_key.h"
#include "log/log_manager.h"
#include "log/sync_pool.h"
#include "log_test_util.h"

namespace fluxgate::log {
namespace {

using testing::AppendSync;
using testing::FaultEnv;
using testing::ReadAll;
using testing::ShardDirPath;
using testing::TempDir;

constexpr uint32_t kShards = 4;

LogOptions Opts(const std::string& dir, FaultEnv* env) {
  LogOptions o;
  o.data_dir = dir;
  o.env = env;
  return o;
}

// `per_shard` records for each shard, interleaved (record i goes to shard i % kShards)
// through explicit hash keys, so one Append makes every shard dirty at once.
std::vector<AppendRecord> Spread(int per_shard, const std::string& tag,
                                 std::vector<std::string>& storage) {
  const auto ranges = UniformHashRanges(kShards);
  storage.clear();
  storage.reserve(per_shard * kShards);
  for (int i = 0; i < per_shard * static_cast<int>(kShards); ++i) {
    storage.push_back(tag + "-" + std::to_string(i % kShards) + "-" + std::to_string(i / kShards));
  }
  std::vector<AppendRecord> batch;
  for (int i = 0; i < per_shard * static_cast<int>(kShards); ++i) {
    batch.push_back({"k", storage[i], ranges[i % kShards].first});
  }
  return batch;
}

std::vector<std::string> Data(LogManager& log, uint32_t shard) {
  std::vector<std::string> out;
  for (auto& r : ReadAll(log, "g", shard)) out.push_back(r.data);
  return out;
}

TEST(SyncPoolTest, RunsEveryIndexOnceAndJoins) {
  for (uint32_t threads : {1u, 3u, 8u}) {
    SyncPool pool(threads);
    for (size_t n : {0u, 1u, 2u, 7u, 50u}) {
      std::vector<std::atomic<int>> hits(n);
      pool.Run(n, [&](size_t i) { hits[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << threads << " " << n;
    }
  }
}

TEST(GroupCommitTest, DirtyShardsOfOneRoundSyncInParallel) {
  TempDir dir;
  FaultEnv env;
  auto log = LogManager::Open(Opts(dir.path(), &env));
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("g", kShards, StreamMode::kProvisioned, {}).ok());
  // Every Sync waits until all four shards' Syncs are in progress together; run one
  // after another they would each time out instead.
  env.sync_gate = kShards;
  std::vector<std::string> storage;
  auto res = AppendSync(**log, "g", Spread(3, "a", storage));
  for (auto& r : res) EXPECT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(env.max_concurrent_syncs(), static_cast<int>(kShards));
}

TEST(GroupCommitTest, OneSyncThreadFlushesShardsOneAfterAnother) {
  TempDir dir;
  FaultEnv env;
  LogOptions o = Opts(dir.path(), &env);
  o.sync_threads = 1;
  auto log = LogManager::Open(o);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("g", kShards, StreamMode::kProvisioned, {}).ok());
  std::vector<std::string> storage;
  auto res = AppendSync(**log, "g", Spread(3, "a", storage));
  for (auto& r : res) EXPECT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(env.max_concurrent_syncs(), 1);
}

// The fsync of shard 2 fails while the other three shards' fsyncs of the same round are
// in flight. Exactly shard 2's records fail — those of the failed flush and those queued
// behind it — and every other record of the same batches succeeds; shard 2 then
// continues densely at its old end, also after a restart.
TEST(GroupCommitTest, FsyncFailureOnOneShardFailsOnlyThatShardsRecords) {
  TempDir dir;
  FaultEnv env;
  auto log = LogManager::Open(Opts(dir.path(), &env));
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->CreateStream("g", kShards, StreamMode::kProvisioned, {}).ok());
  std::vector<std::string> s0, s1, s2, s3;
  for (auto& r : AppendSync(**log, "g", Spread(2, "before", s0))) ASSERT_TRUE(r.ok);

  const std::string failing = ShardDirPath(dir.path(), "g", 2) + "/";
  env.fail_sync_path = failing;
  env.fail_syncs = 1;
  env.sync_gate = kShards;  // all four shards' fsyncs in flight at once
  // While shard 2's failing fsync is in progress, queue a second batch on every shard:
  // its shard-2 records sit behind the failed ones, the rest go to the next round.
  std::promise<std::vector<AppendResult>> behind;
  std::vector<AppendRecord> behind_batch = Spread(1, "behind", s1);
  std::atomic<bool> queued{false};
  env.before_sync = [&](const std::string& path) {
    if (path.rfind(failing, 0) != 0 || queued.exchange(true)) return;
    Status st = (*log)->Append(
        "g", behind_batch, [&](std::vector<AppendResult> r) { behind.set_value(std::move(r)); });
    EXPECT_TRUE(st.ok()) << st.ToString();
  };
  auto res = AppendSync(**log, "g", Spread(3, "lost", s2));
  auto res_behind = behind.get_future().get();
  env.before_sync = nullptr;
  env.sync_gate = 0;
  EXPECT_EQ(env.max_concurrent_syncs(), static_cast<int>(kShards));
  EXPECT_EQ(env.fail_syncs.load(), 0);

  ASSERT_EQ(res.size(), 12u);
  for (size_t i = 0; i < res.size(); ++i) {
    const uint32_t shard = i % kShards;
    EXPECT_EQ(res[i].shard_index, shard);
    if (shard == 2) {
      EXPECT_FALSE(res[i].ok) << i;
      EXPECT_EQ(res[i].error_code, "InternalFailure");
    } else {
      EXPECT_TRUE(res[i].ok) << i << " " << res[i].error_message;
      EXPECT_EQ(res[i].offset, 2u + i / kShards);
    }
  }
  ASSERT_EQ(res_behind.size(), 4u);
  for (uint32_t shard = 0; shard < kShards; ++shard) {
    if (shard == 2) {
      EXPECT_FALSE(res_behind[shard].ok);
      EXPECT_EQ(res_behind[shard].error_code, "InternalFailure");
    } else {
      EXPECT_TRUE(res_behind[shard].ok) << res_behind[shard].error_message;
      EXPECT_EQ(res_behind[shard].offset, 5u);
    }
  }
  EXPECT_EQ((*(*log)->ShardBounds("g", 2)).second, 2u);
  EXPECT_EQ((*(*log)->ShardBounds("g", 1)).second, 6u);
  EXPECT_EQ(Data(**log, 2), (std::vector<std::string>{"before-2-0", "before-2-1"}));
  EXPECT_EQ(Data(**log, 3), (std::vector<std::string>{"before-3-0", "before-3-1", "lost-3-0",
                                                      "lost-3-1", "lost-3-2", "behind-3-0"}));

  // Shard 2 recovers at its old end; the others carry on.
  auto after = AppendSync(**log, "g", Spread(1, "after", s3));
  for (uint32_t shard = 0; shard < kShards; ++shard) {
    EXPECT_TRUE(after[shard].ok);
    EXPECT_EQ(after[shard].offset, shard == 2 ? 2u : 6u);
  }
  ASSERT_TRUE((*log)->Close().ok());
  auto again = LogManager::Open(Opts(dir.path(), &env));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Data(**again, 2), (std::vector<std::string>{"before-2-0", "before-2-1", "after-2-0"}));
  auto recs0 = ReadAll(**again, "g", 0);
  ASSERT_EQ(recs0.size(), 7u);
  for (size_t i = 0; i < recs0.size(); ++i) EXPECT_EQ(recs0[i].offset, i);
}

}  // namespace
}  // namespace fluxgate::log
