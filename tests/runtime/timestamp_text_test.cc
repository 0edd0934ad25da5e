#include "runtime/timestamp_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

namespace fluxgate::runtime {
namespace {

// ParseTimestamp's answer must not depend on which half produced it.
void ExpectSameAsGeneral(const std::string& text) {
  ParsedTimestamp a, b;
  const char* why_a = ParseTimestamp(text, &a);
  const char* why_b = ParseTimestampGeneral(text, &b);
  ASSERT_EQ(why_a == nullptr, why_b == nullptr) << text;
  if (why_a != nullptr) {
    EXPECT_STREQ(why_a, why_b) << text;
    return;
  }
  EXPECT_EQ(a.epoch_micros, b.epoch_micros) << text;
  EXPECT_EQ(a.has_offset, b.has_offset) << text;
}

TEST(TimestampText, FastPathMatchesGeneralOnFixedLayouts) {
  std::mt19937_64 rng(7);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap_days = 0;
  for (int k = 0; k < 200000; ++k) {
    const int year = k % 7 == 0 ? static_cast<int>(rng() % 10000) : 1900 + rng() % 250;
    const int month = 1 + static_cast<int>(rng() % 12);
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int days = kDays[month - 1] + (month == 2 && leap);
    const int day = 1 + static_cast<int>(rng() % days);
    leap_days += month == 2 && day == 29;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", year, month, day,
                          "T t"[rng() % 3], static_cast<int>(rng() % 24),
                          static_cast<int>(rng() % 60), static_cast<int>(rng() % 60));
    std::string text(buf, n);
    if (const int digits = static_cast<int>(rng() % 10); digits > 0) {
      text += '.';
      for (int d = 0; d < digits; ++d) text += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 2) text += "Zz"[rng() % 2];
    ParsedTimestamp fast, general;
    ASSERT_TRUE(ParseTimestampFast(text, &fast)) << text;
    ASSERT_EQ(ParseTimestampGeneral(text, &general), nullptr) << text;
    ASSERT_EQ(fast.epoch_micros, general.epoch_micros) << text;
    ASSERT_EQ(fast.has_offset, general.has_offset) << text;
  }
  EXPECT_GT(leap_days, 0);
}

TEST(TimestampText, FastPathKnownValues) {
  ParsedTimestamp ts;
  ASSERT_TRUE(ParseTimestampFast("2026-11-25T19:05:00.123456Z", &ts));
  EXPECT_EQ(ts.epoch_micros, 1795633500123456);
  EXPECT_TRUE(ts.has_offset);
  ASSERT_TRUE(ParseTimestampFast("1969-12-31 23:59:59.9", &ts));
  EXPECT_EQ(ts.epoch_micros, -100000);
  EXPECT_FALSE(ts.has_offset);
  ASSERT_TRUE(ParseTimestampFast("0000-03-01T00:00:00", &ts));
  EXPECT_EQ(ts.epoch_micros, DaysFromCivil(0, 3, 1) * 86400 * 1000000);
  ASSERT_TRUE(ParseTimestampFast("2000-02-29 12:00:00.123456789", &ts));
  EXPECT_EQ(ts.epoch_micros, (DaysFromCivil(2000, 2, 29) * 86400 + 12 * 3600) * 1000000 + 123456);
}

TEST(TimestampText, FastPathDeclinesOtherForms) {
  // Offsets, missing seconds, too many digits and out-of-range fields go to the general
  // parser, which accepts or explains them.
  for (const char* text : {"2026-11-25T19:05:00.5+02:00",
                           "2026-11-25T01:05:00-05:30",
                           "2026-11-25T01:05:00+0530",
                           "2026-11-25T01:05:00-05",
                           "2026-11-25T19:05",
                           "2026-11-25T19:05Z",
                           "2026-11-25T19:05:00.1234567890",
                           "2026-11-25T19:05:00.",
                           "2026-13-01 00:00:00",
                           "2026-02-29 00:00:00",
                           "1900-02-29 00:00:00",
                           "2026-11-25 24:00:00",
                           "2026-11-25 23:60:00",
                           "2026-11-25 23:59:60",
                           "2026-00-10 00:00:00",
                           "2026-11-00 00:00:00",
                           "2026-11-25",
                           "2026-11-25T10:00:00 UTC",
                           "2026-11-25T10:00:00ZZ",
                           "2026/11/25 10:00:00",
                           "2026-11-25X10:00:00",
                           "2026-11-2a 10:00:00",
                           "+026-11-25 10:00:00",
                           ""}) {
    ParsedTimestamp ts;
    ts.epoch_micros = 42;
    EXPECT_FALSE(ParseTimestampFast(text, &ts)) << text;
    EXPECT_EQ(ts.epoch_micros, 42) << text;
    ExpectSameAsGeneral(text);
  }
}

TEST(TimestampText, MutatedTextsAgreeWithGeneral) {
  std::mt19937_64 rng(11);
  const std::string seeds[] = {"2026-11-25T19:05:00.123456Z", "2024-02-29 23:59:59.999",
                               "1999-12-31t00:00:00z", "2026-11-25T19:05:00.5+02:00"};
  const char alphabet[] = "0123456789:-.TtZz +";
  for (int k = 0; k < 100000; ++k) {
    std::string text = seeds[rng() % 4];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0:
          if (pos < text.size()) text[pos] = alphabet[rng() % (sizeof alphabet - 1)];
          break;
        case 1:
          text.insert(pos, 1, alphabet[rng() % (sizeof alphabet - 1)]);
          break;
        default:
          if (pos < text.size()) text.erase(pos, 1);
          break;
      }
    }
    ExpectSameAsGeneral(text);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace fluxgate::runtime
