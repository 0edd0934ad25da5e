#include "runtime/over_aggregate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "window_test_util.h"

namespace fluxgate::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace fluxgate::runtime::testing;

constexpr int64_t kHour = 3'600'000;

// Input: (product STRING, ts TIMESTAMP(3), amount BIGINT); key ids are given per row.
std::shared_ptr<const Schema> InputSchema() {
  static const auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"product", sql::DataType::String()},
                                                  {"ts", sql::DataType::Timestamp(3)},
                                                  {"amount", sql::DataType::BigInt()}});
  return schema;
}

OverFrameSpec Rows(int64_t n) { return {true, false, n}; }
OverFrameSpec Range(int64_t ms) { return {false, false, ms}; }
OverFrameSpec RowsUnbounded() { return {true, true, 0}; }
OverFrameSpec RangeUnbounded() { return {false, true, 0}; }

// SUM(amount), COUNT(*) by default.
std::unique_ptr<OverAggregateOperator> Over(OverFrameSpec frame, int64_t retention = 0,
                                            bool with_count = true) {
  std::vector<std::unique_ptr<AggregateFunction>> aggs;
  std::vector<int> args;
  aggs.push_back(std::move(MakeAggregate(AggKind::kSum, sql::DataType::BigInt())).value());
  args.push_back(2);
  if (with_count) {
    aggs.push_back(std::move(MakeAggregate(AggKind::kCountStar, sql::DataType{})).value());
    args.push_back(-1);
  }
  auto op = OverAggregateOperator::Make(InputSchema(), frame, std::move(aggs), std::move(args), {},
                                        retention);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

class OverDriver {
 public:
  explicit OverDriver(const OverAggregateOperator& op)
      : op_(op), state_(op.NewState()), in_(op.input_schema()), out_(op.output_schema()) {}

  void Add(uint32_t key, const std::string& product, int64_t ts, std::optional<int64_t> amount) {
    in_.column(0).AppendString(product);
    in_.column(1).AppendInt64(ts);
    if (amount) {
      in_.column(2).AppendInt64(*amount);
    } else {
      in_.column(2).AppendNull();
    }
    in_.CommitRow();
    keys_.push_back(key);
    ts_.push_back(ts);
  }
  // Hands the rows added so far to the operator; returns the late rows' reasons.
  std::vector<std::string> Feed(const uint64_t* validity = nullptr) {
    std::vector<OverLateRecord> late;
    op_.ProcessBatch(*state_, in_.batch(), keys_.data(), ts_.data(), &late, validity);
    in_.Truncate(0);
    keys_.clear();
    ts_.clear();
    std::vector<std::string> r;
    for (const auto& l : late) r.push_back("row " + std::to_string(l.row) + ": " + l.Reason());
    return r;
  }
  // "A 10:30 20 -> 30 | 2": product, HH:MM[:SS], amount, then the aggregates.
  std::vector<std::string> Watermark(int64_t wm) {
    out_.Truncate(0);
    op_.OnWatermark(*state_, wm, out_);
    const RecordBatch& b = out_.batch();
    std::vector<std::string> r;
    for (size_t i = 0; i < b.num_rows(); ++i) {
      std::string t = b.ValueToString(1, i).substr(11, 8);
      if (t.ends_with(":00")) t.resize(5);
      std::string s = b.ValueToString(0, i) + " " + t + " " + b.ValueToString(2, i) + " ->";
      for (size_t c = 3; c < b.num_columns(); ++c)
        s += (c == 3 ? " " : " | ") + b.ValueToString(c, i);
      r.push_back(s);
    }
    return r;
  }
  OverAggregateState& state() { return *state_; }

 private:
  const OverAggregateOperator& op_;
  std::unique_ptr<OverAggregateState> state_;
  RecordBatchBuilder in_;
  std::vector<uint32_t> keys_;
  std::vector<int64_t> ts_;
  RecordBatchBuilder out_;
};

TEST(OverAggregate, OutputSchemaAppendsAggregates) {
  auto op = Over(Range(kHour));
  EXPECT_EQ(op->output_schema()->ToString(),
            "(product STRING, ts TIMESTAMP(3), amount BIGINT, SUM(BIGINT) BIGINT, "
            "COUNT(*) BIGINT NOT NULL)");
}

TEST(OverAggregate, MakeRejectsBadDefinitions) {
  auto make = [](OverFrameSpec f, AggKind kind, sql::DataType t, int arg) {
    std::vector<std::unique_ptr<AggregateFunction>> aggs;
    aggs.push_back(std::move(MakeAggregate(kind, t)).value());
    return OverAggregateOperator::Make(InputSchema(), f, std::move(aggs), {arg});
  };
  EXPECT_TRUE(make(Rows(2), AggKind::kSum, sql::DataType::BigInt(), 2).ok());
  EXPECT_FALSE(make(Rows(-1), AggKind::kSum, sql::DataType::BigInt(), 2).ok());
  EXPECT_FALSE(make(Rows(2), AggKind::kSum, sql::DataType::BigInt(), 3).ok());
  auto wrong = make(Rows(2), AggKind::kSum, sql::DataType::Double(), 2);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().ToString(), HasSubstr("'amount' has type BIGINT"));
  EXPECT_FALSE(make(Rows(2), AggKind::kCountStar, sql::DataType{}, 0).ok());
}

