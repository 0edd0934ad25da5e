// EXPLAIN output for logical plans: one line per node, indented by depth, each followed by
// its output schema, with time attributes marked *ROWTIME* / *PROCTIME* as Flink does.
#include "sql/logical_plan.h"

namespace fluxgate::sql {

const char* WindowKindName(WindowKind kind) {
  switch (kind) {
    case WindowKind::kTumble:
      return "TUMBLE";
    case WindowKind::kHop:
      return "HOP";
    case WindowKind::kCumulate:
      return "CUMULATE";
    case WindowKind::kSession:
      return "SESSION";
  }
  return "?";
}

namespace {

std::string Duration(int64_t ms) {
  const char* sign = ms < 0 ? "-" : "";
  int64_t a = ms < 0 ? -ms : ms;
  if (a != 0 && a % 3600000 == 0) return sign + std::to_string(a / 3600000) + " h";
  if (a != 0 && a % 60000 == 0) return sign + std::to_string(a / 60000) + " min";
  if (a != 0 && a % 1000 == 0) return sign + std::to_string(a / 1000) + " s";
  return sign + std::to_string(a) + " ms";
}

std::string ColumnText(const Column& c) {
  std::string s = c.name + " " + c.type.ToString();
  if (c.time_attr == TimeAttr::kRowtime) s += " *ROWTIME*";
  if (c.time_attr == TimeAttr::kProctime) s += " *PROCTIME*";
  return s;
}

std::string SchemaText(const Schema& schema) {
  std::string s = "[";
  for (size_t i = 0; i < schema.size(); ++i) s += (i ? ", " : "") + ColumnText(schema[i]);
  return s + "]";
}

std::string List(const std::vector<BoundExprPtr>& exprs) {
  std::string s;
  for (size_t i = 0; i < exprs.size(); ++i) s += (i ? ", " : "") + ToString(*exprs[i]);
  return s;
}

std::string AggText(const AggregateCall& a) {
  std::string s = a.name + "=" + a.function + "(";
  if (a.distinct) s += "DISTINCT ";
  if (a.args.empty()) s += "*";
  s += List(a.args) + ")";
  if (a.filter) s += " FILTER " + ToString(*a.filter);
  return s;
}

std::string Aggs(const std::vector<AggregateCall>& aggs) {
  std::string s;
  for (size_t i = 0; i < aggs.size(); ++i) s += (i ? ", " : "") + AggText(aggs[i]);
  return s;
}

std::string WindowText(const WindowDef& w, const Schema& input) {
  std::string s = std::string(WindowKindName(w.kind)) + "(" + input[w.time_column].name;
  switch (w.kind) {
    case WindowKind::kTumble:
      s += ", size=" + Duration(w.size_ms);
      break;
    case WindowKind::kHop:
      s += ", slide=" + Duration(w.slide_ms) + ", size=" + Duration(w.size_ms);
      break;
    case WindowKind::kCumulate:
      s += ", step=" + Duration(w.step_ms) + ", size=" + Duration(w.size_ms);
      break;
    case WindowKind::kSession:
      s += ", gap=" + Duration(w.gap_ms);
      if (!w.session_partition.empty()) {
        s += ", partition=[";
        for (size_t i = 0; i < w.session_partition.size(); ++i) {
          s += (i ? ", " : "") + input[w.session_partition[i]].name;
        }
        s += "]";
      }
      break;
  }
  if (w.offset_ms != 0) s += ", offset=" + Duration(w.offset_ms);
  return s + ")";
}

std::string NodeText(const PlanNode& node) {
  const Schema* input = node.inputs.empty() ? nullptr : &node.inputs[0]->schema;
  switch (node.kind) {
    case PlanKind::kSource: {
      const TableDef& t = *node.As<SourceNode>().table;
      std::string s = "Source(table=[" + t.name + "], connector=[" + t.connector.connector +
                      "], stream=[" + t.connector.stream + "]";
      if (t.watermark) {
        s += ", watermark=[" + t.watermark->column_name + " - " + Duration(t.watermark->delay_ms) +
             "]";
      }
      return s + ")";
    }
    case PlanKind::kFilter:
      return "Filter(" + ToString(*node.As<FilterNode>().predicate) + ")";
    case PlanKind::kProject: {
      const auto& p = node.As<ProjectNode>();
      std::string s = "Project(";
      for (size_t i = 0; i < p.exprs.size(); ++i) {
        std::string e = ToString(*p.exprs[i]);
        s += (i ? ", " : "") + (e == node.schema[i].name ? e : node.schema[i].name + "=" + e);
      }
      return s + ")";
    }
    case PlanKind::kWindowTableFunction:
      return "WindowTableFunction(" +
             WindowText(node.As<WindowTableFunctionNode>().window, *input) + ")";
    case PlanKind::kWindowAggregate: {
      const auto& w = node.As<WindowAggregateNode>();
      return "WindowAggregate(window=[" + WindowText(w.window, *input) + "], keys=[" +
             List(w.keys) + "], aggregates=[" + Aggs(w.aggregates) + "])";
    }
    case PlanKind::kAggregate: {
      const auto& a = node.As<AggregateNode>();
      return "Aggregate(keys=[" + List(a.keys) + "], aggregates=[" + Aggs(a.aggregates) +
             "], updating)";
    }
    case PlanKind::kOverAggregate: {
      const auto& o = node.As<OverAggregateNode>();
      std::string frame = std::string(o.frame.rows ? "ROWS " : "RANGE ") +
                          (o.frame.unbounded ? "UNBOUNDED"
                           : o.frame.rows    ? std::to_string(o.frame.preceding)
                                             : Duration(o.frame.preceding)) +
                          " PRECEDING";
      return "OverAggregate(partition=[" + List(o.partition_by) + "], order=[" +
             (*input)[o.order_column].name + "], frame=[" + frame + "], aggregates=[" +
             Aggs(o.aggregates) + "])";
    }
    case PlanKind::kUnion:
      return "Union(all)";
    case PlanKind::kSink: {
      const TableDef& t = *node.As<SinkNode>().table;
      std::string s = "Sink(table=[" + t.name + "], connector=[" + t.connector.connector + "]";
      switch (t.connector.kind) {
        case ConnectorKind::kStream:
          s += ", stream=[" + t.connector.stream + "]";
          break;
        case ConnectorKind::kFilesystem:
          s += ", path=[" + t.connector.options.at("path") + "]";
          break;
        case ConnectorKind::kAlert:
          s += ", topic=[" + t.connector.topic + "]";
          break;
        case ConnectorKind::kPrint:
          break;
      }
      return s + ")";
    }
  }
  return "?";
}

void Explain(const PlanNode& node, int depth, std::string* out) {
  const std::string indent(static_cast<size_t>(depth) * 2, ' ');
  *out += indent + NodeText(node) + "\n";
  *out += indent + "  : " + SchemaText(node.schema) + "\n";
  for (const PlanPtr& in : node.inputs) Explain(*in, depth + 1, out);
}

}  // namespace

std::string ExplainPlan(const PlanNode& root) {
  std::string out;
  Explain(root, 0, &out);
  return out;
}

std::string ExplainPipeline(const Pipeline& pipeline) {
  std::string out;
  for (const auto& sink : pipeline.sinks) out += ExplainPlan(*sink);
  return out;
}

}  // namespace fluxgate::sql
