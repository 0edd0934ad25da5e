#include "runtime/session_aggregate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "window_test_util.h"

namespace fluxgate::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace fluxgate::runtime::testing;

std::unique_ptr<SessionAggregateOperator> Session(int64_t gap, int64_t lateness = 0) {
  return std::move(SessionAggregateOperator::Make(gap, CountSum(), lateness)).value();
}

// Reference §2 session example: gap 5 min; k1 at 10:00, 10:03, 10:08, 10:20.
TEST(SessionWindow, ReferenceExampleTouchingMerges) {
  auto op = Session(Min(5));
  SessionDriver d(*op);
  Rows r;
  r.Add(1, T(10, 0), 1);
  r.Add(1, T(10, 3), 1);
  r.Add(1, T(10, 8), 1);  // touches 10:03 + 5
  r.Add(1, T(10, 20), 1);
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 12, 59, 998)), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 12, 59, 999)),
              ElementsAre("+I k1 [10:00:00.000, 10:13:00.000) 3 | 3.0"));
  EXPECT_THAT(d.Watermark(T(11, 0)), ElementsAre("+I k1 [10:20:00.000, 10:25:00.000) 1 | 1.0"));
}

TEST(SessionWindow, OutOfOrderRowBridgesTwoSessions) {
  auto op = Session(Min(5));
  SessionDriver d(*op);
  Rows r;
  r.Add(0, T(10, 0), 1);
  r.Add(0, T(10, 10), 2);
  r.Add(7, T(10, 1), 50);  // another key is independent
  d.Feed(r);
  r.Add(0, T(10, 5), 4);  // [10:05, 10:10) touches both: one session
  d.Feed(r);
  EXPECT_EQ(d.state().open_sessions(), 2u);
  EXPECT_THAT(d.Watermark(T(10, 20)), ElementsAre("+I k7 [10:01:00.000, 10:06:00.000) 1 | 50.0",
                                                  "+I k0 [10:00:00.000, 10:15:00.000) 3 | 7.0"));
}

TEST(SessionWindow, LateRowsAndAllowedLateness) {
  auto op = Session(Min(5), Min(3));
  SessionDriver d(*op);
  Rows r;
  r.Add(0, T(10, 0), 1);
  d.Feed(r);
  EXPECT_THAT(d.Watermark(T(10, 6)), ElementsAre("+I k0 [10:00:00.000, 10:05:00.000) 1 | 1.0"));
  r.Add(0, T(10, 4), 2);  // extends the fired-but-kept session: re-fires as an update
  EXPECT_THAT(d.Feed(r), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 7)), ElementsAre("+U k0 [10:00:00.000, 10:09:00.000) 2 | 3.0"));
  EXPECT_THAT(d.Watermark(T(10, 20)), IsEmpty());  // purged at 10:08:59.999 + 3 min
  r.Add(0, T(10, 1), 4);  // its own session would end 10:06: beyond lateness
  auto late = d.Feed(r);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_NE(late[0].find("event time 2026-11-25 10:01:00.000"), std::string::npos);
  r.Add(0, T(10, 14), 8);  // not late: [10:14, 10:19) ends after wm - lateness
  EXPECT_THAT(d.Feed(r), IsEmpty());
}

TEST(SessionWindow, SnapshotRestore) {
  auto op = Session(Min(5));
  SessionDriver d(*op);
  Rows r;
  r.Add(0, T(10, 0), 1);
  r.Add(3, T(10, 2), 2);
  d.Feed(r);
  std::string snap;
  op->Snapshot(d.state(), snap);
  SessionDriver d2(*op);
  ASSERT_TRUE(op->Restore(d2.state(), snap).ok());
  r.Add(0, T(10, 4), 4);
  d2.Feed(r);
  EXPECT_THAT(d2.Watermark(T(11, 0)), ElementsAre("+I k3 [10:02:00.000, 10:07:00.000) 1 | 2.0",
                                                  "+I k0 [10:00:00.000, 10:09:00.000) 2 | 5.0"));
}

}  // namespace
}  // namespace fluxgate::runtime
