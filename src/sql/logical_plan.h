// The logical plan: small immutable node types the binder produces and the runtime
// compiles into operators. Expressions inside a node (BoundExpr column indexes) refer to
// the schema of the node's first input; a node's own `schema` is its output.
//
//   Source(table)                   schema: the table's columns (computed ones included),
//                                   the WATERMARK column marked kRowtime
//   Filter(predicate)               schema: the input's
//   Project(exprs)                  one output column per expression
//   WindowTableFunction(window)     input columns + window_start, window_end, window_time
//                                   (a window TVF whose rows are not aggregated)
//   WindowAggregate(window, keys, aggregates)
//                                   [keys..., window_start, window_end, window_time,
//                                    aggregates...]; append-only, one row per window and key
//   Aggregate(keys, aggregates)     [keys..., aggregates...]; GROUP BY without a window, an
//                                   updating result
//   OverAggregate(partition, order, frame, aggregates)
//                                   input columns + one column per aggregate
//   Union(inputs)                   UNION ALL; the first input's schema
//   Sink(table)                     the sink's writable columns; the input is projected to
//                                   them (implicit casts already inserted)
//
// Nodes are shared (std::shared_ptr<const>): a statement set's sinks share one Source
// node, which tells the runtime to scan the stream once. Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/bound_expr.h"
#include "sql/catalog.h"
#include "sql/job_settings.h"

namespace fluxgate::sql {

struct Column {
  std::string name;
  DataType type;
  TimeAttr time_attr = TimeAttr::kNone;
};
using Schema = std::vector<Column>;

enum class PlanKind : uint8_t {
  kSource,
  kFilter,
  kProject,
  kWindowTableFunction,
  kWindowAggregate,
  kAggregate,
  kOverAggregate,
  kUnion,
  kSink,
};

struct PlanNode;
using PlanPtr = std::shared_ptr<const PlanNode>;

struct PlanNode {
  explicit PlanNode(PlanKind k) : kind(k) {}
  virtual ~PlanNode() = default;
  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }

  const PlanKind kind;
  Schema schema;
  std::vector<PlanPtr> inputs;
  // True when the node emits updates (a non-windowed GROUP BY, or anything above one);
  // append-only sinks reject such input.
  bool updating = false;
};

struct SourceNode : PlanNode {
  SourceNode() : PlanNode(PlanKind::kSource) {}
  std::shared_ptr<const TableDef> table;  // columns, watermark spec and connector options
};

struct FilterNode : PlanNode {
  FilterNode() : PlanNode(PlanKind::kFilter) {}
  BoundExprPtr predicate;
};

struct ProjectNode : PlanNode {
  ProjectNode() : PlanNode(PlanKind::kProject) {}
  std::vector<BoundExprPtr> exprs;
};

enum class WindowKind : uint8_t { kTumble, kHop, kCumulate, kSession };
const char* WindowKindName(WindowKind kind);  // "TUMBLE"

struct WindowDef {
  WindowKind kind = WindowKind::kTumble;
  int time_column = -1;  // rowtime column of the input
  int64_t size_ms = 0;   // TUMBLE, HOP, CUMULATE (max size)
  int64_t slide_ms = 0;  // HOP
  int64_t step_ms = 0;   // CUMULATE
  int64_t gap_ms = 0;    // SESSION
  int64_t offset_ms = 0;
  std::vector<int> session_partition;  // SESSION's PARTITION BY columns of the input
  bool legacy = false;                 // GROUP BY TUMBLE(...) rather than a TVF
};

struct AggregateCall {
  std::string function;            // canonical upper case: COUNT, SUM, AVG, PERCENTILE_APPROX, ...
  std::vector<BoundExprPtr> args;  // over the input; empty for COUNT(*)
  bool distinct = false;
  BoundExprPtr filter;  // FILTER (WHERE ...); may be null
  DataType type;        // result type
  std::string name;     // output column name
};

struct WindowTableFunctionNode : PlanNode {
  WindowTableFunctionNode() : PlanNode(PlanKind::kWindowTableFunction) {}
  WindowDef window;
};

struct WindowAggregateNode : PlanNode {
  WindowAggregateNode() : PlanNode(PlanKind::kWindowAggregate) {}
  WindowDef window;
  std::vector<BoundExprPtr> keys;  // over the input
  std::vector<AggregateCall> aggregates;
  // Output column indexes of the window columns (right after the keys).
  int window_start_column() const { return static_cast<int>(keys.size()); }
  int window_end_column() const { return static_cast<int>(keys.size()) + 1; }
  int window_time_column() const { return static_cast<int>(keys.size()) + 2; }
};

struct AggregateNode : PlanNode {
  AggregateNode() : PlanNode(PlanKind::kAggregate) {}
  std::vector<BoundExprPtr> keys;
  std::vector<AggregateCall> aggregates;
};

struct OverFrame {
  bool rows = true;       // ROWS (a row count) or RANGE (a time interval)
  bool unbounded = true;  // UNBOUNDED PRECEDING
  int64_t preceding = 0;  // rows, or milliseconds for RANGE
};

struct OverAggregateNode : PlanNode {
  OverAggregateNode() : PlanNode(PlanKind::kOverAggregate) {}
  std::vector<BoundExprPtr> partition_by;
  int order_column = -1;  // the ascending time attribute
  OverFrame frame;
  std::vector<AggregateCall> aggregates;
};

struct UnionNode : PlanNode {
  UnionNode() : PlanNode(PlanKind::kUnion) {}
};

struct SinkNode : PlanNode {
  SinkNode() : PlanNode(PlanKind::kSink) {}
  std::shared_ptr<const TableDef> table;
  std::vector<int> target_columns;  // index in table->columns of each schema column
};

// One streaming job: an INSERT, or a statement set's INSERTs sharing their source scans.
struct Pipeline {
  std::string name;  // 'pipeline.name', made unique within the script; may be empty
  JobSettings settings;
  std::vector<std::shared_ptr<const SinkNode>> sinks;
  std::string sql;  // the statement as written
  SourcePos pos;
};

// EXPLAIN output: an indented tree, one node per line with its output columns and types.
//   Sink(table=[iot_analytics_sink], connector=[s3], path=[s3://bucket/analytics-results/])
//     Project(device_id=[device_id] STRING, ...)
std::string ExplainPlan(const PlanNode& root);
std::string ExplainPipeline(const Pipeline& pipeline);

}  // namespace fluxgate::sql
