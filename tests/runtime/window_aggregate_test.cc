#include "runtime/window_aggregate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/watermark_generator.h"
#include "window_test_util.h"

namespace fluxgate::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace fluxgate::runtime::testing;

std::unique_ptr<WindowAggregateOperator> Tumble(int64_t size, int64_t lateness = 0) {
  return std::move(WindowAggregateOperator::Make(TumblingAssigner{size}, CountSum(), lateness))
      .value();
}

TEST(Assigners, TumbleAlignmentAndOffset) {
  Window w[1];
  TumblingAssigner t{Min(5)};
  t.Assign(T(10, 4, 59, 999), w);
  EXPECT_EQ(w[0], (Window{T(10, 0), T(10, 5)}));
  t.Assign(T(10, 5), w);
  EXPECT_EQ(w[0], (Window{T(10, 5), T(10, 10)}));
  EXPECT_EQ(w[0].max_timestamp(), T(10, 9, 59, 999));
  t.Assign(-1, w);  // before the epoch: floorMod keeps alignment
  EXPECT_EQ(w[0], (Window{-Min(5), 0}));
  TumblingAssigner off{Min(10), Min(4)};
  off.Assign(T(10, 3), w);
  EXPECT_EQ(w[0], (Window{T(9, 54), T(10, 4)}));
}

TEST(Assigners, HopAndCumulate) {
  Window w[8];
  HoppingAssigner h{Min(5), Min(10)};
  ASSERT_EQ(h.Assign(T(10, 1), w), 2);
  EXPECT_EQ(w[0], (Window{T(10, 0), T(10, 10)}));
  EXPECT_EQ(w[1], (Window{T(9, 55), T(10, 5)}));
  CumulatingAssigner c{Min(2), Min(6)};
  ASSERT_EQ(c.Assign(T(10, 3), w), 2);
  EXPECT_EQ(w[0], (Window{T(10, 0), T(10, 4)}));
  EXPECT_EQ(w[1], (Window{T(10, 0), T(10, 6)}));
  ASSERT_EQ(c.Assign(T(10, 0), w), 3);  // a row at the start is in every window
  ASSERT_EQ(c.Assign(T(10, 5, 59, 999), w), 1);
}

// Reference §1 example: WATERMARK ts - 1 minute, 5-minute TUMBLE, COUNT(*).
TEST(TumbleWindow, ReferenceExampleWithLateRow) {
  auto op = Tumble(Min(5));
  WindowDriver d(*op);
  Rows r;
  r.Add(0, T(10, 1), 1);
  EXPECT_THAT(d.Feed(r), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 0)), IsEmpty());
  r.Add(0, T(10, 7), 2);
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 6)), ElementsAre("+I k0 [10:00:00.000, 10:05:00.000) 1 | 1.0"));
  r.Add(0, T(10, 3), 3);      // its window already fired: late, reported
  r.Add(0, T(10, 5, 30), 4);  // ts < wm but [10:05, 10:10) is open: accepted
  EXPECT_THAT(d.Feed(r),
              ElementsAre("late row 0: late record: event time 2026-11-25 10:03:00.000 belongs "
                          "to window [2026-11-25 10:00:00.000, 2026-11-25 10:05:00.000) which "
                          "closed at watermark 2026-11-25 10:06:00.000 (allowed lateness 0 ms)"));
  EXPECT_EQ(d.state().late_records(), 1u);
  EXPECT_THAT(d.Watermark(T(10, 9, 59, 998)), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 9, 59, 999)),
              ElementsAre("+I k0 [10:05:00.000, 10:10:00.000) 2 | 6.0"));
  EXPECT_EQ(d.state().open_windows(), 0u);
}

