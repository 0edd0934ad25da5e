// FIRST_VALUE and LAST_VALUE: the first / last non-NULL value in arrival order (Flink
// ignores NULLs and uses arrival, not event-time, order). On Merge the destination is
// taken as the earlier partial (operators merge the older session into the newer one's
// place in that order), so FIRST keeps dst and LAST takes src.
#include "runtime/agg_value_state.h"

namespace fluxgate::runtime::agg {
namespace {

struct FirstPolicy {
  template <class T>
  static bool Replace(const T&, const T&) {
    return false;
  }
};
struct LastPolicy {
  template <class T>
  static bool Replace(const T&, const T&) {
    return true;
  }
};

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakeFirstLast(AggKind kind, sql::DataType input) {
  if (input.kind == sql::TypeKind::kNull) {
    return Status::InvalidArgument(std::string(AggKindName(kind)) + " does not accept NULL");
  }
  return kind == AggKind::kFirstValue ? MakeValueAggregate<FirstPolicy>(kind, input)
                                      : MakeValueAggregate<LastPolicy>(kind, input);
}

}  // namespace fluxgate::runtime::agg
