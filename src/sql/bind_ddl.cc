// Binding DDL: CREATE TABLE (columns, computed columns, watermark, connector options),
// CREATE VIEW, DROP.
#include <functional>

#include "sql/binder_internal.h"
#include "sql/parser.h"
#include "sql/type_rules.h"

namespace fluxgate::sql {

namespace {

std::string JoinName(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

// WATERMARK FOR c AS c [- INTERVAL ...]: anything else is an error.
int64_t WatermarkDelay(const WatermarkDef& wm) {
  const Expr& e = *wm.expr;
  auto is_column = [&](const Expr& x) {
    return x.kind == ExprKind::kColumnRef && x.As<ColumnRefExpr>().parts.size() == 1 &&
           x.As<ColumnRefExpr>().parts[0] == wm.column;
  };
  const std::string shape = "the WATERMARK expression must be `" + wm.column + "` or `" +
                            wm.column + " - INTERVAL 'n' unit` (bounded out-of-orderness)";
  if (is_column(e)) return 0;
  if (e.kind == ExprKind::kBinary) {
    const auto& b = e.As<BinaryExpr>();
    if (b.op == BinaryOp::kSub && is_column(*b.left)) {
      if (b.right->kind != ExprKind::kLiteral ||
          b.right->As<LiteralExpr>().literal_kind != LiteralKind::kInterval) {
        ThrowBindError(b.right->pos, shape);
      }
      int64_t ms = Binder::IntervalMs(*b.right, "watermark delay");
      if (ms < 0) ThrowBindError(b.right->pos, "the watermark delay must not be negative");
      return ms;
    }
  }
  ThrowBindError(e.pos, shape);
}

}  // namespace

void Binder::BindCreateTable(const CreateTableStatement& s) {
  const std::string name = s.name.back();
  if (catalog_->FindTable(name) || catalog_->FindView(name)) {
    if (s.if_not_exists) return;
    ThrowBindError(s.pos, "table or view '" + name + "' already exists");
  }
  auto table = std::make_shared<TableDef>();
  table->name = name;
  table->ddl = s.text;
  table->pos = s.pos;

  // Physical and metadata columns first: computed columns may refer to them.
  Scope scope;
  for (const ColumnDef& c : s.columns) {
    for (const TableColumn& prev : table->columns) {
      if (prev.name == c.name) ThrowBindError(c.pos, "duplicate column '" + c.name + "'");
    }
    TableColumn col;
    col.name = c.name;
    col.pos = c.pos;
    col.type = c.type;
    if (c.kind == ColumnDef::Kind::kMetadata) {
      col.kind = TableColumn::Kind::kMetadata;
      col.metadata_key = c.metadata_key.empty() ? c.name : c.metadata_key;
      col.is_virtual = c.is_virtual;
    } else if (c.kind == ColumnDef::Kind::kComputed) {
      col.kind = TableColumn::Kind::kComputed;
    }
    table->columns.push_back(col);
  }
  for (const TableColumn& c : table->columns) {
    if (c.kind != TableColumn::Kind::kComputed) scope.columns.push_back({name, c.name, c.type});
  }
  for (size_t i = 0; i < s.columns.size(); ++i) {
    const ColumnDef& c = s.columns[i];
    if (c.kind != ColumnDef::Kind::kComputed) continue;
    // Computed columns read the non-computed ones; their index in `scope` differs from
    // the table index, so rebind column indexes to table positions below.
    ExprContext ctx;
    ctx.scope = &scope;
    ctx.clause = "a computed column";
    BoundExprPtr e = BindExpr(*c.expr, ctx);
    TableColumn& col = table->columns[i];
    col.type = e->type.kind == TypeKind::kNull ? DataType::String() : e->type;
    if (e->kind == BoundExprKind::kCall && e->function == "PROCTIME") {
      col.time_attr = TimeAttr::kProctime;
    }
    // Map scope indexes (non-computed columns in order) to table column indexes.
    std::vector<int> to_table;
    for (size_t j = 0; j < table->columns.size(); ++j) {
      if (table->columns[j].kind != TableColumn::Kind::kComputed) {
        to_table.push_back(static_cast<int>(j));
      }
    }
    std::function<BoundExprPtr(const BoundExprPtr&)> remap = [&](const BoundExprPtr& x) {
      auto copy = std::make_shared<BoundExpr>(*x);
      if (copy->kind == BoundExprKind::kColumn) copy->column = to_table[copy->column];
      for (BoundExprPtr& a : copy->args) a = remap(a);
      return BoundExprPtr(copy);
    };
    col.expr = remap(e);
  }

  if (s.watermark) {
    const WatermarkDef& wm = *s.watermark;
    int index = table->FindColumn(wm.column);
    if (index < 0) {
      std::vector<std::string> names;
      for (const TableColumn& c : table->columns) names.push_back(c.name);
      std::string hint = ClosestName(wm.column, names);
      ThrowBindError(wm.column_pos, "unknown column '" + wm.column + "' in WATERMARK FOR" +
                                        (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
    TableColumn& col = table->columns[index];
    if (!col.type.IsTimestamp() || col.type.precision > 3) {
      ThrowBindError(wm.column_pos, "the WATERMARK column '" + wm.column +
                                        "' must be TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3, "
                                        "not " +
                                        col.type.ToString());
    }
    WatermarkSpec spec;
    spec.column = index;
    spec.column_name = wm.column;
    spec.delay_ms = WatermarkDelay(wm);
    spec.pos = wm.pos;
    Scope all;
    for (const TableColumn& c : table->columns) all.columns.push_back({name, c.name, c.type});
    ExprContext ctx;
    ctx.scope = &all;
    spec.expr = BindExpr(*wm.expr, ctx);
    col.time_attr = TimeAttr::kRowtime;
    table->watermark = spec;
  }

  if (s.primary_key) {
    for (const std::string& k : s.primary_key->columns) {
      if (table->FindColumn(k) < 0) {
        ThrowBindError(s.primary_key->pos, "unknown column '" + k + "' in PRIMARY KEY");
      }
      table->primary_key.push_back(k);
    }
  }
  for (const std::string& p : s.partitioned_by) {
    if (table->FindColumn(p) < 0) {
      ThrowBindError(s.pos, "unknown column '" + p + "' in PARTITIONED BY");
    }
    table->partitioned_by.push_back(p);
  }

  table->connector = BindConnectorOptions(s.options, s.pos, &out_->notices);
  if (table->connector.kind == ConnectorKind::kAlert &&
      !table->connector.message_template.empty()) {
    // Every {placeholder} must name a column of the table.
    const std::string& t = table->connector.message_template;
    for (size_t open = t.find('{'); open != std::string::npos; open = t.find('{', open + 1)) {
      size_t close = t.find('}', open);
      if (close == std::string::npos) break;
      std::string col = t.substr(open + 1, close - open - 1);
      if (table->FindColumn(col) < 0) {
        SourcePos pos = s.pos;
        for (const TableOption& o : s.options) {
          if (o.key == "message.template") pos = o.value_pos;
        }
        ThrowBindError(pos, "'message.template' refers to {" + col +
                                "}, which is not a column of '" + name + "'");
      }
    }
  }
  catalog_->PutTable(table);
}

void Binder::BindCreateView(const CreateViewStatement& s) {
  const std::string name = s.name.back();
  if (catalog_->FindTable(name) || catalog_->FindView(name)) {
    if (s.if_not_exists) return;
    ThrowBindError(s.pos, "table or view '" + name + "' already exists");
  }
  // Bind once now, so errors point into the CREATE VIEW; later uses re-bind the catalog's
  // own copy of the query (inlining it into each plan).
  auto saved = std::move(shared_sources_);
  shared_sources_.clear();
  BoundRelation rel = BindQuery(*s.query);
  shared_sources_ = std::move(saved);
  if (!s.columns.empty() && s.columns.size() != rel.scope.columns.size()) {
    ThrowBindError(s.pos, "the view lists " + std::to_string(s.columns.size()) +
                              " columns but its query has " +
                              std::to_string(rel.scope.columns.size()));
  }
  auto view = std::make_shared<ViewDef>();
  view->name = name;
  view->column_aliases = s.columns;
  view->sql = ToSql(*s.query);
  view->pos = s.pos;
  for (size_t i = 0; i < rel.scope.columns.size(); ++i) {
    const ScopeColumn& c = rel.scope.columns[i];
    view->columns.push_back({s.columns.empty() ? c.name : s.columns[i], c.type, c.time_attr});
  }
  auto parsed = ParseStatement(view->sql);
  if (!parsed.ok() || (*parsed)->kind != StatementKind::kQuery) {
    ThrowBindError(s.pos, "internal error: the view's canonical SQL does not parse again: " +
                              parsed.status().message());
  }
  std::shared_ptr<Query> query = std::move((*parsed)->As<QueryStatement>().query);
  view->query = query;
  catalog_->PutView(view);
}

void Binder::BindDrop(const DropStatement& s) {
  const std::string name = s.name.back();
  bool dropped =
      s.kind == StatementKind::kDropTable ? catalog_->DropTable(name) : catalog_->DropView(name);
  if (!dropped && !s.if_exists) {
    ThrowBindError(s.pos, std::string(s.kind == StatementKind::kDropTable ? "table" : "view") +
                              " '" + JoinName(s.name) + "' does not exist");
  }
}

}  // namespace fluxgate::sql