// Reference §4: product A at 10:00 (10), 10:30 (20), 11:00 (5), 11:20 (3).
TEST(OverAggregate, ReferenceExampleRangeOneHour) {
  auto op = Over(Range(kHour));
  OverDriver d(*op);
  d.Add(0, "A", T(10, 0), 10);
  d.Add(0, "A", T(10, 30), 20);
  d.Add(0, "A", T(11, 0), 5);
  d.Add(0, "A", T(11, 20), 3);
  EXPECT_THAT(d.Feed(), IsEmpty());
  EXPECT_THAT(d.Watermark(T(9, 59)), IsEmpty());
  // 11:00 includes 10:00: the bound is inclusive.
  EXPECT_THAT(d.Watermark(T(11, 0)),
              ElementsAre("A 10:00 10 -> 10 | 1", "A 10:30 20 -> 30 | 2", "A 11:00 5 -> 35 | 3"));
  EXPECT_THAT(d.Watermark(T(12, 0)), ElementsAre("A 11:20 3 -> 28 | 3"));
  // Later rows start after 11:20, so their frames start after 10:20: 10:00 is gone.
  EXPECT_EQ(d.state().buffered_rows(), 3u);
}

TEST(OverAggregate, ReferenceExampleRowsOnePreceding) {
  auto op = Over(Rows(1));
  OverDriver d(*op);
  d.Add(0, "A", T(10, 0), 10);
  d.Add(0, "A", T(10, 30), 20);
  d.Feed();
  EXPECT_THAT(d.Watermark(T(10, 45)), ElementsAre("A 10:00 10 -> 10 | 1", "A 10:30 20 -> 30 | 2"));
  d.Add(0, "A", T(11, 20), 3);
  d.Add(0, "A", T(11, 0), 5);  // out of order within the watermark
  d.Feed();
  EXPECT_THAT(d.Watermark(T(11, 20)), ElementsAre("A 11:00 5 -> 25 | 2", "A 11:20 3 -> 8 | 2"));
  EXPECT_EQ(d.state().buffered_rows(), 2u);  // the frame: current + 1 preceding
}

// Same-timestamp peers: RANGE gives them one result, ROWS takes them in arrival order.
TEST(OverAggregate, RowsVersusRangePeers) {
  auto feed = [](OverDriver& d) {
    d.Add(0, "p", T(10, 0), 1);
    d.Add(0, "p", T(10, 1), 4);
    d.Add(0, "q", T(10, 0), 2);
    d.Add(0, "r", T(10, 0), 8);
    EXPECT_THAT(d.Feed(), IsEmpty());
    return d.Watermark(T(10, 5));
  };
  auto rows_unbounded = Over(RowsUnbounded());
  OverDriver a(*rows_unbounded);
  EXPECT_THAT(feed(a), ElementsAre("p 10:00 1 -> 1 | 1", "q 10:00 2 -> 3 | 2",
                                   "r 10:00 8 -> 11 | 3", "p 10:01 4 -> 15 | 4"));
  auto range_unbounded = Over(RangeUnbounded());
  OverDriver b(*range_unbounded);
  EXPECT_THAT(feed(b), ElementsAre("p 10:00 1 -> 11 | 3", "q 10:00 2 -> 11 | 3",
                                   "r 10:00 8 -> 11 | 3", "p 10:01 4 -> 15 | 4"));
  auto rows1 = Over(Rows(1));
  OverDriver c(*rows1);
  EXPECT_THAT(feed(c), ElementsAre("p 10:00 1 -> 1 | 1", "q 10:00 2 -> 3 | 2",
                                   "r 10:00 8 -> 10 | 2", "p 10:01 4 -> 12 | 2"));
  auto range0 = Over(Range(0));  // RANGE INTERVAL '0' ...: the peers only
  OverDriver e(*range0);
  EXPECT_THAT(feed(e), ElementsAre("p 10:00 1 -> 11 | 3", "q 10:00 2 -> 11 | 3",
                                   "r 10:00 8 -> 11 | 3", "p 10:01 4 -> 4 | 1"));
}

