// Errors and notices raised while binding.
//
// Inside the binder a semantic error unwinds with BindError (it always ends binding of the
// script); BindScript catches it and returns Status::InvalidArgument with
// FormatBindError's text. No exception leaves src/sql/. Notices are non-fatal remarks
// (an option fluxgate accepts but ignores) that BindScript returns with its result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/source_pos.h"

namespace fluxgate::sql {

struct BindError {
  SourcePos pos;
  std::string message;  // "unknown column 'x'"
};

[[noreturn]] void ThrowBindError(SourcePos pos, std::string message);

struct Notice {
  SourcePos pos;
  std::string message;
  // "line 12, column 5: option 'sink.parallelism' is ignored: ..."
  std::string ToString() const;
};

// "SQL error at line 3, column 15: <message>" then the source line and a caret, in the
// same layout as the parser's errors (parse_error.h).
std::string FormatBindError(std::string_view source, const BindError& error);

// The closest of `candidates` to `name` (edit distance at most 2, or equal ignoring case);
// empty if none is close.
std::string ClosestName(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace fluxgate::sql
