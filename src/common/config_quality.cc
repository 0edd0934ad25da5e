#include "common/config_quality.h"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <set>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::KeyError;
using config_internal::TableReader;
using config_internal::ValidName;
using config_internal::ValidStreamName;

namespace {

// ranges = { temperature = [-40, 125], ... }: numbers, min <= max.
Status ReadRanges(const toml::table& t, const std::string& key, const std::string& file,
                  std::map<std::string, std::pair<double, double>>& out) {
  out.clear();
  for (const auto& [k, v] : t) {
    const std::string at = key + "." + std::string(k.str());
    const toml::array* a = v.as_array();
    auto num = [](const toml::node* n) -> std::optional<double> {
      if (n == nullptr) return std::nullopt;
      if (auto d = n->value_exact<double>()) return *d;
      if (auto i = n->value_exact<int64_t>()) return static_cast<double>(*i);
      return std::nullopt;
    };
    std::optional<double> lo, hi;
    if (a && a->size() == 2) lo = num(a->get(0)), hi = num(a->get(1));
    if (!lo || !hi) {
      return KeyError(file, at, "expected [min, max] (two numbers)");
    }
    out[std::string(k.str())] = {*lo, *hi};
  }
  return Status::Ok();
}

// A duration key: a string ("30s") or an integer number of seconds.
void ReadDuration(TableReader& r, const toml::table& t, const char* key, const std::string& at,
                  const std::string& file, int64_t& out, Status& st) {
  std::string text;
  const toml::node* node = t.get(key);
  if (node && node->is_integer()) {
    int64_t secs = 0;
    r.Read(key, secs);
    out = secs * 1000;
    return;
  }
  r.Read(key, text);
  if (!node || text.empty() || !st.ok()) return;
  auto ms = ParseDurationMs(text);
  if (!ms.ok()) {
    st = KeyError(file, at + key, ms.status().message());
    return;
  }
  out = *ms;
}

}  // namespace

QualityConfig::Stream QualityConfig::DefaultIotTelemetry() {
  Stream s;
  s.stream = "iot-telemetry";
  // The recipe's records (src/sim/generator.cc AppendRecordJson); the SQL table in
  // pipelines/iot-analytics.sql declares the same columns.
  s.schema =
      "device_id STRING NOT NULL, timestamp TIMESTAMP(3) NOT NULL, sensor_type STRING NOT NULL, "
      "value DOUBLE NOT NULL, unit STRING, location STRING";
  // Physical ranges of common industrial sensors, wide enough for the simulator's
  // anomalies (up to 1.6 x the alert threshold) — a value outside is a broken sensor or
  // a bad conversion, not an anomaly.
  s.ranges = {{"temperature", {-40, 125}},  // °C, typical industrial sensor
              {"humidity", {0, 100}},       // % relative humidity
              {"pressure", {0, 300}},       // PSI
              {"vibration", {0, 1000}},     // Hz
              {"flow", {0, 1000}}};         // L/min
  s.on_invalid = "accept";
  return s;
}

Result<int64_t> ParseDurationMs(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration like \"500ms\", \"30s\", \"5m\", \"2h\"");
  };
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p == text.data() || n < 0) return bad();
  std::string_view unit(p, text.data() + text.size() - p);
  int64_t scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m" || unit == "min")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else if (unit == "d")
    scale = 86'400'000;
  else
    return bad();
  if (n > INT64_MAX / scale) return bad();
  return n * scale;
}

Status LoadQualityConfig(const toml::table& table, const std::string& file, QualityConfig& out) {
  TableReader r(table, "quality.", file);
  r.Read("enabled", out.enabled);
  r.Read("poll_interval_ms", out.poll_interval_ms);
  FG_RETURN_IF_ERROR(r.ReadTables(
      "streams", out.streams,
      [](TableReader& sr, const toml::table& t, QualityConfig::Stream& s) -> Status {
        const std::string& prefix = sr.prefix();
        const std::string& file = sr.file();
        Status st;
        sr.Read("stream", s.stream);
        sr.Read("schema", s.schema);
        sr.Read("json_schema", s.json_schema);
        sr.Read("on_invalid", s.on_invalid);
        sr.Read("dead_letter_stream", s.dead_letter_stream);
        sr.Read("device_field", s.device_field);
        sr.Read("timestamp_field", s.timestamp_field);
        sr.Read("sensor_type_field", s.sensor_type_field);
        sr.Read("value_field", s.value_field);
        sr.Read("range_on_ingest", s.range_on_ingest);
        ReadDuration(sr, t, "stale_after", prefix, file, s.stale_after_ms, st);
        ReadDuration(sr, t, "late_after", prefix, file, s.late_after_ms, st);
        sr.Read("max_devices", s.max_devices);
        sr.Read("duplicate_window", s.duplicate_window);
        sr.Read("alert_topic", s.alert_topic);
        sr.Read("start_position", s.start_position);
        sr.Read("dead_letter_shards", s.dead_letter_shards);
        const toml::table* ranges = sr.Sub("ranges");
        FG_RETURN_IF_ERROR(sr.Finish());
        FG_RETURN_IF_ERROR(st);
        if (ranges) FG_RETURN_IF_ERROR(ReadRanges(*ranges, prefix + "ranges", file, s.ranges));
        // Unset: a declared schema is enforced (dead letters lose nothing); without one the
        // stream is only profiled.
        if (!t.contains("on_invalid"))
          s.on_invalid = s.schema.empty() && s.json_schema.empty() ? "accept" : "dead-letter";
        return Status::Ok();
      }));
  return r.Finish();
}

