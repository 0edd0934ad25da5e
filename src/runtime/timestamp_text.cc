#include "runtime/timestamp_text.h"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace fluxgate::runtime {
namespace {

// Reads exactly n digits at s[*i]; false if any is not a digit.
bool Digits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// The decoders' common case, straight-line: "yyyy-MM-dd[T ]HH:mm:ss[.f{1,9}][Z]" (also 't'
// and 'z'). Anything else, including any value out of range, is left to the general parser
// so that errors keep their texts; *out is written only on success.
bool ParseTimestampFast(std::string_view s, ParsedTimestamp* out) {
  const size_t n = s.size();
  if (n < 19) return false;
  const char* p = s.data();
  auto d = [p](size_t k) { return static_cast<unsigned>(p[k] - '0'); };
  // A non-digit makes d(k) >= 10 (unsigned); the checks are combined without branches.
  auto bad = [&d](size_t k) { return d(k) > 9; };
  if (bad(0) | bad(1) | bad(2) | bad(3) | bad(5) | bad(6) | bad(8) | bad(9) | bad(11) | bad(12) |
      bad(14) | bad(15) | bad(17) | bad(18)) {
    return false;
  }
  if (p[4] != '-' || p[7] != '-' || p[13] != ':' || p[16] != ':' ||
      (p[10] != 'T' && p[10] != 't' && p[10] != ' ')) {
    return false;
  }
  const int year = static_cast<int>(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3));
  const unsigned month = d(5) * 10 + d(6);
  const unsigned day = d(8) * 10 + d(9);
  const unsigned hour = d(11) * 10 + d(12);
  const unsigned minute = d(14) * 10 + d(15);
  const unsigned second = d(17) * 10 + d(18);
  size_t i = 19;
  int64_t micros = 0;
  if (i < n && p[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < n && d(i) < 10) {
      if (i - start < 6) micros = micros * 10 + d(i);
      ++i;
    }
    const size_t digits = i - start;
    if (digits == 0 || digits > 9) return false;
    static constexpr int64_t kScale[] = {1, 100000, 10000, 1000, 100, 10, 1};
    micros *= kScale[digits < 6 ? digits : 6];
  }
  bool has_offset = false;
  if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
    ++i;
    has_offset = true;
  }
  if (i != n) return false;
  if (month < 1 || month > 12 || day < 1 || static_cast<int>(day) > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  // DaysFromCivil for years 0..9999, shifted by one 400-year era (146097 days) so that all
  // of it is unsigned and its divisions become multiplications.
  const unsigned y = static_cast<unsigned>(year) + 400 - (month <= 2);
  const unsigned era = y / 400;
  const unsigned yoe = y - era * 400;
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468 - 146097;
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second;
  out->epoch_micros = secs * 1'000'000 + micros;
  out->has_offset = has_offset;
  return true;
}

const char* ParseTimestamp(std::string_view s, ParsedTimestamp* out) {
  if (ParseTimestampFast(s, out)) return nullptr;
  return ParseTimestampGeneral(s, out);
}

const char* ParseTimestampGeneral(std::string_view s, ParsedTimestamp* out) {
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &i, 4, &year) || i >= s.size() || s[i++] != '-' || !Digits(s, &i, 2, &month) ||
      i >= s.size() || s[i++] != '-' || !Digits(s, &i, 2, &day)) {
    return "expected a date yyyy-MM-dd";
  }
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) {
    return "expected 'T' or ' ' between date and time";
  }
  ++i;
  if (!Digits(s, &i, 2, &hour) || i >= s.size() || s[i++] != ':' || !Digits(s, &i, 2, &minute)) {
    return "expected a time HH:mm[:ss[.fraction]]";
  }
  int64_t micros = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!Digits(s, &i, 2, &second)) return "expected two digits of seconds";
    if (i < s.size() && s[i] == '.') {
      ++i;
      int n = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (n < 6) micros = micros * 10 + (s[i] - '0');
        ++n;
        ++i;
      }
      if (n == 0 || n > 9) return "fraction of a second must have 1 to 9 digits";
      for (int k = n; k < 6; ++k) micros *= 10;
    }
  }
  if (month < 1 || month > 12) return "month out of range";
  if (day < 1 || day > DaysInMonth(year, month)) return "day out of range for the month";
  if (hour > 23) return "hour out of range";
  if (minute > 59) return "minute out of range";
  if (second > 59) return "second out of range";
  int64_t offset_seconds = 0;
  out->has_offset = false;
  if (i < s.size()) {
    char c = s[i];
    if (c == 'Z' || c == 'z') {
      ++i;
      out->has_offset = true;
    } else if (c == '+' || c == '-') {
      ++i;
      int oh = 0, om = 0;
      if (!Digits(s, &i, 2, &oh)) return "bad zone offset (expected +hh:mm)";
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !Digits(s, &i, 2, &om)) return "bad zone offset (expected +hh:mm)";
      if (oh > 18 || om > 59) return "zone offset out of range";
      offset_seconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
      out->has_offset = true;
    }
    if (i != s.size()) return "unexpected text after the timestamp";
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  out->epoch_micros = secs * 1'000'000 + micros;
  return nullptr;
}

