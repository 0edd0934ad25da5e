#include "jobs/make_operator.h"

#include "jobs/stateless_ops.h"
#include "jobs/window_agg_op.h"

namespace fluxgate::jobs {

Result<std::unique_ptr<Operator>> MakeOperator(const PhysicalNode& node, int partition,
                                               const OperatorEnv& env) {
  const sql::PlanNode& plan = *node.plan;
  switch (plan.kind) {
    case sql::PlanKind::kSource:
      return std::unique_ptr<Operator>();
    case sql::PlanKind::kFilter: {
      FG_ASSIGN_OR_RETURN(auto op, FilterOp::Make(*plan.As<sql::FilterNode>().predicate,
                                                  *node.input_schema, env.sinks.clock));
      return std::unique_ptr<Operator>(std::move(op));
    }
    case sql::PlanKind::kProject: {
      FG_ASSIGN_OR_RETURN(auto op,
                          ProjectOp::Make(plan.As<sql::ProjectNode>().exprs, *node.input_schema,
                                          node.schema, env.sinks.clock));
      return std::unique_ptr<Operator>(std::move(op));
    }
    case sql::PlanKind::kWindowTableFunction: {
      const auto& w = plan.As<sql::WindowTableFunctionNode>().window;
      if (w.kind == sql::WindowKind::kSession) {
        return Status::InvalidArgument(
            "a SESSION window table function must be aggregated (GROUP BY window_start, "
            "window_end); its rows alone are not supported");
      }
      return std::unique_ptr<Operator>(new WindowAssignOp(w, node.schema));
    }
    case sql::PlanKind::kWindowAggregate: {
      FG_ASSIGN_OR_RETURN(auto op,
                          WindowAggOp::Make(plan.As<sql::WindowAggregateNode>(), node.input_schema,
                                            env.allowed_lateness_ms, env.side, node.label));
      return std::unique_ptr<Operator>(std::move(op));
    }
    case sql::PlanKind::kAggregate:
      return MakeGroupAggregateOp(node, env);
    case sql::PlanKind::kOverAggregate:
      return MakeOverAggregateOp(node, env);
    case sql::PlanKind::kUnion:
      return std::unique_ptr<Operator>(new UnionOp());
    case sql::PlanKind::kSink:
      return MakeSinkOperator(plan.As<sql::SinkNode>(), node.label, partition, env.sinks);
  }
  return Status::InvalidArgument("unknown plan node");
}

}  // namespace fluxgate::jobs
