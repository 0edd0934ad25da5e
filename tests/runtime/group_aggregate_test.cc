#include "runtime/group_aggregate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace fluxgate::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// COUNT(*), SUM(v), MAX(v) over a BIGINT column v.
std::unique_ptr<GroupAggregateOperator> CountSumMax(bool emit_update_before = true,
                                                    bool with_max = true) {
  std::vector<std::unique_ptr<AggregateFunction>> aggs;
  aggs.push_back(std::move(MakeAggregate(AggKind::kCountStar, sql::DataType{})).value());
  aggs.push_back(std::move(MakeAggregate(AggKind::kSum, sql::DataType::BigInt())).value());
  if (with_max) {
    aggs.push_back(std::move(MakeAggregate(AggKind::kMax, sql::DataType::BigInt())).value());
  }
  return std::move(
             GroupAggregateOperator::Make(std::move(aggs), {"cnt", "total"}, emit_update_before))
      .value();
}

class GroupDriver {
 public:
  explicit GroupDriver(const GroupAggregateOperator& op)
      : op_(op), state_(op.NewState()), out_(op.output_schema()) {}

  void Add(uint32_t key, std::optional<int64_t> v) {
    keys_.push_back(key);
    if (v) {
      value_.AppendInt64(*v);
    } else {
      value_.AppendNull();
    }
  }
  // "+I k1 2 | 7 | 5"
  std::vector<std::string> Batch() {
    std::vector<const Column*> args(op_.output_schema()->size() - 1, &value_);
    args[0] = nullptr;  // COUNT(*)
    out_.Truncate(0);
    kinds_.clear();
    op_.ProcessBatch(*state_, GroupAggInput{keys_.data(), args.data(), keys_.size()}, out_,
                     &kinds_);
    keys_.clear();
    value_.Clear();
    const RecordBatch& b = out_.batch();
    EXPECT_EQ(kinds_.size(), b.num_rows());
    std::vector<std::string> r;
    for (size_t i = 0; i < b.num_rows(); ++i) {
      std::string s = std::string(RowKindText(kinds_[i])) + " k" + b.ValueToString(0, i);
      for (size_t c = 1; c < b.num_columns(); ++c)
        s += (c == 1 ? " " : " | ") + b.ValueToString(c, i);
      r.push_back(s);
    }
    return r;
  }
  GroupAggregateState& state() { return *state_; }
  std::unique_ptr<GroupAggregateState>& state_ptr() { return state_; }

 private:
  const GroupAggregateOperator& op_;
  std::unique_ptr<GroupAggregateState> state_;
  std::vector<uint32_t> keys_;
  Column value_{sql::DataType::BigInt()};
  RecordBatchBuilder out_;
  std::vector<RowKind> kinds_;
};

TEST(GroupAggregate, OutputSchemaAndRowKindText) {
  auto op = CountSumMax();
  EXPECT_EQ(op->output_schema()->ToString(),
            "(key_id BIGINT NOT NULL, cnt BIGINT NOT NULL, total BIGINT, MAX(BIGINT) BIGINT)");
  EXPECT_STREQ(RowKindText(RowKind::kInsert), "+I");
  EXPECT_STREQ(RowKindText(RowKind::kUpdateBefore), "-U");
  EXPECT_STREQ(RowKindText(RowKind::kUpdateAfter), "+U");
  EXPECT_STREQ(RowKindText(RowKind::kDelete), "-D");
}

TEST(GroupAggregate, UpdateStreamPerBatch) {
  auto op = CountSumMax();
  GroupDriver d(*op);
  d.Add(2, 3);
  d.Add(1, 5);
  d.Add(2, std::nullopt);  // counted by COUNT(*), skipped by SUM/MAX
  EXPECT_THAT(d.Batch(), ElementsAre("+I k1 1 | 5 | 5", "+I k2 2 | 3 | 3"));
  // One -U/+U pair per changed key and batch, however many rows it had; key id order.
  d.Add(1, 2);
  d.Add(7, std::nullopt);
  d.Add(1, 10);
  EXPECT_THAT(d.Batch(),
              ElementsAre("-U k1 1 | 5 | 5", "+U k1 3 | 17 | 10", "+I k7 1 | NULL | NULL"));
  EXPECT_THAT(d.Batch(), IsEmpty());  // an empty batch changes nothing
  d.Add(2, 1);
  EXPECT_THAT(d.Batch(), ElementsAre("-U k2 2 | 3 | 3", "+U k2 3 | 4 | 3"));
  EXPECT_EQ(d.state().groups(), 3u);
}

