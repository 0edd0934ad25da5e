#include "sql/function_registry.h"

#include <cctype>

#include "common/ascii.h"
#include "sql/type_rules.h"

namespace fluxgate::sql {

namespace {

using Types = std::vector<DataType>;

bool IsStringish(const DataType& t) {
  return t.kind == TypeKind::kString || t.kind == TypeKind::kNull;
}
bool IsNumericish(const DataType& t) { return t.IsNumeric() || t.kind == TypeKind::kNull; }
bool IsIntegral(const DataType& t) {
  return t.kind == TypeKind::kInt || t.kind == TypeKind::kBigInt || t.kind == TypeKind::kNull;
}

// Argument checks: each returns false and sets *error when argument i has the wrong type.
bool NeedString(const Types& a, size_t i, std::string* error) {
  if (i < a.size() && !IsStringish(a[i])) {
    *error = "argument " + std::to_string(i + 1) + " must be STRING, not " + a[i].ToString();
    return false;
  }
  return true;
}
bool NeedNumeric(const Types& a, size_t i, std::string* error) {
  if (i < a.size() && !IsNumericish(a[i])) {
    *error = "argument " + std::to_string(i + 1) + " must be numeric, not " + a[i].ToString();
    return false;
  }
  return true;
}
bool NeedIntegral(const Types& a, size_t i, std::string* error) {
  if (i < a.size() && !IsIntegral(a[i])) {
    *error = "argument " + std::to_string(i + 1) + " must be INT or BIGINT, not " + a[i].ToString();
    return false;
  }
  return true;
}
bool NeedTimestamp(const Types& a, size_t i, std::string* error) {
  if (i < a.size() && !a[i].IsTimestamp() && a[i].kind != TypeKind::kNull) {
    *error = "argument " + std::to_string(i + 1) + " must be a TIMESTAMP, not " + a[i].ToString();
    return false;
  }
  return true;
}

DataType Str(const Types&, std::string*) { return DataType::String(); }

DataType StringArgs(const Types& a, std::string* e) {
  for (size_t i = 0; i < a.size(); ++i) NeedString(a, i, e);
  return DataType::String();
}
DataType StringThenInts(const Types& a, std::string* e) {  // SUBSTRING(s, pos[, len])
  NeedString(a, 0, e);
  for (size_t i = 1; i < a.size(); ++i) NeedIntegral(a, i, e);
  return DataType::String();
}
DataType PadArgs(const Types& a, std::string* e) {  // LPAD(s, len, pad)
  NeedString(a, 0, e);
  NeedIntegral(a, 1, e);
  NeedString(a, 2, e);
  return DataType::String();
}
DataType StringLength(const Types& a, std::string* e) {
  NeedString(a, 0, e);
  return DataType::Int();
}
DataType StringPosition(const Types& a, std::string* e) {
  StringArgs(a, e);
  return DataType::Int();
}
DataType AnyToString(const Types&, std::string*) { return DataType::String(); }
DataType SplitIndex(const Types& a, std::string* e) {
  NeedString(a, 0, e);
  NeedString(a, 1, e);
  NeedIntegral(a, 2, e);
  return DataType::String();
}
DataType RegexpMatch(const Types& a, std::string* e) {
  StringArgs(a, e);
  return DataType::Boolean();
}
DataType RegexpExtract(const Types& a, std::string* e) {
  NeedString(a, 0, e);
  NeedString(a, 1, e);
  NeedIntegral(a, 2, e);
  return DataType::String();
}

DataType SameNumeric(const Types& a, std::string* e) {  // ABS, SIGN
  NeedNumeric(a, 0, e);
  return a[0].kind == TypeKind::kNull ? DataType::Int() : a[0];
}
DataType CeilFloor(const Types& a, std::string* e) {
  NeedNumeric(a, 0, e);
  if (a[0].kind == TypeKind::kDecimal) return DataType::Decimal(a[0].precision, 0);
  return a[0].kind == TypeKind::kNull ? DataType::Int() : a[0];
}
DataType Round(const Types& a, std::string* e) {  // ROUND(x[, digits]), TRUNCATE
  NeedNumeric(a, 0, e);
  NeedIntegral(a, 1, e);
  return a[0].kind == TypeKind::kNull ? DataType::Int() : a[0];
}
DataType DoubleMath(const Types& a, std::string* e) {  // SQRT, EXP, LN, POWER, ...
  for (size_t i = 0; i < a.size(); ++i) NeedNumeric(a, i, e);
  return DataType::Double();
}
DataType Mod(const Types& a, std::string* e) {
  NeedNumeric(a, 0, e);
  NeedNumeric(a, 1, e);
  if (!e->empty()) return DataType();
  return ArithmeticType('%', a[0], a[1]);
}
DataType Pi(const Types&, std::string*) { return DataType::Double(); }
DataType Rand(const Types& a, std::string* e) {
  NeedIntegral(a, 0, e);
  return DataType::Double();
}
DataType Common(const Types& a, std::string* e) {  // GREATEST, LEAST, COALESCE, NULLIF, IFNULL
  auto t = CommonType(a);
  if (!t) {
    *e = "arguments have no common type:";
    for (const DataType& x : a) *e += " " + x.ToString();
    return DataType();
  }
  return *t;
}
DataType If(const Types& a, std::string* e) {
  if (a[0].kind != TypeKind::kBoolean && a[0].kind != TypeKind::kNull) {
    *e = "argument 1 must be BOOLEAN, not " + a[0].ToString();
    return DataType();
  }
  return Common({a[1], a[2]}, e);
}

DataType NowLtz(const Types&, std::string*) {
  return WithNullable(DataType::TimestampLtz(3), false);
}
DataType NowLocal(const Types&, std::string*) {
  return WithNullable(DataType::Timestamp(3), false);
}
DataType CurrentDate(const Types&, std::string*) {
  return WithNullable(DataType::Timestamp(0), false);
}
DataType ToTimestamp(const Types& a, std::string* e) {  // TO_TIMESTAMP(s[, format])
  StringArgs(a, e);
  return DataType::Timestamp(3);
}
DataType ToTimestampLtz(const Types& a, std::string* e) {  // TO_TIMESTAMP_LTZ(n[, precision])
  if (!a.empty() && !IsNumericish(a[0]) && !IsStringish(a[0])) {
    *e = "argument 1 must be numeric (epoch) or STRING, not " + a[0].ToString();
  }
  return DataType::TimestampLtz(3);
}
DataType DateFormat(const Types& a, std::string* e) {  // DATE_FORMAT(ts | s, format)
  if (!a[0].IsTimestamp() && !IsStringish(a[0])) {
    *e = "argument 1 must be a TIMESTAMP or STRING, not " + a[0].ToString();
  }
  NeedString(a, 1, e);
  return DataType::String();
}
DataType UnixTimestamp(const Types& a, std::string* e) {
  StringArgs(a, e);
  return DataType::BigInt();
}
DataType FromUnixtime(const Types& a, std::string* e) {
  NeedNumeric(a, 0, e);
  NeedString(a, 1, e);
  return DataType::String();
}
DataType CurrentWatermark(const Types& a, std::string* e) {
  NeedTimestamp(a, 0, e);
  return WithNullable(a[0], true);
}

// ---- aggregates ----
DataType Count(const Types&, std::string*) { return WithNullable(DataType::BigInt(), false); }
DataType Sum(const Types& a, std::string* e) {
  NeedNumeric(a, 0, e);
  if (a[0].kind == TypeKind::kDecimal) return DataType::Decimal(38, a[0].scale);
  return a[0].kind == TypeKind::kNull ? DataType::Int() : WithNullable(a[0], true);
}
DataType Avg(const Types& a, std::string* e) {  // integer AVG stays integer, as in Flink
  NeedNumeric(a, 0, e);
  if (a[0].kind == TypeKind::kDecimal) {
    return DataType::Decimal(38, std::max(6, a[0].scale));
  }
  return a[0].kind == TypeKind::kNull ? DataType::Int() : WithNullable(a[0], true);
}
DataType MinMax(const Types& a, std::string* e) {
  if (a[0].kind == TypeKind::kInterval) *e = "argument 1 must not be an INTERVAL";
  return WithNullable(a[0], true);
}
DataType Variance(const Types& a, std::string* e) {  // result follows the input type
  return Sum(a, e);
}
DataType Percentile(const Types& a, std::string* e) {  // PERCENTILE_APPROX(x, p)
  NeedNumeric(a, 0, e);
  NeedNumeric(a, 1, e);
  return DataType::Double();
}

const FunctionInfo kFunctions[] = {
    // strings
    {"UPPER", FunctionKind::kScalar, 1, 1, StringArgs, "UPPER(STRING)"},
    {"LOWER", FunctionKind::kScalar, 1, 1, StringArgs, "LOWER(STRING)"},
    {"INITCAP", FunctionKind::kScalar, 1, 1, StringArgs, "INITCAP(STRING)"},
    {"TRIM", FunctionKind::kScalar, 1, 1, StringArgs, "TRIM(STRING)"},
    {"LTRIM", FunctionKind::kScalar, 1, 1, StringArgs, "LTRIM(STRING)"},
    {"RTRIM", FunctionKind::kScalar, 1, 1, StringArgs, "RTRIM(STRING)"},
    {"REVERSE", FunctionKind::kScalar, 1, 1, StringArgs, "REVERSE(STRING)"},
    {"CHAR_LENGTH", FunctionKind::kScalar, 1, 1, StringLength, "CHAR_LENGTH(STRING)"},
    {"CHARACTER_LENGTH", FunctionKind::kScalar, 1, 1, StringLength, "CHARACTER_LENGTH(STRING)"},
    {"SUBSTRING", FunctionKind::kScalar, 2, 3, StringThenInts, "SUBSTRING(STRING, INT[, INT])"},
    {"SUBSTR", FunctionKind::kScalar, 2, 3, StringThenInts, "SUBSTR(STRING, INT[, INT])"},
    {"LEFT", FunctionKind::kScalar, 2, 2, StringThenInts, "LEFT(STRING, INT)"},
    {"RIGHT", FunctionKind::kScalar, 2, 2, StringThenInts, "RIGHT(STRING, INT)"},
    {"REPEAT", FunctionKind::kScalar, 2, 2, StringThenInts, "REPEAT(STRING, INT)"},
    {"LPAD", FunctionKind::kScalar, 3, 3, PadArgs, "LPAD(STRING, INT, STRING)"},
    {"RPAD", FunctionKind::kScalar, 3, 3, PadArgs, "RPAD(STRING, INT, STRING)"},
    {"REPLACE", FunctionKind::kScalar, 3, 3, StringArgs, "REPLACE(STRING, STRING, STRING)"},
    {"CONCAT", FunctionKind::kScalar, 1, -1, StringArgs, "CONCAT(STRING, ...)"},
    {"CONCAT_WS", FunctionKind::kScalar, 2, -1, StringArgs, "CONCAT_WS(STRING, STRING, ...)"},
    {"LOCATE", FunctionKind::kScalar, 2, 2, StringPosition, "LOCATE(STRING, STRING)"},
    {"INSTR", FunctionKind::kScalar, 2, 2, StringPosition, "INSTR(STRING, STRING)"},
    {"SPLIT_INDEX", FunctionKind::kScalar, 3, 3, SplitIndex, "SPLIT_INDEX(STRING, STRING, INT)"},
    {"REGEXP", FunctionKind::kScalar, 2, 2, RegexpMatch, "REGEXP(STRING, STRING)"},
    {"REGEXP_REPLACE", FunctionKind::kScalar, 3, 3, StringArgs,
     "REGEXP_REPLACE(STRING, STRING, STRING)"},
    {"REGEXP_EXTRACT", FunctionKind::kScalar, 2, 3, RegexpExtract,
     "REGEXP_EXTRACT(STRING, STRING[, INT])"},
    {"MD5", FunctionKind::kScalar, 1, 1, StringArgs, "MD5(STRING)"},
    {"TO_BASE64", FunctionKind::kScalar, 1, 1, StringArgs, "TO_BASE64(STRING)"},
    {"UUID", FunctionKind::kScalar, 0, 0, Str, "UUID()"},
    {"JSON_QUOTE", FunctionKind::kScalar, 1, 1, StringArgs, "JSON_QUOTE(STRING)"},
    {"TYPEOF", FunctionKind::kScalar, 1, 1, AnyToString, "TYPEOF(any)"},
    // math
    {"ABS", FunctionKind::kScalar, 1, 1, SameNumeric, "ABS(numeric)"},
    {"SIGN", FunctionKind::kScalar, 1, 1, SameNumeric, "SIGN(numeric)"},
    {"CEIL", FunctionKind::kScalar, 1, 1, CeilFloor, "CEIL(numeric)"},
    {"CEILING", FunctionKind::kScalar, 1, 1, CeilFloor, "CEILING(numeric)"},
    {"FLOOR", FunctionKind::kScalar, 1, 1, CeilFloor, "FLOOR(numeric)"},
    {"ROUND", FunctionKind::kScalar, 1, 2, Round, "ROUND(numeric[, INT])"},
    {"TRUNCATE", FunctionKind::kScalar, 1, 2, Round, "TRUNCATE(numeric[, INT])"},
    {"MOD", FunctionKind::kScalar, 2, 2, Mod, "MOD(numeric, numeric)"},
    {"SQRT", FunctionKind::kScalar, 1, 1, DoubleMath, "SQRT(numeric)"},
    {"EXP", FunctionKind::kScalar, 1, 1, DoubleMath, "EXP(numeric)"},
    {"LN", FunctionKind::kScalar, 1, 1, DoubleMath, "LN(numeric)"},
    {"LOG10", FunctionKind::kScalar, 1, 1, DoubleMath, "LOG10(numeric)"},
    {"LOG2", FunctionKind::kScalar, 1, 1, DoubleMath, "LOG2(numeric)"},
    {"LOG", FunctionKind::kScalar, 1, 2, DoubleMath, "LOG([base, ]numeric)"},
    {"POWER", FunctionKind::kScalar, 2, 2, DoubleMath, "POWER(numeric, numeric)"},
    {"POW", FunctionKind::kScalar, 2, 2, DoubleMath, "POW(numeric, numeric)"},
    {"SIN", FunctionKind::kScalar, 1, 1, DoubleMath, "SIN(numeric)"},
    {"COS", FunctionKind::kScalar, 1, 1, DoubleMath, "COS(numeric)"},
    {"TAN", FunctionKind::kScalar, 1, 1, DoubleMath, "TAN(numeric)"},
    {"PI", FunctionKind::kScalar, 0, 0, Pi, "PI()"},
    {"RAND", FunctionKind::kScalar, 0, 1, Rand, "RAND([seed])"},
    {"GREATEST", FunctionKind::kScalar, 1, -1, Common, "GREATEST(value, ...)"},
    {"LEAST", FunctionKind::kScalar, 1, -1, Common, "LEAST(value, ...)"},
    // conditional
    {"COALESCE", FunctionKind::kScalar, 1, -1, Common, "COALESCE(value, ...)"},
    {"IFNULL", FunctionKind::kScalar, 2, 2, Common, "IFNULL(value, value)"},
    {"NULLIF", FunctionKind::kScalar, 2, 2, Common, "NULLIF(value, value)"},
    {"IF", FunctionKind::kScalar, 3, 3, If, "IF(BOOLEAN, value, value)"},
    // time
    {"CURRENT_TIMESTAMP", FunctionKind::kScalar, 0, 0, NowLtz, "CURRENT_TIMESTAMP"},
    {"NOW", FunctionKind::kScalar, 0, 0, NowLtz, "NOW()"},
    {"CURRENT_ROW_TIMESTAMP", FunctionKind::kScalar, 0, 0, NowLtz, "CURRENT_ROW_TIMESTAMP()"},
    {"LOCALTIMESTAMP", FunctionKind::kScalar, 0, 0, NowLocal, "LOCALTIMESTAMP"},
    {"CURRENT_DATE", FunctionKind::kScalar, 0, 0, CurrentDate, "CURRENT_DATE"},
    {"PROCTIME", FunctionKind::kScalar, 0, 0, NowLtz, "PROCTIME()"},
    {"TO_TIMESTAMP", FunctionKind::kScalar, 1, 2, ToTimestamp, "TO_TIMESTAMP(STRING[, format])"},
    {"TO_TIMESTAMP_LTZ", FunctionKind::kScalar, 1, 2, ToTimestampLtz,
     "TO_TIMESTAMP_LTZ(numeric[, precision])"},
    {"DATE_FORMAT", FunctionKind::kScalar, 2, 2, DateFormat, "DATE_FORMAT(TIMESTAMP, STRING)"},
    {"UNIX_TIMESTAMP", FunctionKind::kScalar, 0, 2, UnixTimestamp,
     "UNIX_TIMESTAMP([STRING[, format]])"},
    {"FROM_UNIXTIME", FunctionKind::kScalar, 1, 2, FromUnixtime,
     "FROM_UNIXTIME(numeric[, format])"},
    {"CURRENT_WATERMARK", FunctionKind::kScalar, 1, 1, CurrentWatermark,
     "CURRENT_WATERMARK(rowtime)"},
    // aggregates
    {"COUNT", FunctionKind::kAggregate, 0, -1, Count, "COUNT(*), COUNT([DISTINCT] value)"},
    {"SUM", FunctionKind::kAggregate, 1, 1, Sum, "SUM(numeric)"},
    {"AVG", FunctionKind::kAggregate, 1, 1, Avg, "AVG(numeric)"},
    {"MIN", FunctionKind::kAggregate, 1, 1, MinMax, "MIN(value)"},
    {"MAX", FunctionKind::kAggregate, 1, 1, MinMax, "MAX(value)"},
    {"STDDEV_POP", FunctionKind::kAggregate, 1, 1, Variance, "STDDEV_POP(numeric)"},
    {"STDDEV_SAMP", FunctionKind::kAggregate, 1, 1, Variance, "STDDEV_SAMP(numeric)"},
    {"STDDEV", FunctionKind::kAggregate, 1, 1, Variance, "STDDEV(numeric)"},
    {"VAR_POP", FunctionKind::kAggregate, 1, 1, Variance, "VAR_POP(numeric)"},
    {"VAR_SAMP", FunctionKind::kAggregate, 1, 1, Variance, "VAR_SAMP(numeric)"},
    {"VARIANCE", FunctionKind::kAggregate, 1, 1, Variance, "VARIANCE(numeric)"},
    {"FIRST_VALUE", FunctionKind::kAggregate, 1, 1, MinMax, "FIRST_VALUE(value)"},
    {"LAST_VALUE", FunctionKind::kAggregate, 1, 1, MinMax, "LAST_VALUE(value)"},
    {"PERCENTILE_APPROX", FunctionKind::kAggregate, 2, 2, Percentile,
     "PERCENTILE_APPROX(numeric, fraction)"},
    {"PERCENTILE", FunctionKind::kAggregate, 2, 2, Percentile, "PERCENTILE(numeric, fraction)"},
};

}  // namespace

const FunctionInfo* LookupFunction(std::string_view name) {
  const std::string upper = AsciiToUpper(name);
  for (const FunctionInfo& f : kFunctions) {
    if (upper == f.name) return &f;
  }
  return nullptr;
}

std::vector<std::string> FunctionNames() {
  std::vector<std::string> out;
  for (const FunctionInfo& f : kFunctions) out.push_back(f.name);
  return out;
}

}  // namespace fluxgate::sql
