// Inputs found by fuzz/segment_fuzzer.cc (docs/design/fuzzing.md), each kept as the test
// that would have caught it.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "log/frame.h"
#include "log/segment.h"
#include "log_test_util.h"

namespace fluxgate::log {
namespace {

// A segment whose records run up to the largest offset: the frame at offset 2^64-1 made
// ScanAndRepair wrap end_offset to 0, below the segment's base, and the index it then
// wrote was refused by LoadIndex ("index end offset before base") at every open.
TEST(SegmentRegression, FrameAtTheLargestOffsetIsCutOff) {
  testing::TempDir dir;
  const ShardOffset base = std::numeric_limits<ShardOffset>::max() - 1;
  {
    auto seg = Segment::Create(DefaultEnv(), dir.path(), base);
    ASSERT_TRUE(seg.ok()) << seg.status().ToString();
    std::string frames;
    EncodeFrame(base, 1000, "a", "b", frames);
    EncodeFrame(base + 1, 1001, "c", "d", frames);
    ASSERT_TRUE((*seg)->file()->Append(frames).ok());
  }
  auto seg = Segment::OpenExisting(DefaultEnv(), dir.path(), base);
  ASSERT_TRUE(seg.ok());
  ScanStats stats;
  ASSERT_TRUE((*seg)->ScanAndRepair(4096, &stats).ok());
  EXPECT_EQ(stats.records, 1u);
  EXPECT_EQ(stats.bytes_truncated, FrameSize(1, 1));
  EXPECT_NE(stats.reason.find("out of range"), std::string::npos) << stats.reason;
  EXPECT_EQ((*seg)->end_offset, base + 1);
  EXPECT_EQ((*seg)->size, kSegmentHeaderBytes + FrameSize(1, 1));

  // What recovery leaves behind is consistent: its index loads back.
  ASSERT_TRUE((*seg)->WriteIndex(DefaultEnv()).ok());
  auto reopened = Segment::OpenExisting(DefaultEnv(), dir.path(), base);
  ASSERT_TRUE(reopened.ok());
  Status loaded = (*reopened)->LoadIndex(DefaultEnv());
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  EXPECT_EQ((*reopened)->end_offset, base + 1);
}

}  // namespace
}  // namespace fluxgate::log
