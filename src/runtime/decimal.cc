#include "runtime/decimal.h"

#include <algorithm>

namespace fluxgate::runtime {

int128 Pow10(int n) {
  int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

int128 DivideRoundHalfUp(int128 a, int128 b) {
  int128 q = a / b;
  int128 r = a % b;
  if (r < 0) r = -r;
  int128 bb = b < 0 ? -b : b;
  if (2 * r >= bb) q += ((a < 0) != (b < 0)) ? -1 : 1;
  return q;
}

int128 RescaleDecimal(int128 v, int from_scale, int to_scale) {
  if (to_scale >= from_scale) return v * Pow10(to_scale - from_scale);
  return DivideRoundHalfUp(v, Pow10(from_scale - to_scale));
}

DecimalParse ParseDecimal(std::string_view text, int precision, int scale, int128* out) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  // Collect significant digits (at most 39 kept; beyond that only magnitude matters).
  int128 digits = 0;
  int kept = 0;
  int frac_digits = 0;  // digits after the point that were kept
  int dropped_int = 0;  // integer digits beyond what fits (overflow signal)
  bool any = false, seen_point = false;
  int round_digit = -1;  // first digit dropped after the point, for rounding
  bool sticky = false;   // any nonzero after round_digit
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_point) return DecimalParse::kSyntax;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (kept < 38) {
      digits = digits * 10 + (c - '0');
      if (digits != 0) ++kept;
      if (seen_point) ++frac_digits;
    } else if (!seen_point) {
      ++dropped_int;
    } else if (round_digit < 0) {
      round_digit = c - '0';
    } else if (c != '0') {
      sticky = true;
    }
  }
  if (!any) return DecimalParse::kSyntax;
  int exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) eneg = text[i++] == '-';
    if (i == text.size()) return DecimalParse::kSyntax;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return DecimalParse::kSyntax;
      if (exp < 10000) exp = exp * 10 + (text[i] - '0');
    }
    if (eneg) exp = -exp;
  }
  if (i != text.size()) return DecimalParse::kSyntax;
  if (dropped_int > 0 && digits != 0) return DecimalParse::kOverflow;
  // Digits beyond the 38th significant one are dropped (truncated): a DECIMAL has at most
  // 38 digits, so they can only matter for rounding at the 38th, which we do not do.
  (void)sticky;
  (void)round_digit;
  // value = digits * 10^(exp - frac_digits + dropped_int); bring to `scale`.
  int shift = scale + exp - frac_digits + dropped_int;
  int128 v;
  if (shift >= 0) {
    if (digits != 0 && shift > 38) return DecimalParse::kOverflow;
    // Count digits to detect overflow before multiplying.
    int n = 0;
    for (int128 t = digits; t != 0; t /= 10) ++n;
    if (n + shift > 38) return DecimalParse::kOverflow;
    v = digits * Pow10(shift);
  } else if (-shift > 38) {
    v = 0;  // rounds to zero (digits < 10^38 < 0.5 * 10^-shift)
  } else {
    int128 p = Pow10(-shift);
    v = digits / p;
    int128 rem = digits % p;
    if (2 * rem >= p) ++v;
  }
  if (v >= Pow10(precision)) return DecimalParse::kOverflow;
  *out = neg ? -v : v;
  return DecimalParse::kOk;
}

void AppendDecimal(int128 scaled, int scale, std::string& out) {
  bool neg = scaled < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(scaled) : scaled;
  char buf[48];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  while (n <= scale) buf[n++] = '0';  // at least one integer digit
  if (neg) out.push_back('-');
  for (int i = n - 1; i >= 0; --i) {
    out.push_back(buf[i]);
    if (i == scale && scale > 0) out.push_back('.');
  }
}

}  // namespace fluxgate::runtime
