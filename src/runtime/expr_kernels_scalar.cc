// CAST, string, math and LIKE kernels of the expression evaluator (see expr_program.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "runtime/decimal.h"
#include "runtime/expr_kernels.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {

namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Truncates a timestamp in `unit` (1000 / 1e6 per second) to `precision` fractional digits.
int64_t TruncateToPrecision(int64_t v, int64_t unit, int precision) {
  int digits = unit == 1000 ? 3 : 6;
  if (precision >= digits) return v;
  int64_t m = 1;
  for (int i = precision; i < digits; ++i) m *= 10;
  return FloorDiv(v, m) * m;
}

int128 Abs128(int128 v) { return v < 0 ? -v : v; }

// Rounds away the `drop` lowest decimal digits of v HALF_UP (away from zero on a tie),
// keeping v's scale: RoundDigits(1250, 2) = 1300.
int128 RoundDigits(int128 v, int drop) {
  if (drop <= 0) return v;
  if (drop > 38) return 0;
  const int128 m = Pow10(drop);
  int128 q = v / m;
  const int128 rem = v % m;
  if (Abs128(rem) * 2 >= m) q += v < 0 ? -1 : 1;
  return q * m;
}

bool DoubleToDecimal(double d, int precision, int scale, int128* out) {
  if (!std::isfinite(d)) return false;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  return ParseDecimal(std::string_view(buf, res.ptr - buf), precision, scale, out) ==
         DecimalParse::kOk;
}

