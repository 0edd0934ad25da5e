// Tokens produced by the SQL lexer and consumed by the parser.
//
// A token keeps its decoded text (quotes and escapes removed) and where it starts in the
// source, so every later error can point at a line and column. Plain values; thread-safe
// as values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sql/source_pos.h"

namespace fluxgate::sql {

enum class TokenKind : uint8_t {
  kEnd,          // end of input; always the last token
  kWord,         // keyword or unquoted identifier, text as written
  kQuotedIdent,  // `back-quoted` identifier, text unescaped
  kString,       // 'single-quoted' literal, text unescaped
  kInteger,      // 42
  kDecimal,      // 4.2, .5, 42.
  kFloat,        // 4.2e1 (approximate numeric)
  kSymbol,       // operators and punctuation: ( ) , . ; + - * / % || = <> != < <= > >= =>
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourcePos pos;
  uint32_t offset = 0;  // byte offset of the first character in the source
  uint32_t length = 0;  // bytes in the source, quotes included

  // True for a kWord spelled `keyword` in any case; `keyword` must be upper case.
  bool Is(std::string_view keyword) const;
  bool IsSymbol(std::string_view symbol) const {
    return kind == TokenKind::kSymbol && text == symbol;
  }
  // How the token is quoted in an error message: 'FROM', string 'abc', end of input.
  std::string Describe() const;
};

}  // namespace fluxgate::sql
