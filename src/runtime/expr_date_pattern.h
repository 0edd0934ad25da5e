// DatePattern: Java date-time pattern text ('yyyy-MM-dd HH:mm:ss', "dd/MMM/yyyy:HH:mm:ss Z")
// compiled once into a token list, then used to format and parse UTC date-times without
// allocating. Internal to the expression evaluator (DATE_FORMAT, TO_TIMESTAMP,
// UNIX_TIMESTAMP, FROM_UNIXTIME).
//
// Two dialects, as Flink uses both:
//   kJavaTime (java.time.DateTimeFormatter: DATE_FORMAT, TO_TIMESTAMP): 'S' is a fraction
//     of a second (SSS = milliseconds, SSSSSS = microseconds), 'u' is the year, [ ] marks
//     an optional section, and fixed-width fields parse exactly that many digits.
//   kSimple (java.text.SimpleDateFormat: UNIX_TIMESTAMP, FROM_UNIXTIME): 'S' is the
//     millisecond count, 'u' the ISO day of week (Monday = 1), and numbers parse greedily
//     unless the next field is also a number.
// Supported letters: G y u Y M L d D Q q E e c F a h H k K m s S n A w X x Z z O and
// 'quoted literal' / '' (a quote). Text is English (Jan, Monday, AM); week fields ('Y',
// 'w', 'e') follow the en-US locale (weeks start on Sunday, week 1 holds January 1st).
// Zone letters print UTC ('Z' -> +0000, 'X' -> Z); on input an offset is applied.
// Immutable after Compile(); Format/Parse are const and thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fluxgate::runtime {

class DatePattern {
 public:
  enum class Dialect : uint8_t { kJavaTime, kSimple };

  // nullptr on success, else a static text saying what is wrong (an unknown letter, an
  // unclosed quote or optional section).
  const char* Compile(std::string_view pattern, Dialect dialect);

  // Appends the wall-clock fields of `epoch_micros` (UTC).
  void Format(int64_t epoch_micros, std::string& out) const;

  // Parses `text` as a UTC date-time; fields the pattern lacks default to 1970-01-01
  // 00:00:00. False when the text does not match or a field is out of range. With
  // prefix_ok, trailing text is ignored (SimpleDateFormat.parse does that).
  bool Parse(std::string_view text, bool prefix_ok, int64_t* epoch_micros) const;

  const std::string& text() const { return text_; }

  // Format() gives the same text for every instant of an aligned UTC span this long (an
  // hour for 'yyyy-MM-dd HH', a minute with 'mm', a second with 'ss'); 0 with fractions.
  // Lets callers reuse the text of the previous row when it falls in the same span.
  int64_t constant_span_micros() const { return constant_span_micros_; }

 private:
  enum class Kind : uint8_t { kField, kLiteral, kOptStart, kOptEnd };
  struct Token {
    Kind kind;
    char letter;    // kField
    int count;      // kField: repetitions of the letter
    uint32_t pos;   // kLiteral: offset into literals_
    uint32_t len;   // kLiteral: length
    bool abutting;  // kField: the next token is a numeric field (fixed-width parsing)
  };
  struct Fields;

  bool ParseRange(size_t begin, size_t end, std::string_view text, size_t* pos, Fields* f) const;
  size_t MatchingEnd(size_t opt_start) const;
  bool IsNumericField(const Token& t) const;

  std::vector<Token> tokens_;
  std::string literals_;
  std::string text_;
  Dialect dialect_ = Dialect::kJavaTime;
  int64_t constant_span_micros_ = 0;
};

}  // namespace fluxgate::runtime
