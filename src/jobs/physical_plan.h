// PhysicalPlan: a pipeline's logical plan cut into stages for parallel execution.
//
// Stage 0 holds the source scans and every stateless operator directly above them
// (filters, projections, window assignment, sinks). Each keyed operator (window
// aggregation, GROUP BY, OVER) starts a new stage: its input crosses an exchange that
// routes every row to partition HashKey(key) % parallelism, so all rows of one key meet
// in one operator instance. An operator whose inputs come from different stages takes
// the lower ones through a forward exchange (partition i -> partition i). Every stage runs
// with the job's parallelism. Immutable once built.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "jobs/source_scan.h"
#include "runtime/schema.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

struct PhysicalNode {
  int id = 0;  // topological: inputs have smaller ids
  const sql::PlanNode* plan = nullptr;
  int stage = 0;
  std::vector<int> inputs;
  struct Consumer {
    int node;
    int port;
    bool exchange;  // crosses into a later stage
  };
  std::vector<Consumer> consumers;
  std::set<int> scans;  // the scans that feed this node (for its watermark)
  int scan = -1;        // sources: index into PhysicalPlan::scans
  std::shared_ptr<const runtime::Schema> schema;        // output
  std::shared_ptr<const runtime::Schema> input_schema;  // of inputs[0]
  // Keyed nodes: the key expressions over the input, used to route rows to partitions.
  std::vector<sql::BoundExprPtr> partition_keys;
  bool keyed = false;
  // A stable name for checkpoints and messages: "3:WindowAggregate".
  std::string label;
};

struct PhysicalPlan {
  std::vector<PhysicalNode> nodes;  // topological order
  std::vector<std::shared_ptr<const ScanDef>> scans;
  int num_stages = 1;
  std::vector<int> sinks;   // node ids of sinks
  std::string fingerprint;  // EXPLAIN text of the plan: checkpoints must match it
  // Keeps the logical plan alive: nodes point into it.
  std::vector<sql::PlanPtr> roots;

  // `extra_roots`: plan roots without a Sink (an ad-hoc query); each gets a node too.
  static Result<PhysicalPlan> Build(const std::vector<sql::PlanPtr>& roots);
};

}  // namespace fluxgate::jobs