const char* ParseTimestampLenient(std::string_view s, ParsedTimestamp* out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (ParseTimestamp(s, out) == nullptr) return nullptr;
  // One or two digits.
  auto small = [&](size_t* i, int* v) {
    if (Digits(s, i, 2, v)) return true;
    return Digits(s, i, 1, v);
  };
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &i, 4, &year) || i >= s.size() || s[i++] != '-' || !small(&i, &month) ||
      i >= s.size() || s[i++] != '-' || !small(&i, &day)) {
    return "expected a date yyyy-M[M]-d[d]";
  }
  int64_t micros = 0;
  int64_t offset_seconds = 0;
  out->has_offset = false;
  if (i < s.size()) {
    if (s[i] != ' ' && s[i] != 'T') return "expected 'T' or ' ' between date and time";
    ++i;
    if (!small(&i, &hour) || i >= s.size() || s[i++] != ':' || !small(&i, &minute)) {
      return "expected a time H[H]:m[m][:s[s][.fraction]]";
    }
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!small(&i, &second)) return "expected seconds";
      if (i < s.size() && s[i] == '.') {
        ++i;
        int n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          if (n < 6) micros = micros * 10 + (s[i] - '0');
          ++n;
          ++i;
        }
        if (n == 0 || n > 9) return "fraction of a second must have 1 to 9 digits";
        for (int k = n; k < 6; ++k) micros *= 10;
      }
    }
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      ++i;
      out->has_offset = true;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const char sign = s[i++];
      int oh = 0, om = 0;
      if (!Digits(s, &i, 2, &oh)) return "bad zone offset (expected +hh:mm)";
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !Digits(s, &i, 2, &om)) return "bad zone offset (expected +hh:mm)";
      if (oh > 18 || om > 59) return "zone offset out of range";
      offset_seconds = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
      out->has_offset = true;
    }
    if (i != s.size()) return "unexpected text after the timestamp";
  }
  if (month < 1 || month > 12) return "month out of range";
  if (day < 1 || day > DaysInMonth(year, month)) return "day out of range for the month";
  if (hour > 23) return "hour out of range";
  if (minute > 59) return "minute out of range";
  if (second > 59) return "second out of range";
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  out->epoch_micros = secs * 1'000'000 + micros;
  return nullptr;
}

namespace {

// "00".."99", so two digits cost one table read instead of two divisions.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline void PutTwo(unsigned v, char* p) { std::memcpy(p, kDigitPairs + 2 * v, 2); }

// The civil date of an epoch day, remembered for the last few days seen on this thread:
// rows written together mostly come from one or two days (event time, processing time).
struct CivilDate {
  int64_t days = INT64_MIN;
  int64_t year = 0;
  unsigned month = 0, day = 0;
};

const CivilDate& CachedCivil(int64_t days) {
  thread_local CivilDate cache[4];
  CivilDate& slot = cache[static_cast<uint64_t>(days) & 3];
  if (slot.days != days) {
    CivilFromDays(days, &slot.year, &slot.month, &slot.day);
    slot.days = days;
  }
  return slot;
}

}  // namespace

void AppendTimestamp(int64_t value, int64_t unit_per_second, int precision, TimestampStyle style,
                     bool trim_fraction, bool utc_suffix, std::string& out) {
  char buf[kMaxTimestampText];
  out.append(buf, WriteTimestamp(value, unit_per_second, precision, style, trim_fraction,
                                 utc_suffix, buf));
}

size_t WriteTimestamp(int64_t value, int64_t unit_per_second, int precision, TimestampStyle style,
                      bool trim_fraction, bool utc_suffix, char* buf) {
  int64_t secs = FloorDiv(value, unit_per_second);
  int64_t frac = value - secs * unit_per_second;  // 0 <= frac < unit_per_second
  int64_t days = FloorDiv(secs, 86400);
  const auto sod = static_cast<unsigned>(secs - days * 86400);
  const CivilDate& civil = CachedCivil(days);
  int n = 0;
  int64_t y = civil.year;
  if (y < 0) {
    buf[n++] = '-';
    y = -y;
  }
  if (y < 10000) {
    PutTwo(static_cast<unsigned>(y / 100), buf + n);
    PutTwo(static_cast<unsigned>(y % 100), buf + n + 2);
    n += 4;
  } else {
    auto r = std::to_chars(buf + n, buf + 24, y);
    n = static_cast<int>(r.ptr - buf);
  }
  buf[n++] = '-';
  PutTwo(civil.month, buf + n);
  n += 2;
  buf[n++] = '-';
  PutTwo(civil.day, buf + n);
  n += 2;
  buf[n++] = style == TimestampStyle::kIso ? 'T' : ' ';
  PutTwo(sod / 3600, buf + n);
  buf[n + 2] = ':';
  PutTwo(sod / 60 % 60, buf + n + 3);
  buf[n + 5] = ':';
  PutTwo(sod % 60, buf + n + 6);
  n += 8;
  int unit_digits = unit_per_second == 1000 ? 3 : 6;
  int digits = precision < unit_digits ? precision : unit_digits;
  // Drop digits below the declared precision, then trailing zeros if trimming.
  for (int k = digits; k < unit_digits; ++k) frac /= 10;
  if (trim_fraction) {
    while (digits > 0 && frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
  }
  if (digits > 0) {
    buf[n++] = '.';
    for (int k = digits - 1; k >= 0; --k) {
      buf[n + k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    n += digits;
  }
  if (utc_suffix) buf[n++] = 'Z';
  return static_cast<size_t>(n);
}

std::string FormatTimestampMillis(int64_t epoch_millis) {
  std::string s;
  AppendTimestamp(epoch_millis, 1000, 3, TimestampStyle::kSql, false, false, s);
  return s;
}

}  // namespace fluxgate::runtime
