#include "jobs/batch_query.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "jobs/exchange.h"
#include "jobs/make_operator.h"
#include "jobs/side_output.h"
#include "runtime/clock.h"
#include "runtime/json_encoder.h"
#include "store/object_store.h"

namespace fluxgate::jobs {

namespace {

const runtime::Clock* DefaultClock() {
  static runtime::SystemClock clock;
  return &clock;
}

// The last operator of a batch query: hands append-only results straight to the caller
// (up to the limit), and folds an updating result's changelog into its final rows.
class ResultCollector final : public Operator {
 public:
  ResultCollector(std::shared_ptr<const runtime::Schema> schema, bool updating, uint64_t limit,
                  const BatchRows* rows)
      : schema_(std::move(schema)),
        updating_(updating),
        limit_(limit),
        rows_(rows),
        encoder_(schema_, runtime::JsonFormatOptions{}) {}

  Status Push(int, Chunk chunk) override {
    if (chunk.num_rows() == 0) return Status::Ok();
    if (!updating_) return Deliver(std::move(chunk.batch));
    const size_t index = batches_.size();
    std::vector<bool> live(chunk.num_rows(), false);
    std::string key;
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      key.clear();
      encoder_.AppendRow(chunk.batch, r, key);
      const runtime::RowKind kind = chunk.kind(r);
      if (kind == runtime::RowKind::kInsert || kind == runtime::RowKind::kUpdateAfter) {
        live[r] = true;
        ++live_rows_;
        key_bytes_ += key.size() + 64;
        rows_by_key_[key].push_back({index, r});
        continue;
      }
      // A retraction names a row emitted before: remove one copy of it.
      auto it = rows_by_key_.find(key);
      if (it == rows_by_key_.end() || it->second.empty()) continue;
      auto [b, row] = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) {
        key_bytes_ -= std::min(key_bytes_, key.size() + 64);
        rows_by_key_.erase(it);
      }
      if (b == index) {
        live[row] = false;
      } else {
        live_[b][row] = false;
      }
      --live_rows_;
    }
    batch_bytes_ += chunk.batch.MemoryUsage();
    batches_.push_back(std::move(chunk.batch));
    live_.push_back(std::move(live));
    return Status::Ok();
  }

  // End of input: an updating result's final rows, in the order they were first produced.
  Status Finish() {
    if (!updating_) return Status::Ok();
    for (size_t b = 0; b < batches_.size() && !Done(); ++b) {
      std::vector<uint32_t> selection;
      for (size_t r = 0; r < live_[b].size(); ++r) {
        if (live_[b][r]) selection.push_back(static_cast<uint32_t>(r));
      }
      if (selection.empty()) continue;
      Chunk in;
      in.batch = std::move(batches_[b]);
      FG_RETURN_IF_ERROR(Deliver(SelectRows(in, selection).batch));
    }
    return Status::Ok();
  }

  bool Done() const { return limit_ > 0 && delivered_ >= limit_; }
  uint64_t delivered() const { return delivered_; }
  size_t MemoryUsage() const override { return batch_bytes_ + key_bytes_; }

 private:
  Status Deliver(runtime::RecordBatch batch) {
    if (Done()) return Status::Ok();
    const uint64_t n = batch.num_rows();
    if (limit_ > 0 && delivered_ + n > limit_) {
      std::vector<uint32_t> first(limit_ - delivered_);
      for (size_t i = 0; i < first.size(); ++i) first[i] = static_cast<uint32_t>(i);
      Chunk in;
      in.batch = std::move(batch);
      batch = SelectRows(in, first).batch;
    }
    delivered_ += batch.num_rows();
    counters_.records_out += batch.num_rows();
    return (*rows_)(batch);
  }

  std::shared_ptr<const runtime::Schema> schema_;
  const bool updating_;
  const uint64_t limit_;
  const BatchRows* rows_;  // not owned; outlives the collector
  runtime::JsonRowEncoder encoder_;
  uint64_t delivered_ = 0;
  // Updating results: every row produced, whether it is still live, and the live rows of
  // each distinct row value (its JSON encoding).
  std::vector<runtime::RecordBatch> batches_;
  std::vector<std::vector<bool>> live_;
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> rows_by_key_;
  uint64_t live_rows_ = 0;
  size_t batch_bytes_ = 0;
  size_t key_bytes_ = 0;
};

