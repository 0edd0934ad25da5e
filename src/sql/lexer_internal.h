// The lexer entry point the parser uses: it raises ParseError instead of returning a
// Status, so a lexical error unwinds like any other syntax error. Internal to src/sql/.
#pragma once

#include <string_view>
#include <vector>

#include "sql/token.h"

namespace fluxgate::sql {

std::vector<Token> LexOrThrow(std::string_view sql);  // throws ParseError

}  // namespace fluxgate::sql
