#include "jobs/sinks.h"

#include "sql/logical_plan.h"

namespace fluxgate::jobs {

// Defined in the per-connector files.
std::unique_ptr<Operator> MakePrintSink(const sql::SinkNode& node, const SinkEnv& env);
Result<std::unique_ptr<Operator>> MakeStreamSink(const sql::SinkNode& node, int partition,
                                                 const SinkEnv& env);
Result<std::unique_ptr<Operator>> MakeFileSink(const sql::SinkNode& node, const std::string& label,
                                               int partition, const SinkEnv& env);
Result<std::unique_ptr<Operator>> MakeAlertSink(const sql::SinkNode& node, int partition,
                                                const SinkEnv& env);

Result<std::unique_ptr<Operator>> MakeSinkOperator(const sql::SinkNode& node,
                                                   const std::string& label, int partition,
                                                   const SinkEnv& env) {
  switch (node.table->connector.kind) {
    case sql::ConnectorKind::kPrint:
      return MakePrintSink(node, env);
    case sql::ConnectorKind::kStream:
      return MakeStreamSink(node, partition, env);
    case sql::ConnectorKind::kFilesystem:
      return MakeFileSink(node, label, partition, env);
    case sql::ConnectorKind::kAlert:
      return MakeAlertSink(node, partition, env);
  }
  return Status::InvalidArgument("unknown sink connector");
}

}  // namespace fluxgate::jobs