template <class T>
bool ParseInt(std::string_view s, T* out) {
  s = TrimSpaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

size_t Utf8Len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of code point `cp` (clamped to the end).
size_t ByteOffset(std::string_view s, int64_t cp) {
  size_t i = 0;
  while (cp > 0 && i < s.size()) {
    i += Utf8Len(static_cast<unsigned char>(s[i]));
    --cp;
  }
  return std::min(i, s.size());
}

void AppendJavaDouble(double v, std::string& out) {
  char buf[kMaxJavaDoubleText];
  out.append(buf, WriteJavaDouble(v, buf));
}

size_t WriteJavaDouble(double v, char* dst) {
  char* d = dst;
  auto put = [&d](std::string_view s) {
    std::memcpy(d, s.data(), s.size());
    d += s.size();
  };
  if (std::isnan(v)) {
    put("NaN");
    return 3;
  }
  if (std::isinf(v)) {
    put(v < 0 ? "-Infinity" : "Infinity");
    return static_cast<size_t>(d - dst);
  }
  char buf[64];
  const double a = std::fabs(v);
  if (a == 0 || (a >= 1e-3 && a < 1e7)) {
    // Readings mostly have a few decimals: find the fewest (up to 4) that give back `v`
    // exactly, which is the shortest text to_chars would find (at these magnitudes two
    // 4-decimal texts cannot both round to one double), without its general algorithm.
    static constexpr double kPow10[] = {1, 10, 100, 1000, 10000};
    for (int k = 0; k <= 4; ++k) {
      const double m = std::nearbyint(a * kPow10[k]);
      if (m / kPow10[k] != a) continue;
      auto whole = static_cast<uint64_t>(m);
      const auto scale = static_cast<uint64_t>(kPow10[k]);
      uint64_t frac = whole % scale;
      whole /= scale;
      if (std::signbit(v)) *d++ = '-';
      d = std::to_chars(d, d + 24, whole).ptr;
      *d++ = '.';
      if (k == 0) {
        *d++ = '0';
        return static_cast<size_t>(d - dst);
      }
      for (int i = k - 1; i >= 0; --i) {
        d[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      d += k;
      return static_cast<size_t>(d - dst);
    }
    auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
    std::string_view s(buf, res.ptr - buf);
    put(s);
    if (s.find('.') == std::string_view::npos) put(".0");
    return static_cast<size_t>(d - dst);
  }
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view s(buf, res.ptr - buf);  // "1.5e+07", "1e-04"
  size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  put(mant);
  if (mant.find('.') == std::string_view::npos) put(".0");
  *d++ = 'E';
  std::string_view exp = s.substr(e + 1);
  if (exp.front() == '-') *d++ = '-';
  exp.remove_prefix(1);
  while (exp.size() > 1 && exp.front() == '0') exp.remove_prefix(1);
  put(exp);
  return static_cast<size_t>(d - dst);
}

int LikeMatch(std::string_view s, std::string_view p, int escape) {
  if (escape >= 0) {
    // Validate the whole pattern first, so a malformed one fails whatever the input.
    for (size_t i = 0; i < p.size(); ++i) {
      if (static_cast<unsigned char>(p[i]) != escape) continue;
      if (i + 1 >= p.size()) return -1;
      const char lit = p[i + 1];
      if (lit != '%' && lit != '_' && static_cast<unsigned char>(lit) != escape) return -1;
      ++i;
    }
  }
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      const char pc = p[pi];
      if (escape >= 0 && static_cast<unsigned char>(pc) == escape) {
        if (pi + 1 >= p.size()) return -1;
        const char lit = p[pi + 1];
        if (lit != '%' && lit != '_' && static_cast<unsigned char>(lit) != escape) return -1;
        if (s[si] == lit) {
          ++si;
          pi += 2;
          continue;
        }
      } else if (pc == '%') {
        star_p = pi++;
        star_s = si;
        continue;
      } else if (pc == '_') {
        si = std::min(s.size(), si + Utf8Len(static_cast<unsigned char>(s[si])));
        ++pi;
        continue;
      } else if (pc == s[si]) {
        ++si;
        ++pi;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return 0;
    pi = star_p + 1;
    star_s = std::min(s.size(), star_s + Utf8Len(static_cast<unsigned char>(s[star_s])));
    si = star_s;
  }
  while (pi < p.size()) {
    if (escape >= 0 && static_cast<unsigned char>(p[pi]) == escape) {
      if (pi + 1 >= p.size()) return -1;
      return 0;  // an escaped literal still needs input
    }
    if (p[pi] != '%') return 0;
    ++pi;
  }
  return 1;
}

size_t RunCastKernel(const ExprInstr& ins, const Column& in, Column& out, size_t n,
                     const uint8_t* guard, std::string& buf) {
  const int from = ins.sub / 16, to = ins.sub % 16;
  const int to_param = ins.a;  // target scale (DECIMAL) or precision
  const int from_param = ins.c;
  const bool try_cast = ins.b != 0;
  const sql::DataType& tt = out.type();
  const int to_precision = tt.precision;
  // A failed parse is an error for CAST, NULL for TRY_CAST.
  const Rc fail = try_cast ? Rc::kNull : Rc::kError;
  using SV = std::string_view;

  if (from == kCatNull) {
    for (size_t i = 0; i < n; ++i) out.AppendNull();
    return kNoError;
  }
  switch (from) {
    case kCatBool:
    case kCatInt:
    case kCatBigInt: {
      auto get = [&](size_t i) -> int64_t {
        return from == kCatBool ? (in.Bool(i) ? 1 : 0) : in.Int64(i);
      };
      for (size_t i = 0; i < n; ++i) {
        if (in.IsNull(i)) {
          out.AppendNull();
          continue;
        }
        const int64_t v = get(i);
        switch (to) {
          case kCatBool:
            out.AppendBool(v != 0);
            break;
          case kCatInt:
            out.AppendInt64(static_cast<int32_t>(static_cast<uint32_t>(v)));
            break;
          case kCatBigInt:
            out.AppendInt64(v);
            break;
          case kCatDouble:
            out.AppendDouble(static_cast<double>(v));
            break;
          case kCatDecimal: {
            int128 d = static_cast<int128>(v) * Pow10(to_param);
            if (Abs128(d) >= Pow10(to_precision)) {
              out.AppendNull();
            } else {
              out.AppendDecimal(d);
            }
            break;
          }
          default:  // string
            if (from == kCatBool) {
              out.AppendString(v ? "TRUE" : "FALSE");
            } else {
              char b[24];
              auto res = std::to_chars(b, b + sizeof(b), v);
              out.AppendString(SV(b, res.ptr - b));
            }
            break;
        }
      }
      return kNoError;
    }
    case kCatDouble:
      switch (to) {
        case kCatBool:
          return UnaryKernel<double, bool>(in, out, n, guard, [](double v, bool* r) {
            *r = v != 0;
            return Rc::kOk;
          });
        case kCatInt:
        case kCatBigInt: {
          // Java's (int) / (long) narrowing: NaN -> 0, saturating at the range ends.
          const double lo = to == kCatInt ? -2147483648.0 : -9223372036854775808.0;
          const double hi = to == kCatInt ? 2147483647.0 : 9223372036854775807.0;
          return UnaryKernel<double, int64_t>(in, out, n, guard, [=](double v, int64_t* r) {
            if (std::isnan(v)) {
              *r = 0;
            } else if (v <= lo) {
              *r = static_cast<int64_t>(lo);
            } else if (v >= hi) {
              *r = to == kCatInt ? 2147483647 : INT64_MAX;
            } else {
              *r = static_cast<int64_t>(v);
            }
            return Rc::kOk;
          });
        }
        case kCatDecimal:
          return UnaryKernel<double, int128>(in, out, n, guard, [&](double v, int128* r) {
            return DoubleToDecimal(v, to_precision, to_param, r) ? Rc::kOk : Rc::kNull;
          });
        default:
          return UnaryKernel<double, SV>(in, out, n, guard, [&](double v, SV* r) {
            buf.clear();
            AppendJavaDouble(v, buf);
            *r = buf;
            return Rc::kOk;
          });
      }
    case kCatDecimal: {
      const int128 unit = Pow10(from_param);
      switch (to) {
        case kCatBool:
          return UnaryKernel<int128, bool>(in, out, n, guard, [](int128 v, bool* r) {
            *r = v != 0;
            return Rc::kOk;
          });
        case kCatInt:
        case kCatBigInt:
          return UnaryKernel<int128, int64_t>(in, out, n, guard, [=](int128 v, int64_t* r) {
            int64_t x = static_cast<int64_t>(v / unit);  // truncates toward zero
            *r = to == kCatInt ? static_cast<int32_t>(static_cast<uint32_t>(x)) : x;
            return Rc::kOk;
          });
        case kCatDouble:
          return UnaryKernel<int128, double>(in, out, n, guard, [=](int128 v, double* r) {
            *r = static_cast<double>(v) / static_cast<double>(unit);
            return Rc::kOk;
          });
        case kCatDecimal: {
          const int128 limit = Pow10(to_precision);
          return UnaryKernel<int128, int128>(in, out, n, guard, [=](int128 v, int128* r) {
            *r = RescaleDecimal(v, from_param, to_param);
            return Abs128(*r) >= limit ? Rc::kNull : Rc::kOk;
          });
        }
        default:
          return UnaryKernel<int128, SV>(in, out, n, guard, [&](int128 v, SV* r) {
            buf.clear();
            AppendDecimal(v, from_param, buf);
            *r = buf;
            return Rc::kOk;
          });
      }
    }
    case kCatString:
      switch (to) {
        case kCatBool:
          return UnaryKernel<SV, bool>(in, out, n, guard, [&](SV s, bool* r) {
            s = TrimSpaces(s);
            auto eq = [&](const char* w) {
              if (s.size() != std::strlen(w)) return false;
              for (size_t i = 0; i < s.size(); ++i) {
                if (std::tolower(static_cast<unsigned char>(s[i])) != w[i]) return false;
              }
              return true;
            };
            if (eq("true")) {
              *r = true;
            } else if (eq("false")) {
              *r = false;
            } else {
              return fail;
            }
            return Rc::kOk;
          });
        case kCatInt:
        case kCatBigInt:
          return UnaryKernel<SV, int64_t>(in, out, n, guard, [&](SV s, int64_t* r) {
            if (to == kCatInt) {
              int32_t v = 0;
              if (!ParseInt(s, &v)) return fail;
              *r = v;
              return Rc::kOk;
            }
            return ParseInt(s, r) ? Rc::kOk : fail;
          });
        case kCatDouble:
          return UnaryKernel<SV, double>(in, out, n, guard, [&](SV s, double* r) {
            s = TrimSpaces(s);
            if (!s.empty() && s.front() == '+') s.remove_prefix(1);
            auto res = std::from_chars(s.data(), s.data() + s.size(), *r);
            return res.ec == std::errc() && res.ptr == s.data() + s.size() && !s.empty() ? Rc::kOk
                                                                                         : fail;
          });
        case kCatDecimal:
          return UnaryKernel<SV, int128>(in, out, n, guard, [&](SV s, int128* r) {
            DecimalParse p = ParseDecimal(TrimSpaces(s), to_precision, to_param, r);
            if (p == DecimalParse::kOverflow) return Rc::kNull;
            return p == DecimalParse::kOk ? Rc::kOk : fail;
          });
        case kCatTimestamp: {
          const int64_t unit = TimestampUnitPerSecond(tt);
          return UnaryKernel<SV, int64_t>(in, out, n, guard, [&](SV s, int64_t* r) {
            ParsedTimestamp ts;
            if (ParseTimestamp(TrimSpaces(s), &ts) != nullptr) return fail;
            int64_t v = unit == 1000 ? FloorDiv(ts.epoch_micros, 1000) : ts.epoch_micros;
            *r = TruncateToPrecision(v, unit, to_precision);
            return Rc::kOk;
          });
        }
        default:
          return UnaryKernel<SV, SV>(in, out, n, guard, [](SV s, SV* r) {
            *r = s;
            return Rc::kOk;
          });
      }
    case kCatTimestamp: {
      const int64_t from_unit = TimestampUnitPerSecond(in.type());
      if (to == kCatString) {
        return UnaryKernel<int64_t, SV>(in, out, n, guard, [&](int64_t v, SV* r) {
          buf.clear();
          AppendTimestamp(v, from_unit, from_param, TimestampStyle::kSql,
                          /*trim_fraction=*/false, /*utc_suffix=*/false, buf);
          *r = buf;
          return Rc::kOk;
        });
      }
      const int64_t to_unit = TimestampUnitPerSecond(tt);
      return UnaryKernel<int64_t, int64_t>(in, out, n, guard, [=](int64_t v, int64_t* r) {
        if (from_unit < to_unit) {
          v *= to_unit / from_unit;
        } else if (from_unit > to_unit) {
          v = FloorDiv(v, from_unit / to_unit);
        }
        *r = TruncateToPrecision(v, to_unit, to_precision);
        return Rc::kOk;
      });
    }
    default:
      break;
  }
  for (size_t i = 0; i < n; ++i) out.AppendNull();
  return kNoError;
}

size_t RunStringKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                       size_t n, const uint8_t* guard, std::string& buf) {
  using SV = std::string_view;
  const Column& a = *regs[ins.in[0]];
  switch (ins.sub) {
    case kUpper:
    case kLower: {
      const bool up = ins.sub == kUpper;
      return UnaryKernel<SV, SV>(a, out, n, guard, [&](SV s, SV* r) {
        buf.assign(s);
        for (char& c : buf) {
          c = static_cast<char>(up ? std::toupper(static_cast<unsigned char>(c))
                                   : std::tolower(static_cast<unsigned char>(c)));
        }
        *r = buf;
        return Rc::kOk;
      });
    }
    case kTrim:
    case kLTrim:
    case kRTrim: {
      const bool left = ins.sub != kRTrim, right = ins.sub != kLTrim;
      return UnaryKernel<SV, SV>(a, out, n, guard, [=](SV s, SV* r) {
        while (left && !s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (right && !s.empty() && s.back() == ' ') s.remove_suffix(1);
        *r = s;
        return Rc::kOk;
      });
    }
    case kCharLength:
      return UnaryKernel<SV, int64_t>(a, out, n, guard, [](SV s, int64_t* r) {
        *r = static_cast<int64_t>(CodePoints(s));
        return Rc::kOk;
      });
    case kSubstring: {
      const Column& pos = *regs[ins.in[1]];
      const Column* len = ins.in.size() > 2 ? regs[ins.in[2]] : nullptr;
      for (size_t i = 0; i < n; ++i) {
        if (a.IsNull(i) || pos.IsNull(i) || (len != nullptr && len->IsNull(i))) {
          out.AppendNull();
          continue;
        }
        SV s = a.String(i);
        const int64_t chars = static_cast<int64_t>(CodePoints(s));
        const int64_t p = pos.Int64(i);
        // Flink (BinaryStringData.substringSQL): 1-based; 0 acts as 1; negative counts
        // from the end; a negative length gives NULL.
        if (len != nullptr && len->Int64(i) < 0) {
          out.AppendNull();
          continue;
        }
        int64_t start = p > 0 ? p - 1 : (p < 0 ? chars + p : 0);
        int64_t end = len == nullptr ? chars : start + len->Int64(i);
        start = std::max<int64_t>(start, 0);
        end = std::min(end, chars);
        if (start >= end) {
          out.AppendString("");
          continue;
        }
        const size_t b0 = ByteOffset(s, start);
        const size_t b1 = ByteOffset(s, end);
        out.AppendString(s.substr(b0, b1 - b0));
      }
      return kNoError;
    }
    default: {  // CONCAT / ||: NULL if any argument is NULL
      for (size_t i = 0; i < n; ++i) {
        bool null = false;
        buf.clear();
        for (int r : ins.in) {
          const Column& c = *regs[r];
          if (c.IsNull(i)) {
            null = true;
            break;
          }
          buf.append(c.String(i));
        }
        if (null) {
          out.AppendNull();
        } else {
          out.AppendString(buf);
        }
      }
      return kNoError;
    }
  }
}

size_t RunMathKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                     size_t n, const uint8_t* guard) {
  const Column& a = *regs[ins.in[0]];
  const PhysicalType phys = a.physical();
  const int in_scale = ins.b;
  const int64_t digits = ins.factor;
  switch (ins.sub) {
    case kAbs:
    case kNegate: {
      const bool neg = ins.sub == kNegate;
      if (phys == PhysicalType::kDouble) {
        return UnaryKernel<double, double>(a, out, n, guard, [=](double v, double* r) {
          *r = neg ? -v : std::fabs(v);
          return Rc::kOk;
        });
      }
      if (phys == PhysicalType::kDecimal) {
        return UnaryKernel<int128, int128>(a, out, n, guard, [=](int128 v, int128* r) {
          *r = neg ? -v : Abs128(v);
          return Rc::kOk;
        });
      }
      const bool wrap32 = out.type().kind == sql::TypeKind::kInt;
      return UnaryKernel<int64_t, int64_t>(a, out, n, guard, [=](int64_t v, int64_t* r) {
        uint64_t u = (neg || v < 0) ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        if (!neg && v >= 0) u = static_cast<uint64_t>(v);
        *r = wrap32 ? static_cast<int32_t>(static_cast<uint32_t>(u)) : static_cast<int64_t>(u);
        return Rc::kOk;
      });
    }
    case kFloor:
    case kCeil: {
      const bool up = ins.sub == kCeil;
      if (phys == PhysicalType::kDouble) {
        return UnaryKernel<double, double>(a, out, n, guard, [=](double v, double* r) {
          *r = up ? std::ceil(v) : std::floor(v);
          return Rc::kOk;
        });
      }
      if (phys == PhysicalType::kDecimal) {
        const int128 unit = Pow10(in_scale);
        return UnaryKernel<int128, int128>(a, out, n, guard, [=](int128 v, int128* r) {
          int128 q = v / unit, rem = v % unit;
          if (rem != 0 && up && v > 0) ++q;
          if (rem != 0 && !up && v < 0) --q;
          *r = q;
          return Rc::kOk;
        });
      }
      return UnaryKernel<int64_t, int64_t>(a, out, n, guard, [](int64_t v, int64_t* r) {
        *r = v;
        return Rc::kOk;
      });
    }
    case kRound: {
      if (phys == PhysicalType::kDouble) {
        // Flink: BigDecimal.valueOf(x).setScale(d, HALF_UP): round the shortest decimal
        // text of x, not its binary value (so ROUND(2.675, 2) = 2.68).
        return UnaryKernel<double, double>(a, out, n, guard, [=](double v, double* r) {
          int128 scaled = 0;
          if (digits < 0 || digits > 17 || !std::isfinite(v)) {
            const double m = std::pow(10.0, static_cast<double>(digits));
            *r = std::isfinite(v) ? std::round(v * m) / m : v;
            return Rc::kOk;
          }
          char b[64];
          auto res = std::to_chars(b, b + sizeof(b), v);
          if (ParseDecimal(std::string_view(b, res.ptr - b), 38, static_cast<int>(digits),
                           &scaled) != DecimalParse::kOk) {
            *r = v;
            return Rc::kOk;
          }
          *r = static_cast<double>(scaled) / static_cast<double>(Pow10(static_cast<int>(digits)));
          return Rc::kOk;
        });
      }
      if (phys == PhysicalType::kDecimal) {
        return UnaryKernel<int128, int128>(a, out, n, guard, [=](int128 v, int128* r) {
          *r = RoundDigits(v, static_cast<int>(std::min<int64_t>(in_scale - digits, 39)));
          return Rc::kOk;
        });
      }
      return UnaryKernel<int64_t, int64_t>(a, out, n, guard, [=](int64_t v, int64_t* r) {
        *r = static_cast<int64_t>(RoundDigits(v, static_cast<int>(std::min<int64_t>(-digits, 39))));
        return Rc::kOk;
      });
    }
    case kSqrt:
      return UnaryKernel<double, double>(a, out, n, guard, [](double v, double* r) {
        *r = std::sqrt(v);
        return Rc::kOk;
      });
    default:  // POWER
      return BinaryKernel<double, double, double>(a, *regs[ins.in[1]], out, n, guard,
                                                  [](double x, double y, double* r) {
                                                    *r = std::pow(x, y);
                                                    return Rc::kOk;
                                                  });
  }
}

}  // namespace fluxgate::runtime
