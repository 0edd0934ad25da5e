// Binding windows: the windowing table functions in FROM and the legacy GROUP BY window
// calls, and the interval arithmetic they need.
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "common/ascii.h"
#include "sql/binder_internal.h"
#include "sql/type_rules.h"

namespace fluxgate::sql {

namespace {

int64_t UnitMs(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kWeek:
      return 7 * 86400000ll;
    case TimeUnit::kDay:
      return 86400000ll;
    case TimeUnit::kHour:
      return 3600000ll;
    case TimeUnit::kMinute:
      return 60000ll;
    case TimeUnit::kSecond:
      return 1000ll;
    case TimeUnit::kMillisecond:
      return 1;
    default:
      return 0;
  }
}

TimeUnit NextSmaller(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kDay:
      return TimeUnit::kHour;
    case TimeUnit::kHour:
      return TimeUnit::kMinute;
    case TimeUnit::kMinute:
      return TimeUnit::kSecond;
    default:
      return TimeUnit::kMillisecond;
  }
}

}  // namespace

int64_t Binder::IntervalMs(const Expr& expr, const char* what) {
  bool negate = false;
  const Expr* e = &expr;
  if (e->kind == ExprKind::kUnary && e->As<UnaryExpr>().op == UnaryOp::kMinus) {
    negate = true;
    e = e->As<UnaryExpr>().operand.get();
  }
  if (e->kind != ExprKind::kLiteral ||
      e->As<LiteralExpr>().literal_kind != LiteralKind::kInterval) {
    ThrowBindError(expr.pos, std::string(what) +
                                 " must be an interval literal such as "
                                 "INTERVAL '5' MINUTE");
  }
  const auto& lit = e->As<LiteralExpr>();
  if (UnitMs(lit.unit) == 0) {
    ThrowBindError(lit.pos, std::string("year-month interval '") + lit.text + "' " +
                                TimeUnitName(lit.unit) +
                                " is not supported; use DAY, HOUR, MINUTE or SECOND");
  }
  auto bad = [&]() {
    ThrowBindError(
        lit.pos,
        "invalid interval '" + lit.text + "' " + TimeUnitName(lit.unit) +
            (lit.end_unit ? std::string(" TO ") + TimeUnitName(*lit.end_unit) : std::string()) +
            ": expected " + (lit.end_unit ? "fields such as '1:30'" : "a number such as '5'"));
  };
  std::string text = lit.text;
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negate = negate != (text[i] == '-');
    ++i;
  }
  text = text.substr(i);
  if (text.empty()) bad();
  double total = 0;
  if (!lit.end_unit) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v)) bad();
    for (char c : text) {
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') bad();
    }
    total = v * static_cast<double>(UnitMs(lit.unit));
  } else {
    // '1 10:30:00' DAY TO SECOND, '1:30' HOUR TO MINUTE: fields from the leading unit down.
    TimeUnit unit = lit.unit;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t next = text.find_first_of(" :", pos);
      std::string field =
          text.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      if (field.empty()) bad();
      for (char c : field) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') bad();
      }
      if (UnitMs(unit) == 0) bad();
      total += std::strtod(field.c_str(), nullptr) * static_cast<double>(UnitMs(unit));
      if (next == std::string::npos) break;
      if (unit == *lit.end_unit) bad();
      unit = NextSmaller(unit);
      pos = next + 1;
    }
  }
  int64_t ms = static_cast<int64_t>(std::llround(total));
  return negate ? -ms : ms;
}