TEST(OverAggregate, NullArgumentsSkippedAndKeysIndependent) {
  auto op = Over(RangeUnbounded());
  OverDriver d(*op);
  d.Add(1, "b", T(10, 2), 100);
  d.Add(0, "a", T(10, 1), std::nullopt);  // SUM of only NULLs is NULL; COUNT(*) counts it
  d.Add(0, "a", T(10, 3), 7);
  d.Add(1, "b", T(10, 1), 50);
  d.Feed();
  // Watermark order: timestamp, then key id.
  EXPECT_THAT(d.Watermark(T(10, 2)), ElementsAre("a 10:01 NULL -> NULL | 1", "b 10:01 50 -> 50 | 1",
                                                 "b 10:02 100 -> 150 | 2"));
  EXPECT_THAT(d.Watermark(T(10, 3)), ElementsAre("a 10:03 7 -> 7 | 2"));
  EXPECT_EQ(d.state().pending_rows(), 0u);
}

TEST(OverAggregate, OutOfOrderRowsWaitForTheWatermark) {
  auto op = Over(RowsUnbounded());
  OverDriver d(*op);
  d.Add(0, "a", T(10, 5), 5);
  d.Add(0, "a", T(10, 1), 1);
  d.Add(1, "b", T(10, 2), 2);
  d.Add(0, "a", T(10, 3), 3);
  d.Feed();
  EXPECT_EQ(d.state().pending_rows(), 4u);
  EXPECT_THAT(d.Watermark(T(10, 4)),
              ElementsAre("a 10:01 1 -> 1 | 1", "b 10:02 2 -> 2 | 1", "a 10:03 3 -> 4 | 2"));
  EXPECT_THAT(d.Watermark(T(10, 4)), IsEmpty());  // not an advance
  EXPECT_THAT(d.Watermark(T(10, 3)), IsEmpty());  // watermarks never go back
  d.Add(0, "a", T(10, 4, 30), 10);                // after the watermark: accepted, before 10:05
  EXPECT_THAT(d.Feed(), IsEmpty());
  EXPECT_THAT(d.Watermark(T(10, 10)),
              ElementsAre("a 10:04:30 10 -> 14 | 3", "a 10:05 5 -> 19 | 4"));
}

TEST(OverAggregate, UnboundedLateRowsComparedWithWatermark) {
  auto op = Over(RangeUnbounded());
  OverDriver d(*op);
  d.Add(0, "a", T(10, 1), 1);
  d.Feed();
  EXPECT_THAT(d.Watermark(T(10, 5)), ElementsAre("a 10:01 1 -> 1 | 1"));
  d.Add(0, "a", T(10, 5), 2);  // equal to the watermark: late
  d.Add(1, "b", T(10, 2), 3);  // another key, never seen: still late (global watermark)
  d.Add(0, "a", T(10, 6), 4);
  EXPECT_THAT(d.Feed(), ElementsAre("row 0: late record: event time 2026-11-25 10:05:00.000 is not "
                                    "after the watermark 2026-11-25 10:05:00.000 (OVER window "
                                    "rows run when the watermark passes them)",
                                    "row 1: late record: event time 2026-11-25 10:02:00.000 is not "
                                    "after the watermark 2026-11-25 10:05:00.000 (OVER window "
                                    "rows run when the watermark passes them)"));
  EXPECT_EQ(d.state().late_records(), 2u);
  EXPECT_THAT(d.Watermark(T(10, 6)), ElementsAre("a 10:06 4 -> 5 | 2"));
}

// Bounded frames follow Flink's lastTriggeringTs: late only if not after the last time
// processed for the key, even when behind the watermark.
TEST(OverAggregate, BoundedLateRowsComparedWithLastProcessedTime) {
  auto op = Over(Range(Min(10)));
  OverDriver d(*op);
  d.Add(0, "a", T(10, 3), 1);
  d.Add(1, "b", T(10, 1), 2);
  d.Feed();
  EXPECT_THAT(d.Watermark(T(10, 10)), ElementsAre("b 10:01 2 -> 2 | 1", "a 10:03 1 -> 1 | 1"));
  d.Add(0, "a", T(10, 4), 10);  // behind the watermark, after 10:03: accepted
  d.Add(0, "a", T(10, 3), 20);  // not after 10:03: late
  d.Add(2, "c", T(10, 0), 30);  // a new key: accepted although far behind the watermark
  d.Add(2, "c", 0, 40);         // rowtime <= epoch 0: late (last time starts at 0)
  auto late = d.Feed();
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0],
            "row 1: late record: event time 2026-11-25 10:03:00.000 is not after 2026-11-25 "
            "10:03:00.000, the last time already processed for its key (bounded OVER frame)");
  EXPECT_THAT(late[1], HasSubstr("event time 1970-01-01 00:00:00.000 is not after 1970-01-01"));
  // Accepted rows run at the next advance of the watermark.
  EXPECT_THAT(d.Watermark(T(10, 11)), ElementsAre("c 10:00 30 -> 30 | 1", "a 10:04 10 -> 11 | 2"));
  EXPECT_EQ(d.state().late_records(), 2u);
}

