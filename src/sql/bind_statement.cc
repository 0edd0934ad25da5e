// Binding statements: the script loop, SET/RESET, INSERT (sink compatibility), statement
// sets, EXPLAIN and ad-hoc queries; and the public entry points of binder.h.
#include <algorithm>
#include <functional>

#include "sql/binder_internal.h"
#include "sql/parser.h"
#include "sql/type_rules.h"

namespace fluxgate::sql {

std::shared_ptr<const SinkNode> Binder::BindInsert(const InsertStatement& s) {
  const std::string name = s.table.back();
  std::shared_ptr<const TableDef> table = catalog_->SharedTable(name);
  if (!table) {
    if (catalog_->FindView(name)) ThrowBindError(s.pos, "cannot INSERT INTO view '" + name + "'");
    std::string similar = catalog_->SimilarName(name);
    ThrowBindError(s.pos, "unknown table '" + name + "'" +
                              (similar.empty() ? "" : "; did you mean '" + similar + "'?"));
  }
  if (!s.partition.empty()) {
    ThrowBindError(s.partition[0].pos, "static PARTITION values are not supported yet");
  }
  if (s.overwrite) ThrowBindError(s.pos, "INSERT OVERWRITE is not supported in streaming jobs");

  BoundRelation rel = BindQuery(*s.query);
  std::vector<int> targets;  // table column per query column
  std::vector<int> writable;
  for (size_t i = 0; i < table->columns.size(); ++i) {
    if (table->columns[i].Writable()) writable.push_back(static_cast<int>(i));
  }
  if (s.columns.empty()) {
    targets = writable;
  } else {
    for (const std::string& c : s.columns) {
      int index = table->FindColumn(c);
      if (index < 0 || !table->columns[index].Writable()) {
        ThrowBindError(s.pos, index < 0 ? "unknown column '" + c + "' in table '" + name + "'"
                                        : "column '" + c + "' of '" + name +
                                              "' is computed or virtual and cannot be written");
      }
      targets.push_back(index);
    }
  }
  const Schema& out = rel.plan->schema;
  // Positions of the query's select items, for errors about one column.
  std::vector<SourcePos> item_pos(out.size(), s.query->pos);
  if (s.query->body->kind == QueryBodyKind::kSelect) {
    const auto& items = s.query->body->As<SelectBody>().items;
    if (items.size() == out.size()) {
      for (size_t i = 0; i < items.size(); ++i) item_pos[i] = items[i].pos;
    }
  }
  if (out.size() != targets.size()) {
    std::string cols;
    for (size_t i = 0; i < targets.size(); ++i) {
      cols += (i ? ", " : "") + table->columns[targets[i]].name;
    }
    ThrowBindError(s.query->pos, "the query has " + std::to_string(out.size()) +
                                     " columns but sink '" + name + "' takes " +
                                     std::to_string(targets.size()) + " (" + cols + ")");
  }
  std::vector<BoundExprPtr> exprs(writable.size());
  std::vector<std::string> names;
  auto sink = std::make_shared<SinkNode>();
  for (size_t w = 0; w < writable.size(); ++w) {
    const TableColumn& col = table->columns[writable[w]];
    names.push_back(col.name);
    sink->schema.push_back({col.name, col.type});
    sink->target_columns.push_back(writable[w]);
    auto it = std::find(targets.begin(), targets.end(), writable[w]);
    if (it == targets.end()) {  // not in the column list: NULL, as in Flink
      auto null = std::make_shared<BoundExpr>();
      null->is_null = true;
      exprs[w] = MakeCast(null, col.type, true);
      continue;
    }
    const size_t q = static_cast<size_t>(it - targets.begin());
    if (!CanAssign(out[q].type, col.type)) {
      ThrowBindError(item_pos[q], "column '" + col.name + "' of sink '" + name + "' is " +
                                      col.type.ToString() + " but the query gives " +
                                      out[q].type.ToString() + " ('" + out[q].name +
                                      "'); add a CAST");
    }
    exprs[w] = Coerce(MakeColumn(static_cast<int>(q), out[q].name, out[q].type), col.type);
  }
  if (rel.plan->updating && table->connector.kind != ConnectorKind::kPrint) {
    ThrowBindError(s.query->pos,
                   "sink '" + name + "' (connector '" + table->connector.connector +
                       "') only takes appended rows, but this query updates earlier results "
                       "(GROUP BY without a window); group by a window such as TUMBLE");
  }
  // Project onto the sink's columns (the identity projection is dropped).
  std::vector<BoundExprPtr> project = exprs;
  PlanPtr input = rel.plan;
  bool identity = project.size() == input->schema.size();
  for (size_t i = 0; identity && i < project.size(); ++i) {
    identity = project[i]->kind == BoundExprKind::kColumn && project[i]->column == int(i) &&
               input->schema[i].name == names[i];
  }
  if (!identity && input->kind == PlanKind::kProject) {
    // Compose with the query's own projection rather than stacking a second one.
    const auto& below = input->As<ProjectNode>();
    std::function<BoundExprPtr(const BoundExprPtr&)> substitute = [&](const BoundExprPtr& e) {
      if (e->kind == BoundExprKind::kColumn) return below.exprs[e->column];
      auto copy = std::make_shared<BoundExpr>(*e);
      for (BoundExprPtr& a : copy->args) a = substitute(a);
      return BoundExprPtr(copy);
    };
    for (BoundExprPtr& e : project) e = substitute(e);
    input = input->inputs[0];
  }
  identity = project.size() == input->schema.size();
  for (size_t i = 0; identity && i < project.size(); ++i) {
    identity = project[i]->kind == BoundExprKind::kColumn && project[i]->column == int(i) &&
               input->schema[i].name == names[i];
  }
  if (!identity) {
    auto node = std::make_shared<ProjectNode>();
    for (size_t i = 0; i < project.size(); ++i) {
      TimeAttr attr = project[i]->kind == BoundExprKind::kColumn
                          ? input->schema[project[i]->column].time_attr
                          : TimeAttr::kNone;
      node->schema.push_back({names[i], project[i]->type, attr});
    }
    node->exprs = project;
    node->inputs = {input};
    node->updating = input->updating;
    input = node;
  }
  sink->table = table;
  sink->inputs = {input};
  sink->updating = input->updating;
  return sink;
}

void Binder::BindPipeline(const Statement& s, std::vector<const InsertStatement*> inserts,
                          bool explain) {
  shared_sources_.clear();
  Pipeline p;
  p.settings = settings_;
  p.sql = s.text;
  p.pos = s.pos;
  for (const InsertStatement* insert : inserts) p.sinks.push_back(BindInsert(*insert));
  shared_sources_.clear();
  if (explain) {
    out_->explains.push_back(ExplainPipeline(p));
    return;
  }
  p.name = settings_.pipeline_name;
  if (!p.name.empty()) {
    int n = 1;
    for (const std::string& used : pipeline_names_) n += used == p.name;
    pipeline_names_.push_back(p.name);
    if (n > 1) p.name += "-" + std::to_string(n);
  }
  out_->pipelines.push_back(std::move(p));
}

void Binder::BindStatement(const Statement& s) {
  switch (s.kind) {
    case StatementKind::kCreateTable:
      BindCreateTable(s.As<CreateTableStatement>());
      return;
    case StatementKind::kCreateView:
      BindCreateView(s.As<CreateViewStatement>());
      return;
    case StatementKind::kDropTable:
    case StatementKind::kDropView:
      BindDrop(s.As<DropStatement>());
      return;
    case StatementKind::kSet: {
      const auto& set = s.As<SetStatement>();
      if (!set.list) settings_.Apply(set, &out_->notices);
      return;
    }
    case StatementKind::kReset:
      settings_.Reset(s.As<ResetStatement>());
      return;
    case StatementKind::kInsert:
      BindPipeline(s, {&s.As<InsertStatement>()}, false);
      return;
    case StatementKind::kStatementSet: {
      std::vector<const InsertStatement*> inserts;
      for (const auto& i : s.As<StatementSetStatement>().inserts) inserts.push_back(i.get());
      BindPipeline(s, inserts, false);
      return;
    }
    case StatementKind::kQuery: {
      shared_sources_.clear();
      BoundRelation rel = BindQuery(*s.As<QueryStatement>().query);
      shared_sources_.clear();
      out_->queries.push_back({rel.plan, s.text, s.pos});
      return;
    }
    case StatementKind::kExplain: {
      const Statement& inner = *s.As<ExplainStatement>().statement;
      if (inner.kind == StatementKind::kQuery) {
        shared_sources_.clear();
        BoundRelation rel = BindQuery(*inner.As<QueryStatement>().query);
        shared_sources_.clear();
        out_->explains.push_back(ExplainPlan(*rel.plan));
      } else if (inner.kind == StatementKind::kInsert) {
        BindPipeline(inner, {&inner.As<InsertStatement>()}, true);
      } else if (inner.kind == StatementKind::kStatementSet) {
        std::vector<const InsertStatement*> inserts;
        for (const auto& i : inner.As<StatementSetStatement>().inserts) inserts.push_back(i.get());
        BindPipeline(inner, inserts, true);
      } else {
        ThrowBindError(inner.pos, "EXPLAIN takes a query, an INSERT or a statement set");
      }
      return;
    }
  }
}

Result<BoundScript> BindScript(std::string_view source, const std::vector<StatementPtr>& statements,
                               Catalog* catalog, const BindOptions& options) {
  BoundScript out;
  Binder binder(catalog, &out, options);
  try {
    for (const StatementPtr& s : statements) binder.BindStatement(*s);
    out.settings = binder.settings();
  } catch (const BindError& e) {
    return Status::InvalidArgument(FormatBindError(source, e));
  }
  return out;
}

Result<BoundScript> BindSql(std::string_view sql, Catalog* catalog, const BindOptions& options) {
  auto statements = ParseScript(sql);
  if (!statements.ok()) return statements.status();
  return BindScript(sql, *statements, catalog, options);
}

}  // namespace fluxgate::sql
