#include "jobs/sinks.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {
Result<std::unique_ptr<Operator>> MakeFileSink(const sql::SinkNode&, const std::string&, int,
                                               const SinkEnv&) {
  return Status::InvalidArgument("file sink WIP");
}
}  // namespace fluxgate::jobs
