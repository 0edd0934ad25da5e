#include "runtime/watermark_generator.h"

#include <gtest/gtest.h>

namespace fluxgate::runtime {
namespace {

TEST(WatermarkGenerator, BoundedOutOfOrdernessMinAcrossInputs) {
  ManualClock clock(1'000'000);
  WatermarkGenerator g({/*out_of_orderness_ms=*/5000, /*idle_timeout_ms=*/0}, &clock);
  size_t a = g.AddInput(), b = g.AddInput();
  EXPECT_EQ(g.Current(), INT64_MIN);  // nothing until every input has data
  int64_t ta[] = {100'000, 90'000, 120'000};
  g.Observe(a, ta, 3);
  EXPECT_EQ(g.Current(), INT64_MIN);
  g.ObserveMax(b, 110'000);
  EXPECT_EQ(g.Current(), 105'000);  // min(120 - 5, 110 - 5) s
  g.ObserveMax(b, 50'000);          // older data never moves it back
  EXPECT_EQ(g.Current(), 105'000);
  g.ObserveMax(b, 200'000);
  EXPECT_EQ(g.Current(), 115'000);
  // Without an idle timeout, a quiet input holds the watermark forever (Flink default).
  clock.Advance(3'600'000);
  EXPECT_EQ(g.Current(), 115'000);
}

TEST(WatermarkGenerator, IdleInputsAndWallClockWhenAllIdle) {
  ManualClock clock(0);
  WatermarkGenerator g({/*out_of_orderness_ms=*/2000, /*idle_timeout_ms=*/10'000}, &clock);
  size_t a = g.AddInput(), b = g.AddInput();
  clock.Set(5'000);
  g.ObserveMax(a, 50'000);
  EXPECT_EQ(g.Current(), INT64_MIN);  // b has no data and is not idle yet
  clock.Set(10'000);                  // b registered at 0: idle now
  EXPECT_TRUE(g.IsIdle(b));
  EXPECT_FALSE(g.IsIdle(a));
  EXPECT_EQ(g.Current(), 48'000);
  g.ObserveMax(b, 40'000);  // b returns: holds again, but the watermark never goes back
  EXPECT_EQ(g.Current(), 48'000);
  g.ObserveMax(b, 70'000);
  g.ObserveMax(a, 60'000);
  EXPECT_EQ(g.Current(), 58'000);
  // Everyone quiet for the idle timeout: follow the wall clock minus the bound.
  clock.Set(100'000);
  EXPECT_EQ(g.Current(), 98'000);
  clock.Set(160'000);
  EXPECT_EQ(g.Current(), 158'000);
  // With the extension off, Flink's behaviour: nothing advances.
  WatermarkGenerator flink({2000, 10'000, /*advance_when_all_idle=*/false}, &clock);
  size_t x = flink.AddInput();
  flink.ObserveMax(x, 10'000);
  EXPECT_EQ(flink.Current(), 8'000);
  clock.Advance(60'000);
  EXPECT_EQ(flink.Current(), 8'000);
}

TEST(WatermarkGenerator, SnapshotRestore) {
  ManualClock clock(0);
  WatermarkGenerator g({1000, 0}, &clock);
  g.AddInput();
  g.AddInput();
  g.ObserveMax(0, 10'000);
  g.ObserveMax(1, 20'000);
  EXPECT_EQ(g.Current(), 9'000);
  std::string snap;
  g.Snapshot(snap);
  WatermarkGenerator h({1000, 0}, &clock);
  h.AddInput();
  h.AddInput();
  ASSERT_TRUE(h.Restore(snap).ok());
  EXPECT_EQ(h.Current(), 9'000);
  h.ObserveMax(0, 30'000);
  EXPECT_EQ(h.Current(), 19'000);
  WatermarkGenerator one({1000, 0}, &clock);
  one.AddInput();
  EXPECT_FALSE(one.Restore(snap).ok());
  EXPECT_FALSE(h.Restore(snap.substr(1)).ok());
}

}  // namespace
}  // namespace fluxgate::runtime

namespace fluxgate::runtime {
namespace {

// Data from the future relative to our wall clock (or replayed faster than real time):
// once every input is quiet, the newest event time seen still counts, so the windows it
// completes close instead of waiting for the wall clock to catch up.
TEST(WatermarkGenerator, AllIdleKeepsTheNewestEventTimeWhenAheadOfTheWallClock) {
  ManualClock clock(1'000);
  WatermarkGenerator g({/*out_of_orderness_ms=*/1000, /*idle_timeout_ms=*/300}, &clock);
  size_t a = g.AddInput();
  g.AddInput();  // never sees data
  g.ObserveMax(a, 90'000);
  EXPECT_EQ(g.Current(), INT64_MIN);  // the empty input is not idle yet
  clock.Advance(500);                 // both idle in the same step
  EXPECT_EQ(g.Current(), 89'000);     // not now - 1 s = 500
  clock.Set(200'000);
  EXPECT_EQ(g.Current(), 199'000);  // and the wall clock beyond it
}

}  // namespace
}  // namespace fluxgate::runtime
