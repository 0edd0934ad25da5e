// QualityConfig: the [quality] section of the serve config — a declared schema per stream,
// what to do with records that break it, and the limits of the background profiling
// (docs/configuration.md "[quality]", docs/design/quality.md).
//
// The schema text (SQL column list) and the JSON Schema file are only stored here; they
// are parsed by src/quality/ when the server starts (fg_common does not depend on the SQL
// parser), so a schema that does not parse fails `serve` at startup naming the key.
// Plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct QualityConfig {
  // One [[quality.streams]] table.
  struct Stream {
    std::string stream;  // stream: the stream whose records are checked and profiled
    // schema: SQL column list, e.g. "device_id STRING NOT NULL, value DOUBLE". NOT NULL =
    // the field is required and must not be null.
    std::string schema;
    std::string json_schema;                 // json_schema: path of a JSON Schema (subset) file
    std::string on_invalid = "accept";       // on_invalid: "reject" | "dead-letter" | "accept"
    std::string dead_letter_stream;          // dead_letter_stream: empty = "<stream>-dead-letters"
    std::string device_field = "device_id";  // device_field
    std::string timestamp_field = "timestamp";      // timestamp_field (event time)
    std::string sensor_type_field = "sensor_type";  // sensor_type_field: keys `ranges`
    std::string value_field = "value";              // value_field: profiled and range-checked
    // ranges: sensor type -> [min, max] physical range (inclusive) of value_field.
    std::map<std::string, std::pair<double, double>> ranges;
    // range_on_ingest: also treat a value outside its range as invalid at ingest (else
    // out-of-range values are only counted by the profiler).
    bool range_on_ingest = false;
    int64_t stale_after_ms = 5 * 60'000;  // stale_after: "5m"; no record for this long = stale
    int64_t late_after_ms = 30'000;  // late_after: "30s"; older than the device's newest by more
    uint32_t max_devices = 100'000;  // max_devices: profiles kept; more devices are counted only
    uint32_t duplicate_window = 16;  // duplicate_window: recent timestamps kept per device
    std::string alert_topic = "data-quality";     // alert_topic: stale/recovered device alerts
    std::string start_position = "trim_horizon";  // start_position: "trim_horizon" | "latest"
    uint32_t dead_letter_shards = 1;  // dead_letter_shards: shards when the stream is created
  };
  bool enabled = true;  // enabled: false turns every check and profile off
  // [[quality.streams]]. Built-in default: the recipe's iot-telemetry stream (schema of
  // its records, physical ranges, on_invalid = "accept"); a config file that has any
  // [[quality.streams]] replaces it.
  std::vector<Stream> streams = {DefaultIotTelemetry()};
  int64_t poll_interval_ms = 500;  // poll_interval_ms: profiler wait when caught up

  static Stream DefaultIotTelemetry();
};

// Reads the [quality] table (`file` only for error messages). InvalidArgument naming the
// key for unknown keys and wrong types.
Status LoadQualityConfig(const toml::table& table, const std::string& file, QualityConfig& out);
// Checks values no type can (names, modes, ranges, durations). Errors name the key as
// `quality.streams[I].key`.
Status ValidateQualityConfig(const QualityConfig& config);

// "500ms", "30s", "5m", "2h", "1d" (a bare integer is seconds). InvalidArgument otherwise.
Result<int64_t> ParseDurationMs(std::string_view text);

}  // namespace fluxgate
