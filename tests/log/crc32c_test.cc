#include "log/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace fluxgate::log {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // RFC 3720 (iSCSI) B.4 vectors.
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
}

TEST(Crc32cTest, SoftwareMatchesHardwareAndExtendComposes) {
  std::mt19937 rng(7);
  for (int len : {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4097}) {
    std::string s(len, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    EXPECT_EQ(Crc32c(s), Crc32cSoftware(0, s.data(), s.size())) << len;
    size_t cut = s.size() / 3;
    EXPECT_EQ(Crc32c(s), Crc32cExtend(Crc32c(s.data(), cut), s.data() + cut, s.size() - cut));
  }
}

}  // namespace
}  // namespace fluxgate::log