TEST(OverAggregate, NullRowtimeIsReported) {
  auto op = Over(RowsUnbounded());
  OverDriver d(*op);
  d.Add(0, "a", T(10, 1), 1);
  d.Add(0, "a", 0, 2);
  const uint64_t validity = 0b01;
  auto late = d.Feed(&validity);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_THAT(late[0], HasSubstr("row 1: record has a NULL rowtime"));
  EXPECT_THAT(d.Watermark(T(11, 0)), ElementsAre("a 10:01 1 -> 1 | 1"));
}

// A key that stops receiving rows still has its buffered rows run by the (global)
// watermark; with a state retention its state is then forgotten.
TEST(OverAggregate, IdleKeysAreFiredAndExpired) {
  auto op = Over(RowsUnbounded(), /*retention=*/Min(30));
  OverDriver d(*op);
  d.Add(0, "a", T(10, 0), 1);
  d.Add(1, "idle", T(10, 1), 5);
  d.Feed();
  EXPECT_THAT(d.Watermark(T(10, 0)), ElementsAre("a 10:00 1 -> 1 | 1"));
  d.Add(0, "a", T(10, 20), 2);
  d.Feed();
  EXPECT_THAT(d.Watermark(T(10, 20)), ElementsAre("idle 10:01 5 -> 5 | 1", "a 10:20 2 -> 3 | 2"));
  EXPECT_EQ(d.state().keys(), 2u);
  const size_t before = d.state().MemoryUsage();
  d.Add(0, "a", T(10, 40), 3);
  d.Feed();
  // 10:40 - 30 min = 10:10: "idle" (last row 10:01) goes, "a" (10:20) stays.
  EXPECT_THAT(d.Watermark(T(10, 40)), ElementsAre("a 10:40 3 -> 6 | 3"));
  EXPECT_EQ(d.state().keys(), 1u);
  EXPECT_LE(d.state().MemoryUsage(), before);
  // A row for the forgotten key starts afresh (Flink's state TTL behaves the same).
  d.Add(1, "idle", T(10, 50), 7);
  d.Feed();
  EXPECT_THAT(d.Watermark(T(10, 50)), ElementsAre("idle 10:50 7 -> 7 | 1"));
}

