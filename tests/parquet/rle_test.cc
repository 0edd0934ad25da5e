#include "parquet/rle.h"

#include <gtest/gtest.h>

#include <random>

namespace fluxgate::parquet {
namespace {

std::string Hex(std::string_view s) {
  static const char* d = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

TEST(Rle, DefinitionLevelsFromReference) {
  std::vector<uint32_t> v = {1, 0, 1, 1, 1, 0, 1};
  std::string out;
  RleEncode(v.data(), v.size(), 1, &out);
  EXPECT_EQ(Hex(out), "03 5D");
}

TEST(Rle, DictionaryIndicesFromReference) {
  std::vector<uint32_t> v = {0, 1, 0, 2, 1};
  std::string out;
  RleEncode(v.data(), v.size(), 2, &out);
  EXPECT_EQ(Hex(out), "03 84 01");
}

TEST(Rle, LongRunsBecomeRleRuns) {
  std::vector<uint32_t> v(1000, 5);
  std::string out;
  RleEncode(v.data(), v.size(), 3, &out);
  EXPECT_EQ(Hex(out), "D0 0F 05");  // varint(1000 << 1), one value byte
}

TEST(Rle, DecodesRleRunFromReference) {
  std::string in("\x0E\x01", 2);  // seven 1s as one RLE run
  RleDecoder d(in, 1);
  uint32_t out[7];
  ASSERT_TRUE(d.Decode(out, 7).ok());
  for (uint32_t v : out) EXPECT_EQ(v, 1u);
}

TEST(Rle, RoundTripsMixedRunsAtEveryWidth) {
  std::mt19937 rng(7);
  for (int width = 1; width <= 32; ++width) {
    uint64_t max = width == 32 ? 0xFFFFFFFFull : (uint64_t{1} << width) - 1;
    std::vector<uint32_t> v;
    while (v.size() < 5000) {
      uint32_t x = static_cast<uint32_t>(rng() & max);
      size_t run = rng() % 3 == 0 ? rng() % 40 : 1;
      for (size_t i = 0; i < run; ++i) v.push_back(x);
    }
    std::string enc;
    RleEncode(v.data(), v.size(), width, &enc);
    std::vector<uint32_t> dec(v.size());
    RleDecoder d(enc, width);
    ASSERT_TRUE(d.Decode(dec.data(), dec.size()).ok()) << width;
    ASSERT_EQ(dec, v) << "width " << width;
  }
}

TEST(Rle, TruncatedInputIsCorruption) {
  std::vector<uint32_t> v(100);
  for (size_t i = 0; i < v.size(); ++i) v[i] = i % 7;
  std::string enc;
  RleEncode(v.data(), v.size(), 3, &enc);
  RleDecoder d(std::string_view(enc).substr(0, enc.size() / 2), 3);
  std::vector<uint32_t> out(v.size());
  EXPECT_TRUE(d.Decode(out.data(), out.size()).IsCorruption());
}

TEST(Rle, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
}

}  // namespace
}  // namespace fluxgate::parquet
