#include "sql/bind_error.h"

#include <algorithm>
#include <cctype>

#include "common/ascii.h"
#include "sql/parse_error.h"

namespace fluxgate::sql {

void ThrowBindError(SourcePos pos, std::string message) {
  throw BindError{pos, std::move(message)};
}

std::string Notice::ToString() const {
  if (pos.line <= 0) return message;
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
         message;
}

std::string FormatBindError(std::string_view source, const BindError& error) {
  // Reuse the parser's rendering of the source line and caret; only the prefix differs.
  std::string text = FormatParseError(source, ParseError{error.pos, error.message});
  static constexpr std::string_view kParsePrefix = "SQL parse error";
  if (text.compare(0, kParsePrefix.size(), kParsePrefix) == 0) {
    text.replace(0, kParsePrefix.size(), "SQL error");
  }
  return text;
}

namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string ClosestName(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string lower = AsciiToLower(name);
  for (const std::string& c : candidates) {
    if (AsciiToLower(c) == lower) return c;
  }
  std::string best;
  size_t best_distance = 3;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(lower, AsciiToLower(c));
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace fluxgate::sql