Status ValidateQualityConfig(const QualityConfig& config) {
  if (config.poll_interval_ms < 10 || config.poll_interval_ms > 60'000) {
    return Status::InvalidArgument(
        "config key 'quality.poll_interval_ms': must be from 10 to 60000");
  }
  std::set<std::string> streams;
  for (size_t i = 0; i < config.streams.size(); ++i) {
    const QualityConfig::Stream& s = config.streams[i];
    const std::string at = "quality.streams[" + std::to_string(i) + "].";
    auto bad = [&](const char* key, const std::string& what) {
      return Status::InvalidArgument("config key '" + at + key + "': " + what);
    };
    if (s.stream.empty()) return bad("stream", "required");
    if (!ValidStreamName(s.stream))
      return bad("stream", "'" + s.stream + "' is not a stream name (1-128 of [a-zA-Z0-9_.-])");
    if (!streams.insert(s.stream).second)
      return bad("stream", "'" + s.stream + "' has another [[quality.streams]] entry");
    if (s.on_invalid != "reject" && s.on_invalid != "dead-letter" && s.on_invalid != "accept")
      return bad("on_invalid", "must be \"reject\", \"dead-letter\" or \"accept\"");
    if (s.on_invalid != "accept" && s.schema.empty() && s.json_schema.empty() &&
        !s.range_on_ingest) {
      return bad("on_invalid", "\"" + s.on_invalid +
                                   "\" needs a schema, a json_schema or range_on_ingest = true");
    }
    if (!s.dead_letter_stream.empty()) {
      if (!ValidStreamName(s.dead_letter_stream))
        return bad("dead_letter_stream", "'" + s.dead_letter_stream + "' is not a stream name");
      if (s.dead_letter_stream == s.stream)
        return bad("dead_letter_stream", "must differ from the stream itself");
    } else if (s.stream.size() + 13 > 128) {
      return bad("dead_letter_stream",
                 "required: '<stream>-dead-letters' would be longer than 128 characters");
    }
    for (const char* key : {"device_field", "timestamp_field", "sensor_type_field"}) {
      const std::string& v = std::string_view(key) == "device_field"      ? s.device_field
                             : std::string_view(key) == "timestamp_field" ? s.timestamp_field
                                                                          : s.sensor_type_field;
      if (v.empty()) return bad(key, "must not be empty");
    }
    if (s.value_field.empty()) return bad("value_field", "must not be empty");
    for (const auto& [type, range] : s.ranges) {
      if (!(std::isfinite(range.first) && std::isfinite(range.second)) ||
          range.first > range.second) {
        return Status::InvalidArgument("config key '" + at + "ranges." + type +
                                       "': expected [min, max] with min <= max");
      }
    }
    if (s.stale_after_ms < 1000) return bad("stale_after", "must be at least 1s");
    if (s.late_after_ms < 0) return bad("late_after", "must not be negative");
    if (s.max_devices == 0 || s.max_devices > 10'000'000)
      return bad("max_devices", "must be from 1 to 10000000");
    if (s.duplicate_window == 0 || s.duplicate_window > 1024)
      return bad("duplicate_window", "must be from 1 to 1024");
    if (!ValidName(s.alert_topic, 256))
      return bad("alert_topic", "must be 1-256 of [A-Za-z0-9._-]");
    if (s.start_position != "trim_horizon" && s.start_position != "latest")
      return bad("start_position", "must be \"trim_horizon\" or \"latest\"");
    if (s.dead_letter_shards == 0 || s.dead_letter_shards > 1024)
      return bad("dead_letter_shards", "must be from 1 to 1024");
  }
  return Status::Ok();
}

}  // namespace fluxgate