// Rewrites `e` (over a node's input) through `mapping` (input column -> table column, -1
// when it is not a plain table column); nullptr when it reads an unmapped column.
sql::BoundExprPtr Remap(const sql::BoundExprPtr& e, const std::vector<int>& mapping) {
  if (e->kind == sql::BoundExprKind::kLiteral) return e;
  if (e->kind == sql::BoundExprKind::kColumn) {
    if (e->column < 0 || e->column >= static_cast<int>(mapping.size())) return nullptr;
    const int to = mapping[e->column];
    if (to < 0) return nullptr;
    auto copy = std::make_shared<sql::BoundExpr>(*e);
    copy->column = to;
    return copy;
  }
  auto copy = std::make_shared<sql::BoundExpr>(*e);
  for (auto& arg : copy->args) {
    arg = Remap(arg, mapping);
    if (!arg) return nullptr;
  }
  return copy;
}

bool IsNondeterministic(const sql::BoundExpr& e) {
  if (e.kind == sql::BoundExprKind::kCall) {
    static const char* kTimeDependent[] = {"CURRENT_TIMESTAMP", "NOW",  "LOCALTIMESTAMP",
                                           "PROCTIME",          "RAND", "RAND_INTEGER",
                                           "CURRENT_WATERMARK", "UUID", "CURRENT_ROW_TIMESTAMP"};
    for (const char* f : kTimeDependent) {
      if (e.function == f) return true;
    }
    for (const auto& a : e.args) {
      if (IsNondeterministic(*a)) return true;
    }
  }
  return false;
}

void Conjuncts(const sql::BoundExprPtr& e, std::vector<sql::BoundExprPtr>* out) {
  if (e->kind == sql::BoundExprKind::kCall && e->function == "AND") {
    for (const auto& a : e->args) Conjuncts(a, out);
    return;
  }
  out->push_back(e);
}

}  // namespace

std::vector<sql::BoundExprPtr> PartitionFilters(const PhysicalPlan& plan, int source_node) {
  std::vector<sql::BoundExprPtr> out;
  const PhysicalNode& source = plan.nodes[source_node];
  const sql::TableDef& table = *source.plan->As<sql::SourceNode>().table;
  std::vector<bool> is_partition(table.columns.size(), false);
  for (size_t i = 0; i < table.columns.size(); ++i) {
    is_partition[i] = std::find(table.partitioned_by.begin(), table.partitioned_by.end(),
                                table.columns[i].name) != table.partitioned_by.end() &&
                      table.columns[i].kind == sql::TableColumn::Kind::kPhysical;
  }
  // mapping: current node's output column -> table column if it is a partition column.
  std::vector<int> mapping(source.plan->schema.size(), -1);
  for (size_t i = 0; i < mapping.size() && i < is_partition.size(); ++i) {
    if (is_partition[i]) mapping[i] = static_cast<int>(i);
  }
  const PhysicalNode* node = &source;
  while (node->consumers.size() == 1) {
    const PhysicalNode& next = plan.nodes[node->consumers[0].node];
    if (next.inputs.size() != 1) break;
    if (next.plan->kind == sql::PlanKind::kFilter) {
      std::vector<sql::BoundExprPtr> conjuncts;
      Conjuncts(next.plan->As<sql::FilterNode>().predicate, &conjuncts);
      for (const auto& c : conjuncts) {
        if (IsNondeterministic(*c)) continue;
        if (auto mapped = Remap(c, mapping)) out.push_back(std::move(mapped));
      }
    } else if (next.plan->kind == sql::PlanKind::kProject) {
      std::vector<int> projected;
      for (const auto& e : next.plan->As<sql::ProjectNode>().exprs) {
        projected.push_back(e->kind == sql::BoundExprKind::kColumn && e->column >= 0 &&
                                    e->column < static_cast<int>(mapping.size())
                                ? mapping[e->column]
                                : -1);
      }
      mapping = std::move(projected);
    } else {
      break;
    }
    node = &next;
  }
  return out;
}

