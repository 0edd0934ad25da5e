#include "sql/parse_error.h"

#include <string>

namespace fluxgate::sql {

namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string FormatParseError(std::string_view source, const ParseError& error) {
  std::string out = "SQL parse error at line " + std::to_string(error.pos.line) + ", column " +
                    std::to_string(error.pos.column) + ": " + error.message;
  if (error.pos.line <= 0) return out;

  // Find the error's line.
  size_t begin = 0;
  for (int line = 1; line < error.pos.line; ++line) {
    size_t nl = source.find('\n', begin);
    if (nl == std::string_view::npos) return out;
    begin = nl + 1;
  }
  size_t end = source.find('\n', begin);
  if (end == std::string_view::npos) end = source.size();
  std::string_view text = source.substr(begin, end - begin);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }

  // The caret line copies tabs from the source so the caret lines up whatever the tab
  // width of the terminal; every other character becomes one space.
  std::string caret = "  ";
  int column = 1;
  for (size_t i = 0; i < text.size() && column < error.pos.column; ++i) {
    if (IsContinuationByte(text[i])) continue;
    caret += text[i] == '\t' ? '\t' : ' ';
    ++column;
  }
  while (column < error.pos.column) {  // the error is past the end of the line
    caret += ' ';
    ++column;
  }
  caret += '^';
  out += "\n  ";
  out += text;
  out += "\n";
  out += caret;
  return out;
}

}  // namespace fluxgate::sql
