// Timestamp text: parsing the JSON forms we accept and writing the forms Flink writes.
//
// Accepted on input (whatever 'json.timestamp-format.standard' says; see runtime.md for
// why we are more lenient than Flink here):
//   2026-11-25T19:05:00.123456Z       ISO 8601 with 'T'
//   2026-11-25 19:05:00.123           SQL form with a space
//   ...optionally followed by Z / z / +hh:mm / -hh:mm / +hhmm / +hh (converted to UTC)
// Seconds are optional (19:05), the fraction has 1-9 digits; digits past microseconds
// are truncated. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fluxgate::runtime {

struct ParsedTimestamp {
  int64_t epoch_micros = 0;  // UTC (offset applied)
  bool has_offset = false;   // a Z or numeric offset was present
};

// nullptr on success, else a static text saying what is wrong.
const char* ParseTimestamp(std::string_view text, ParsedTimestamp* out);

// ParseTimestamp's two halves, public so tests can hold them against each other.
// ParseTimestampFast accepts only "yyyy-MM-dd[T ]HH:mm:ss[.f{1,9}][Z]" with values in
// range (true: *out filled, exactly as the general parser would fill it; false: *out
// untouched). ParseTimestampGeneral accepts every form listed above.
bool ParseTimestampFast(std::string_view text, ParsedTimestamp* out);
const char* ParseTimestampGeneral(std::string_view text, ParsedTimestamp* out);

// Flink's default TO_TIMESTAMP / DATE_FORMAT(STRING) input: like ParseTimestamp, but month,
// day, hour, minute and second may have one digit ('2020-1-2 3:04:05'), the time may be
// missing (midnight), and surrounding spaces are ignored. nullptr on success.
const char* ParseTimestampLenient(std::string_view text, ParsedTimestamp* out);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

enum class TimestampStyle : uint8_t {
  kSql,  // 2026-11-25 19:05:00.123
  kIso,  // 2026-11-25T19:05:00.123
};

// Appends a timestamp stored in `unit_per_second` units since the epoch.
// trim_fraction = true: Flink's JSON writer (TimeFormats): seconds always printed, the
//   fraction keeps only needed digits ("...:14.12", "...:14" for a whole second).
// trim_fraction = false: padded to `precision` digits, as CAST(ts AS STRING) and the SQL
//   client print ("...:14.120").
// utc_suffix appends 'Z' (TIMESTAMP_LTZ values, rendered in UTC).
void AppendTimestamp(int64_t value, int64_t unit_per_second, int precision, TimestampStyle style,
                     bool trim_fraction, bool utc_suffix, std::string& out);
// The same text written at `dst` (room for kMaxTimestampText bytes); returns its length.
inline constexpr size_t kMaxTimestampText = 48;
size_t WriteTimestamp(int64_t value, int64_t unit_per_second, int precision, TimestampStyle style,
                      bool trim_fraction, bool utc_suffix, char* dst);

// Convenience for tests and logs: TIMESTAMP(3) epoch millis, SQL style, padded.
std::string FormatTimestampMillis(int64_t epoch_millis);

}  // namespace fluxgate::runtime
