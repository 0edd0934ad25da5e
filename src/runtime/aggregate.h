// Aggregate functions: immutable definitions that operate on state blocks they do not own.
//
// An operator lays the states of all its aggregates out in one fixed-size block per group
// (key, window) at offsets it computes from state_size()/state_align(); the function
// Init()s, updates, merges, finalises, serialises and Destroy()s the state in place.
// Update() takes a whole batch (one virtual call per batch and aggregate, a typed loop
// inside), so the hot path has no per-record dispatch.
//
// SQL semantics (reference §5): NULL inputs are skipped; an aggregate over no non-NULL
// input is NULL, except COUNT which is 0. Result types follow Flink: SUM/AVG keep the input
// type (AVG on INT truncates toward zero), DECIMAL sums widen to DECIMAL(38, s).
// Every state is mergeable (hop/session merges, parallel partials) and serialises to
// bytes led by a version byte, the aggregate kind and the input type, which Restore()
// checks so a checkpoint taken with a different plan fails with a clear message.
// Definitions are immutable and thread-safe; a state block belongs to one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "runtime/column.h"

namespace fluxgate::runtime {

enum class AggKind : uint8_t {
  kCountStar,
  kCount,
  kCountDistinct,
  kSum,
  kAvg,
  kMin,
  kMax,
  kStddevPop,
  kStddevSamp,
  kVarPop,
  kVarSamp,
  kFirstValue,
  kLastValue,
  kPercentileApprox,
};

const char* AggKindName(AggKind kind);

class AggregateFunction {
 public:
  AggregateFunction(AggKind kind, sql::DataType input, sql::DataType result, size_t size,
                    size_t align)
      : kind_(kind), input_(input), result_(result), size_(size), align_(align) {}
  virtual ~AggregateFunction() = default;

  AggKind kind() const { return kind_; }
  const sql::DataType& input_type() const { return input_; }
  const sql::DataType& result_type() const { return result_; }
  size_t state_size() const { return size_; }
  size_t state_align() const { return align_; }
  // "AVG(DOUBLE)"
  std::string Name() const;

  virtual void Init(std::byte* state) const = 0;
  // Releases memory a state owns (COUNT DISTINCT, string MIN/MAX, ...). Always call once
  // per Init(); a no-op for plain states.
  virtual void Destroy(std::byte* /*state*/) const {}
  // For i in [0, n): folds row rows[i] of `arg` into the state at groups[i] + offset.
  // `arg` is nullptr for COUNT(*). The same group may appear several times.
  virtual void Update(std::byte* const* groups, size_t offset, const Column* arg,
                      const uint32_t* rows, size_t n) const = 0;
  // dst := dst ⊕ src; src is left valid (caller destroys it).
  virtual void Merge(std::byte* dst, const std::byte* src) const = 0;
  // Appends the result (or NULL) to `out`, whose type is result_type().
  virtual void Finalize(const std::byte* state, Column& out) const = 0;
  virtual void Serialize(const std::byte* state, std::string& out) const = 0;
  // Reads what Serialize wrote from the front of `in` (advancing it) into an Init()ed state.
  virtual Status Restore(std::string_view& in, std::byte* state) const = 0;
  // Bytes this state holds, including owned heap memory.
  virtual size_t MemoryUsage(const std::byte* /*state*/) const { return size_; }

 private:
  AggKind kind_;
  sql::DataType input_;
  sql::DataType result_;
  size_t size_;
  size_t align_;
};

// Builds an aggregate over `input` (ignored for COUNT(*)). `param` is the percentile in
// [0, 1] for kPercentileApprox. InvalidArgument for unsupported input types.
Result<std::unique_ptr<AggregateFunction>> MakeAggregate(AggKind kind, sql::DataType input,
                                                         double param = 0);

}  // namespace fluxgate::runtime
