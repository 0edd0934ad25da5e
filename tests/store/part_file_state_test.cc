#include "store/part_file_state.h"

#include <gtest/gtest.h>

#include "store/part_file_name.h"

namespace fluxgate::store {
namespace {

PartFileWriterState Sample() {
  PartFileWriterState s;
  s.checkpoint_id = 42;
  s.uuid = "0b5e-uuid";
  s.task = 3;
  s.suffix = ".json";
  s.next_counter = 9;
  s.in_progress.push_back({"dt=2026-11-25/hr=19", 7, -5, {"b", "p/k7", 123, "opaque"}});
  s.pending.push_back({41, "", 2, {"b", "p/k2", 0, ""}});
  s.pending.push_back({42, "dt=x", 8, {"", "k8", 1ull << 40, ""}});
  return s;
}

TEST(PartFileStateTest, RoundTrips) {
  std::string bytes = EncodePartFileWriterState(Sample());
  auto d = DecodePartFileWriterState(bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->checkpoint_id, 42u);
  EXPECT_EQ(d->uuid, "0b5e-uuid");
  EXPECT_EQ(d->task, 3u);
  EXPECT_EQ(d->suffix, ".json");
  EXPECT_EQ(d->next_counter, 9u);
  ASSERT_EQ(d->in_progress.size(), 1u);
  EXPECT_EQ(d->in_progress[0].partition, "dt=2026-11-25/hr=19");
  EXPECT_EQ(d->in_progress[0].opened_at_ms, -5);
  EXPECT_EQ(d->in_progress[0].handle.length, 123u);
  EXPECT_EQ(d->in_progress[0].handle.backend, "opaque");
  ASSERT_EQ(d->pending.size(), 2u);
  EXPECT_EQ(d->pending[1].handle.length, 1ull << 40);
  EXPECT_EQ(EncodePartFileWriterState(*d), bytes);
}

TEST(PartFileStateTest, EveryTruncationIsCorruption) {
  std::string bytes = EncodePartFileWriterState(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(DecodePartFileWriterState(bytes.substr(0, n)).status().IsCorruption()) << n;
  }
  EXPECT_TRUE(DecodePartFileWriterState(bytes + "x").status().IsCorruption());
}

TEST(PartFileStateTest, FlippedBytesNeverCrash) {
  std::string bytes = EncodePartFileWriterState(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit : {0, 7}) {
      std::string b = bytes;
      b[i] = static_cast<char>(b[i] ^ (1 << bit));
      auto d = DecodePartFileWriterState(b);  // OK or Corruption, never a crash or huge alloc
      if (!d.ok()) {
        EXPECT_TRUE(d.status().IsCorruption());
      }
    }
  }
}

TEST(PartFileStateTest, RejectsOtherVersionsAndInconsistentCounters) {
  std::string bytes = EncodePartFileWriterState(Sample());
  bytes[4] = 2;  // version
  auto d = DecodePartFileWriterState(bytes);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("version 2"), std::string::npos);

  PartFileWriterState s = Sample();
  s.next_counter = 7;  // in-progress file 7 must be below it
  EXPECT_TRUE(DecodePartFileWriterState(EncodePartFileWriterState(s)).status().IsCorruption());
}

TEST(PartFileNameTest, FormatsAndParses) {
  EXPECT_EQ(PartFileName("u-1", 2, 30, ".json"), "part-u-1-2-30.json");
  auto id = ParsePartFileName("part-3f2a-9b1c-4d5e-0-17.json", ".json");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->uuid, "3f2a-9b1c-4d5e");
  EXPECT_EQ(id->task, 0u);
  EXPECT_EQ(id->counter, 17u);
  auto nosuffix = ParsePartFileName("part-u-1-2", "");
  ASSERT_TRUE(nosuffix.has_value());
  EXPECT_EQ(nosuffix->counter, 2u);

  for (const char* bad : {"part-u-1-2.csv", "xpart-u-1-2.json", "part-1-2.json", "part-u-x-2.json",
                          "part-u-1-.json", "_SUCCESS", "part-u-99999999999-1.json"}) {
    EXPECT_FALSE(ParsePartFileName(bad, ".json").has_value()) << bad;
  }
}

TEST(PartFileNameTest, RandomUuidsAreWellFormedAndDistinct) {
  std::string a = RandomUuid(), b = RandomUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[14], '4');  // version 4
  EXPECT_TRUE(ValidateNamePart("uuid", a, false).ok());
  EXPECT_TRUE(ValidateNamePart("uuid", "a/b", false).IsInvalidArgument());
  EXPECT_TRUE(ValidateNamePart("uuid", "", false).IsInvalidArgument());
}

}  // namespace
}  // namespace fluxgate::store
