#include "log/sequence_number.h"

#include <gtest/gtest.h>

#include <random>

namespace fluxgate::log {
namespace {

// Compares decimal strings of digits numerically.
bool DecimalLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

TEST(SequenceNumberTest, DecodesAKinesisEmulatorNumber) {
  // From the reference: shard 6, created 2018-11-21.
  const std::string s = "49590338271490256608559692538361571095921575989136588898";
  auto p = DecodeSequenceNumber(s);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->shard_index, 6u);
  EXPECT_EQ(p->shard_create_secs, 1542776258);  // 2018-11-21T04:57:38Z
  EXPECT_EQ(p->offset, 1734642199u);
  EXPECT_EQ(EncodeSequenceNumber(*p), s);
}

TEST(SequenceNumberTest, RoundTripProperty) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    SequenceParts p;
    p.shard_create_secs = static_cast<int64_t>(rng() % (1ull << 36));
    p.shard_index = static_cast<uint32_t>(rng());
    p.offset = (i % 3 == 0) ? rng() : rng() % 100000;
    p.record_secs = static_cast<int64_t>(rng() % (1ull << 36));
    std::string s = EncodeSequenceNumber(p);
    auto d = DecodeSequenceNumber(s);
    ASSERT_TRUE(d.has_value()) << s;
    EXPECT_EQ(d->shard_create_secs, p.shard_create_secs);
    EXPECT_EQ(d->shard_index, p.shard_index);
    EXPECT_EQ(d->offset, p.offset);
    EXPECT_EQ(d->record_secs, p.record_secs);
  }
}

TEST(SequenceNumberTest, StrictlyIncreasesWithOffset) {
  SequenceParts p{1700000000, 3, 0, 1700000000};
  std::string prev = EncodeSequenceNumber(p);
  for (ShardOffset o = 1; o < 5000; ++o) {
    p.offset = o;
    // Later records may carry a later time: must still increase.
    p.record_secs = 1700000000 + static_cast<int64_t>(o / 100);
    std::string cur = EncodeSequenceNumber(p);
    ASSERT_TRUE(DecimalLess(prev, cur)) << prev << " vs " << cur;
    prev = cur;
  }
  p.offset = ~uint64_t{0} - 1;
  std::string a = EncodeSequenceNumber(p);
  p.offset = ~uint64_t{0};
  EXPECT_TRUE(DecimalLess(a, EncodeSequenceNumber(p)));
}

TEST(SequenceNumberTest, AppendDoesNotAllocateWithCapacity) {
  std::string out;
  out.reserve(128);
  const char* before = out.data();
  AppendSequenceNumber({1, 2, 3, 4}, out);
  EXPECT_EQ(out.data(), before);
  EXPECT_EQ(out, EncodeSequenceNumber({1, 2, 3, 4}));
}

TEST(SequenceNumberTest, RejectsGarbage) {
  EXPECT_FALSE(DecodeSequenceNumber(""));
  EXPECT_FALSE(DecodeSequenceNumber("0"));
  EXPECT_FALSE(DecodeSequenceNumber("12345"));
  EXPECT_FALSE(DecodeSequenceNumber("abc"));
  EXPECT_FALSE(DecodeSequenceNumber("-49590338271490256608559692538361571095921575989136588898"));
  EXPECT_FALSE(DecodeSequenceNumber("049590338271490256608559692538361571095921575989136588898"));
  // One more / less than a valid number breaks the trailing '2' nibble.
  EXPECT_FALSE(DecodeSequenceNumber("49590338271490256608559692538361571095921575989136588899"));
  EXPECT_FALSE(DecodeSequenceNumber("49590338271490256608559692538361571095921575989136588897"));
  EXPECT_FALSE(DecodeSequenceNumber(std::string(70, '9')));
}

}  // namespace
}  // namespace fluxgate::log
