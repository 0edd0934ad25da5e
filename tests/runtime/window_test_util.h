// Helpers for window operator tests: rows of (key, event time, value) and readable output.
#pragma once

#include <string>
#include <vector>

#include "runtime/session_aggregate.h"
#include "runtime/timestamp_text.h"
#include "runtime/window_aggregate.h"

namespace fluxgate::runtime::testing {

// 2026-11-25 hh:mm:ss.mmm as epoch ms.
inline int64_t T(int h, int m, int s = 0, int ms = 0) {
  return (DaysFromCivil(2026, 11, 25) * 86400 + h * 3600 + m * 60 + s) * 1000 + ms;
}
inline int64_t Min(int64_t n) { return n * 60'000; }

struct Rows {
  std::vector<uint32_t> keys;
  std::vector<int64_t> ts;
  Column value{sql::DataType::Double()};
  void Add(uint32_t key, int64_t t, double v) {
    keys.push_back(key);
    ts.push_back(t);
    value.AppendDouble(v);
  }
  void AddNull(uint32_t key, int64_t t) {
    keys.push_back(key);
    ts.push_back(t);
    value.AppendNull();
  }
};

// Builds the aggregates COUNT(*), SUM(value) by default.
inline std::vector<std::unique_ptr<AggregateFunction>> CountSum() {
  std::vector<std::unique_ptr<AggregateFunction>> a;
  a.push_back(std::move(MakeAggregate(AggKind::kCountStar, sql::DataType{})).value());
  a.push_back(std::move(MakeAggregate(AggKind::kSum, sql::DataType::Double())).value());
  return a;
}

// Drives an operator (window or session) and renders output as text lines
// "+I k0 [10:00:00.000, 10:05:00.000) 2 | 3.5".
template <class Op, class State>
class Driver {
 public:
  explicit Driver(const Op& op) : op_(op), state_(op.NewState()), out_(op.output_schema()) {}

  std::vector<std::string> Feed(Rows& rows) {
    std::vector<const Column*> args(op_.output_schema()->size() - 3, &rows.value);
    args[0] = nullptr;  // COUNT(*)
    WindowAggInput in{rows.keys.data(), rows.ts.data(), args.data(), nullptr, rows.keys.size()};
    std::vector<LateRecord> late;
    op_.ProcessBatch(*state_, in, &late);
    std::vector<std::string> r;
    for (const auto& l : late) r.push_back("late row " + std::to_string(l.row) + ": " + l.Reason());
    rows = Rows();
    return r;
  }
  std::vector<std::string> Watermark(int64_t wm) {
    out_.Truncate(0);
    kinds_.clear();
    op_.OnWatermark(*state_, wm, out_, &kinds_);
    std::vector<std::string> r;
    const RecordBatch& b = out_.batch();
    for (size_t i = 0; i < b.num_rows(); ++i) {
      std::string s = kinds_[i] == RowKind::kInsert ? "+I k" : "+U k";
      s += b.ValueToString(0, i) + " [" + b.ValueToString(1, i).substr(11) + ", " +
           b.ValueToString(2, i).substr(11) + ")";
      for (size_t c = 3; c < b.num_columns(); ++c)
        s += (c == 3 ? " " : " | ") + b.ValueToString(c, i);
      r.push_back(s);
    }
    return r;
  }
  State& state() { return *state_; }

 private:
  const Op& op_;
  std::unique_ptr<State> state_;
  RecordBatchBuilder out_;
  std::vector<RowKind> kinds_;
};

using WindowDriver = Driver<WindowAggregateOperator, WindowAggregateState>;
using SessionDriver = Driver<SessionAggregateOperator, SessionAggregateState>;

}  // namespace fluxgate::runtime::testing