// Flink emits nothing for a key whose aggregate values did not change.
TEST(GroupAggregate, UnchangedValuesEmitNothing) {
  std::vector<std::unique_ptr<AggregateFunction>> aggs;
  aggs.push_back(std::move(MakeAggregate(AggKind::kMax, sql::DataType::BigInt())).value());
  auto op = std::move(GroupAggregateOperator::Make(std::move(aggs))).value();
  std::vector<RowKind> kinds;
  RecordBatchBuilder out(op->output_schema());
  auto st = op->NewState();
  Column v(sql::DataType::BigInt());
  const Column* args[] = {&v};
  const uint32_t keys[] = {4, 4};
  v.AppendInt64(9);
  v.AppendInt64(2);
  op->ProcessBatch(*st, GroupAggInput{keys, args, 2}, out, &kinds);
  ASSERT_EQ(out.num_rows(), 1u);
  v.Clear();
  v.AppendInt64(5);  // below the max: MAX stays 9
  v.AppendNull();
  op->ProcessBatch(*st, GroupAggInput{keys, args, 2}, out, &kinds);
  EXPECT_EQ(out.num_rows(), 1u);
  v.Clear();
  v.AppendInt64(12);
  op->ProcessBatch(*st, GroupAggInput{keys, args, 1}, out, &kinds);
  ASSERT_EQ(out.num_rows(), 3u);
  EXPECT_EQ(out.batch().RowToString(1), "[4, 9]");
  EXPECT_EQ(out.batch().RowToString(2), "[4, 12]");
  EXPECT_THAT(kinds, ElementsAre(RowKind::kInsert, RowKind::kUpdateBefore, RowKind::kUpdateAfter));
}

TEST(GroupAggregate, WithoutUpdateBefore) {
  auto op = CountSumMax(/*emit_update_before=*/false);
  GroupDriver d(*op);
  d.Add(0, 1);
  EXPECT_THAT(d.Batch(), ElementsAre("+I k0 1 | 1 | 1"));
  d.Add(0, 1);
  EXPECT_THAT(d.Batch(), ElementsAre("+U k0 2 | 2 | 1"));
}

TEST(GroupAggregate, SnapshotRestoreMidStreamGivesIdenticalOutput) {
  auto op = CountSumMax();
  auto run = [&](bool restore) {
    GroupDriver d(*op);
    std::mt19937 rng(3);
    std::vector<std::string> out;
    for (int batch = 0; batch < 30; ++batch) {
      for (int i = 0; i < 20; ++i) {
        const uint32_t key = rng() % 12;
        d.Add(key, rng() % 4 == 0 ? std::optional<int64_t>() : std::optional<int64_t>(rng() % 50));
      }
      for (auto& s : d.Batch()) out.push_back(s);
      if (restore && batch % 4 == 2) {
        std::string snap;
        op->Snapshot(d.state(), snap);
        d.state_ptr() = op->NewState();
        Status s = op->Restore(d.state(), snap);
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    }
    return out;
  };
  auto a = run(false);
  auto b = run(true);
  EXPECT_GT(a.size(), 100u);
  EXPECT_EQ(a, b);
}

TEST(GroupAggregate, RestoreRejectsAnotherPlanOrDamage) {
  auto op = CountSumMax();
  GroupDriver d(*op);
  d.Add(3, 1);
  d.Batch();
  std::string snap;
  op->Snapshot(d.state(), snap);
  auto two = CountSumMax(true, /*with_max=*/false);
  auto st = two->NewState();
  EXPECT_THAT(two->Restore(*st, snap).ToString(), HasSubstr("has 3 aggregates, the plan has 2"));
  auto st2 = op->NewState();
  EXPECT_EQ(op->Restore(*st2, snap.substr(0, snap.size() - 1)).code(), Status::Code::kCorruption);
  EXPECT_EQ(op->Restore(*st2, snap + "x").code(), Status::Code::kCorruption);
  ASSERT_TRUE(op->Restore(*st2, snap).ok());
  EXPECT_EQ(st2->groups(), 1u);
}

TEST(GroupAggregate, MemoryGrowsWithKeysNotRows) {
  auto op = CountSumMax();
  GroupDriver d(*op);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5000; ++i) d.Add(i % 10, i);
    d.Batch();
  }
  const size_t ten_keys = d.state().MemoryUsage();
  for (int i = 0; i < 5000; ++i) d.Add(i % 10, i);
  d.Batch();
  EXPECT_EQ(d.state().MemoryUsage(), ten_keys);
  for (int i = 0; i < 5000; ++i) d.Add(i, i);
  d.Batch();
  EXPECT_GT(d.state().MemoryUsage(), ten_keys);
  EXPECT_EQ(d.state().groups(), 5000u);
}

}  // namespace
}  // namespace fluxgate::runtime
