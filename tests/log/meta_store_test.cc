#include "log/meta_store.h"

#include <gtest/gtest.h>

#include "log/hash_key.h"

namespace fluxgate::log {
namespace {

StreamMeta Sample() {
  StreamMeta m;
  m.name = "..";  // a valid Kinesis name that must survive
  m.mode = StreamMode::kOnDemand;
  m.created_ms = 1700000000123;
  m.retention_hours = 48;
  m.tags = {{"team", "iot ops"}, {"empty", ""}, {"nl", "a\nb"}};
  m.next_shard_index = 3;
  auto r = UniformHashRanges(2);
  ShardMeta a{0, r[0].first, r[0].second, std::nullopt, std::nullopt, 1, 10, 2};
  ShardMeta b{1, r[1].first, r[1].second, std::nullopt, std::nullopt, 1, std::nullopt, 0};
  ShardMeta c{2, r[0].first, r[0].second, 0u, 1u, 3, std::nullopt, 0};
  m.shards = {a, b, c};
  return m;
}

TEST(MetaStoreTest, RoundTrip) {
  StreamMeta m = Sample();
  auto d = DecodeStreamMeta(EncodeStreamMeta(m));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->name, m.name);
  EXPECT_EQ(d->mode, m.mode);
  EXPECT_EQ(d->created_ms, m.created_ms);
  EXPECT_EQ(d->retention_hours, 48);
  EXPECT_EQ(d->tags, m.tags);
  EXPECT_EQ(d->next_shard_index, 3u);
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->shards[0].end_offset, 10u);
  EXPECT_EQ(d->shards[0].closed_ms, 2);
  EXPECT_FALSE(d->shards[1].end_offset.has_value());
  EXPECT_EQ(d->shards[1].ending_hash_key, kMaxHashKey);
  EXPECT_EQ(d->shards[2].parent, 0u);
  EXPECT_EQ(d->shards[2].adjacent_parent, 1u);
}

TEST(MetaStoreTest, DetectsDamage) {
  std::string text = EncodeStreamMeta(Sample());
  std::string flipped = text;
  flipped[30] ^= 1;
  EXPECT_TRUE(DecodeStreamMeta(flipped).status().IsCorruption());
  EXPECT_TRUE(DecodeStreamMeta(text.substr(0, text.size() - 5)).status().IsCorruption());
  EXPECT_TRUE(DecodeStreamMeta("").status().IsCorruption());
}

}  // namespace
}  // namespace fluxgate::log
