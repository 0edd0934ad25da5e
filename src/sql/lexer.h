// The SQL lexer: source text to tokens, for the Flink SQL dialect.
//
// Lexical rules follow Flink (see docs/sql.md): keywords are case-insensitive, identifiers
// keep their case and may be back-quoted (`` escapes a back-quote), strings use single
// quotes ('' escapes a quote), comments are -- to end of line and /* ... */. Double quotes
// are rejected with a hint, because Flink has no double-quoted strings or identifiers.
// Stateless; safe to call from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/token.h"

namespace fluxgate::sql {

// Tokens of `sql`, ending with a kEnd token. Errors are InvalidArgument with the same
// "SQL parse error at line L, column C: ..." text and caret the parser produces.
Result<std::vector<Token>> Lex(std::string_view sql);

}  // namespace fluxgate::sql
