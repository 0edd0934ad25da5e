// Internal helpers shared by the aggregate families (agg_*.cc).
#pragma once

#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "runtime/aggregate.h"

namespace fluxgate::runtime::agg {

inline constexpr uint8_t kStateVersion = 1;

// Calls f(state, value) for every non-NULL row; the branch on nulls is hoisted.
template <class T, class State, class F>
inline void ForEachValue(std::byte* const* groups, size_t offset, const Column& c,
                         const uint32_t* rows, size_t n, F&& f) {
  if (c.NoNulls()) {
    for (size_t i = 0; i < n; ++i) {
      f(*reinterpret_cast<State*>(groups[i] + offset), ColumnValue<T>(c, rows[i]));
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (c.IsNull(rows[i])) continue;
      f(*reinterpret_cast<State*>(groups[i] + offset), ColumnValue<T>(c, rows[i]));
    }
  }
}

// Fixed-width little-endian-as-host encoding (checkpoints are read back on the same
// architecture; the header's version byte guards the layout).
template <class T>
inline void Put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <class T>
inline bool Get(std::string_view& in, T* v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}
inline void PutString(std::string& out, std::string_view s) {
  Put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
inline bool GetString(std::string_view& in, std::string* s) {
  uint32_t n;
  if (!Get(in, &n) || in.size() < n) return false;
  s->assign(in.data(), n);
  in.remove_prefix(n);
  return true;
}

// Header: version, kind, input type kind.
void WriteHeader(const AggregateFunction& f, std::string& out);
Status ReadHeader(const AggregateFunction& f, std::string_view& in);
Status Truncated(const AggregateFunction& f);

// Appends a value of physical type T to `out`.
inline void AppendValue(Column& out, int64_t v) { out.AppendInt64(v); }
inline void AppendValue(Column& out, double v) { out.AppendDouble(v); }
inline void AppendValue(Column& out, int128 v) { out.AppendDecimal(v); }
inline void AppendValue(Column& out, bool v) { out.AppendBool(v); }
inline void AppendValue(Column& out, std::string_view v) { out.AppendString(v); }

// Storage for one value of physical type T inside a state (strings own their bytes).
template <class T>
struct Stored {
  using type = T;
};
template <>
struct Stored<std::string_view> {
  using type = std::string;
};

// A state that is a single C++ object placed in the block.
template <class State>
class PlacedAggregate : public AggregateFunction {
 public:
  PlacedAggregate(AggKind kind, sql::DataType input, sql::DataType result)
      : AggregateFunction(kind, input, result, sizeof(State), alignof(State)) {}
  void Init(std::byte* s) const override { new (s) State(); }
  void Destroy(std::byte* s) const override { reinterpret_cast<State*>(s)->~State(); }

 protected:
  static State& S(std::byte* s) { return *reinterpret_cast<State*>(s); }
  static const State& S(const std::byte* s) { return *reinterpret_cast<const State*>(s); }
};

// Factories of each family (agg_*.cc).
Result<std::unique_ptr<AggregateFunction>> MakeCount(AggKind kind, sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakeCountDistinct(sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakeSum(sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakeAvg(sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakeMinMax(AggKind kind, sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakeVariance(AggKind kind, sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakeFirstLast(AggKind kind, sql::DataType input);
Result<std::unique_ptr<AggregateFunction>> MakePercentile(sql::DataType input, double p);

}  // namespace fluxgate::runtime::agg
