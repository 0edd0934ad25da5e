// Binding queries: FROM items, WHERE, the select list, GROUP BY / HAVING and windows, OVER
// aggregates, UNION ALL. Produces logical plan nodes (logical_plan.h).
#include <algorithm>
#include <cctype>
#include <set>

#include "common/ascii.h"
#include "sql/binder_internal.h"
#include "sql/function_registry.h"
#include "sql/type_rules.h"

namespace fluxgate::sql {

Scope ScopeFromSchema(const Schema& schema, const std::string& table) {
  Scope scope;
  for (const Column& c : schema) scope.columns.push_back({table, c.name, c.type, c.time_attr});
  return scope;
}

Schema SchemaFromScope(const Scope& scope) {
  Schema schema;
  for (const ScopeColumn& c : scope.columns) schema.push_back({c.name, c.type, c.time_attr});
  return schema;
}

namespace {

bool IsGroupWindowCall(const Expr& e) {
  if (e.kind != ExprKind::kFunction) return false;
  std::string n = AsciiToUpper(e.As<FunctionExpr>().name);
  return n == "TUMBLE" || n == "HOP" || n == "SESSION";
}

// Calls `fn` on every sub-expression of `e` (not descending into subqueries).
template <typename Fn>
void Walk(const Expr& e, const Fn& fn) {
  fn(e);
  auto walk = [&](const ExprPtr& p) {
    if (p) Walk(*p, fn);
  };
  switch (e.kind) {
    case ExprKind::kUnary:
      walk(e.As<UnaryExpr>().operand);
      break;
    case ExprKind::kBinary:
      walk(e.As<BinaryExpr>().left);
      walk(e.As<BinaryExpr>().right);
      break;
    case ExprKind::kIs:
      walk(e.As<IsExpr>().operand);
      break;
    case ExprKind::kBetween:
      walk(e.As<BetweenExpr>().operand);
      walk(e.As<BetweenExpr>().low);
      walk(e.As<BetweenExpr>().high);
      break;
    case ExprKind::kInList:
      walk(e.As<InListExpr>().operand);
      for (const ExprPtr& x : e.As<InListExpr>().list) walk(x);
      break;
    case ExprKind::kLike:
      walk(e.As<LikeExpr>().operand);
      walk(e.As<LikeExpr>().pattern);
      walk(e.As<LikeExpr>().escape);
      break;
    case ExprKind::kCase:
      walk(e.As<CaseExpr>().operand);
      for (const CaseExpr::When& w : e.As<CaseExpr>().whens) {
        walk(w.condition);
        walk(w.result);
      }
      walk(e.As<CaseExpr>().else_result);
      break;
    case ExprKind::kCast:
      walk(e.As<CastExpr>().operand);
      break;
    case ExprKind::kFunction:
      for (const ExprPtr& x : e.As<FunctionExpr>().args) walk(x);
      walk(e.As<FunctionExpr>().filter);
      break;
    case ExprKind::kExtract:
      walk(e.As<ExtractExpr>().operand);
      break;
    case ExprKind::kJsonValue:
      walk(e.As<JsonValueExpr>().operand);
      walk(e.As<JsonValueExpr>().path);
      break;
    default:
      break;
  }
}

bool HasAggregate(const Expr& e) {
  bool found = false;
  Walk(e, [&](const Expr& x) {
    if (x.kind != ExprKind::kFunction) return;
    const auto& f = x.As<FunctionExpr>();
    if (f.over) return;
    const FunctionInfo* info = LookupFunction(f.name);
    if (info != nullptr && info->kind == FunctionKind::kAggregate) found = true;
    std::string n = AsciiToUpper(f.name);
    for (const char* w : {"TUMBLE_", "HOP_", "SESSION_"}) {
      if (n.rfind(w, 0) == 0) found = true;
    }
  });
  return found;
}

bool HasOver(const Expr& e) {
  bool found = false;
  Walk(e, [&](const Expr& x) {
    if (x.kind == ExprKind::kFunction && x.As<FunctionExpr>().over) found = true;
  });
  return found;
}

int MaxColumn(const BoundExpr& e) {
  int m = e.kind == BoundExprKind::kColumn ? e.column : -1;
  for (const BoundExprPtr& a : e.args) m = std::max(m, MaxColumn(*a));
  return m;
}

PlanPtr MakeFilter(PlanPtr input, BoundExprPtr predicate) {
  auto node = std::make_shared<FilterNode>();
  node->schema = input->schema;
  node->updating = input->updating;
  node->predicate = std::move(predicate);
  node->inputs = {std::move(input)};
  return node;
}

PlanPtr MakeProject(PlanPtr input, std::vector<BoundExprPtr> exprs,
                    const std::vector<std::string>& names) {
  bool identity = exprs.size() == input->schema.size();
  for (size_t i = 0; identity && i < exprs.size(); ++i) {
    identity = exprs[i]->kind == BoundExprKind::kColumn &&
               exprs[i]->column == static_cast<int>(i) && names[i] == input->schema[i].name;
  }
  if (identity) return input;
  auto node = std::make_shared<ProjectNode>();
  for (size_t i = 0; i < exprs.size(); ++i) {
    Column c{names[i], exprs[i]->type, TimeAttr::kNone};
    if (exprs[i]->kind == BoundExprKind::kColumn) {
      c.time_attr = input->schema[exprs[i]->column].time_attr;
    }
    node->schema.push_back(c);
  }
  node->updating = input->updating;
  node->exprs = std::move(exprs);
  node->inputs = {std::move(input)};
  return node;
}

void CheckBoolean(const BoundExpr& e, SourcePos pos, const char* clause) {
  if (e.type.kind != TypeKind::kBoolean && e.type.kind != TypeKind::kNull) {
    ThrowBindError(pos,
                   std::string(clause) + " condition must be BOOLEAN, not " + e.type.ToString());
  }
}

void Requalify(Scope* scope, const std::string& qualifier,
               const std::vector<std::string>& column_aliases, SourcePos pos) {
  if (!column_aliases.empty() && column_aliases.size() != scope->columns.size()) {
    ThrowBindError(pos, "the alias lists " + std::to_string(column_aliases.size()) +
                            " columns but the relation has " +
                            std::to_string(scope->columns.size()));
  }
  for (size_t i = 0; i < scope->columns.size(); ++i) {
    scope->columns[i].table = qualifier;
    if (!column_aliases.empty()) scope->columns[i].name = column_aliases[i];
  }
}

PlanPtr RenameColumns(PlanPtr plan, const Scope& scope) {
  std::vector<BoundExprPtr> exprs;
  std::vector<std::string> names;
  for (size_t i = 0; i < scope.columns.size(); ++i) {
    exprs.push_back(MakeColumn(static_cast<int>(i), plan->schema[i].name, plan->schema[i].type));
    names.push_back(scope.columns[i].name);
  }
  return MakeProject(std::move(plan), std::move(exprs), names);
}

}  // namespace

Binder::BoundRelation Binder::BindQuery(const Query& query) {
  if (!query.order_by.empty()) {
    ThrowBindError(query.order_by[0].pos, "ORDER BY is not supported in streaming queries yet");
  }
  if (query.limit)
    ThrowBindError(query.limit->pos, "LIMIT is not supported in streaming queries yet");
  if (query.offset)
    ThrowBindError(query.offset->pos, "OFFSET is not supported in streaming queries");
  const size_t saved = ctes_.size();
  for (const CommonTableExpr& cte : query.ctes) ctes_.push_back(&cte);
  BoundRelation out = BindQueryBody(*query.body);
  ctes_.resize(saved);
  return out;
}

Binder::BoundRelation Binder::BindQueryBody(const QueryBody& body) {
  switch (body.kind) {
    case QueryBodyKind::kSelect:
      return BindSelect(body.As<SelectBody>());
    case QueryBodyKind::kNested:
      return BindQuery(*body.As<NestedBody>().query);
    case QueryBodyKind::kValues:
      ThrowBindError(body.pos, "VALUES is not supported in streaming jobs yet");
    case QueryBodyKind::kSetOperation: {
      const auto& set = body.As<SetOperationBody>();
      if (set.op != SetOp::kUnion || !set.all) {
        ThrowBindError(body.pos,
                       "only UNION ALL is supported (UNION, INTERSECT and EXCEPT need "
                       "an updating result)");
      }
      BoundRelation left = BindQueryBody(*set.left);
      BoundRelation right = BindQueryBody(*set.right);
      if (left.scope.columns.size() != right.scope.columns.size()) {
        ThrowBindError(set.right->pos, "UNION ALL inputs have " +
                                           std::to_string(left.scope.columns.size()) + " and " +
                                           std::to_string(right.scope.columns.size()) + " columns");
      }
      Schema schema = left.plan->schema;
      std::vector<BoundExprPtr> lcast, rcast;
      std::vector<std::string> lnames, rnames;
      for (size_t i = 0; i < schema.size(); ++i) {
        const Column& lc = left.plan->schema[i];
        const Column& rc = right.plan->schema[i];
        auto common = CommonType({lc.type, rc.type});
        if (!common) {
          ThrowBindError(set.right->pos, "UNION ALL column " + std::to_string(i + 1) + " ('" +
                                             lc.name + "') is " + lc.type.ToString() +
                                             " on the left but " + rc.type.ToString() +
                                             " on the right");
        }
        schema[i].type = *common;
        if (lc.time_attr != rc.time_attr) schema[i].time_attr = TimeAttr::kNone;
        lcast.push_back(Coerce(MakeColumn(static_cast<int>(i), lc.name, lc.type), *common));
        rcast.push_back(Coerce(MakeColumn(static_cast<int>(i), rc.name, rc.type), *common));
        lnames.push_back(lc.name);
        rnames.push_back(lc.name);
      }
      auto node = std::make_shared<UnionNode>();
      node->inputs = {MakeProject(left.plan, lcast, lnames),
                      MakeProject(right.plan, rcast, rnames)};
      node->schema = schema;
      node->updating = left.plan->updating || right.plan->updating;
      return {node, ScopeFromSchema(schema, "")};
    }
  }
  ThrowBindError(body.pos, "unsupported query");
}

Binder::BoundRelation Binder::BindTableRef(const TableRef& ref) {
  switch (ref.kind) {
    case TableRefKind::kTable: {
      const auto& t = ref.As<BaseTableRef>();
      if (t.system_time_as_of) {
        ThrowBindError(t.system_time_as_of->pos,
                       "temporal joins (FOR SYSTEM_TIME AS OF) are not "
                       "supported yet");
      }
      const std::string& name = t.name.back();
      const std::string qualifier = ref.alias.empty() ? name : ref.alias;
      for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
        if ((*it)->name != name) continue;
        const size_t saved = ctes_.size();
        ctes_.resize(static_cast<size_t>(ctes_.rend() - it) - 1);  // a CTE sees earlier ones
        BoundRelation rel = BindQuery(*(*it)->query);
        ctes_.resize(saved);
        Requalify(&rel.scope, qualifier, (*it)->columns, (*it)->pos);
        Requalify(&rel.scope, qualifier, ref.column_aliases, ref.pos);
        return {RenameColumns(rel.plan, rel.scope), rel.scope};
      }
      if (const ViewDef* view = catalog_->FindView(name)) {
        if (std::find(expanding_views_.begin(), expanding_views_.end(), name) !=
            expanding_views_.end()) {
          ThrowBindError(ref.pos, "view '" + name + "' refers to itself");
        }
        expanding_views_.push_back(name);
        auto saved_ctes = std::move(ctes_);
        ctes_.clear();
        BoundRelation rel = BindQuery(*view->query);
        ctes_ = std::move(saved_ctes);
        expanding_views_.pop_back();
        Requalify(&rel.scope, qualifier, view->column_aliases, ref.pos);
        Requalify(&rel.scope, qualifier, ref.column_aliases, ref.pos);
        return {RenameColumns(rel.plan, rel.scope), rel.scope};
      }
      std::shared_ptr<const TableDef> table = catalog_->SharedTable(name);
      if (!table) {
        std::string similar = catalog_->SimilarName(name);
        ThrowBindError(ref.pos, "unknown table '" + name + "'" +
                                    (similar.empty() ? "" : "; did you mean '" + similar + "'?"));
      }
      // Batch mode reads only file tables; streaming reads only streams.
      const ConnectorKind readable =
          options_.batch ? ConnectorKind::kFilesystem : ConnectorKind::kStream;
      if (table->connector.kind != readable) {
        ThrowBindError(ref.pos,
                       "table '" + name + "' uses connector '" + table->connector.connector +
                           (options_.batch ? "'; fluxgate query reads only 'filesystem' and "
                                             "'s3' tables (the archive)"
                           : table->connector.kind == ConnectorKind::kFilesystem
                               ? "', which a streaming job can only write to (INSERT INTO); "
                                 "read the files with `fluxgate query`"
                               : "', which can only be written to (INSERT INTO)"));
      }
      PlanPtr& source = shared_sources_[name];
      if (!source) {
        auto node = std::make_shared<SourceNode>();
        node->table = table;
        for (const TableColumn& c : table->columns) {
          TimeAttr attr = c.time_attr;
          // Flink's batch mode: any timestamp column can drive a window.
          if (options_.batch && attr == TimeAttr::kNone &&
              (c.type.kind == TypeKind::kTimestamp || c.type.kind == TypeKind::kTimestampLtz)) {
            attr = TimeAttr::kRowtime;
          }
          node->schema.push_back({c.name, c.type, attr});
        }
        source = node;
      }
      Scope scope = ScopeFromSchema(source->schema, qualifier);
      Requalify(&scope, qualifier, ref.column_aliases, ref.pos);
      return {RenameColumns(source, scope), scope};
    }
    case TableRefKind::kSubquery: {
      const auto& sq = ref.As<SubqueryRef>();
      BoundRelation rel = BindQuery(*sq.query);
      Requalify(&rel.scope, ref.alias, ref.column_aliases, ref.pos);
      return {RenameColumns(rel.plan, rel.scope), rel.scope};
    }
    case TableRefKind::kJoin:
      ThrowBindError(ref.pos, "joins are not supported yet");
    case TableRefKind::kTableFunction:
      return BindWindowTvf(ref.As<TableFunctionRef>());
  }
  ThrowBindError(ref.pos, "unsupported FROM item");
}

