// The built-in scalar and aggregate functions: name, arity and a result-type rule that
// also checks the argument types. Names are case-insensitive. CAST, CASE, EXTRACT,
// JSON_VALUE, the window functions (TUMBLE, TUMBLE_START, ...) and the operators are
// handled by the binder itself, not here. Immutable; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/types.h"

namespace fluxgate::sql {

enum class FunctionKind : uint8_t { kScalar, kAggregate };

struct FunctionInfo {
  const char* name;  // canonical upper case
  FunctionKind kind;
  int min_args;
  int max_args;  // -1: any number
  // The result type for these argument types, or a message in *error (then the return
  // value is ignored). Arguments of type NULL have not been coerced yet.
  DataType (*result)(const std::vector<DataType>& args, std::string* error);
  const char* signature;  // for error messages: "UPPER(STRING)"
};

const FunctionInfo* LookupFunction(std::string_view name);
std::vector<std::string> FunctionNames();

}  // namespace fluxgate::sql
