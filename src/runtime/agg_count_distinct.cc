// COUNT(DISTINCT x): an exact set of the distinct non-NULL values, kept as their bytes.
// Memory grows with the number of distinct values per group and is reported.
#include <unordered_set>

#include "runtime/agg_common.h"

namespace fluxgate::runtime::agg {
namespace {

using Set = std::unordered_set<std::string>;

class CountDistinct final : public PlacedAggregate<Set> {
 public:
  explicit CountDistinct(sql::DataType input)
      : PlacedAggregate(AggKind::kCountDistinct, input,
                        sql::DataType{sql::TypeKind::kBigInt, 0, 0, false}) {}

  void Update(std::byte* const* groups, size_t off, const Column* arg, const uint32_t* rows,
              size_t n) const override {
    switch (arg->physical()) {
      case PhysicalType::kString:
        ForEachValue<std::string_view, Set>(groups, off, *arg, rows, n,
                                            [](Set& s, std::string_view v) { s.emplace(v); });
        break;
      case PhysicalType::kInt64:
        AddFixed<int64_t>(groups, off, *arg, rows, n);
        break;
      case PhysicalType::kDouble:
        AddFixed<double>(groups, off, *arg, rows, n);
        break;
      case PhysicalType::kDecimal:
        AddFixed<int128>(groups, off, *arg, rows, n);
        break;
      case PhysicalType::kBool:
        AddFixed<bool>(groups, off, *arg, rows, n);
        break;
    }
  }
  void Merge(std::byte* dst, const std::byte* src) const override {
    S(dst).insert(S(src).begin(), S(src).end());
  }
  void Finalize(const std::byte* s, Column& out) const override {
    out.AppendInt64(static_cast<int64_t>(S(s).size()));
  }
  void Serialize(const std::byte* s, std::string& out) const override {
    WriteHeader(*this, out);
    Put<uint64_t>(out, S(s).size());
    for (const std::string& v : S(s)) PutString(out, v);
  }
  Status Restore(std::string_view& in, std::byte* s) const override {
    FG_RETURN_IF_ERROR(ReadHeader(*this, in));
    uint64_t n;
    if (!Get(in, &n)) return Truncated(*this);
    std::string v;
    for (uint64_t i = 0; i < n; ++i) {
      if (!GetString(in, &v)) return Truncated(*this);
      S(s).insert(v);
    }
    return Status::Ok();
  }
  size_t MemoryUsage(const std::byte* s) const override {
    size_t bytes = sizeof(Set) + S(s).bucket_count() * sizeof(void*);
    for (const std::string& v : S(s)) {
      bytes += sizeof(std::string) + 2 * sizeof(void*) + (v.size() > 15 ? v.capacity() : 0);
    }
    return bytes;
  }

 private:
  template <class T>
  static void AddFixed(std::byte* const* groups, size_t off, const Column& c, const uint32_t* rows,
                       size_t n) {
    ForEachValue<T, Set>(groups, off, c, rows, n, [](Set& s, T v) {
      if constexpr (std::is_same_v<T, double>) {
        if (v == 0) v = 0;  // -0.0 and 0.0 are one value
      }
      s.emplace(reinterpret_cast<const char*>(&v), sizeof(T));
    });
  }
};

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakeCountDistinct(sql::DataType input) {
  return std::unique_ptr<AggregateFunction>(std::make_unique<CountDistinct>(input));
}

}  // namespace fluxgate::runtime::agg
