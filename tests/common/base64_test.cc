#include "common/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace fluxgate {
namespace {

TEST(Base64Test, KnownVectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  // botocore's example from the protocol reference.
  EXPECT_EQ(Base64Encode(std::string_view("hello\0\xff", 7)), "aGVsbG8A/w==");
  EXPECT_EQ(*Base64Decode("aGVsbG8A/w=="), std::string("hello\0\xff", 7));
  EXPECT_EQ(*Base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(*Base64Decode(""), "");
}

TEST(Base64Test, RoundTripsRandomData) {
  std::mt19937 rng(42);
  for (size_t len = 0; len < 300; ++len) {
    std::string data(len, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const std::string enc = Base64Encode(data);
    ASSERT_EQ(enc.size(), Base64EncodedSize(len));
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    ASSERT_EQ(*dec, data);
  }
}

TEST(Base64Test, AppendsToExistingContent) {
  std::string out = "x:";
  Base64Encode("foo", out);
  EXPECT_EQ(out, "x:Zm9v");
}

TEST(Base64Test, RejectsMalformedInput) {
  for (const char* bad : {"Zg=", "Zg", "Z", "Zm9", "Zm9v!", "Zm 9v", "Z===", "=Zg=", "Zg==Zg==",
                          "Zm=v", "Zh==", "Zm9=", "Zm9v\n", "Zm-_", "Zg=A"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(Base64Test, DecodesIntoCallerBuffer) {
  char buf[16];
  auto n = Base64Decode("Zm9vYmE=", buf);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(std::string_view(buf, *n), "fooba");
}

}  // namespace
}  // namespace fluxgate