TEST(TumbleWindow, OutOfOrderKeysAndNulls) {
  auto op = Tumble(Min(5));
  WindowDriver d(*op);
  Rows r;
  r.Add(2, T(10, 4), 1);
  r.Add(1, T(10, 2), 10);
  r.Add(2, T(10, 6), 100);
  r.Add(2, T(10, 0), 1000);  // out of order, same window as the first
  r.AddNull(1, T(10, 3));    // NULL value: counted by COUNT(*), skipped by SUM
  r.AddNull(3, T(10, 1));    // a group with only NULLs: SUM is NULL
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 5)), ElementsAre("+I k1 [10:00:00.000, 10:05:00.000) 2 | 10.0",
                                                 "+I k2 [10:00:00.000, 10:05:00.000) 2 | 1001.0",
                                                 "+I k3 [10:00:00.000, 10:05:00.000) 1 | NULL"));
  EXPECT_THAT(d.Watermark(T(10, 4)), IsEmpty());  // watermarks never go back
  EXPECT_THAT(d.Watermark(T(11, 0)), ElementsAre("+I k2 [10:05:00.000, 10:10:00.000) 1 | 100.0"));
}

TEST(TumbleWindow, AllowedLatenessRefiresThenReportsLate) {
  auto op = Tumble(Min(5), Min(2));
  WindowDriver d(*op);
  Rows r;
  r.Add(0, T(10, 1), 1);
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 6)), ElementsAre("+I k0 [10:00:00.000, 10:05:00.000) 1 | 1.0"));
  r.Add(0, T(10, 3), 2);  // late but within 2 minutes: updates the kept window
  EXPECT_THAT(d.Feed(r), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 6, 30)), ElementsAre("+U k0 [10:00:00.000, 10:05:00.000) 2 | 3.0"));
  EXPECT_THAT(d.Watermark(T(10, 6, 59, 999)), IsEmpty());  // end - 1 + 2 min: purged
  EXPECT_EQ(d.state().open_windows(), 0u);
  r.Add(0, T(10, 4), 3);
  EXPECT_EQ(d.Feed(r).size(), 1u);
}

// Reference §2 HOP example: slide 5, size 10; rows 10:01, 10:04, 10:07.
TEST(HopWindow, ReferenceExample) {
  auto op = std::move(WindowAggregateOperator::Make(HoppingAssigner{Min(5), Min(10)}, CountSum()))
                .value();
  WindowDriver d(*op);
  Rows r;
  r.Add(0, T(10, 1), 1);
  r.Add(0, T(10, 4), 1);
  r.Add(0, T(10, 7), 1);
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 7)), ElementsAre("+I k0 [09:55:00.000, 10:05:00.000) 2 | 2.0"));
  // A row whose first window has fired still counts in the open one; not reported late.
  r.Add(0, T(10, 3), 1);
  EXPECT_THAT(d.Feed(r), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 9, 59, 999)),
              ElementsAre("+I k0 [10:00:00.000, 10:10:00.000) 4 | 4.0"));
  EXPECT_THAT(d.Watermark(INT64_MAX), ElementsAre("+I k0 [10:05:00.000, 10:15:00.000) 1 | 1.0"));
  EXPECT_FALSE(WindowAggregateOperator::Make(HoppingAssigner{Min(3), Min(10)}, CountSum()).ok());
}

TEST(CumulateWindow, FiresEachStep) {
  auto op = std::move(WindowAggregateOperator::Make(CumulatingAssigner{Min(2), Min(6)}, CountSum()))
                .value();
  WindowDriver d(*op);
  Rows r;
  r.Add(0, T(10, 1), 1);
  r.Add(0, T(10, 3), 2);
  r.Add(0, T(10, 5), 4);
  r.Add(0, T(10, 6), 8);
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 4)), ElementsAre("+I k0 [10:00:00.000, 10:02:00.000) 1 | 1.0",
                                                 "+I k0 [10:00:00.000, 10:04:00.000) 2 | 3.0"));
  EXPECT_THAT(d.Watermark(T(10, 8)), ElementsAre("+I k0 [10:00:00.000, 10:06:00.000) 3 | 7.0",
                                                 "+I k0 [10:06:00.000, 10:08:00.000) 1 | 8.0"));
}

