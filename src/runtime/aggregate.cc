#include "runtime/aggregate.h"

#include "runtime/agg_common.h"

namespace fluxgate::runtime {

const char* AggKindName(AggKind kind) {
  switch (kind) {
    case AggKind::kCountStar:
      return "COUNT(*)";
    case AggKind::kCount:
      return "COUNT";
    case AggKind::kCountDistinct:
      return "COUNT DISTINCT";
    case AggKind::kSum:
      return "SUM";
    case AggKind::kAvg:
      return "AVG";
    case AggKind::kMin:
      return "MIN";
    case AggKind::kMax:
      return "MAX";
    case AggKind::kStddevPop:
      return "STDDEV_POP";
    case AggKind::kStddevSamp:
      return "STDDEV_SAMP";
    case AggKind::kVarPop:
      return "VAR_POP";
    case AggKind::kVarSamp:
      return "VAR_SAMP";
    case AggKind::kFirstValue:
      return "FIRST_VALUE";
    case AggKind::kLastValue:
      return "LAST_VALUE";
    case AggKind::kPercentileApprox:
      return "PERCENTILE_APPROX";
  }
  return "?";
}

std::string AggregateFunction::Name() const {
  if (kind_ == AggKind::kCountStar) return "COUNT(*)";
  return std::string(AggKindName(kind_)) + "(" + input_.ToString() + ")";
}

Result<std::unique_ptr<AggregateFunction>> MakeAggregate(AggKind kind, sql::DataType input,
                                                         double param) {
  input.nullable = true;
  switch (kind) {
    case AggKind::kCountStar:
    case AggKind::kCount:
      return agg::MakeCount(kind, input);
    case AggKind::kCountDistinct:
      return agg::MakeCountDistinct(input);
    case AggKind::kSum:
      return agg::MakeSum(input);
    case AggKind::kAvg:
      return agg::MakeAvg(input);
    case AggKind::kMin:
    case AggKind::kMax:
      return agg::MakeMinMax(kind, input);
    case AggKind::kStddevPop:
    case AggKind::kStddevSamp:
    case AggKind::kVarPop:
    case AggKind::kVarSamp:
      return agg::MakeVariance(kind, input);
    case AggKind::kFirstValue:
    case AggKind::kLastValue:
      return agg::MakeFirstLast(kind, input);
    case AggKind::kPercentileApprox:
      return agg::MakePercentile(input, param);
  }
  return Status::InvalidArgument("unknown aggregate");
}

namespace agg {

void WriteHeader(const AggregateFunction& f, std::string& out) {
  out.push_back(static_cast<char>(kStateVersion));
  out.push_back(static_cast<char>(f.kind()));
  out.push_back(static_cast<char>(f.input_type().kind));
}

Status ReadHeader(const AggregateFunction& f, std::string_view& in) {
  if (in.size() < 3) return Truncated(f);
  auto version = static_cast<uint8_t>(in[0]);
  auto kind = static_cast<AggKind>(in[1]);
  auto type = static_cast<sql::TypeKind>(in[2]);
  if (version != kStateVersion) {
    return Status::Corruption("checkpointed state of " + f.Name() + " has version " +
                              std::to_string(version) + ", this build reads version " +
                              std::to_string(kStateVersion));
  }
  if (kind != f.kind() || type != f.input_type().kind) {
    sql::DataType found{type};
    return Status::InvalidArgument(
        "checkpointed state does not match the plan: expected " + f.Name() + ", found " +
        (kind == AggKind::kCountStar
             ? std::string("COUNT(*)")
             : std::string(AggKindName(kind)) + "(" + found.ToString() + ")"));
  }
  in.remove_prefix(3);
  return Status::Ok();
}

Status Truncated(const AggregateFunction& f) {
  return Status::Corruption("checkpointed state of " + f.Name() + " is truncated");
}

}  // namespace agg
}  // namespace fluxgate::runtime
