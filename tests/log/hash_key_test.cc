#include "log/hash_key.h"

#include <gtest/gtest.h>

#include "log/types.h"

namespace fluxgate::log {
namespace {

TEST(HashKeyTest, Md5RoutingMatchesKinesis) {
  EXPECT_EQ(U128ToString(HashPartitionKey("pk")), "38317986088707300215492326132921849533");
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e.
  u128 empty = (static_cast<u128>(0xd41d8cd98f00b204ull) << 64) | 0xe9800998ecf8427eull;
  EXPECT_EQ(HashPartitionKey(""), empty);
  // Thread-local context reuse must not leak state between calls.
  EXPECT_EQ(HashPartitionKey("pk"), HashPartitionKey(std::string("pk")));
}

TEST(HashKeyTest, UniformRanges) {
  auto r1 = UniformHashRanges(1);
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_EQ(r1[0].first, 0u);
  EXPECT_EQ(r1[0].second, kMaxHashKey);

  auto r2 = UniformHashRanges(2);
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_EQ(U128ToString(r2[0].second), "170141183460469231731687303715884105727");
  EXPECT_EQ(U128ToString(r2[1].first), "170141183460469231731687303715884105728");
  EXPECT_EQ(r2[1].second, kMaxHashKey);

  auto r3 = UniformHashRanges(3);
  ASSERT_EQ(r3.size(), 3u);
  // floor(2^128 / 3) = 113427455640312821154458202477256070485
  EXPECT_EQ(U128ToString(r3[1].first), "113427455640312821154458202477256070485");
  EXPECT_EQ(U128ToString(r3[0].second), "113427455640312821154458202477256070484");
  EXPECT_EQ(U128ToString(r3[2].first), "226854911280625642308916404954512140970");

  for (uint32_t n : {1u, 2u, 3u, 7u}) {
    auto r = UniformHashRanges(n);
    ASSERT_EQ(r.size(), n);
    EXPECT_EQ(r.front().first, 0u);
    EXPECT_EQ(r.back().second, kMaxHashKey);
    for (uint32_t i = 1; i < n; ++i) EXPECT_EQ(r[i].first, r[i - 1].second + 1) << n << " " << i;
  }
  // N = 7: w = floor(2^128/7) = 48611766702991209066196372490252601636
  auto r7 = UniformHashRanges(7);
  EXPECT_EQ(U128ToString(r7[1].first), "48611766702991209066196372490252601636");
  EXPECT_EQ(U128ToString(r7[6].first), "291670600217947254397178234941515609816");
}

TEST(HashKeyTest, DecimalAndShardIdCodecs) {
  EXPECT_EQ(ParseU128("340282366920938463463374607431768211455"), kMaxHashKey);
  EXPECT_FALSE(ParseU128("340282366920938463463374607431768211456"));
  EXPECT_FALSE(ParseU128("12a"));
  EXPECT_FALSE(ParseU128(""));
  EXPECT_EQ(ShardIdFor(7), "shardId-000000000007");
  EXPECT_EQ(ParseShardId("shardId-000000000007"), 7u);
  EXPECT_EQ(ParseShardId("7"), 7u);
  EXPECT_FALSE(ParseShardId("shardId-x"));
}

}  // namespace
}  // namespace fluxgate::log
