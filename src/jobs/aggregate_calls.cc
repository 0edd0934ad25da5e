#include "jobs/aggregate_calls.h"

namespace fluxgate::jobs {

namespace {

struct KindFor {
  const char* name;
  runtime::AggKind kind;
};
constexpr KindFor kKinds[] = {
    {"SUM", runtime::AggKind::kSum},
    {"AVG", runtime::AggKind::kAvg},
    {"MIN", runtime::AggKind::kMin},
    {"MAX", runtime::AggKind::kMax},
    {"STDDEV_POP", runtime::AggKind::kStddevPop},
    {"STDDEV_SAMP", runtime::AggKind::kStddevSamp},
    {"STDDEV", runtime::AggKind::kStddevSamp},
    {"VAR_POP", runtime::AggKind::kVarPop},
    {"VAR_SAMP", runtime::AggKind::kVarSamp},
    {"VARIANCE", runtime::AggKind::kVarSamp},
    {"FIRST_VALUE", runtime::AggKind::kFirstValue},
    {"LAST_VALUE", runtime::AggKind::kLastValue},
    {"PERCENTILE_APPROX", runtime::AggKind::kPercentileApprox},
    {"PERCENTILE", runtime::AggKind::kPercentileApprox},
};

sql::BoundExprPtr NullOf(const sql::DataType& type) {
  auto e = std::make_shared<sql::BoundExpr>();
  e->kind = sql::BoundExprKind::kLiteral;
  e->type = type;
  e->is_null = true;
  return e;
}

sql::BoundExprPtr TrueLiteral() {
  auto e = std::make_shared<sql::BoundExpr>();
  e->kind = sql::BoundExprKind::kLiteral;
  e->type = sql::DataType::Boolean();
  e->bool_value = true;
  return e;
}

}  // namespace

Status CompiledAggregates::Evaluate(const runtime::RecordBatch& batch) {
  arg_columns.resize(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    if (passthrough[i] >= 0) {
      arg_columns[i] = &batch.column(passthrough[i]);
      continue;
    }
    if (!args[i]) {
      arg_columns[i] = nullptr;
      continue;
    }
    FG_ASSIGN_OR_RETURN(arg_columns[i], args[i]->Evaluate(batch));
  }
  return Status::Ok();
}

Result<CompiledAggregates> CompileAggregates(const std::vector<sql::AggregateCall>& calls,
                                             const runtime::Schema& input) {
  CompiledAggregates out;
  for (const sql::AggregateCall& call : calls) {
    runtime::AggKind kind;
    sql::BoundExprPtr arg = call.args.empty() ? nullptr : call.args[0];
    double param = 0;
    if (call.function == "COUNT") {
      kind = call.distinct ? runtime::AggKind::kCountDistinct
             : arg         ? runtime::AggKind::kCount
                           : runtime::AggKind::kCountStar;
    } else {
      const KindFor* found = nullptr;
      for (const KindFor& k : kKinds) {
        if (call.function == k.name) found = &k;
      }
      if (found == nullptr) {
        return Status::InvalidArgument("aggregate function " + call.function +
                                       " is not supported by the streaming runtime");
      }
      if (call.distinct && found->kind != runtime::AggKind::kMin &&
          found->kind != runtime::AggKind::kMax) {
        return Status::InvalidArgument(call.function +
                                       "(DISTINCT ...) is not supported; only COUNT(DISTINCT ...)");
      }
      kind = found->kind;
      if (kind == runtime::AggKind::kPercentileApprox) {
        if (call.args.size() < 2 || !call.args[1]->IsLiteral()) {
          return Status::InvalidArgument(call.function +
                                         " needs a constant fraction as its second argument");
        }
        const sql::BoundExpr& p = *call.args[1];
        param = p.type.kind == sql::TypeKind::kDouble    ? p.double_value
                : p.type.kind == sql::TypeKind::kDecimal ? std::stod(p.text)
                                                         : static_cast<double>(p.int_value);
        if (!(param >= 0 && param <= 1)) {
          return Status::InvalidArgument(call.function + ": the fraction must be in [0, 1]");
        }
      }
    }
    if (call.filter) {
      if (!arg) {
        arg = TrueLiteral();
        kind = runtime::AggKind::kCount;
      }
      arg = sql::MakeCall("CASE", {call.filter, arg, NullOf(arg->type)}, arg->type);
    }
    sql::DataType input_type = arg ? arg->type : sql::DataType::BigInt();
    FG_ASSIGN_OR_RETURN(auto fn, runtime::MakeAggregate(kind, input_type, param));
    out.functions.push_back(std::move(fn));
    if (arg && arg->kind == sql::BoundExprKind::kColumn &&
        input.field(arg->column).type == arg->type) {
      // AVG(value): the aggregate reads the input column itself.
      out.passthrough.push_back(arg->column);
      out.args.push_back(nullptr);
    } else if (arg) {
      FG_ASSIGN_OR_RETURN(auto program, runtime::ExprProgram::Compile(*arg, input));
      out.passthrough.push_back(-1);
      out.args.push_back(std::move(program));
    } else {
      out.passthrough.push_back(-1);
      out.args.push_back(nullptr);
    }
    out.names.push_back(call.name);
  }
  return out;
}

Status CompiledKeys::Evaluate(const runtime::RecordBatch& batch) {
  columns.resize(programs.size());
  for (size_t i = 0; i < programs.size(); ++i) {
    if (passthrough[i] >= 0) {
      columns[i] = &batch.column(passthrough[i]);
      continue;
    }
    FG_ASSIGN_OR_RETURN(columns[i], programs[i]->Evaluate(batch));
  }
  return Status::Ok();
}

Result<CompiledKeys> CompileKeys(const std::vector<sql::BoundExprPtr>& keys,
                                 const runtime::Schema& input) {
  CompiledKeys out;
  for (const auto& k : keys) {
    out.types.push_back(k->type);
    if (k->kind == sql::BoundExprKind::kColumn && input.field(k->column).type == k->type) {
      out.passthrough.push_back(k->column);
      out.programs.push_back(nullptr);
      continue;
    }
    out.passthrough.push_back(-1);
    FG_ASSIGN_OR_RETURN(auto program, runtime::ExprProgram::Compile(*k, input));
    out.programs.push_back(std::move(program));
  }
  return out;
}

}  // namespace fluxgate::jobs
