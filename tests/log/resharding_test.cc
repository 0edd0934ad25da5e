// Split, merge and update-shard-count: lineage, routing, and reading parents to drained.
#include <gtest/gtest.h>

#include <thread>

#include "log/hash_key.h"
#include "log/log_manager.h"
#include "log_test_util.h"

namespace fluxgate::log {
namespace {

using testing::AppendSync;
using testing::FakeClock;
using testing::ReadAll;
using testing::TempDir;

class ReshardingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    o_.data_dir = dir_.path();
    o_.clock = clock_.Fn();
    auto log = LogManager::Open(o_);
    ASSERT_TRUE(log.ok());
    log_ = std::move(log).value();
  }
  // Appends n records with distinct keys; returns results.
  std::vector<AppendResult> Put(const std::string& stream, int n, const std::string& tag) {
    keys_.clear();
    for (int i = 0; i < n; ++i) keys_.push_back(tag + std::to_string(i));
    std::vector<AppendRecord> batch;
    for (auto& k : keys_) batch.push_back({k, k, std::nullopt});
    return AppendSync(*log_, stream, batch);
  }
  const ShardMeta* Find(const StreamMeta& m, uint32_t index) {
    for (auto& s : m.shards) {
      if (s.index == index) return &s;
    }
    return nullptr;
  }

  TempDir dir_;
  FakeClock clock_;
  LogOptions o_;
  std::unique_ptr<LogManager> log_;
  std::vector<std::string> keys_;
};

TEST_F(ReshardingTest, SplitClosesParentAndRoutesToChildren) {
  ASSERT_TRUE(log_->CreateStream("s", 1, StreamMode::kProvisioned, {}).ok());
  auto before = Put("s", 50, "a");
  for (auto& r : before) ASSERT_TRUE(r.ok);
  const u128 mid = static_cast<u128>(1) << 127;
  clock_.now_ms += 1000;
  EXPECT_TRUE(log_->SplitShard("s", 0, 0).IsInvalidArgument());  // child would be empty
  EXPECT_TRUE(log_->SplitShard("s", 7, mid).IsNotFound());
  ASSERT_TRUE(log_->SplitShard("s", 0, mid).ok());
  EXPECT_TRUE(log_->SplitShard("s", 0, mid).IsInvalidArgument());  // closed now

  auto m = *log_->DescribeStream("s");
  ASSERT_EQ(m.shards.size(), 3u);
  EXPECT_EQ(m.next_shard_index, 3u);
  const ShardMeta* p = Find(m, 0);
  ASSERT_TRUE(p->end_offset.has_value());
  EXPECT_EQ(*p->end_offset, 50u);
  EXPECT_EQ(p->closed_ms, clock_.now_ms.load());
  const ShardMeta* lo = Find(m, 1);
  const ShardMeta* hi = Find(m, 2);
  EXPECT_EQ(lo->starting_hash_key, 0u);
  EXPECT_EQ(lo->ending_hash_key, mid - 1);
  EXPECT_EQ(hi->starting_hash_key, mid);
  EXPECT_EQ(hi->ending_hash_key, kMaxHashKey);
  EXPECT_EQ(lo->parent, 0u);
  EXPECT_EQ(hi->parent, 0u);
  EXPECT_EQ(lo->created_ms, clock_.now_ms.load());

  auto after = Put("s", 40, "b");
  for (size_t i = 0; i < after.size(); ++i) {
    ASSERT_TRUE(after[i].ok);
    EXPECT_EQ(after[i].shard_index, HashPartitionKey(keys_[i]) < mid ? 1u : 2u);
  }
  // The parent reads to drained; children hold the new records.
  auto r = log_->Read("s", 0, 0, 1000, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 50u);
  EXPECT_TRUE(r->shard_closed);
  EXPECT_TRUE(r->shard_drained);
  auto r_mid = log_->Read("s", 0, 0, 10, 1 << 20);
  EXPECT_TRUE(r_mid->shard_closed);
  EXPECT_FALSE(r_mid->shard_drained);
  EXPECT_EQ(ReadAll(*log_, "s", 1).size() + ReadAll(*log_, "s", 2).size(), 40u);
  EXPECT_FALSE(log_->Read("s", 1, 0, 10, 1 << 20)->shard_closed);

  // Lineage survives a restart.
  ASSERT_TRUE(log_->Close().ok());
  log_ = std::move(LogManager::Open(o_)).value();
  m = *log_->DescribeStream("s");
  EXPECT_EQ(*Find(m, 0)->end_offset, 50u);
  EXPECT_TRUE(log_->Read("s", 0, 50, 10, 1 << 20)->shard_drained);
  auto more = Put("s", 10, "c");
  for (auto& x : more) EXPECT_NE(x.shard_index, 0u);
}

