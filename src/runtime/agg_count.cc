// COUNT(*) and COUNT(x): BIGINT NOT NULL, 0 over no rows.
#include "runtime/agg_common.h"

namespace fluxgate::runtime::agg {
namespace {

class Count final : public AggregateFunction {
 public:
  Count(AggKind kind, sql::DataType input)
      : AggregateFunction(kind, input, sql::DataType{sql::TypeKind::kBigInt, 0, 0, false},
                          sizeof(int64_t), alignof(int64_t)) {}

  void Init(std::byte* s) const override { C(s) = 0; }
  void Update(std::byte* const* groups, size_t off, const Column* arg, const uint32_t* rows,
              size_t n) const override {
    if (arg == nullptr || kind() == AggKind::kCountStar || arg->NoNulls()) {
      for (size_t i = 0; i < n; ++i) ++C(groups[i] + off);
    } else {
      for (size_t i = 0; i < n; ++i) C(groups[i] + off) += arg->IsValid(rows[i]);
    }
  }
  void Merge(std::byte* dst, const std::byte* src) const override { C(dst) += C(src); }
  void Finalize(const std::byte* s, Column& out) const override { out.AppendInt64(C(s)); }
  void Serialize(const std::byte* s, std::string& out) const override {
    WriteHeader(*this, out);
    Put(out, C(s));
  }
  Status Restore(std::string_view& in, std::byte* s) const override {
    FG_RETURN_IF_ERROR(ReadHeader(*this, in));
    return Get(in, &C(s)) ? Status::Ok() : Truncated(*this);
  }

 private:
  static int64_t& C(std::byte* s) { return *reinterpret_cast<int64_t*>(s); }
  static const int64_t& C(const std::byte* s) { return *reinterpret_cast<const int64_t*>(s); }
};

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakeCount(AggKind kind, sql::DataType input) {
  if (kind == AggKind::kCountStar) input = sql::DataType{};
  return std::unique_ptr<AggregateFunction>(std::make_unique<Count>(kind, input));
}

}  // namespace fluxgate::runtime::agg