TEST(WindowState, SnapshotRestoreAndShapeMismatch) {
  auto op = Tumble(Min(5));
  WindowDriver d(*op);
  Rows r;
  for (uint32_t k = 0; k < 50; ++k) r.Add(k, T(10, k % 10), k);
  d.Feed(r);
  d.Watermark(T(10, 4, 59, 999));  // fires the first window of every key
  std::string snap;
  op->Snapshot(d.state(), snap);
  WindowDriver d2(*op);
  ASSERT_TRUE(op->Restore(d2.state(), snap).ok());
  EXPECT_EQ(d2.state().watermark(), T(10, 4, 59, 999));
  EXPECT_EQ(d2.Watermark(T(11, 0)), d.Watermark(T(11, 0)));

  // Same window, different aggregates: restore names the mismatch.
  std::vector<std::unique_ptr<AggregateFunction>> other;
  other.push_back(std::move(MakeAggregate(AggKind::kCountStar, sql::DataType{})).value());
  other.push_back(std::move(MakeAggregate(AggKind::kMax, sql::DataType::Double())).value());
  auto op2 =
      std::move(WindowAggregateOperator::Make(TumblingAssigner{Min(5)}, std::move(other))).value();
  auto st2 = op2->NewState();
  Status s = op2->Restore(*st2, snap);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "checkpointed state does not match the plan: expected MAX(DOUBLE), found SUM(DOUBLE)");
  EXPECT_FALSE(op->Restore(*op->NewState(), snap.substr(0, snap.size() - 3)).ok());
}

TEST(WindowState, ManyKeysGrowTheTable) {
  auto op = Tumble(Min(1));
  WindowDriver d(*op);
  Rows r;
  for (uint32_t k = 0; k < 5000; ++k) r.Add(k, T(10, 0, k % 60), 1);
  for (uint32_t k = 0; k < 5000; ++k) r.Add(k, T(10, 1, k % 60), 1);
  d.Feed(r);
  EXPECT_EQ(d.state().open_windows(), 10000u);
  EXPECT_GT(d.state().MemoryUsage(), 10000u * 32);
  EXPECT_EQ(d.Watermark(T(10, 1)).size(), 5000u);
  EXPECT_EQ(d.Watermark(T(10, 2)).size(), 5000u);
  EXPECT_EQ(d.state().open_windows(), 0u);
}

// End to end with the watermark generator: two shards, one goes quiet.
TEST(TumbleWindow, IdleShardDoesNotHoldWindowsOpen) {
  ManualClock clock(T(10, 0));
  WatermarkGenerator wm({/*out_of_orderness_ms=*/5000, /*idle_timeout_ms=*/30000}, &clock);
  size_t s0 = wm.AddInput(), s1 = wm.AddInput();
  auto op = Tumble(Min(5));
  WindowDriver d(*op);
  Rows r;
  int64_t t0[] = {T(10, 1)}, t1[] = {T(10, 2)};
  wm.Observe(s0, t0, 1);
  wm.Observe(s1, t1, 1);
  r.Add(0, T(10, 1), 1);
  r.Add(1, T(10, 2), 1);
  d.Feed(r);
  // Shard 0 keeps producing; shard 1 goes quiet at 10:02.
  int64_t later[] = {T(10, 6)};
  clock.Set(T(10, 0, 20));
  wm.Observe(s0, later, 1);
  EXPECT_EQ(wm.Current(), T(10, 1, 55));  // held back by shard 1
  EXPECT_THAT(d.Watermark(wm.Current()), IsEmpty());
  clock.Set(T(10, 0, 30));  // shard 1 idle for 30 s
  EXPECT_TRUE(wm.IsIdle(s1));
  EXPECT_EQ(wm.Current(), T(10, 5, 55));
  EXPECT_THAT(d.Watermark(wm.Current()), ElementsAre("+I k0 [10:00:00.000, 10:05:00.000) 1 | 1.0",
                                                     "+I k1 [10:00:00.000, 10:05:00.000) 1 | 1.0"));
}

}  // namespace
}  // namespace fluxgate::runtime
