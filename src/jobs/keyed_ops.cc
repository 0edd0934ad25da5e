// GROUP BY without a window and OVER aggregations: wrappers over the runtime's
// GroupAggregateOperator / OverAggregateOperator.
#include "jobs/make_operator.h"

namespace fluxgate::jobs {

Result<std::unique_ptr<Operator>> MakeGroupAggregateOp(const PhysicalNode&, const OperatorEnv&) {
  return Status::InvalidArgument("GROUP BY without a window is not wired yet");  // WIP
}

Result<std::unique_ptr<Operator>> MakeOverAggregateOp(const PhysicalNode&, const OperatorEnv&) {
  return Status::InvalidArgument("OVER aggregation is not wired yet");  // WIP
}

}  // namespace fluxgate::jobs
