#include "kinesis/shard_iterator.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace fluxgate::kinesis {
namespace {

IteratorPosition Sample() {
  return IteratorPosition{"my-stream", 1700000000123, 7, 123456789, 1700000100000};
}

TEST(ShardIteratorTest, RoundTrips) {
  IteratorCodec codec("secret", 300'000);
  const std::string it = codec.Encode(Sample());
  auto pos = codec.Decode(it, Sample().issued_ms + 1000);
  ASSERT_TRUE(pos.ok()) << pos.error().message;
  EXPECT_EQ(pos->stream, "my-stream");
  EXPECT_EQ(pos->stream_created_ms, 1700000000123);
  EXPECT_EQ(pos->shard, 7u);
  EXPECT_EQ(pos->offset, 123456789u);
  EXPECT_EQ(pos->issued_ms, 1700000100000);
}

TEST(ShardIteratorTest, FitsInAwsLimitForLongestName) {
  IteratorCodec codec("", 300'000);
  IteratorPosition p = Sample();
  p.stream = std::string(128, 'n');
  EXPECT_LE(codec.Encode(p).size(), 512u);
}

TEST(ShardIteratorTest, RejectsTamperedIterator) {
  IteratorCodec codec("secret", 300'000);
  std::string raw = *Base64Decode(codec.Encode(Sample()));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] ^= 0x01;
    auto r = codec.Decode(Base64Encode(bad), Sample().issued_ms);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().type, "InvalidArgumentException");
    EXPECT_EQ(r.error().message, "Invalid ShardIterator.");
  }
}

TEST(ShardIteratorTest, RejectsOtherKeyAndGarbage) {
  IteratorCodec a("secret-a", 300'000), b("secret-b", 300'000);
  EXPECT_FALSE(b.Decode(a.Encode(Sample()), Sample().issued_ms).ok());
  EXPECT_FALSE(a.Decode("not base64!", 0).ok());
  EXPECT_FALSE(a.Decode("", 0).ok());
  EXPECT_FALSE(a.Decode("AAAA", 0).ok());
  EXPECT_FALSE(a.Decode(std::string(600, 'A'), 0).ok());
}

TEST(ShardIteratorTest, RandomSecretsDiffer) {
  IteratorCodec a("", 300'000), b("", 300'000);
  EXPECT_FALSE(b.Decode(a.Encode(Sample()), Sample().issued_ms).ok());
}

TEST(ShardIteratorTest, ExpiresAfterTtlWithAwsText) {
  IteratorCodec codec("secret", 300'000);
  const std::string it = codec.Encode(Sample());
  EXPECT_TRUE(codec.Decode(it, Sample().issued_ms + 300'000).ok());
  auto r = codec.Decode(it, Sample().issued_ms + 300'001);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "ExpiredIteratorException");
  EXPECT_EQ(r.error().message.rfind("Iterator expired. The iterator was created at time ", 0), 0u);
  EXPECT_NE(r.error().message.find("which is further in the future than the tolerated delay of "
                                   "300000 milliseconds."),
            std::string::npos);
}

TEST(ShardIteratorTest, JavaDateFormat) {
  EXPECT_EQ(JavaDateString(1440672828000), "Thu Aug 27 10:53:48 UTC 2015");
}

}  // namespace
}  // namespace fluxgate::kinesis
