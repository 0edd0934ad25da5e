// Type rules the binder applies: numeric promotion (INT -> BIGINT -> DECIMAL -> DOUBLE), the
// common type of CASE/COALESCE/IN/UNION branches, comparability, CAST validity and the
// implicit conversions INSERT allows. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/types.h"

namespace fluxgate::sql {

// INT and BIGINT as the DECIMAL that holds every value: DECIMAL(10, 0), DECIMAL(19, 0).
DataType AsDecimal(const DataType& t);

// The type both numeric operands are promoted to (both must be numeric or NULL).
DataType PromoteNumeric(const DataType& a, const DataType& b);

// Result type of + - * / % on numerics (Flink's DECIMAL precision rules, capped at 38).
DataType ArithmeticType(char op, const DataType& a, const DataType& b);

// The least restrictive type of `types` (NULL entries adopt the others); nullopt when they
// have none (e.g. INT and STRING).
std::optional<DataType> CommonType(const std::vector<DataType>& types);

// Whether `a` and `b` can be compared with = < ... (numeric with numeric, string with
// string, timestamps with timestamps, booleans, NULL with anything).
bool Comparable(const DataType& a, const DataType& b);

// Whether CAST(a AS b) is allowed.
bool CanCast(const DataType& from, const DataType& to);

// Whether a query column of type `from` can be written to a sink column of type `to`
// without an explicit CAST (Flink's implicit INSERT conversions: numeric widening,
// timestamp precision changes, NULL into anything, VARCHAR(n) <-> STRING).
bool CanAssign(const DataType& from, const DataType& to);

// Same kind and parameters, ignoring nullability.
bool SameType(const DataType& a, const DataType& b);

DataType WithNullable(DataType t, bool nullable);

}  // namespace fluxgate::sql
