#include "runtime/aggregate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "runtime/record_batch.h"
#include "runtime/state_arena.h"

namespace fluxgate::runtime {
namespace {

using sql::DataType;

// Runs one aggregate over a column (optionally split in two partials that are merged) and
// returns the result as text.
class Harness {
 public:
  Harness(AggKind kind, DataType type, double param = 0)
      : f_(std::move(MakeAggregate(kind, type, param)).value()),
        a_(f_->state_size()),
        b_(f_->state_size()) {
    f_->Init(a_.data());
    f_->Init(b_.data());
  }
  ~Harness() {
    f_->Destroy(a_.data());
    f_->Destroy(b_.data());
  }
  void Feed(const Column& c, bool second = false) {
    std::vector<std::byte*> groups(c.size(), second ? b_.data() : a_.data());
    std::vector<uint32_t> rows(c.size());
    for (uint32_t i = 0; i < rows.size(); ++i) rows[i] = i;
    f_->Update(groups.data(), 0, &c, rows.data(), c.size());
  }
  std::string Result(bool merge_second = false) {
    if (merge_second) f_->Merge(a_.data(), b_.data());
    Column out(f_->result_type());
    f_->Finalize(a_.data(), out);
    auto schema = std::make_shared<Schema>(std::vector<Field>{{"r", f_->result_type()}});
    RecordBatchBuilder bb(schema);
    f_->Finalize(a_.data(), bb.column(0));
    bb.CommitRow();
    return bb.batch().ValueToString(0, 0);
  }
  const AggregateFunction& f() const { return *f_; }
  std::byte* state() { return a_.data(); }