namespace {

// Checks that column `index` of `scope` can drive a window; `pos` is where the name was.
void RequireRowtime(const Scope& scope, int index, SourcePos pos, const std::string& function) {
  const ScopeColumn& c = scope.columns[index];
  if (c.time_attr == TimeAttr::kRowtime) return;
  if (c.time_attr == TimeAttr::kProctime) {
    ThrowBindError(pos,
                   "processing-time windows are not supported yet; declare an event-time "
                   "column with WATERMARK FOR");
  }
  ThrowBindError(pos, function + " needs a time attribute, but '" + c.name + "' is a plain " +
                          c.type.ToString() + "; declare it in the table with WATERMARK FOR " +
                          c.name + " AS " + c.name + " - INTERVAL '5' SECOND");
}

int64_t PositiveMs(const Expr& e, const char* what) {
  int64_t ms = Binder::IntervalMs(e, what);
  if (ms <= 0) ThrowBindError(e.pos, std::string(what) + " must be positive");
  return ms;
}

void CheckWindowShape(WindowDef& def, SourcePos size_pos, bool tvf) {
  if (def.kind == WindowKind::kHop && tvf && def.size_ms % def.slide_ms != 0) {
    ThrowBindError(size_pos, "HOP window size must be an integral multiple of the slide");
  }
  if (def.kind == WindowKind::kCumulate && def.size_ms % def.step_ms != 0) {
    ThrowBindError(size_pos, "CUMULATE window size must be an integral multiple of the step");
  }
}

}  // namespace

Binder::BoundRelation Binder::BindWindowTvf(const TableFunctionRef& ref) {
  const std::string function = AsciiToUpper(ref.name);
  WindowInfo info;
  info.function = function;
  info.pos = ref.pos;
  std::vector<const char*> params;  // the scalar parameters, in positional order
  if (function == "TUMBLE") {
    info.def.kind = WindowKind::kTumble;
    params = {"SIZE", "OFFSET"};
  } else if (function == "HOP") {
    info.def.kind = WindowKind::kHop;
    params = {"SLIDE", "SIZE", "OFFSET"};
  } else if (function == "CUMULATE") {
    info.def.kind = WindowKind::kCumulate;
    params = {"STEP", "SIZE", "OFFSET"};
  } else if (function == "SESSION") {
    info.def.kind = WindowKind::kSession;
    params = {"GAP"};
  } else {
    ThrowBindError(ref.pos, "unknown table function '" + ref.name +
                                "'; expected TUMBLE, HOP, CUMULATE or SESSION");
  }

  const TableFunctionArg* data = nullptr;
  const TableFunctionArg* timecol = nullptr;
  std::vector<const TableFunctionArg*> scalars(params.size(), nullptr);
  size_t positional = 0;
  for (const TableFunctionArg& arg : ref.args) {
    std::string pname = AsciiToUpper(arg.param_name);
    if (arg.kind == TableFunctionArg::Kind::kTable && (pname.empty() || pname == "DATA")) {
      data = &arg;
      continue;
    }
    if (arg.kind == TableFunctionArg::Kind::kDescriptor && (pname.empty() || pname == "TIMECOL")) {
      timecol = &arg;
      continue;
    }
    if (arg.kind != TableFunctionArg::Kind::kExpr) {
      ThrowBindError(arg.pos, "unexpected argument to " + function);
    }
    size_t slot = positional;
    if (!pname.empty()) {
      slot = params.size();
      for (size_t i = 0; i < params.size(); ++i) {
        if (pname == params[i]) slot = i;
      }
      if (slot == params.size()) {
        ThrowBindError(arg.pos, function + " has no parameter named " + arg.param_name);
      }
    } else {
      ++positional;
    }
    if (slot >= params.size()) ThrowBindError(arg.pos, "too many arguments to " + function);
    scalars[slot] = &arg;
  }
  if (data == nullptr) ThrowBindError(ref.pos, function + " needs TABLE t as its first argument");
  if (timecol == nullptr) ThrowBindError(ref.pos, function + " needs DESCRIPTOR(time_column)");
  for (size_t i = 0; i < params.size(); ++i) {
    if (scalars[i] == nullptr && std::string(params[i]) != "OFFSET") {
      ThrowBindError(ref.pos, function + " needs its " + params[i] + " argument");
    }
  }
  if (!data->partition_by.empty() && info.def.kind != WindowKind::kSession) {
    ThrowBindError(data->pos, "only SESSION takes PARTITION BY");
  }

  // The input table.
  BaseTableRef base(data->pos);
  base.name = data->table_name;
  BoundRelation input = BindTableRef(base);

  if (timecol->columns.size() != 1) {
    ThrowBindError(timecol->pos, "DESCRIPTOR must name exactly one time column");
  }
  ColumnRefExpr col_ref(timecol->pos);
  col_ref.parts = {timecol->columns[0]};
  BoundExprPtr col = BindColumnRef(col_ref, input.scope);
  RequireRowtime(input.scope, col->column, timecol->pos, function);
  info.def.time_column = col->column;

  for (size_t i = 0; i < params.size(); ++i) {
    if (scalars[i] == nullptr) continue;
    const Expr& e = *scalars[i]->expr;
    std::string p = params[i];
    if (p == "OFFSET") {
      info.def.offset_ms = IntervalMs(e, "window offset");
    } else if (p == "SIZE") {
      info.def.size_ms = PositiveMs(e, "window size");
    } else if (p == "SLIDE") {
      info.def.slide_ms = PositiveMs(e, "window slide");
    } else if (p == "STEP") {
      info.def.step_ms = PositiveMs(e, "window step");
    } else if (p == "GAP") {
      info.def.gap_ms = PositiveMs(e, "session gap");
    }
  }
  CheckWindowShape(info.def, ref.pos, true);
  for (const std::string& k : data->partition_by) {
    ColumnRefExpr kref(data->pos);
    kref.parts = {k};
    info.def.session_partition.push_back(BindColumnRef(kref, input.scope)->column);
  }

  auto node = std::make_shared<WindowTableFunctionNode>();
  node->window = info.def;
  node->inputs = {input.plan};
  node->schema = input.plan->schema;
  // The input's time column is a plain timestamp after the TVF; window_time carries the
  // time attribute on.
  const Column time_col = node->schema[col->column];
  node->schema[col->column].time_attr = TimeAttr::kNone;
  node->schema.push_back({"window_start", WithNullable(DataType::Timestamp(3), false)});
  node->schema.push_back({"window_end", WithNullable(DataType::Timestamp(3), false)});
  node->schema.push_back(
      {"window_time", WithNullable(DataType{time_col.type.kind, 3}, false), TimeAttr::kRowtime});
  const std::string qualifier =
      ref.alias.empty() ? (base.name.empty() ? "" : base.name.back()) : ref.alias;
  BoundRelation out{node, ScopeFromSchema(node->schema, qualifier)};
  return out;
}

