// SUM and AVG. Both keep a running sum and a count of non-NULL inputs.
//   SUM: the input type (INT wraps at 32 bits, BIGINT at 64, as Java does); DECIMAL(p, s)
//        -> DECIMAL(38, s).
//   AVG: integer inputs -> the input type, sum / count truncated toward zero (AVG of INT
//        1 and 2 is 1); DOUBLE -> DOUBLE; DECIMAL(p, s) -> DECIMAL(38, max(6, s)) rounded
//        HALF_UP.
#include <algorithm>

#include "runtime/agg_common.h"
#include "runtime/decimal.h"

namespace fluxgate::runtime::agg {
namespace {

template <class T>
struct SumState {
  T sum = 0;
  int64_t count = 0;
};

template <class T>
class SumAvg final : public AggregateFunction {
 public:
  SumAvg(AggKind kind, sql::DataType input, sql::DataType result)
      : AggregateFunction(kind, input, result, sizeof(SumState<T>), alignof(SumState<T>)) {}

  void Init(std::byte* s) const override { new (s) SumState<T>(); }
  void Update(std::byte* const* groups, size_t off, const Column* arg, const uint32_t* rows,
              size_t n) const override {
    ForEachValue<T, SumState<T>>(groups, off, *arg, rows, n, [](SumState<T>& st, T v) {
      if constexpr (std::is_same_v<T, int64_t>) {
        // Wrapping addition without signed-overflow UB.
        st.sum = static_cast<int64_t>(static_cast<uint64_t>(st.sum) + static_cast<uint64_t>(v));
      } else {
        st.sum += v;
      }
      ++st.count;
    });
  }
  void Merge(std::byte* dst, const std::byte* src) const override {
    S(dst).sum += S(src).sum;
    S(dst).count += S(src).count;
  }
  void Finalize(const std::byte* s, Column& out) const override {
    const SumState<T>& st = S(s);
    if (st.count == 0) {
      out.AppendNull();
      return;
    }
    const bool avg = kind() == AggKind::kAvg;
    if constexpr (std::is_same_v<T, int64_t>) {
      int64_t v = avg ? st.sum / st.count : st.sum;
      if (input_type().kind == sql::TypeKind::kInt) v = static_cast<int32_t>(v);
      out.AppendInt64(v);
    } else if constexpr (std::is_same_v<T, double>) {
      out.AppendDouble(avg ? st.sum / static_cast<double>(st.count) : st.sum);
    } else {
      if (!avg) {
        out.AppendDecimal(st.sum);
        return;
      }
      int128 scaled = RescaleDecimal(st.sum, input_type().scale, result_type().scale);
      out.AppendDecimal(DivideRoundHalfUp(scaled, st.count));
    }
  }
  void Serialize(const std::byte* s, std::string& out) const override {
    WriteHeader(*this, out);
    Put(out, S(s).sum);
    Put(out, S(s).count);
  }
  Status Restore(std::string_view& in, std::byte* s) const override {
    FG_RETURN_IF_ERROR(ReadHeader(*this, in));
    return Get(in, &S(s).sum) && Get(in, &S(s).count) ? Status::Ok() : Truncated(*this);
  }

 private:
  static SumState<T>& S(std::byte* s) { return *reinterpret_cast<SumState<T>*>(s); }
  static const SumState<T>& S(const std::byte* s) {
    return *reinterpret_cast<const SumState<T>*>(s);
  }
};

Result<std::unique_ptr<AggregateFunction>> Make(AggKind kind, sql::DataType input) {
  sql::DataType result = input;
  switch (input.kind) {
    case sql::TypeKind::kInt:
    case sql::TypeKind::kBigInt:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<SumAvg<int64_t>>(kind, input, result));
    case sql::TypeKind::kDouble:
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<SumAvg<double>>(kind, input, result));
    case sql::TypeKind::kDecimal:
      result = sql::DataType::Decimal(
          38, kind == AggKind::kAvg ? std::max(6, input.scale) : input.scale);
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<SumAvg<int128>>(kind, input, result));
    default:
      return Status::InvalidArgument(std::string(AggKindName(kind)) + " does not accept " +
                                     input.ToString());
  }
}

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakeSum(sql::DataType input) {
  return Make(AggKind::kSum, input);
}
Result<std::unique_ptr<AggregateFunction>> MakeAvg(sql::DataType input) {
  return Make(AggKind::kAvg, input);
}

}  // namespace fluxgate::runtime::agg