Result<BatchQueryStats> RunBatchQuery(const sql::PlanPtr& plan, const BatchQueryOptions& options,
                                      const BatchRows& rows) {
  if (!rows) return Status::InvalidArgument("RunBatchQuery: no result callback");
  FG_ASSIGN_OR_RETURN(PhysicalPlan physical, PhysicalPlan::Build({plan}));
  const runtime::Clock* clock = options.clock ? options.clock : DefaultClock();
  const size_t n = physical.nodes.size();

  // Late rows cannot happen (the watermark only moves once input is done); the side output
  // exists because keyed operators require one, and writes nothing unless they do.
  SideOutput side(options.data_dir + "/queries/batch");
  OperatorEnv env;
  env.side = &side;
  env.sinks.job = "query";
  env.sinks.data_dir = options.data_dir;
  env.sinks.clock = clock;
  std::vector<std::unique_ptr<Operator>> ops(n);
  for (size_t id = 0; id < n; ++id) {
    if (physical.nodes[id].plan->kind == sql::PlanKind::kSink) {
      return Status::InvalidArgument("a batch query cannot write to a table (INSERT INTO)");
    }
    FG_ASSIGN_OR_RETURN(ops[id], MakeOperator(physical.nodes[id], 0, env));
  }
  ResultCollector collector(physical.nodes[n - 1].schema, plan->updating, options.limit, &rows);
  // With one partition every consumer is fed directly, exchanges included.
  std::vector<std::unique_ptr<DirectOutput>> directs;
  std::vector<std::unique_ptr<FanOut>> outputs(n);
  for (size_t id = 0; id < n; ++id) {
    outputs[id] = std::make_unique<FanOut>();
    for (const auto& c : physical.nodes[id].consumers) {
      directs.push_back(std::make_unique<DirectOutput>(ops[c.node].get(), c.port));
      outputs[id]->Add(directs.back().get());
    }
    if (id + 1 == n) {
      directs.push_back(std::make_unique<DirectOutput>(&collector, 0));
      outputs[id]->Add(directs.back().get());
    }
    if (ops[id]) ops[id]->set_output(outputs[id].get());
  }

  BatchQueryStats stats;
  auto check_state = [&]() -> Status {
    size_t bytes = collector.MemoryUsage();
    for (const auto& op : ops) {
      if (op) bytes += op->MemoryUsage();
    }
    stats.peak_state_bytes = std::max(stats.peak_state_bytes, bytes);
    if (bytes <= options.max_state_bytes) return Status::Ok();
    return Status::LimitExceeded(
        "the query holds " + std::to_string(bytes) +
        " bytes of group state and results, above "
        "the limit of " +
        std::to_string(options.max_state_bytes) +
        " bytes; narrow it (a WHERE on partition columns, fewer groups) or raise the limit "
        "(--max-state-bytes, [jobs] max_state_bytes)");
  };

  for (const PhysicalNode& node : physical.nodes) {
    if (node.plan->kind != sql::PlanKind::kSource) continue;
    const auto& source_node = node.plan->As<sql::SourceNode>();
    const sql::TableDef& table = *source_node.table;
    if (table.connector.kind != sql::ConnectorKind::kFilesystem) {
      return Status::InvalidArgument("table '" + table.name + "' uses connector '" +
                                     table.connector.connector +
                                     "'; a batch query reads only 'filesystem' and 's3' tables");
    }
    OpenedTableStore opened;
    if (options.open_store) {
      FG_ASSIGN_OR_RETURN(opened, options.open_store(table));
    } else {
      FG_ASSIGN_OR_RETURN(opened, OpenLocalTableStore(table.connector.path, options.data_dir));
    }
    std::vector<sql::BoundExprPtr> filters;
    if (options.prune_partitions) filters = PartitionFilters(physical, node.id);
    FG_ASSIGN_OR_RETURN(auto source,
                        FileSource::Make(source_node, opened.location, std::move(filters), clock,
                                         options.batch_rows));
    FG_RETURN_IF_ERROR(source->Open());
    runtime::RecordBatch batch;
    while (!collector.Done()) {
      FG_ASSIGN_OR_RETURN(bool more, source->Next(&batch));
      if (!more) break;
      Chunk chunk;
      chunk.batch = std::move(batch);
      FG_RETURN_IF_ERROR(outputs[node.id]->Emit(std::move(chunk)));
      FG_RETURN_IF_ERROR(check_state());
    }
    const FileSourceStats& s = source->stats();
    stats.files.objects_listed += s.objects_listed;
    stats.files.objects_pruned += s.objects_pruned;
    stats.files.objects_read += s.objects_read;
    stats.files.bytes_read += s.bytes_read;
    stats.files.rows += s.rows;
    stats.files.skipped_lines += s.skipped_lines;
  }
  // End of input: every window closes, in plan order so what fires reaches the operators
  // above before their own turn.
  for (size_t id = 0; id < n; ++id) {
    if (ops[id]) FG_RETURN_IF_ERROR(ops[id]->OnWatermark(INT64_MAX));
  }
  FG_RETURN_IF_ERROR(check_state());
  FG_RETURN_IF_ERROR(collector.Finish());
  for (auto& op : ops) {
    if (op) FG_RETURN_IF_ERROR(op->Close());
  }
  stats.rows_out = collector.delivered();
  return stats;
}

}  // namespace fluxgate::jobs
