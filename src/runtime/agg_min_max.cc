// MIN and MAX over any comparable type (numbers, decimals, timestamps, booleans with
// FALSE < TRUE, strings by bytes). Window aggregates are append-only, so the state is just
// the extreme seen so far (no retraction set).
#include "runtime/agg_value_state.h"

namespace fluxgate::runtime::agg {
namespace {

struct MinPolicy {
  template <class T>
  static bool Replace(const T& current, const T& candidate) {
    return candidate < current;
  }
};
struct MaxPolicy {
  template <class T>
  static bool Replace(const T& current, const T& candidate) {
    return current < candidate;
  }
};

}  // namespace

Result<std::unique_ptr<AggregateFunction>> MakeMinMax(AggKind kind, sql::DataType input) {
  if (input.kind == sql::TypeKind::kNull || input.kind == sql::TypeKind::kInterval) {
    return Status::InvalidArgument(std::string(AggKindName(kind)) + " does not accept " +
                                   input.ToString());
  }
  return kind == AggKind::kMin ? MakeValueAggregate<MinPolicy>(kind, input)
                               : MakeValueAggregate<MaxPolicy>(kind, input);
}

}  // namespace fluxgate::runtime::agg