 private:
  std::unique_ptr<AggregateFunction> f_;
  alignas(16) std::vector<std::byte> a_, b_;
};

Column Ints(std::initializer_list<std::optional<int64_t>> v, DataType t = DataType::Int()) {
  Column c(t);
  for (auto x : v) x ? c.AppendInt64(*x) : c.AppendNull();
  return c;
}
Column Doubles(std::initializer_list<std::optional<double>> v) {
  Column c(DataType::Double());
  for (auto x : v) x ? c.AppendDouble(*x) : c.AppendNull();
  return c;
}

std::string Agg(AggKind k, const Column& c, double p = 0) {
  Harness h(k, c.type(), p);
  h.Feed(c);
  return h.Result();
}

TEST(Aggregates, NullsAndEmptyGroups) {
  Column empty = Ints({});
  Column nulls = Ints({std::nullopt, std::nullopt});
  for (AggKind k : {AggKind::kSum, AggKind::kAvg, AggKind::kMin, AggKind::kMax, AggKind::kVarPop,
                    AggKind::kStddevSamp, AggKind::kFirstValue, AggKind::kLastValue}) {
    EXPECT_EQ(Agg(k, empty), "NULL") << AggKindName(k);
    EXPECT_EQ(Agg(k, nulls), "NULL") << AggKindName(k);
  }
  EXPECT_EQ(Agg(AggKind::kCount, empty), "0");
  EXPECT_EQ(Agg(AggKind::kCount, nulls), "0");
  EXPECT_EQ(Agg(AggKind::kCountStar, nulls), "2");
  EXPECT_EQ(Agg(AggKind::kCountDistinct, nulls), "0");
  EXPECT_EQ(Agg(AggKind::kPercentileApprox, Doubles({std::nullopt}), 0.5), "NULL");
}

TEST(Aggregates, CountSumAvgMinMax) {
  Column c = Ints({3, std::nullopt, 1, 2, 2});
  EXPECT_EQ(Agg(AggKind::kCount, c), "4");
  EXPECT_EQ(Agg(AggKind::kCountStar, c), "5");
  EXPECT_EQ(Agg(AggKind::kCountDistinct, c), "3");
  EXPECT_EQ(Agg(AggKind::kSum, c), "8");
  EXPECT_EQ(Agg(AggKind::kAvg, c), "2");  // 8 / 4
  EXPECT_EQ(Agg(AggKind::kMin, c), "1");
  EXPECT_EQ(Agg(AggKind::kMax, c), "3");
  EXPECT_EQ(Agg(AggKind::kFirstValue, Ints({std::nullopt, 5, 6})), "5");  // NULLs ignored
  EXPECT_EQ(Agg(AggKind::kLastValue, Ints({5, 6, std::nullopt})), "6");
}

TEST(Aggregates, AvgOnIntTruncatesLikeFlink) {
  EXPECT_EQ(Agg(AggKind::kAvg, Ints({1, 2})), "1");
  EXPECT_EQ(Agg(AggKind::kAvg, Ints({-1, -2})), "-1");  // toward zero
  EXPECT_EQ(Agg(AggKind::kAvg, Ints({1, 2}, DataType::BigInt())), "1");
  EXPECT_EQ(Agg(AggKind::kAvg, Doubles({1, 2})), "1.5");
  Harness h(AggKind::kAvg, DataType::Int());
  EXPECT_EQ(h.f().result_type().kind, sql::TypeKind::kInt);
}

TEST(Aggregates, SumIntWrapsAt32Bits) {
  EXPECT_EQ(Agg(AggKind::kSum, Ints({2147483647, 1})), "-2147483648");
  // AVG sums in 64 bits first (Flink: BIGINT sum, then cast), so it does not wrap.
  EXPECT_EQ(Agg(AggKind::kAvg, Ints({2147483647, 2147483647})), "2147483647");
}

TEST(Aggregates, DecimalSumAndAvg) {
  Column c(DataType::Decimal(10, 2));
  c.AppendDecimal(100);  // 1.00
  c.AppendDecimal(201);  // 2.01
  c.AppendDecimal(0);
  Harness s(AggKind::kSum, c.type());
  s.Feed(c);
  EXPECT_EQ(s.f().result_type().ToString(), "DECIMAL(38, 2)");
  EXPECT_EQ(s.Result(), "3.01");
  Harness a(AggKind::kAvg, c.type());
  a.Feed(c);
  EXPECT_EQ(a.f().result_type().ToString(), "DECIMAL(38, 6)");
  EXPECT_EQ(a.Result(), "1.003333");
}

TEST(Aggregates, StddevAndVarianceOnKnownData) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4, stddev 2.
  Column c = Doubles({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(Agg(AggKind::kVarPop, c), "4.0");
  EXPECT_EQ(Agg(AggKind::kStddevPop, c), "2.0");
  EXPECT_DOUBLE_EQ(std::stod(Agg(AggKind::kVarSamp, c)), 32.0 / 7);
  EXPECT_EQ(Agg(AggKind::kStddevSamp, Doubles({1})), "NULL");
  EXPECT_EQ(Agg(AggKind::kVarPop, Doubles({1})), "0.0");
  // Large offset: the naive sum-of-squares formula loses everything here.
  Column big = Doubles({1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16});
  EXPECT_DOUBLE_EQ(std::stod(Agg(AggKind::kVarSamp, big)), 30.0);
  // Integer input keeps the integer type (truncated), as Flink's rewrite does.
  EXPECT_EQ(Agg(AggKind::kVarSamp, Ints({1, 2, 3, 4})), "1");  // 1.666...
}

TEST(Aggregates, MergeEqualsSinglePass) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n(50, 10);
  for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kAvg, AggKind::kMin, AggKind::kMax,
                    AggKind::kVarSamp, AggKind::kStddevPop, AggKind::kCountDistinct,
                    AggKind::kFirstValue, AggKind::kLastValue, AggKind::kPercentileApprox}) {
    Column all(DataType::Double()), x(DataType::Double()), y(DataType::Double());
    for (int i = 0; i < 1000; ++i) {
      double v = std::round(n(rng) * 100) / 100;
      all.AppendDouble(v);
      (i < 400 ? x : y).AppendDouble(v);
    }
    Harness one(k, DataType::Double(), 0.9), two(k, DataType::Double(), 0.9);
    one.Feed(all);
    two.Feed(x);
    two.Feed(y, /*second=*/true);
    std::string a = one.Result(), b = two.Result(/*merge_second=*/true);
    if (k == AggKind::kVarSamp || k == AggKind::kStddevPop || k == AggKind::kAvg ||
        k == AggKind::kSum) {
      EXPECT_NEAR(std::stod(a), std::stod(b), 1e-9 * std::fabs(std::stod(a))) << AggKindName(k);
    } else {
      EXPECT_EQ(a, b) << AggKindName(k);
    }
  }
}

TEST(Aggregates, StringsMinMaxFirstLastDistinct) {
  Column c(DataType::String());
  for (const char* s : {"pressure", "a-very-long-string-beyond-sso", "temperature", "pressure"}) {
    c.AppendString(s);
  }
  EXPECT_EQ(Agg(AggKind::kMin, c), "a-very-long-string-beyond-sso");
  EXPECT_EQ(Agg(AggKind::kMax, c), "temperature");
  EXPECT_EQ(Agg(AggKind::kFirstValue, c), "pressure");
  EXPECT_EQ(Agg(AggKind::kCountDistinct, c), "3");
}

