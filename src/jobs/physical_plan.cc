#include "jobs/physical_plan.h"

#include <algorithm>
#include <map>

#include "jobs/schema_util.h"

namespace fluxgate::jobs {

namespace {

const char* KindName(sql::PlanKind kind) {
  switch (kind) {
    case sql::PlanKind::kSource:
      return "Source";
    case sql::PlanKind::kFilter:
      return "Filter";
    case sql::PlanKind::kProject:
      return "Project";
    case sql::PlanKind::kWindowTableFunction:
      return "WindowTableFunction";
    case sql::PlanKind::kWindowAggregate:
      return "WindowAggregate";
    case sql::PlanKind::kAggregate:
      return "Aggregate";
    case sql::PlanKind::kOverAggregate:
      return "OverAggregate";
    case sql::PlanKind::kUnion:
      return "Union";
    case sql::PlanKind::kSink:
      return "Sink";
  }
  return "?";
}

class Builder {
 public:
  Result<int> Visit(const sql::PlanPtr& plan) {
    auto it = ids_.find(plan.get());
    if (it != ids_.end()) return it->second;
    std::vector<int> inputs;
    for (const auto& in : plan->inputs) {
      FG_ASSIGN_OR_RETURN(int id, Visit(in));
      inputs.push_back(id);
    }
    PhysicalNode node;
    node.id = static_cast<int>(out_.nodes.size());
    node.plan = plan.get();
    node.inputs = inputs;
    node.schema = ToRuntimeSchema(plan->schema);
    node.label = std::to_string(node.id) + ":" + KindName(plan->kind);
    if (!inputs.empty()) node.input_schema = out_.nodes[inputs[0]].schema;
    int stage = 0;
    for (int in : inputs) {
      stage = std::max(stage, out_.nodes[in].stage);
      node.scans.insert(out_.nodes[in].scans.begin(), out_.nodes[in].scans.end());
    }
    switch (plan->kind) {
      case sql::PlanKind::kSource: {
        node.scan = static_cast<int>(out_.scans.size());
        FG_ASSIGN_OR_RETURN(auto def, ScanDef::Make(node.scan, plan->As<sql::SourceNode>()));
        out_.scans.push_back(std::move(def));
        node.scans.insert(node.scan);
        break;
      }
      case sql::PlanKind::kWindowAggregate:
        node.keyed = true;
        node.partition_keys = plan->As<sql::WindowAggregateNode>().keys;
        break;
      case sql::PlanKind::kAggregate:
        node.keyed = true;
        node.partition_keys = plan->As<sql::AggregateNode>().keys;
        break;
      case sql::PlanKind::kOverAggregate:
        node.keyed = true;
        node.partition_keys = plan->As<sql::OverAggregateNode>().partition_by;
        break;
      case sql::PlanKind::kSink:
        out_.sinks.push_back(node.id);
        break;
      default:
        break;
    }
    if (node.keyed) ++stage;
    node.stage = stage;
    out_.num_stages = std::max(out_.num_stages, stage + 1);
    for (size_t port = 0; port < inputs.size(); ++port) {
      PhysicalNode& producer = out_.nodes[inputs[port]];
      producer.consumers.push_back({node.id, static_cast<int>(port), producer.stage != stage});
    }
    ids_[plan.get()] = node.id;
    out_.nodes.push_back(std::move(node));
    return static_cast<int>(out_.nodes.size()) - 1;
  }

  PhysicalPlan Take() { return std::move(out_); }

 private:
  std::map<const sql::PlanNode*, int> ids_;
  PhysicalPlan out_;
};

}  // namespace

Result<PhysicalPlan> PhysicalPlan::Build(const std::vector<sql::PlanPtr>& roots) {
  Builder b;
  std::string fingerprint;
  for (const auto& root : roots) {
    FG_ASSIGN_OR_RETURN(int id, b.Visit(root));
    (void)id;
    fingerprint += sql::ExplainPlan(*root);
  }
  PhysicalPlan plan = b.Take();
  plan.fingerprint = std::move(fingerprint);
  plan.roots = roots;
  return plan;
}

}  // namespace fluxgate::jobs