// Runs a pseudo-random stream through one state, and through a state that is snapshotted
// and restored into a fresh one every few steps; the outputs must be identical.
std::vector<std::string> RunStream(const OverAggregateOperator& op, bool restore_midway,
                                   uint64_t* late_out = nullptr) {
  std::mt19937 rng(7);
  auto d = std::make_unique<OverDriver>(op);
  std::vector<std::string> out;
  int64_t wm = T(10, 0);
  for (int step = 0; step < 40; ++step) {
    for (int i = 0; i < 6; ++i) {
      const uint32_t key = rng() % 3;
      // Mostly ahead of the watermark, sometimes behind it (late for some frames).
      const int64_t ts = wm + static_cast<int64_t>(rng() % 40) * 15'000 - 60'000;
      std::optional<int64_t> v;
      if (rng() % 5 != 0) v = static_cast<int64_t>(rng() % 100);
      d->Add(key, "k" + std::to_string(key) + std::string(rng() % 3, 'x'), ts, v);
    }
    for (auto& s : d->Feed()) out.push_back(s);
    if (restore_midway && step % 3 == 1) {
      std::string snap;
      op.Snapshot(d->state(), snap);
      d = std::make_unique<OverDriver>(op);
      Status s = op.Restore(d->state(), snap);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    wm += 45'000;
    for (auto& s : d->Watermark(wm)) out.push_back(s);
  }
  for (auto& s : d->Watermark(T(23, 0))) out.push_back(s);
  if (late_out) *late_out = d->state().late_records();
  return out;
}

TEST(OverAggregate, SnapshotRestoreMidStreamGivesIdenticalOutput) {
  for (OverFrameSpec f : {Rows(2), Range(Min(2)), RowsUnbounded(), RangeUnbounded()}) {
    auto op = Over(f);
    uint64_t late_a = 0, late_b = 0;
    auto a = RunStream(*op, false, &late_a);
    auto b = RunStream(*op, true, &late_b);
    EXPECT_GT(a.size(), 200u);
    EXPECT_EQ(a, b) << "frame rows=" << f.rows << " unbounded=" << f.unbounded;
    EXPECT_EQ(late_a, late_b);
    EXPECT_GT(late_a, 0u);
  }
}

TEST(OverAggregate, RestoreRejectsAnotherPlanOrDamage) {
  auto op = Over(Rows(2));
  OverDriver d(*op);
  d.Add(0, "a", T(10, 0), 1);
  d.Feed();
  std::string snap;
  op->Snapshot(d.state(), snap);

  auto other = Over(Range(Min(2)));
  auto st = other->NewState();
  Status s = other->Restore(*st, snap);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.ToString(), HasSubstr("taken with frame ROWS 2 PRECEDING, the plan has RANGE "
                                      "120000 ms PRECEDING"));
  auto fewer = Over(Rows(2), 0, /*with_count=*/false);
  auto st2 = fewer->NewState();
  EXPECT_THAT(fewer->Restore(*st2, snap).ToString(), HasSubstr("has 2 aggregates, the plan has 1"));

  auto st3 = op->NewState();
  EXPECT_EQ(op->Restore(*st3, snap.substr(0, snap.size() - 3)).code(), Status::Code::kCorruption);
  std::string bad = snap;
  bad[0] = 9;
  EXPECT_THAT(op->Restore(*st3, bad).ToString(), HasSubstr("has version 9"));
  ASSERT_TRUE(op->Restore(*st3, snap).ok());
  EXPECT_EQ(st3->pending_rows(), 1u);
}

// Many rows: buffer compaction must keep results right and memory bounded. Checked
// against a brute-force evaluation of the frames.
TEST(OverAggregate, CompactionKeepsResultsAndBoundsMemory) {
  for (OverFrameSpec f : {Rows(3), Range(20'000)}) {
    auto op = Over(f, 0, false);
    OverDriver d(*op);
    std::mt19937 rng(11);
    // Accepted rows per key in processing order (ts, then arrival): (ts, id, value).
    struct Row {
      int64_t ts;
      int64_t id;
      int64_t v;
    };
    std::map<uint32_t, std::vector<Row>> by_key;
    std::map<int64_t, std::string> got;  // id -> result
    int64_t wm = T(8, 0), id = 0;
    size_t peak_memory = 0;
    for (int step = 0; step < 300; ++step) {
      for (int i = 0; i < 100; ++i) {
        const uint32_t key = rng() % 4;
        const int64_t ts = wm + 1 + static_cast<int64_t>(rng() % 30) * 1000;  // never late
        const int64_t v = rng() % 1000;
        d.Add(key, std::to_string(id), ts, v);
        by_key[key].push_back({ts, id++, v});
      }
      d.Feed();
      wm += 10'000;
      for (const std::string& line : d.Watermark(wm)) {
        got[std::stoll(line.substr(0, line.find(' ')))] = line.substr(line.find("-> ") + 3);
      }
      if (step == 50) peak_memory = d.state().MemoryUsage();
      if (step > 50) {
        EXPECT_LE(d.state().MemoryUsage(), peak_memory * 2);
      }
    }
    EXPECT_LT(d.state().buffered_rows(), 1000u);
    for (const std::string& line : d.Watermark(T(23, 0))) {
      got[std::stoll(line.substr(0, line.find(' ')))] = line.substr(line.find("-> ") + 3);
    }
    size_t checked = 0;
    for (auto& [key, rows] : by_key) {
      std::stable_sort(rows.begin(), rows.end(),
                       [](const Row& a, const Row& b) { return a.ts < b.ts; });
      for (size_t i = 0; i < rows.size(); ++i) {
        int64_t sum = 0;
        if (f.rows) {
          for (size_t j = i >= 3 ? i - 3 : 0; j <= i; ++j) sum += rows[j].v;
        } else {
          for (const Row& r : rows) {
            if (r.ts >= rows[i].ts - 20'000 && r.ts <= rows[i].ts) sum += r.v;
          }
        }
        ASSERT_EQ(got[rows[i].id], std::to_string(sum)) << "row id " << rows[i].id;
        ++checked;
      }
    }
    EXPECT_EQ(checked, 30'000u);
  }
}

}  // namespace
}  // namespace fluxgate::runtime
