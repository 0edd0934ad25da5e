// Date and time kernels of the expression evaluator (see expr_program.h): EXTRACT,
// TIMESTAMPDIFF / TIMESTAMPADD, TO_TIMESTAMP[_LTZ], DATE_FORMAT, UNIX_TIMESTAMP,
// FROM_UNIXTIME, the clock functions and CURRENT_WATERMARK.
//
// Every timestamp is read as microseconds since the epoch (TIMESTAMP(p <= 3) columns hold
// milliseconds and are scaled up) and wall-clock fields are UTC: the session time zone is
// UTC, so TIMESTAMP and TIMESTAMP_LTZ behave alike.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "runtime/expr_date_pattern.h"
#include "runtime/expr_kernels.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {
namespace {

using SV = std::string_view;

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMillisPerDay = 86'400'000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
// TO_TIMESTAMP_LTZ's accepted range: 0001-01-01 00:00:00 .. 9999-12-31 23:59:59.999.
constexpr int64_t kMinEpochMillis = -62'135'596'800'000;
constexpr int64_t kMaxEpochMillis = 253'402'300'799'999;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// A column value of a timestamp stored in `unit` per second -> microseconds.
int64_t ToMicros(int64_t v, int64_t unit) { return unit == 1000 ? v * kMicrosPerMilli : v; }
int64_t FromMicros(int64_t us, int64_t unit) {
  return unit == 1000 ? FloorDiv(us, kMicrosPerMilli) : us;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Monday = 1 .. Sunday = 7 of a day number (1970-01-01 was a Thursday).
int IsoDow(int64_t days) { return static_cast<int>(FloorMod(days + 3, 7)) + 1; }

int IsoWeeksInYear(int64_t y) {
  const int jan1 = IsoDow(DaysFromCivil(y, 1, 1));
  return (jan1 == 4 || (jan1 == 3 && IsLeap(y))) ? 53 : 52;
}

// Calcite's DateTimeUtils.addMonths (what Flink runs): the day is clamped to the length
// of the target month.
int64_t AddMonthsToDay(int64_t days, int64_t months) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t m0 = static_cast<int64_t>(m) - 1 + months;
  y += FloorDiv(m0, 12);
  const int month = static_cast<int>(FloorMod(m0, 12)) + 1;
  const int day = std::min(static_cast<int>(d), DaysInMonth(y, month));
  return DaysFromCivil(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

int64_t AddMonths(int64_t us, int64_t months) {
  const int64_t in_day = FloorMod(us, kMicrosPerDay);
  return AddMonthsToDay(FloorDiv(us, kMicrosPerDay), months) * kMicrosPerDay + in_day;
}

// Calcite's DateTimeUtils.subtractMonths(int, int): the largest m with
// addMonths(d1, m) <= d0, negated when d0 < d1.
int64_t SubtractMonthsDays(int64_t d0, int64_t d1) {
  if (d0 < d1) return -SubtractMonthsDays(d1, d0);
  int64_t m = (d0 - d1) / 31;
  for (;;) {
    if (AddMonthsToDay(d1, m) >= d0) return m;
    if (AddMonthsToDay(d1, m + 1) > d0) return m;
    ++m;
  }
}

// Calcite's subtractMonths(long, long) on epoch millis, including its treatment of the
// time of day (TIMESTAMPDIFF(MONTH, ...) in Flink).
int64_t SubtractMonths(int64_t t0, int64_t t1) {
  const int64_t ms0 = FloorMod(t0, kMillisPerDay), d0 = FloorDiv(t0, kMillisPerDay);
  const int64_t ms1 = FloorMod(t1, kMillisPerDay), d1 = FloorDiv(t1, kMillisPerDay);
  int64_t x = SubtractMonthsDays(d0, d1);
  if (AddMonthsToDay(d1, x) == d0 && ms0 < ms1) --x;
  return x;
}

int64_t ExtractFromTimestamp(int unit, int64_t us) {
  const int64_t days = FloorDiv(us, kMicrosPerDay);
  const int64_t in_day = us - days * kMicrosPerDay;
  switch (unit) {
    case kUnitHour:
      return in_day / 3'600'000'000;
    case kUnitMinute:
      return in_day / 60'000'000 % 60;
    case kUnitSecond:
      return in_day / kMicrosPerSecond % 60;
    case kUnitMillisecond:
      return in_day % kMicrosPerSecond / kMicrosPerMilli;
    case kUnitMicrosecond:
      return in_day % kMicrosPerSecond;
    case kUnitNanosecond:
      return in_day % kMicrosPerSecond * 1000;
    case kUnitEpoch:
      return FloorDiv(us, kMicrosPerSecond);
    case kUnitDow:
      return IsoDow(days) % 7 + 1;  // Sunday = 1 .. Saturday = 7
    default:
      break;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t doy = days - DaysFromCivil(y, 1, 1) + 1;
  switch (unit) {
    case kUnitYear:
      return y;
    case kUnitQuarter:
      return (m - 1) / 3 + 1;
    case kUnitMonth:
      return m;
    case kUnitDay:
      return d;
    case kUnitDoy:
      return doy;
    default: {  // kUnitWeek: ISO 8601 week of the year
      const int64_t w = (doy - IsoDow(days) + 10) / 7;
      if (w < 1) return IsoWeeksInYear(y - 1);
      if (w > IsoWeeksInYear(y)) return 1;
      return w;
    }
  }
}

// EXTRACT from a day-time INTERVAL (milliseconds), as Flink: the field of the interval,
// with Java's truncating remainder (negative intervals give negative fields).
int64_t ExtractFromInterval(int unit, int64_t ms) {
  switch (unit) {
    case kUnitDay:
      return ms / kMillisPerDay;
    case kUnitHour:
      return ms % kMillisPerDay / 3'600'000;
    case kUnitMinute:
      return ms % 3'600'000 / 60'000;
    case kUnitSecond:
      return ms % 60'000 / 1000;
    case kUnitMillisecond:
      return ms % 1000;
    default:  // kUnitEpoch
      return ms / 1000;
  }
}

// Microseconds in one day-time unit; 0 for month-based units.
int64_t UnitMicros(int unit) {
  switch (unit) {
    case kUnitWeek:
      return 7 * kMicrosPerDay;
    case kUnitDay:
      return kMicrosPerDay;
    case kUnitHour:
      return 3'600'000'000;
    case kUnitMinute:
      return 60'000'000;
    case kUnitSecond:
      return kMicrosPerSecond;
    case kUnitMillisecond:
      return kMicrosPerMilli;
    case kUnitMicrosecond:
      return 1;
    default:
      return 0;
  }
}

int MonthsPerUnit(int unit) {
  return unit == kUnitYear ? 12 : (unit == kUnitQuarter ? 3 : (unit == kUnitMonth ? 1 : 0));
}

struct DatePatternState final : ExprState {
  DatePattern::Dialect dialect = DatePattern::Dialect::kJavaTime;
  bool has_fixed = false;
  DatePattern fixed;
  // A per-row (non-constant) pattern, recompiled only when its text changes.
  bool has_cached = false;
  bool cached_ok = false;
  DatePattern cached;
  // DATE_FORMAT with the constant pattern: the last span formatted and its text (telemetry
  // rows arrive in time order, so consecutive rows mostly share their hour).
  int64_t last_span = INT64_MIN;
  std::string last_text;

  // The constant pattern's text for `us`, formatted again only when `us` leaves the span
  // formatted last. Needs has_fixed and fixed.constant_span_micros() > 0.
  std::string_view FixedTextFor(int64_t us) {
    const int64_t bucket = FloorDiv(us, fixed.constant_span_micros());
    if (bucket != last_span) {
      last_text.clear();
      fixed.Format(us, last_text);
      last_span = bucket;
    }
    return last_text;
  }

  // The pattern for `row`: the constant one, or the text of `fmt` (nullptr if invalid).
  const DatePattern* For(const Column* fmt, size_t row) {
    if (fmt == nullptr) return has_fixed ? &fixed : nullptr;
    SV text = fmt->String(row);
    if (!has_cached || text != cached.text()) {
      has_cached = true;
      cached_ok = cached.Compile(text, dialect) == nullptr;
    }
    return cached_ok ? &cached : nullptr;
  }
};

// Flink's TO_TIMESTAMP(text, format): the format, then (DateTimeParseException fallback)
// Timestamp.valueOf / Date.valueOf, which ParseTimestampLenient covers.
bool ParseWithPattern(const DatePattern* p, SV text, int64_t* us) {
  if (p != nullptr && p->Parse(text, /*prefix_ok=*/false, us)) return true;
  ParsedTimestamp ts;
  if (ParseTimestampLenient(text, &ts) != nullptr) return false;
  *us = ts.epoch_micros;
  return true;
}

}  // namespace

int TimeUnitFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, int> kUnits[] = {
      {"YEAR", kUnitYear},
      {"QUARTER", kUnitQuarter},
      {"MONTH", kUnitMonth},
      {"WEEK", kUnitWeek},
      {"DAY", kUnitDay},
      {"HOUR", kUnitHour},
      {"MINUTE", kUnitMinute},
      {"SECOND", kUnitSecond},
      {"MILLISECOND", kUnitMillisecond},
      {"MICROSECOND", kUnitMicrosecond},
      {"NANOSECOND", kUnitNanosecond},
      {"DOW", kUnitDow},
      {"DOY", kUnitDoy},
      {"EPOCH", kUnitEpoch},
  };
  for (const auto& [n, u] : kUnits) {
    if (n == name) return u;
  }
  return -1;
}

std::unique_ptr<ExprState> MakeDatePatternState(const std::string* pattern, bool java_time,
                                                std::string* error) {
  auto s = std::make_unique<DatePatternState>();
  s->dialect = java_time ? DatePattern::Dialect::kJavaTime : DatePattern::Dialect::kSimple;
  if (pattern != nullptr) {
    if (const char* e = s->fixed.Compile(*pattern, s->dialect)) {
      *error = std::string(e) + " '" + *pattern + "'";
      return nullptr;
    }
    s->has_fixed = true;
  }
  return s;
}

size_t RunTimeKernel(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                     size_t n, const uint8_t* guard, ExprEnv& env) {
  const int64_t out_unit =
      out.type().IsTimestamp() ? TimestampUnitPerSecond(out.type()) : kMicrosPerSecond;
  auto in = [&](size_t k) -> const Column& { return *regs[ins.in[k]]; };
  auto opt = [&](size_t k) -> const Column* {
    return ins.in.size() > k ? regs[ins.in[k]] : nullptr;
  };
  auto* patterns = static_cast<DatePatternState*>(ins.state.get());
  const int unit = ins.a;
  switch (ins.sub) {
    case kExtract: {
      const Column& v = in(0);
      if (v.type().kind == sql::TypeKind::kInterval) {
        return UnaryKernel<int64_t, int64_t>(v, out, n, guard, [=](int64_t ms, int64_t* r) {
          *r = ExtractFromInterval(unit, ms);
          return Rc::kOk;
        });
      }
      const int64_t u = TimestampUnitPerSecond(v.type());
      return UnaryKernel<int64_t, int64_t>(v, out, n, guard, [=](int64_t t, int64_t* r) {
        *r = ExtractFromTimestamp(unit, ToMicros(t, u));
        return Rc::kOk;
      });
    }
    case kTimestampDiff: {
      const Column& a = in(0);
      const Column& b = in(1);
      const int64_t ua = TimestampUnitPerSecond(a.type()), ub = TimestampUnitPerSecond(b.type());
      const int months = MonthsPerUnit(unit);
      const int64_t per = UnitMicros(unit);
      return BinaryKernel<int64_t, int64_t, int64_t>(
          a, b, out, n, guard, [=](int64_t x, int64_t y, int64_t* r) {
            const int64_t xu = ToMicros(x, ua), yu = ToMicros(y, ub);
            int64_t v;
            if (months > 0) {
              v = SubtractMonths(FloorDiv(yu, kMicrosPerMilli), FloorDiv(xu, kMicrosPerMilli)) /
                  months;
            } else if (unit == kUnitMicrosecond) {
              v = yu - xu;
            } else {
              // Flink subtracts epoch milliseconds and divides with Java's truncation.
              v = (FloorDiv(yu, kMicrosPerMilli) - FloorDiv(xu, kMicrosPerMilli)) /
                  (per / kMicrosPerMilli);
            }
            *r = static_cast<int32_t>(static_cast<uint32_t>(v));  // INT result
            return Rc::kOk;
          });
    }
    case kTimestampAdd: {
      const Column& count = in(0);
      const Column& ts = in(1);
      const int64_t tu = TimestampUnitPerSecond(ts.type());
      const int months = MonthsPerUnit(unit);
      const int64_t per = UnitMicros(unit);
      return BinaryKernel<int64_t, int64_t, int64_t>(
          count, ts, out, n, guard, [=](int64_t k, int64_t t, int64_t* r) {
            const int64_t us = ToMicros(t, tu);
            const int64_t v = months > 0 ? AddMonths(us, k * months) : us + k * per;
            *r = FromMicros(v, out_unit);
            return Rc::kOk;
          });
    }
    case kToTimestamp: {
      const Column& text = in(0);
      const Column* fmt = opt(1);
      for (size_t i = 0; i < n; ++i) {
        if (text.IsNull(i) || (fmt != nullptr && fmt->IsNull(i))) {
          out.AppendNull();
          continue;
        }
        const DatePattern* p = patterns->For(fmt, i);
        int64_t us = 0;
        if (!ParseWithPattern(p, text.String(i), &us)) {
          out.AppendNull();
          continue;
        }
        out.AppendInt64(FromMicros(us, out_unit));
      }
      return kNoError;
    }
    case kToTimestampLtz: {
      const Column& v = in(0);
      const int64_t per_second = ins.factor;  // 1 (epoch seconds) or 1000 (millis)
      if (v.physical() == PhysicalType::kDouble) {
        return UnaryKernel<double, int64_t>(v, out, n, guard, [=](double x, int64_t* r) {
          const double ms = x * (1000.0 / static_cast<double>(per_second));
          if (!(ms >= static_cast<double>(kMinEpochMillis) &&
                ms <= static_cast<double>(kMaxEpochMillis))) {
            return Rc::kNull;
          }
          *r = FromMicros(static_cast<int64_t>(ms) * kMicrosPerMilli, out_unit);
          return Rc::kOk;
        });
      }
      return UnaryKernel<int64_t, int64_t>(v, out, n, guard, [=](int64_t x, int64_t* r) {
        const int64_t limit = kMaxEpochMillis / (1000 / per_second);
        if (x > limit || x < kMinEpochMillis / (1000 / per_second)) return Rc::kNull;
        *r = FromMicros(x * (1000 / per_second) * kMicrosPerMilli, out_unit);
        return Rc::kOk;
      });
    }
    case kDateFormat: {
      const Column& v = in(0);
      const Column* fmt = opt(1);
      const bool from_text = v.physical() == PhysicalType::kString;
      const int64_t vu = from_text ? 0 : TimestampUnitPerSecond(v.type());
      if (fmt == nullptr && !from_text && v.NoNulls() && patterns->has_fixed &&
          patterns->fixed.constant_span_micros() > 0) {
        // The partition-column case (DATE_FORMAT(ts, 'HH') on every row): one comparison
        // per row while the rows stay in the span of the text formatted last.
        const int64_t* values = v.int64_data();
        for (size_t i = 0; i < n; ++i) {
          out.AppendString(patterns->FixedTextFor(ToMicros(values[i], vu)));
        }
        return kNoError;
      }
      for (size_t i = 0; i < n; ++i) {
        if (v.IsNull(i) || (fmt != nullptr && fmt->IsNull(i))) {
          out.AppendNull();
          continue;
        }
        const DatePattern* p = patterns->For(fmt, i);
        int64_t us = 0;
        if (from_text) {
          ParsedTimestamp ts;
          if (ParseTimestampLenient(v.String(i), &ts) != nullptr) p = nullptr;
          us = ts.epoch_micros;
        } else {
          us = ToMicros(v.Int64(i), vu);
        }
        if (p == nullptr) {
          out.AppendNull();
          continue;
        }
        if (fmt == nullptr && p->constant_span_micros() > 0) {
          out.AppendString(patterns->FixedTextFor(us));
          continue;
        }
        env.buf.clear();
        p->Format(us, env.buf);
        out.AppendString(env.buf);
      }
      return kNoError;
    }
    case kUnixTimestampNow: {
      const int64_t secs = env.now_ms / 1000;  // Java: currentTimeMillis() / 1000
      for (size_t i = 0; i < n; ++i) out.AppendInt64(secs);
      return kNoError;
    }
    case kUnixTimestamp: {
      const Column& text = in(0);
      const Column* fmt = opt(1);
      for (size_t i = 0; i < n; ++i) {
        if (text.IsNull(i) || (fmt != nullptr && fmt->IsNull(i))) {
          out.AppendNull();
          continue;
        }
        const DatePattern* p = patterns->For(fmt, i);
        int64_t us = 0;
        if (p == nullptr || !p->Parse(text.String(i), /*prefix_ok=*/true, &us)) {
          // Flink returns Long.MIN_VALUE for text it cannot parse.
          out.AppendInt64(std::numeric_limits<int64_t>::min());
          continue;
        }
        out.AppendInt64(FloorDiv(us, kMicrosPerMilli) / 1000);  // Java's truncating division
      }
      return kNoError;
    }
    case kFromUnixtime: {
      const Column& v = in(0);
      const Column* fmt = opt(1);
      const bool dbl = v.physical() == PhysicalType::kDouble;
      for (size_t i = 0; i < n; ++i) {
        if (v.IsNull(i) || (fmt != nullptr && fmt->IsNull(i))) {
          out.AppendNull();
          continue;
        }
        const DatePattern* p = patterns->For(fmt, i);
        if (p == nullptr) {
          out.AppendNull();
          continue;
        }
        int64_t ms;
        if (dbl) {
          const double x = v.Double(i) * 1000.0;
          if (!std::isfinite(x) || std::fabs(x) > 9.2e18) {
            out.AppendNull();
            continue;
          }
          ms = static_cast<int64_t>(x);
        } else {
          const int64_t s = v.Int64(i);
          if (s > kMaxEpochMillis / 1000 || s < kMinEpochMillis / 1000) {
            out.AppendNull();
            continue;
          }
          ms = s * 1000;
        }
        env.buf.clear();
        p->Format(ms * kMicrosPerMilli, env.buf);
        out.AppendString(env.buf);
      }
      return kNoError;
    }
    case kNow: {
      const int64_t v = FromMicros(env.now_ms * kMicrosPerMilli, out_unit);
      for (size_t i = 0; i < n; ++i) out.AppendInt64(v);
      return kNoError;
    }
    case kCurrentDate: {
      const int64_t day_ms = FloorDiv(env.now_ms, kMillisPerDay) * kMillisPerDay;
      const int64_t v = FromMicros(day_ms * kMicrosPerMilli, out_unit);
      for (size_t i = 0; i < n; ++i) out.AppendInt64(v);
      return kNoError;
    }
    default: {  // kCurrentWatermark: the operator's current watermark (epoch millis)
      const int64_t* wm = env.watermark;
      if (wm == nullptr || *wm == std::numeric_limits<int64_t>::min()) {
        for (size_t i = 0; i < n; ++i) out.AppendNull();
        return kNoError;
      }
      const int64_t v = FromMicros(*wm * kMicrosPerMilli, out_unit);
      for (size_t i = 0; i < n; ++i) out.AppendInt64(v);
      return kNoError;
    }
  }
}

}  // namespace fluxgate::runtime
