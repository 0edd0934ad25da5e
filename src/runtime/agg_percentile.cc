// PERCENTILE_APPROX(x, p): the p-quantile of the non-NULL values, DOUBLE, from a DDSketch
// (relative error <= 1% of the exact interpolated percentile; see dd_sketch.h). Exact
// PERCENTILE (Flink 2.0) needs every value; this keeps a few KB per group instead.
#include <cmath>

#include "runtime/agg_common.h"
#include "runtime/dd_sketch.h"

namespace fluxgate::runtime::agg {
namespace {

class Percentile final : public PlacedAggregate<DDSketch> {
 public:
  Percentile(sql::DataType input, double p)
      : PlacedAggregate(AggKind::kPercentileApprox, input, sql::DataType::Double()), p_(p) {}

  void Update(std::byte* const* groups, size_t off, const Column* arg, const uint32_t* rows,
              size_t n) const override {
    switch (arg->physical()) {
      case PhysicalType::kDouble:
        ForEachValue<double, DDSketch>(groups, off, *arg, rows, n,
                                       [](DDSketch& s, double v) { s.Add(v); });
        break;
      case PhysicalType::kInt64:
        ForEachValue<int64_t, DDSketch>(groups, off, *arg, rows, n, [](DDSketch& s, int64_t v) {
          s.Add(static_cast<double>(v));
        });
        break;
      case PhysicalType::kDecimal: {
        const double unit = std::pow(10.0, input_type().scale);
        ForEachValue<int128, DDSketch>(groups, off, *arg, rows, n, [unit](DDSketch& s, int128 v) {
          s.Add(static_cast<double>(v) / unit);
        });
        break;
      }
      default:
        break;
    }
  }
  void Merge(std::byte* dst, const std::byte* src) const override { S(dst).Merge(S(src)); }
  void Finalize(const std::byte* s, Column& out) const override {
    if (S(s).count() == 0) {
      out.AppendNull();
    } else {
      out.AppendDouble(S(s).Quantile(p_));
    }
  }
  void Serialize(const std::byte* s, std::string& out) const override {
    WriteHeader(*this, out);
    S(s).Serialize(out);
  }
  Status Restore(std::string_view& in, std::byte* s) const override {
    FG_RETURN_IF_ERROR(ReadHeader(*this, in));
    return S(s).Restore(in) ? Status::Ok() : Truncated(*this);
  }
  size_t MemoryUsage(const std::byte* s) const override { return S(s).MemoryUsage(); }

 private:
  double p_;
};

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakePercentile(sql::DataType input, double p) {
  if (!input.IsNumeric()) {
    return Status::InvalidArgument("PERCENTILE_APPROX does not accept " + input.ToString());
  }
  if (!(p >= 0 && p <= 1)) {
    return Status::InvalidArgument("PERCENTILE_APPROX percentage must be between 0 and 1");
  }
  return std::unique_ptr<AggregateFunction>(std::make_unique<Percentile>(input, p));
}

}  // namespace fluxgate::runtime::agg