TEST(Aggregates, PercentileErrorBound) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(3, 1.5);
  std::vector<double> v;
  Column c(DataType::Double());
  for (int i = 0; i < 20000; ++i) {
    v.push_back(dist(rng));
    c.AppendDouble(v.back());
  }
  std::sort(v.begin(), v.end());
  for (double p : {0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    double r = p * (v.size() - 1);
    size_t lo = static_cast<size_t>(std::floor(r));
    size_t hi = static_cast<size_t>(std::ceil(r));
    double exact = v[lo] + (v[hi] - v[lo]) * (r - lo);
    double approx = std::stod(Agg(AggKind::kPercentileApprox, c, p));
    EXPECT_LE(std::fabs(approx - exact), 0.01 * exact + 1e-12) << "p=" << p;
  }
  Harness h(AggKind::kPercentileApprox, DataType::Double(), 0.99);
  h.Feed(c);
  EXPECT_LT(h.f().MemoryUsage(h.state()), 16 * 1024u);  // a few KB, not 20000 values
  EXPECT_FALSE(MakeAggregate(AggKind::kPercentileApprox, DataType::Double(), 1.5).ok());
  EXPECT_FALSE(MakeAggregate(AggKind::kPercentileApprox, DataType::String(), 0.5).ok());
}

TEST(Aggregates, SerializeRestoreRoundTrip) {
  Column d = Doubles({3.5, 1.25, std::nullopt, 9});
  Column s(DataType::String());
  s.AppendString("x");
  s.AppendString("yy");
  for (AggKind k :
       {AggKind::kCountStar, AggKind::kCount, AggKind::kSum, AggKind::kAvg, AggKind::kMin,
        AggKind::kMax, AggKind::kVarSamp, AggKind::kStddevPop, AggKind::kFirstValue,
        AggKind::kLastValue, AggKind::kCountDistinct, AggKind::kPercentileApprox}) {
    for (const Column* c : {&d, &s}) {
      if (c == &s && (k == AggKind::kSum || k == AggKind::kAvg || k == AggKind::kVarSamp ||
                      k == AggKind::kStddevPop || k == AggKind::kPercentileApprox)) {
        continue;
      }
      Harness h(k, c->type(), 0.5);
      h.Feed(*c);
      std::string bytes;
      h.f().Serialize(h.state(), bytes);
      EXPECT_EQ(bytes[0], 1) << "version byte";
      Harness back(k, c->type(), 0.5);
      std::string_view in = bytes;
      ASSERT_TRUE(back.f().Restore(in, back.state()).ok()) << h.f().Name();
      EXPECT_TRUE(in.empty());
      EXPECT_EQ(back.Result(), h.Result()) << h.f().Name();
      // Truncated input fails cleanly.
      std::string_view cut(bytes.data(), bytes.size() - 1);
      Harness bad(k, c->type(), 0.5);
      EXPECT_FALSE(bad.f().Restore(cut, bad.state()).ok()) << h.f().Name();
    }
  }
}

TEST(Aggregates, RestoreRejectsShapeMismatch) {
  Harness h(AggKind::kMax, DataType::Double());
  h.Feed(Doubles({1}));
  std::string bytes;
  h.f().Serialize(h.state(), bytes);
  Harness other(AggKind::kMax, DataType::BigInt());
  std::string_view in = bytes;
  Status s = other.f().Restore(in, other.state());
  EXPECT_EQ(s.message(),
            "checkpointed state does not match the plan: expected MAX(BIGINT), found MAX(DOUBLE)");
  bytes[0] = 9;
  in = bytes;
  Harness same(AggKind::kMax, DataType::Double());
  s = same.f().Restore(in, same.state());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(),
            "checkpointed state of MAX(DOUBLE) has version 9, this build reads version 1");
}

TEST(Aggregates, ReportedMemory) {
  Harness h(AggKind::kAvg, DataType::Double());
  EXPECT_EQ(h.f().MemoryUsage(h.state()), 16u);
  Harness d(AggKind::kCountDistinct, DataType::BigInt());
  size_t before = d.f().MemoryUsage(d.state());
  Column c(DataType::BigInt());
  for (int i = 0; i < 100; ++i) c.AppendInt64(i);
  d.Feed(c);
  EXPECT_GT(d.f().MemoryUsage(d.state()), before + 100 * 32);
}

TEST(StateArena, ReusesFreedBlocksAndKeepsAddresses) {
  StateArena a(24);
  EXPECT_EQ(a.block_size(), 32u);
  std::byte* x = a.Allocate();
  std::byte* y = a.Allocate();
  EXPECT_EQ(y - x, 32);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(x) % 16, 0u);
  a.Free(x);
  EXPECT_EQ(a.Allocate(), x);
  EXPECT_EQ(a.live_blocks(), 2u);
}

}  // namespace
}  // namespace fluxgate::runtime
