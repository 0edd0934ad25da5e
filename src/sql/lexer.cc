#include "sql/lexer.h"

#include <string>

#include "sql/lexer_internal.h"
#include "sql/parse_error.h"

namespace fluxgate::sql {

namespace {

bool IsIdentStart(unsigned char c) {
  // Bytes >= 0x80 are parts of UTF-8 letters; Flink identifiers are Java identifiers, so
  // non-ASCII letters are allowed.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentPart(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Walks the source byte by byte, keeping line and column (in code points) current.
class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  std::vector<Token> Run() {
    std::vector<Token> tokens;
    for (;;) {
      SkipBlanksAndComments();
      Token t;
      t.pos = Here();
      t.offset = static_cast<uint32_t>(i_);
      if (i_ >= src_.size()) {
        t.kind = TokenKind::kEnd;
        tokens.push_back(std::move(t));
        return tokens;
      }
      LexOne(t);
      t.length = static_cast<uint32_t>(i_ - t.offset);
      tokens.push_back(std::move(t));
    }
  }

 private:
  SourcePos Here() const { return {line_, column_}; }
  char Peek(size_t ahead = 0) const { return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0'; }
  void Advance() {
    char c = src_[i_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }
  [[noreturn]] void Fail(SourcePos pos, std::string message) {
    throw ParseError{pos, std::move(message)};
  }

  void SkipBlanksAndComments() {
    while (i_ < src_.size()) {
      char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        Advance();
      } else if (c == '-' && Peek(1) == '-') {
        while (i_ < src_.size() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*') {
        // Optimizer hints (/*+ OPTIONS(...) */) are comments to us; docs/sql.md says so.
        SourcePos start = Here();
        Advance();
        Advance();
        while (!(Peek() == '*' && Peek(1) == '/')) {
          if (i_ >= src_.size()) Fail(start, "unclosed comment: '/*' has no matching '*/'");
          Advance();
        }
        Advance();
        Advance();
      } else {
        return;
      }
    }
  }

  void LexOne(Token& t) {
    const char c = Peek();
    if (IsIdentStart(static_cast<unsigned char>(c))) {
      t.kind = TokenKind::kWord;
      while (i_ < src_.size() && IsIdentPart(static_cast<unsigned char>(Peek()))) Advance();
      t.text = std::string(src_.substr(t.offset, i_ - t.offset));
    } else if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) {
      LexNumber(t);
    } else if (c == '\'') {
      t.kind = TokenKind::kString;
      t.text = LexQuoted('\'', t.pos, "unclosed string literal: missing closing quote (')");
    } else if (c == '`') {
      t.kind = TokenKind::kQuotedIdent;
      t.text = LexQuoted('`', t.pos, "unclosed quoted identifier: missing closing back-quote (`)");
      if (t.text.empty()) Fail(t.pos, "empty quoted identifier ``");
    } else if (c == '"') {
      SourcePos start = Here();
      std::string text = LexQuoted('"', start, "unclosed double-quoted text");
      Fail(start, "double quotes are not allowed: write the string literal '" + text +
                      "' in single quotes, or the identifier `" + text + "` in back-quotes");
    } else {
      LexSymbol(t);
    }
  }

  // Returns the text between the quotes with doubled quotes collapsed.
  std::string LexQuoted(char quote, SourcePos start, const char* unclosed) {
    std::string out;
    Advance();  // opening quote
    for (;;) {
      if (i_ >= src_.size()) Fail(start, unclosed);
      char c = Peek();
      if (c == quote) {
        if (Peek(1) == quote) {
          out += quote;
          Advance();
          Advance();
          continue;
        }
        Advance();
        return out;
      }
      out += c;
      Advance();
    }
  }

  void LexNumber(Token& t) {
    t.kind = TokenKind::kInteger;
    while (IsDigit(Peek())) Advance();
    if (Peek() == '.' && !(Peek(1) == '.')) {
      t.kind = TokenKind::kDecimal;
      Advance();
      while (IsDigit(Peek())) Advance();
    }
    if ((Peek() == 'e' || Peek() == 'E') &&
        (IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && IsDigit(Peek(2))))) {
      t.kind = TokenKind::kFloat;
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      while (IsDigit(Peek())) Advance();
    }
    if (IsIdentStart(static_cast<unsigned char>(Peek()))) {
      // 12abc: most likely a missing space or a mistyped identifier.
      SourcePos start = t.pos;
      size_t begin = t.offset;
      while (i_ < src_.size() && IsIdentPart(static_cast<unsigned char>(Peek()))) Advance();
      Fail(start, "invalid number '" + std::string(src_.substr(begin, i_ - begin)) +
                      "': identifiers cannot start with a digit unless back-quoted");
    }
    t.text = std::string(src_.substr(t.offset, i_ - t.offset));
  }

  void LexSymbol(Token& t) {
    static constexpr std::string_view kTwoChar[] = {"||", "<>", "!=", "<=", ">=", "=>"};
    t.kind = TokenKind::kSymbol;
    for (std::string_view two : kTwoChar) {
      if (Peek() == two[0] && Peek(1) == two[1]) {
        Advance();
        Advance();
        t.text = std::string(two);
        return;
      }
    }
    static constexpr std::string_view kOneChar = "(),.;+-*/%=<>[]";
    const char c = Peek();
    if (kOneChar.find(c) == std::string_view::npos) {
      std::string shown;
      // Show the whole UTF-8 character, not just its first byte.
      size_t n = 1;
      while (i_ + n < src_.size() && (static_cast<unsigned char>(src_[i_ + n]) & 0xC0) == 0x80) ++n;
      shown = std::string(src_.substr(i_, n));
      Fail(Here(), "unexpected character '" + shown + "'");
    }
    Advance();
    t.text = std::string(1, c);
  }

  std::string_view src_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

std::vector<Token> LexOrThrow(std::string_view sql) { return Lexer(sql).Run(); }

Result<std::vector<Token>> Lex(std::string_view sql) {
  try {
    return LexOrThrow(sql);
  } catch (const ParseError& e) {
    return Status::InvalidArgument(FormatParseError(sql, e));
  }
}

}  // namespace fluxgate::sql
