// VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP with Welford's online update and Chan et
// al.'s pairwise merge, so large offsets (sensor values around 1e6 with small spread) do
// not cancel catastrophically as the textbook SUM(x*x) - SUM(x)^2/n rewrite can.
// Result type follows the input, as Flink's rewrite does: DOUBLE -> DOUBLE; INT/BIGINT ->
// the input type (truncated toward zero); DECIMAL(p, s) -> DECIMAL(38, s) (HALF_UP).
// _SAMP over one row is NULL; any variant over no rows is NULL.
#include <cmath>

#include "runtime/agg_common.h"
#include "runtime/decimal.h"

namespace fluxgate::runtime::agg {
namespace {

struct Moments {
  int64_t n = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean
  void Add(double x) {
    ++n;
    double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
  }
};

class Variance final : public AggregateFunction {
 public:
  Variance(AggKind kind, sql::DataType input, sql::DataType result)
      : AggregateFunction(kind, input, result, sizeof(Moments), alignof(Moments)) {}

  void Init(std::byte* s) const override { new (s) Moments(); }
  void Update(std::byte* const* groups, size_t off, const Column* arg, const uint32_t* rows,
              size_t n) const override {
    switch (arg->physical()) {
      case PhysicalType::kDouble:
        ForEachValue<double, Moments>(groups, off, *arg, rows, n,
                                      [](Moments& m, double v) { m.Add(v); });
        break;
      case PhysicalType::kInt64:
        ForEachValue<int64_t, Moments>(groups, off, *arg, rows, n, [](Moments& m, int64_t v) {
          m.Add(static_cast<double>(v));
        });
        break;
      case PhysicalType::kDecimal: {
        const double unit = std::pow(10.0, input_type().scale);
        ForEachValue<int128, Moments>(groups, off, *arg, rows, n, [unit](Moments& m, int128 v) {
          m.Add(static_cast<double>(v) / unit);
        });
        break;
      }
      default:
        break;
    }
  }
  void Merge(std::byte* dst, const std::byte* src) const override {
    Moments& a = M(dst);
    const Moments& b = M(src);
    if (b.n == 0) return;
    if (a.n == 0) {
      a = b;
      return;
    }
    const double na = static_cast<double>(a.n), nb = static_cast<double>(b.n);
    const double delta = b.mean - a.mean;
    const double n = na + nb;
    a.mean += delta * nb / n;
    a.m2 += b.m2 + delta * delta * na * nb / n;
    a.n += b.n;
  }
  void Finalize(const std::byte* s, Column& out) const override {
    const Moments& m = M(s);
    const bool samp = kind() == AggKind::kVarSamp || kind() == AggKind::kStddevSamp;
    if (m.n == 0 || (samp && m.n == 1)) {
      out.AppendNull();
      return;
    }
    double var = std::max(0.0, m.m2) / static_cast<double>(samp ? m.n - 1 : m.n);
    double r =
        (kind() == AggKind::kStddevPop || kind() == AggKind::kStddevSamp) ? std::sqrt(var) : var;
    switch (result_type().kind) {
      case sql::TypeKind::kDouble:
        out.AppendDouble(r);
        break;
      case sql::TypeKind::kDecimal:
        out.AppendDecimal(
            static_cast<int128>(std::llround(r * std::pow(10.0, result_type().scale))));
        break;
      default:
        out.AppendInt64(static_cast<int64_t>(r));
        break;
    }
  }
  void Serialize(const std::byte* s, std::string& out) const override {
    WriteHeader(*this, out);
    Put(out, M(s));
  }
  Status Restore(std::string_view& in, std::byte* s) const override {
    FG_RETURN_IF_ERROR(ReadHeader(*this, in));
    return Get(in, &M(s)) ? Status::Ok() : Truncated(*this);
  }

 private:
  static Moments& M(std::byte* s) { return *reinterpret_cast<Moments*>(s); }
  static const Moments& M(const std::byte* s) { return *reinterpret_cast<const Moments*>(s); }
};

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakeVariance(AggKind kind, sql::DataType input) {
  sql::DataType result = input;
  switch (input.kind) {
    case sql::TypeKind::kInt:
    case sql::TypeKind::kBigInt:
    case sql::TypeKind::kDouble:
      break;
    case sql::TypeKind::kDecimal:
      result = sql::DataType::Decimal(38, input.scale);
      break;
    default:
      return Status::InvalidArgument(std::string(AggKindName(kind)) + " does not accept " +
                                     input.ToString());
  }
  return std::unique_ptr<AggregateFunction>(std::make_unique<Variance>(kind, input, result));
}

}  // namespace fluxgate::runtime::agg
