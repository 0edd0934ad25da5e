// Builds the operator instance for one node of the physical plan and one partition.
#pragma once

#include <memory>

#include "jobs/operator.h"
#include "jobs/physical_plan.h"
#include "jobs/side_output.h"
#include "jobs/sinks.h"

namespace fluxgate::jobs {

struct OperatorEnv {
  int64_t allowed_lateness_ms = 0;
  SideOutput* side = nullptr;
  SinkEnv sinks;
};

// Keyed operators over updating / OVER input (keyed_ops.cc).
Result<std::unique_ptr<Operator>> MakeGroupAggregateOp(const PhysicalNode& node,
                                                       const OperatorEnv& env);
Result<std::unique_ptr<Operator>> MakeOverAggregateOp(const PhysicalNode& node,
                                                      const OperatorEnv& env);

// nullptr (and OK) for Source nodes, which ScanTasks implement.
Result<std::unique_ptr<Operator>> MakeOperator(const PhysicalNode& node, int partition,
                                               const OperatorEnv& env);

}  // namespace fluxgate::jobs
