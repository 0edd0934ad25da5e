#include "sql/token.h"

namespace fluxgate::sql {

bool Token::Is(std::string_view keyword) const {
  if (kind != TokenKind::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  return true;
}

std::string Token::Describe() const {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return "string '" + text + "'";
    case TokenKind::kQuotedIdent:
      return "`" + text + "`";
    default:
      return "'" + text + "'";
  }
}

}  // namespace fluxgate::sql
