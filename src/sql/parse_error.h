// The error the lexer and parser raise internally, and its rendering for users.
//
// Inside the parser a syntax error unwinds with ParseError (it always ends the parse);
// the public entry points in parser.h and lexer.h catch it and return
// Status::InvalidArgument carrying FormatParseError's text. No exception leaves src/sql/.
#pragma once

#include <string>
#include <string_view>

#include "sql/source_pos.h"

namespace fluxgate::sql {

struct ParseError {
  SourcePos pos;
  std::string message;  // "expected ')' but found 'FROM'"
};

// "SQL parse error at line 3, column 15: <message>" then the source line (indented two
// spaces, trailing blanks dropped) and a caret under the column.
std::string FormatParseError(std::string_view source, const ParseError& error);

}  // namespace fluxgate::sql