WindowInfo Binder::BindGroupWindow(const FunctionExpr& call, const Scope& scope) {
  WindowInfo info;
  info.function = AsciiToUpper(call.name);
  info.pos = call.pos;
  info.def.legacy = true;
  size_t expected = 0;
  if (info.function == "TUMBLE") {
    info.def.kind = WindowKind::kTumble;
    expected = 2;
  } else if (info.function == "HOP") {
    info.def.kind = WindowKind::kHop;
    expected = 3;
  } else {
    info.def.kind = WindowKind::kSession;
    expected = 2;
  }
  if (call.args.size() != expected &&
      !(info.def.kind == WindowKind::kTumble && call.args.size() == 3)) {
    ThrowBindError(call.pos,
                   info.function + " takes " +
                       (info.def.kind == WindowKind::kHop      ? "(time_attr, slide, size)"
                        : info.def.kind == WindowKind::kTumble ? "(time_attr, size[, offset])"
                                                               : "(time_attr, gap)"));
  }
  for (const ExprPtr& a : call.args) info.args_sql.push_back(ToSql(*a));
  if (call.args[0]->kind != ExprKind::kColumnRef) {
    ThrowBindError(call.args[0]->pos, info.function +
                                          " needs a time attribute column as its "
                                          "first argument");
  }
  BoundExprPtr col = BindColumnRef(call.args[0]->As<ColumnRefExpr>(), scope);
  RequireRowtime(scope, col->column, call.args[0]->pos, info.function);
  info.def.time_column = col->column;
  switch (info.def.kind) {
    case WindowKind::kTumble:
      info.def.size_ms = PositiveMs(*call.args[1], "window size");
      if (call.args.size() == 3) info.def.offset_ms = IntervalMs(*call.args[2], "window offset");
      break;
    case WindowKind::kHop:
      info.def.slide_ms = PositiveMs(*call.args[1], "window slide");
      info.def.size_ms = PositiveMs(*call.args[2], "window size");
      break;
    default:
      info.def.gap_ms = PositiveMs(*call.args[1], "session gap");
      break;
  }
  CheckWindowShape(info.def, call.pos, false);
  return info;
}

}  // namespace fluxgate::sql
