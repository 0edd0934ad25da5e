#include "runtime/expr_date_pattern.h"

#include <cstring>

#include "common/ascii.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {
namespace {

constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
// Index 0 = Monday (ISO order).
constexpr const char* kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Appends v (>= 0) with at least `width` digits.
void AppendPadded(int64_t v, int width, std::string& out) {
  char b[24];
  int n = 0;
  bool neg = v < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    b[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (neg) out += '-';
  for (int k = n; k < width; ++k) out += '0';
  while (n > 0) out += b[--n];
}

// The calendar fields of one instant (UTC).
struct Civil {
  int64_t year;
  int month, day, hour, minute, second;
  int64_t micros;  // of the second
  int64_t days;    // since the epoch
  int doy;         // 1..366
  int iso_dow;     // Monday = 1 .. Sunday = 7
};

Civil Breakdown(int64_t epoch_micros) {
  Civil c{};
  int64_t secs = FloorDiv(epoch_micros, 1'000'000);
  c.micros = epoch_micros - secs * 1'000'000;
  c.days = FloorDiv(secs, 86400);
  int64_t sod = secs - c.days * 86400;
  unsigned m, d;
  CivilFromDays(c.days, &c.year, &m, &d);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>(sod / 60 % 60);
  c.second = static_cast<int>(sod % 60);
  c.doy = static_cast<int>(c.days - DaysFromCivil(c.year, 1, 1)) + 1;
  c.iso_dow = static_cast<int>(((c.days + 3) % 7 + 7) % 7) + 1;  // 1970-01-01 was a Thursday
  return c;
}

// en-US week fields: weeks start on Sunday and week 1 is the one holding January 1st, so
// a week belongs to the year of its Saturday.
void UsWeek(const Civil& c, int64_t* week_year, int* week) {
  const int dow0 = c.iso_dow % 7;  // Sunday = 0
  const int64_t saturday = c.days + (6 - dow0);
  int64_t y;
  unsigned m, d;
  CivilFromDays(saturday, &y, &m, &d);
  const int64_t jan1 = DaysFromCivil(y, 1, 1);
  const int jan1_dow0 = static_cast<int>(((jan1 + 4) % 7 + 7) % 7);
  *week_year = y;
  *week = static_cast<int>((c.days - (jan1 - jan1_dow0)) / 7) + 1;
}

bool IsPatternLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Matches one of `names` (full name first, then its 3-letter form) at text[*pos].
int MatchName(std::string_view text, size_t* pos, const char* const* names, int count) {
  for (int full = 1; full >= 0; --full) {
    for (int i = 0; i < count; ++i) {
      std::string_view name(names[i]);
      if (!full) name = name.substr(0, 3);
      if (text.size() - *pos >= name.size() &&
          AsciiEqualsIgnoreCase(text.substr(*pos, name.size()), name)) {
        *pos += name.size();
        return i;
      }
    }
  }
  return -1;
}

}  // namespace

struct DatePattern::Fields {
  int64_t year = 1970;
  int month = 1, day = 1, doy = -1;
  bool month_or_day = false;
  int hour = -1, hour12 = -1, ampm = -1;
  int minute = 0, second = 0;
  int64_t nanos = 0;
  int64_t offset_seconds = 0;
};

const char* DatePattern::Compile(std::string_view p, Dialect dialect) {
  tokens_.clear();
  literals_.clear();
  text_.assign(p);
  dialect_ = dialect;
  int depth = 0;
  auto literal = [&](std::string_view s) {
    if (!tokens_.empty() && tokens_.back().kind == Kind::kLiteral &&
        tokens_.back().pos + tokens_.back().len == literals_.size()) {
      tokens_.back().len += static_cast<uint32_t>(s.size());
    } else {
      tokens_.push_back({Kind::kLiteral, 0, 0, static_cast<uint32_t>(literals_.size()),
                         static_cast<uint32_t>(s.size()), false});
    }
    literals_ += s;
  };
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {  // '' is one quote
        literal("'");
        i += 2;
        continue;
      }
      size_t j = i + 1;
      std::string lit;
      for (;;) {
        if (j >= p.size()) return "unclosed quote in the date pattern";
        if (p[j] == '\'') {
          if (j + 1 < p.size() && p[j + 1] == '\'') {
            lit += '\'';
            j += 2;
            continue;
          }
          break;
        }
        lit += p[j++];
      }
      if (!lit.empty()) literal(lit);
      i = j + 1;
      continue;
    }
    if (dialect == Dialect::kJavaTime && (c == '[' || c == ']')) {
      if (c == ']' && depth == 0) return "']' without '[' in the date pattern";
      depth += c == '[' ? 1 : -1;
      tokens_.push_back({c == '[' ? Kind::kOptStart : Kind::kOptEnd, 0, 0, 0, 0, false});
      ++i;
      continue;
    }
    if (!IsPatternLetter(c)) {
      literal(p.substr(i, 1));
      ++i;
      continue;
    }
    size_t j = i;
    while (j < p.size() && p[j] == c) ++j;
    const int count = static_cast<int>(j - i);
    static constexpr std::string_view kLetters = "GyuYMLdDQqEecFahHkKmsSnAwXxZzO";
    if (kLetters.find(c) == std::string_view::npos) return "unknown letter in the date pattern";
    if (c == 'S' && dialect == Dialect::kJavaTime && count > 9) {
      return "at most 9 'S' in the date pattern";
    }
    tokens_.push_back({Kind::kField, c, count, 0, 0, false});
    i = j;
  }
  if (depth != 0) return "unclosed '[' in the date pattern";
  constant_span_micros_ = 3'600'000'000;
  for (const Token& t : tokens_) {
    if (t.kind != Kind::kField) continue;
    if (t.letter == 'm' && constant_span_micros_ > 60'000'000) constant_span_micros_ = 60'000'000;
    if (t.letter == 's' && constant_span_micros_ > 1'000'000) constant_span_micros_ = 1'000'000;
    if (t.letter == 'S' || t.letter == 'n' || t.letter == 'A') constant_span_micros_ = 0;
  }
  for (size_t k = 0; k + 1 < tokens_.size(); ++k) {
    if (tokens_[k].kind == Kind::kField && IsNumericField(tokens_[k])) {
      tokens_[k].abutting = tokens_[k + 1].kind == Kind::kField && IsNumericField(tokens_[k + 1]);
    }
  }
  return nullptr;
}

