// Internal: aggregates whose state is one remembered input value (MIN, MAX, FIRST_VALUE,
// LAST_VALUE). Policy::Replace(has, current, candidate) decides whether a candidate (a
// newer input, or the other side of a merge) replaces the current value.
#pragma once

#include <string>

#include "runtime/agg_common.h"

namespace fluxgate::runtime::agg {

template <class T>
struct ValueState {
  typename Stored<T>::type v{};
  bool has = false;
};

template <class T, class Policy>
class ValueAggregate final : public PlacedAggregate<ValueState<T>> {
  using Base = PlacedAggregate<ValueState<T>>;
  using St = ValueState<T>;

 public:
  ValueAggregate(AggKind kind, sql::DataType input) : Base(kind, input, input) {}

  void Update(std::byte* const* groups, size_t off, const Column* arg, const uint32_t* rows,
              size_t n) const override {
    ForEachValue<T, St>(groups, off, *arg, rows, n, [](St& st, T v) {
      if (!st.has || Policy::Replace(T(st.v), v)) {
        st.v = typename Stored<T>::type(v);
        st.has = true;
      }
    });
  }
  void Merge(std::byte* dst, const std::byte* src) const override {
    St& d = Base::S(dst);
    const St& s = Base::S(src);
    if (s.has && (!d.has || Policy::Replace(T(d.v), T(s.v)))) {
      d.v = s.v;
      d.has = true;
    }
  }
  void Finalize(const std::byte* s, Column& out) const override {
    const St& st = Base::S(s);
    if (!st.has) {
      out.AppendNull();
    } else {
      AppendValue(out, T(st.v));
    }
  }
  void Serialize(const std::byte* s, std::string& out) const override {
    WriteHeader(*this, out);
    const St& st = Base::S(s);
    Put<uint8_t>(out, st.has);
    if constexpr (std::is_same_v<T, std::string_view>) {
      PutString(out, st.v);
    } else {
      Put(out, st.v);
    }
  }
  Status Restore(std::string_view& in, std::byte* s) const override {
    FG_RETURN_IF_ERROR(ReadHeader(*this, in));
    St& st = Base::S(s);
    uint8_t has = 0;
    bool ok = Get(in, &has);
    if constexpr (std::is_same_v<T, std::string_view>) {
      ok = ok && GetString(in, &st.v);
    } else {
      ok = ok && Get(in, &st.v);
    }
    st.has = has != 0;
    return ok ? Status::Ok() : Truncated(*this);
  }
  size_t MemoryUsage(const std::byte* s) const override {
    if constexpr (std::is_same_v<T, std::string_view>) {
      const St& st = Base::S(s);
      return sizeof(St) + (st.v.capacity() > 15 ? st.v.capacity() : 0);
    }
    return sizeof(St);
  }
};

// Instantiates ValueAggregate for the input's physical type.
template <class Policy>
Result<std::unique_ptr<AggregateFunction>> MakeValueAggregate(AggKind kind, sql::DataType input) {
  switch (PhysicalTypeOf(input)) {
    case PhysicalType::kInt64:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<ValueAggregate<int64_t, Policy>>(kind, input));
    case PhysicalType::kDouble:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<ValueAggregate<double, Policy>>(kind, input));
    case PhysicalType::kDecimal:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<ValueAggregate<int128, Policy>>(kind, input));
    case PhysicalType::kBool:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<ValueAggregate<bool, Policy>>(kind, input));
    case PhysicalType::kString:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<ValueAggregate<std::string_view, Policy>>(kind, input));
  }
  return Status::InvalidArgument("unsupported type");
}

}  // namespace fluxgate::runtime::agg
