#include "runtime/json_format.h"

namespace fluxgate::runtime {
namespace {

Result<bool> ParseBool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "false" || v == "FALSE" || v == "False") return false;
  return Status::InvalidArgument("option '" + key + "' must be 'true' or 'false', got '" + v + "'");
}

}  // namespace

Result<JsonFormatOptions> JsonFormatOptions::FromProperties(
    const std::map<std::string, std::string>& with) {
  JsonFormatOptions o;
  for (const auto& [key, value] : with) {
    if (key == "json.fail-on-missing-field") {
      FG_ASSIGN_OR_RETURN(o.fail_on_missing_field, ParseBool(key, value));
    } else if (key == "json.ignore-parse-errors") {
      FG_ASSIGN_OR_RETURN(o.ignore_parse_errors, ParseBool(key, value));
    } else if (key == "json.timestamp-format.standard") {
      if (value == "SQL") {
        o.timestamp_style = TimestampStyle::kSql;
      } else if (value == "ISO-8601") {
        o.timestamp_style = TimestampStyle::kIso;
      } else {
        return Status::InvalidArgument(
            "option 'json.timestamp-format.standard' must be 'SQL' or 'ISO-8601', got '" + value +
            "'");
      }
    }
  }
  if (o.fail_on_missing_field && o.ignore_parse_errors) {
    return Status::InvalidArgument(
        "'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true");
  }
  return o;
}

}  // namespace fluxgate::runtime
