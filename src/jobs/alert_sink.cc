#include "jobs/sinks.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {
Result<std::unique_ptr<Operator>> MakeAlertSink(const sql::SinkNode&, int, const SinkEnv&) {
  return Status::InvalidArgument("alert sink WIP");
}
}  // namespace fluxgate::jobs
