// Options of Flink's 'format' = 'json', shared by the decoder and the encoder.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {

struct JsonFormatOptions {
  // 'json.fail-on-missing-field': a field absent from the object is an error, not NULL.
  bool fail_on_missing_field = false;
  // 'json.ignore-parse-errors': a field that does not convert becomes NULL and a record
  // that is not JSON is skipped (reported as kSkipped, still counted by the caller).
  bool ignore_parse_errors = false;
  // 'json.timestamp-format.standard': SQL ("2026-11-25 19:05:00.123") or ISO-8601
  // ("2026-11-25T19:05:00.123"). Governs what the encoder writes; the decoder reads both.
  TimestampStyle timestamp_style = TimestampStyle::kSql;

  // Reads the 'json.*' keys of a WITH clause (other keys are ignored here). Rejects unknown
  // values and fail-on-missing-field together with ignore-parse-errors, as Flink does.
  static Result<JsonFormatOptions> FromProperties(const std::map<std::string, std::string>& with);
};

}  // namespace fluxgate::runtime