bool DatePattern::IsNumericField(const Token& t) const {
  switch (t.letter) {
    case 'M':
    case 'L':
    case 'Q':
    case 'q':
    case 'e':
    case 'c':
      return t.count <= 2;
    case 'u':
      return true;
    case 'G':
    case 'E':
    case 'a':
    case 'X':
    case 'x':
    case 'Z':
    case 'z':
    case 'O':
      return false;
    default:
      return true;
  }
}

void DatePattern::Format(int64_t epoch_micros, std::string& out) const {
  const Civil c = Breakdown(epoch_micros);
  for (const Token& t : tokens_) {
    if (t.kind == Kind::kLiteral) {
      out.append(literals_, t.pos, t.len);
      continue;
    }
    if (t.kind != Kind::kField) continue;  // optional sections: every field is present
    const int n = t.count;
    switch (t.letter) {
      case 'G':
        out += n == 4 ? "Anno Domini" : (n == 5 ? "A" : "AD");
        break;
      case 'u':
        if (dialect_ == Dialect::kSimple) {
          AppendPadded(c.iso_dow, n, out);
          break;
        }
        [[fallthrough]];
      case 'y':
        if (n == 2) {
          AppendPadded(((c.year % 100) + 100) % 100, 2, out);
        } else {
          AppendPadded(c.year, n, out);
        }
        break;
      case 'Y': {
        int64_t wy;
        int w;
        UsWeek(c, &wy, &w);
        AppendPadded(n == 2 ? ((wy % 100) + 100) % 100 : wy, n, out);
        break;
      }
      case 'w': {
        int64_t wy;
        int w;
        UsWeek(c, &wy, &w);
        AppendPadded(w, n, out);
        break;
      }
      case 'M':
      case 'L':
        if (n <= 2) {
          AppendPadded(c.month, n, out);
        } else {
          std::string_view name(kMonthNames[c.month - 1]);
          out += n == 3 ? name.substr(0, 3) : (n == 4 ? name : name.substr(0, 1));
        }
        break;
      case 'd':
        AppendPadded(c.day, n, out);
        break;
      case 'D':
        AppendPadded(c.doy, n, out);
        break;
      case 'Q':
      case 'q': {
        const int q = (c.month - 1) / 3 + 1;
        if (n <= 2) {
          AppendPadded(q, n, out);
        } else if (n == 3) {
          out += 'Q';
          AppendPadded(q, 1, out);
        } else {
          static constexpr const char* kQ[] = {"1st quarter", "2nd quarter", "3rd quarter",
                                               "4th quarter"};
          out += kQ[q - 1];
        }
        break;
      }
      case 'e':
      case 'c':
        if (n <= 2) {
          AppendPadded(c.iso_dow % 7 + 1, n, out);  // en-US: Sunday = 1
          break;
        }
        [[fallthrough]];
      case 'E': {
        std::string_view name(kDayNames[c.iso_dow - 1]);
        out += n <= 3 ? name.substr(0, 3) : (n == 4 ? name : name.substr(0, 1));
        break;
      }
      case 'F':
        AppendPadded((c.day - 1) / 7 + 1, n, out);
        break;
      case 'a':
        out += c.hour < 12 ? "AM" : "PM";
        break;
      case 'h':
        AppendPadded(c.hour % 12 == 0 ? 12 : c.hour % 12, n, out);
        break;
      case 'K':
        AppendPadded(c.hour % 12, n, out);
        break;
      case 'k':
        AppendPadded(c.hour == 0 ? 24 : c.hour, n, out);
        break;
      case 'H':
        AppendPadded(c.hour, n, out);
        break;
      case 'm':
        AppendPadded(c.minute, n, out);
        break;
      case 's':
        AppendPadded(c.second, n, out);
        break;
      case 'S':
        if (dialect_ == Dialect::kSimple) {
          AppendPadded(c.micros / 1000, n, out);
        } else {
          // The first n digits of the nine-digit nano-of-second.
          int64_t v = c.micros * 1000;
          for (int k = n; k < 9; ++k) v /= 10;
          AppendPadded(v, n, out);
        }
        break;
      case 'n':
        AppendPadded(c.micros * 1000, n, out);
        break;
      case 'A':
        AppendPadded(((static_cast<int64_t>(c.hour) * 60 + c.minute) * 60 + c.second) * 1000 +
                         c.micros / 1000,
                     n, out);
        break;
      case 'X':
        out += 'Z';
        break;
      case 'x':
        out += n == 1 ? "+00" : (n == 2 ? "+0000" : "+00:00");
        break;
      case 'Z':
        out += n <= 3 ? "+0000" : (n == 4 ? "GMT" : "Z");
        break;
      case 'z':
        out += n == 4 ? "Coordinated Universal Time" : "UTC";
        break;
      case 'O':
        out += "GMT";
        break;
      default:
        break;
    }
  }
}