TEST_F(ReshardingTest, MergeAdjacentShards) {
  ASSERT_TRUE(log_->CreateStream("m", 3, StreamMode::kProvisioned, {}).ok());
  Put("m", 30, "a");
  EXPECT_TRUE(log_->MergeShards("m", 0, 2).IsInvalidArgument());  // not adjacent
  ASSERT_TRUE(log_->MergeShards("m", 2, 1).ok());
  auto m = *log_->DescribeStream("m");
  const ShardMeta* child = Find(m, 3);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->parent, 2u);
  EXPECT_EQ(child->adjacent_parent, 1u);
  auto ranges = UniformHashRanges(3);
  EXPECT_EQ(child->starting_hash_key, ranges[1].first);
  EXPECT_EQ(child->ending_hash_key, kMaxHashKey);
  EXPECT_FALSE(Find(m, 1)->open());
  EXPECT_FALSE(Find(m, 2)->open());
  EXPECT_TRUE(Find(m, 0)->open());
  auto res = Put("m", 30, "b");
  for (auto& r : res) EXPECT_TRUE(r.shard_index == 0 || r.shard_index == 3) << r.shard_index;
  EXPECT_TRUE(log_->Read("m", 1, *Find(m, 1)->end_offset, 10, 1 << 20)->shard_drained);
}

TEST_F(ReshardingTest, UpdateShardCountUniformScalingLineage) {
  ASSERT_TRUE(log_->CreateStream("u", 2, StreamMode::kProvisioned, {}).ok());
  Put("u", 20, "a");
  ASSERT_TRUE(log_->UpdateShardCount("u", 3).ok());
  auto m = *log_->DescribeStream("u");
  ASSERT_EQ(m.shards.size(), 5u);
  auto ranges = UniformHashRanges(3);
  // Children 2, 3, 4 cover thirds. Parent 0 covers [0, 2^127), parent 1 the rest.
  const ShardMeta* c2 = Find(m, 2);
  const ShardMeta* c3 = Find(m, 3);
  const ShardMeta* c4 = Find(m, 4);
  EXPECT_EQ(c2->starting_hash_key, ranges[0].first);
  EXPECT_EQ(c4->ending_hash_key, kMaxHashKey);
  EXPECT_EQ(c2->parent, 0u);
  EXPECT_FALSE(c2->adjacent_parent.has_value());
  // The middle third straddles both parents equally (up to one key): two parents.
  EXPECT_TRUE(c3->parent.has_value());
  EXPECT_TRUE(c3->adjacent_parent.has_value());
  EXPECT_NE(*c3->parent, *c3->adjacent_parent);
  EXPECT_EQ(c4->parent, 1u);
  EXPECT_FALSE(Find(m, 0)->open());
  EXPECT_FALSE(Find(m, 1)->open());
  // Routing follows the new ranges.
  auto res = Put("u", 60, "b");
  for (size_t i = 0; i < res.size(); ++i) {
    u128 h = HashPartitionKey(keys_[i]);
    uint32_t want = h <= ranges[0].second ? 2 : h <= ranges[1].second ? 3 : 4;
    EXPECT_EQ(res[i].shard_index, want);
  }
  // Scale down to 1: every open shard is a parent of the single child.
  ASSERT_TRUE(log_->UpdateShardCount("u", 1).ok());
  m = *log_->DescribeStream("u");
  const ShardMeta* only = Find(m, 5);
  ASSERT_NE(only, nullptr);
  EXPECT_EQ(only->starting_hash_key, 0u);
  EXPECT_EQ(only->ending_hash_key, kMaxHashKey);
  EXPECT_TRUE(only->parent.has_value());
  EXPECT_TRUE(only->adjacent_parent.has_value());
  size_t open = 0;
  for (auto& s : m.shards) open += s.open() ? 1 : 0;
  EXPECT_EQ(open, 1u);
}

TEST_F(ReshardingTest, InFlightAppendsLandBeforeTheParentCloses) {
  ASSERT_TRUE(log_->CreateStream("f", 1, StreamMode::kProvisioned, {}).ok());
  std::atomic<int> done{0};
  std::atomic<int> ok{0};
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back(std::string("k").append(std::to_string(i)));
  std::vector<AppendRecord> batch;
  for (auto& k : keys) batch.push_back({k, "v", std::nullopt});
  std::thread writer([&] {
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(log_->Append("f", batch,
                               [&](std::vector<AppendResult> r) {
                                 for (auto& x : r) ok += x.ok ? 1 : 0;
                                 ++done;
                               })
                      .ok());
    }
  });
  ASSERT_TRUE(log_->SplitShard("f", 0, static_cast<u128>(1) << 127).ok());
  writer.join();
  while (done.load() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto m = *log_->DescribeStream("f");
  const ShardOffset parent_end = *Find(m, 0)->end_offset;
  // Every acknowledged record is in exactly one place, and the parent ends where it said.
  size_t total = ReadAll(*log_, "f", 0).size();
  EXPECT_EQ(total, parent_end);
  total += ReadAll(*log_, "f", 1).size() + ReadAll(*log_, "f", 2).size();
  EXPECT_EQ(total, static_cast<size_t>(ok.load()));
  EXPECT_EQ(ok.load(), 50 * 200);
}

}  // namespace
}  // namespace fluxgate::log