Binder::BoundRelation Binder::BindSelect(const SelectBody& select) {
  if (select.from == nullptr) {
    ThrowBindError(select.pos, "SELECT without FROM is not supported in streaming jobs");
  }
  if (select.distinct) {
    ThrowBindError(select.pos,
                   "SELECT DISTINCT is not supported yet (it needs an updating "
                   "result); use GROUP BY with a window");
  }
  if (!select.windows.empty()) {
    ThrowBindError(select.windows[0].pos,
                   "the WINDOW clause is not supported yet; write the "
                   "window inline in OVER (...)");
  }
  BoundRelation rel = BindTableRef(*select.from);
  PlanPtr plan = rel.plan;
  // A window TVF directly under this SELECT: a GROUP BY window_start, window_end over it
  // becomes one WindowAggregate reading the TVF's input.
  std::shared_ptr<const WindowTableFunctionNode> tvf;
  if (plan->kind == PlanKind::kWindowTableFunction) {
    tvf = std::static_pointer_cast<const WindowTableFunctionNode>(plan);
  }

  if (select.where) {
    ExprContext ctx;
    ctx.scope = &rel.scope;
    ctx.clause = "WHERE";
    BoundExprPtr pred = BindExpr(*select.where, ctx);
    CheckBoolean(*pred, select.where->pos, "WHERE");
    if (tvf && MaxColumn(*pred) < static_cast<int>(tvf->inputs[0]->schema.size())) {
      // Filter before assigning windows: same rows, cheaper.
      auto moved = std::make_shared<WindowTableFunctionNode>(*tvf);
      moved->inputs = {MakeFilter(tvf->inputs[0], pred)};
      tvf = moved;
      plan = moved;
    } else {
      plan = MakeFilter(plan, pred);
      tvf = nullptr;
    }
  }

  bool aggregated = !select.group_by.empty();
  bool has_over = false;
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) continue;
    aggregated |= HasAggregate(*item.expr);
    has_over |= HasOver(*item.expr);
  }
  if (select.having) aggregated = true;
  if (aggregated && has_over) {
    ThrowBindError(select.pos,
                   "OVER windows cannot be combined with GROUP BY or aggregates in "
                   "one SELECT; use a subquery");
  }

  std::vector<BoundExprPtr> exprs;
  std::vector<std::string> names;
  auto name_of = [&](const SelectItem& item) {
    return item.alias.empty() ? DefaultColumnName(*item.expr, names.size()) : item.alias;
  };

  if (aggregated) {
    AggregateState st;
    st.input = &rel.scope;
    std::vector<std::pair<BoundExprPtr, const Expr*>> window_keys;  // TVF window columns
    for (const ExprPtr& g : select.group_by) {
      if (IsGroupWindowCall(*g)) {
        if (st.window) ThrowBindError(g->pos, "only one group window is allowed in GROUP BY");
        st.window = BindGroupWindow(g->As<FunctionExpr>(), rel.scope);
        continue;
      }
      if (g->kind == ExprKind::kGroupingSets) {
        ThrowBindError(g->pos, "GROUPING SETS, ROLLUP and CUBE are not supported yet");
      }
      ExprContext ctx;
      ctx.scope = &rel.scope;
      ctx.clause = "GROUP BY";
      BoundExprPtr key = BindExpr(*g, ctx);
      const int tvf_base = tvf ? static_cast<int>(tvf->inputs[0]->schema.size()) : -1;
      if (tvf && key->kind == BoundExprKind::kColumn && key->column >= tvf_base) {
        window_keys.push_back({key, g.get()});
        continue;
      }
      st.keys.push_back(key);
      st.key_sql.push_back(ToSql(*g));
      st.key_column.push_back(key->kind == BoundExprKind::kColumn ? key->column : -1);
    }
    if (tvf) {
      const int base = static_cast<int>(tvf->inputs[0]->schema.size());
      bool has_start = false, has_end = false;
      for (const auto& wk : window_keys) {
        has_start |= wk.first->column == base;
        has_end |= wk.first->column == base + 1;
      }
      if (has_start && has_end) {
        WindowInfo w;
        w.def = tvf->window;
        w.function = WindowKindName(tvf->window.kind);
        w.tvf_window_start = base;
        w.tvf_window_end = base + 1;
        w.tvf_window_time = base + 2;
        st.window = w;
        if (w.def.kind == WindowKind::kSession) {
          std::set<int> keys(st.key_column.begin(), st.key_column.end());
          std::set<int> part(w.def.session_partition.begin(), w.def.session_partition.end());
          if (keys != part) {
            ThrowBindError(select.group_by[0]->pos,
                           "a SESSION window aggregate must GROUP BY exactly the PARTITION BY "
                           "columns of the SESSION table function (plus window_start, "
                           "window_end)");
          }
        }
      } else {
        if (!window_keys.empty()) {
          ThrowBindError(window_keys[0].second->pos,
                         "a window aggregate must GROUP BY both window_start and window_end");
        }
        ThrowBindError(select.from->pos,
                       "aggregating a window table function needs GROUP BY window_start, "
                       "window_end");
      }
    }

    ExprContext ctx;
    ctx.scope = &rel.scope;
    ctx.aggregate = &st;
    for (const SelectItem& item : select.items) {
      if (item.expr->kind == ExprKind::kStar) {
        ThrowBindError(item.pos, "'*' is not allowed with GROUP BY; list the grouped columns");
      }
      exprs.push_back(BindExpr(*item.expr, ctx));
      names.push_back(name_of(item));
    }
    BoundExprPtr having;
    if (select.having) {
      ctx.clause = "HAVING";
      having = BindExpr(*select.having, ctx);
      CheckBoolean(*having, select.having->pos, "HAVING");
    }

    Schema schema;
    for (size_t i = 0; i < st.keys.size(); ++i) {
      const BoundExpr& k = *st.keys[i];
      schema.push_back(
          {k.kind == BoundExprKind::kColumn ? k.name : "$f" + std::to_string(i), k.type});
    }
    for (size_t i = 0; i < st.aggregates.size(); ++i) {
      // Name each aggregate after the first select item that is exactly it.
      for (size_t j = 0; j < exprs.size(); ++j) {
        if (exprs[j]->kind == BoundExprKind::kColumn &&
            exprs[j]->column == st.AggregateBase() + static_cast<int>(i)) {
          st.aggregates[i].name = names[j];
          break;
        }
      }
    }
    PlanPtr agg;
    if (st.window) {
      auto node = std::make_shared<WindowAggregateNode>();
      node->window = st.window->def;
      node->keys = st.keys;
      node->aggregates = st.aggregates;
      node->inputs = {tvf ? tvf->inputs[0] : plan};
      const Column& time_col = node->inputs[0]->schema[node->window.time_column];
      schema.push_back({"window_start", WithNullable(DataType::Timestamp(3), false)});
      schema.push_back({"window_end", WithNullable(DataType::Timestamp(3), false)});
      schema.push_back({"window_time", WithNullable(DataType{time_col.type.kind, 3}, false),
                        TimeAttr::kRowtime});
      for (const AggregateCall& a : st.aggregates) schema.push_back({a.name, a.type});
      node->schema = schema;
      agg = node;
    } else {
      auto node = std::make_shared<AggregateNode>();
      node->keys = st.keys;
      node->aggregates = st.aggregates;
      node->inputs = {plan};
      for (const AggregateCall& a : st.aggregates) schema.push_back({a.name, a.type});
      node->schema = schema;
      node->updating = true;
      agg = node;
    }
    // Select expressions refer to the aggregate's output; fix their printed names.
    plan = having ? MakeFilter(agg, having) : agg;
  } else if (has_over) {
    OverState st;
    st.input = &rel.scope;
    ExprContext ctx;
    ctx.scope = &rel.scope;
    ctx.over = &st;
    for (const SelectItem& item : select.items) {
      if (item.expr->kind == ExprKind::kStar) {
        ThrowBindError(item.pos, "'*' cannot be combined with OVER aggregates yet");
      }
      exprs.push_back(BindExpr(*item.expr, ctx));
      names.push_back(name_of(item));
    }
    auto node = std::make_shared<OverAggregateNode>();
    node->partition_by = st.partition_by;
    node->order_column = st.order_column;
    node->frame = st.frame;
    node->aggregates = st.aggregates;
    node->inputs = {plan};
    node->schema = plan->schema;
    node->updating = plan->updating;
    for (size_t i = 0; i < st.aggregates.size(); ++i) {
      for (size_t j = 0; j < exprs.size(); ++j) {
        if (exprs[j]->kind == BoundExprKind::kColumn &&
            exprs[j]->column == static_cast<int>(plan->schema.size() + i)) {
          node->aggregates[i].name = names[j];
          break;
        }
      }
      node->schema.push_back({node->aggregates[i].name, node->aggregates[i].type});
    }
    plan = node;
  } else {
    ExprContext ctx;
    ctx.scope = &rel.scope;
    for (const SelectItem& item : select.items) {
      if (item.expr->kind == ExprKind::kStar) {
        const auto& star = item.expr->As<StarExpr>();
        bool any = false;
        for (size_t i = 0; i < rel.scope.columns.size(); ++i) {
          const ScopeColumn& c = rel.scope.columns[i];
          if (!star.qualifier.empty() && c.table != star.qualifier.back()) continue;
          exprs.push_back(MakeColumn(static_cast<int>(i), c.name, c.type, item.pos));
          names.push_back(c.name);
          any = true;
        }
        if (!any)
          ThrowBindError(item.pos, "unknown table or alias '" + star.qualifier.back() + "'");
        continue;
      }
      exprs.push_back(BindExpr(*item.expr, ctx));
      names.push_back(name_of(item));
    }
  }

  // Output names must be unique, as in Flink.
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) {
        const SelectItem* item = i < select.items.size() ? &select.items[i] : nullptr;
        ThrowBindError(item ? item->pos : select.pos,
                       "duplicate output column '" + names[i] + "'; add an alias with AS");
      }
    }
  }
  // Give column references the names of the columns they read (EXPLAIN shows them).
  for (BoundExprPtr& e : exprs) {
    if (e->kind == BoundExprKind::kColumn) {
      auto c = std::make_shared<BoundExpr>(*e);
      c->name = plan->schema[e->column].name;
      e = c;
    }
  }
  PlanPtr out = MakeProject(plan, exprs, names);
  return {out, ScopeFromSchema(out->schema, "")};
}

}  // namespace fluxgate::sql