size_t DatePattern::MatchingEnd(size_t opt_start) const {
  int depth = 0;
  for (size_t k = opt_start; k < tokens_.size(); ++k) {
    if (tokens_[k].kind == Kind::kOptStart) ++depth;
    if (tokens_[k].kind == Kind::kOptEnd && --depth == 0) return k;
  }
  return tokens_.size();
}

bool DatePattern::ParseRange(size_t begin, size_t end, std::string_view s, size_t* pos,
                             Fields* f) const {
  auto digits = [&](int min, int max, int64_t* v) {
    size_t i = *pos;
    int64_t x = 0;
    int n = 0;
    while (i < s.size() && n < max && s[i] >= '0' && s[i] <= '9') {
      x = x * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (n < min) return false;
    *pos = i;
    *v = x;
    return true;
  };
  for (size_t k = begin; k < end; ++k) {
    const Token& t = tokens_[k];
    if (t.kind == Kind::kOptStart) {
      const size_t close = MatchingEnd(k);
      const size_t saved_pos = *pos;
      const Fields saved = *f;
      if (!ParseRange(k + 1, close, s, pos, f)) {
        *pos = saved_pos;
        *f = saved;
      }
      k = close;
      continue;
    }
    if (t.kind == Kind::kOptEnd) continue;
    if (t.kind == Kind::kLiteral) {
      std::string_view lit(literals_.data() + t.pos, t.len);
      if (s.substr(*pos, lit.size()) != lit) return false;
      *pos += lit.size();
      continue;
    }
    const int n = t.count;
    const bool simple = dialect_ == Dialect::kSimple;
    // Digits a numeric field reads: fixed when abutting another number or (java.time)
    // when the letter is repeated; otherwise a variable width.
    auto width = [&](int var_max, int* min, int* max) {
      if (t.abutting || (!simple && n >= 2)) {
        *min = *max = n;
      } else {
        *min = 1;
        *max = var_max;
      }
    };
    int lo = 1, hi = 2;
    int64_t v = 0;
    switch (t.letter) {
      case 'u':
        if (simple) {
          if (!digits(1, 1, &v)) return false;
          break;
        }
        [[fallthrough]];
      case 'y':
      case 'Y': {
        if (n == 2) {
          lo = hi = 2;
        } else if (t.abutting) {
          lo = hi = n;
        } else {
          lo = simple ? 1 : n;
          hi = 10;
        }
        const size_t start = *pos;
        if (!digits(lo, hi, &v)) return false;
        // A two-digit year is 2000-2099 (java.time's base; SimpleDateFormat's sliding
        // century differs for years after 2080 written as two digits).
        f->year = (n <= 2 && *pos - start == 2) ? 2000 + v : v;
        break;
      }
      case 'M':
      case 'L':
        if (n >= 3) {
          int m = MatchName(s, pos, kMonthNames, 12);
          if (m < 0) return false;
          f->month = m + 1;
        } else {
          width(2, &lo, &hi);
          if (!digits(lo, hi, &v)) return false;
          f->month = static_cast<int>(v);
        }
        f->month_or_day = true;
        break;
      case 'd':
        width(2, &lo, &hi);
        if (!digits(lo, hi, &v)) return false;
        f->day = static_cast<int>(v);
        f->month_or_day = true;
        break;
      case 'D':
        width(3, &lo, &hi);
        if (!simple && n == 2) hi = 3;
        if (!digits(lo, hi, &v)) return false;
        f->doy = static_cast<int>(v);
        break;
      case 'Q':
      case 'q':
        if (n == 3) {
          if (*pos >= s.size() || s[*pos] != 'Q') return false;
          ++*pos;
          if (!digits(1, 1, &v)) return false;
        } else if (n > 3) {
          return false;  // "1st quarter" is not parsed
        } else {
          width(1, &lo, &hi);
          if (!digits(lo, hi, &v)) return false;
        }
        break;
      case 'e':
      case 'c':
        if (n <= 2) {
          width(1, &lo, &hi);
          if (!digits(lo, hi, &v)) return false;
          break;
        }
        [[fallthrough]];
      case 'E':
        if (MatchName(s, pos, kDayNames, 7) < 0) return false;
        break;
      case 'G':
        if (s.substr(*pos, 2) != "AD") return false;
        *pos += 2;
        break;
      case 'a':
        if (s.size() - *pos < 2) return false;
        if (AsciiEqualsIgnoreCase(s.substr(*pos, 2), "AM")) {
          f->ampm = 0;
        } else if (AsciiEqualsIgnoreCase(s.substr(*pos, 2), "PM")) {
          f->ampm = 1;
        } else {
          return false;
        }
        *pos += 2;
        break;
      case 'h':
      case 'K':
        width(2, &lo, &hi);
        if (!digits(lo, hi, &v)) return false;
        if (t.letter == 'h' ? (v < 1 || v > 12) : v > 11) return false;
        f->hour12 = static_cast<int>(v % 12);
        break;
      case 'k':
      case 'H':
        width(2, &lo, &hi);
        if (!digits(lo, hi, &v)) return false;
        if (t.letter == 'k' ? (v < 1 || v > 24) : v > 23) return false;
        f->hour = static_cast<int>(v % 24);
        break;
      case 'm':
        width(2, &lo, &hi);
        if (!digits(lo, hi, &v) || v > 59) return false;
        f->minute = static_cast<int>(v);
        break;
      case 's':
        width(2, &lo, &hi);
        if (!digits(lo, hi, &v) || v > 59) return false;
        f->second = static_cast<int>(v);
        break;
      case 'S':
        if (simple) {
          width(9, &lo, &hi);
          if (!digits(lo, hi, &v)) return false;
          f->nanos = v * 1'000'000;  // a millisecond count
        } else {
          const size_t start = *pos;
          if (!digits(n, n, &v)) return false;
          for (size_t k2 = *pos - start; k2 < 9; ++k2) v *= 10;
          f->nanos = v;
        }
        break;
      case 'n':
        if (!digits(1, 9, &v)) return false;
        f->nanos = v;
        break;
      case 'A':
      case 'w':
      case 'F':
        width(t.letter == 'A' ? 9 : 2, &lo, &hi);
        if (!digits(lo, hi, &v)) return false;
        break;
      default: {  // zones: Z / UTC / GMT, optionally followed by +hh[:mm]
        if (*pos < s.size() && s[*pos] == 'Z') {
          ++*pos;
          f->offset_seconds = 0;
          break;
        }
        if (s.substr(*pos, 3) == "UTC" || s.substr(*pos, 3) == "GMT") *pos += 3;
        if (*pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) {
          const int sign = s[*pos] == '-' ? -1 : 1;
          ++*pos;
          int64_t hh = 0, mm = 0;
          if (!digits(2, 2, &hh)) return false;
          if (*pos < s.size() && s[*pos] == ':') ++*pos;
          if (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9' && !digits(2, 2, &mm)) {
            return false;
          }
          if (hh > 18 || mm > 59) return false;
          f->offset_seconds = sign * (hh * 3600 + mm * 60);
        } else if (t.letter != 'z' && t.letter != 'O') {
          return false;
        }
        break;
      }
    }
  }
  return true;
}

bool DatePattern::Parse(std::string_view text, bool prefix_ok, int64_t* epoch_micros) const {
  Fields f;
  size_t pos = 0;
  if (!ParseRange(0, tokens_.size(), text, &pos, &f)) return false;
  if (!prefix_ok && pos != text.size()) return false;
  if (f.doy >= 0 && !f.month_or_day) {
    if (f.doy < 1 || f.doy > (IsLeap(f.year) ? 366 : 365)) return false;
  } else if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > DaysInMonth(f.year, f.month)) {
    return false;
  }
  int64_t days =
      f.doy >= 0 && !f.month_or_day
          ? DaysFromCivil(f.year, 1, 1) + f.doy - 1
          : DaysFromCivil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  int hour = f.hour >= 0 ? f.hour : (f.hour12 >= 0 ? f.hour12 + (f.ampm == 1 ? 12 : 0) : 0);
  int64_t secs = days * 86400 + hour * 3600 + f.minute * 60 + f.second - f.offset_seconds;
  *epoch_micros = secs * 1'000'000 + f.nanos / 1000;
  return true;
}

}  // namespace fluxgate::runtime
