#include "web/quality_api.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "common/json_writer.h"
#include "quality/service.h"
#include "web/http_util.h"

namespace fluxgate::web {
namespace {

// JSON has no NaN/Infinity; a profile's doubles are finite unless the data was not.
void Number(JsonWriter& w, double d) {
  if (!std::isfinite(d)) {
    w.Null();
    return;
  }
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  w.Raw(std::string_view(buf, ec == std::errc() ? static_cast<size_t>(p - buf) : 0));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WriteFieldCounts(JsonWriter& w, const quality::StreamRules& rules,
                      const std::vector<quality::FieldCounts>& fields) {
  w.BeginObject();
  for (size_t i = 0; i < fields.size() && i < rules.columns().size(); ++i) {
    w.Key(rules.columns()[i].name).BeginObject();
    w.Key("missing").Uint(fields[i].missing).Key("null").Uint(fields[i].null);
    w.Key("invalid").Uint(fields[i].invalid).EndObject();
  }
  w.EndObject();
}

void WriteSummary(JsonWriter& w, const quality::StreamQuality& sq) {
  const quality::StreamRules& rules = sq.rules();
  const quality::StreamStats s = sq.monitor().Stats();
  const QualityConfig::Stream& c = rules.config();
  w.BeginObject().Key("stream").String(s.stream);
  w.Key("on_invalid").String(quality::OnInvalidName(rules.on_invalid()));
  if (rules.on_invalid() == quality::OnInvalid::kDeadLetter)
    w.Key("dead_letter_stream").String(rules.dead_letter_stream());
  w.Key("schema_fields").BeginArray();
  for (int i = 0; i < rules.declared_columns(); ++i) w.String(rules.columns()[i].name);
  w.EndArray();
  w.Key("stream_exists").Bool(s.stream_exists).Key("caught_up").Bool(s.caught_up);
  w.Key("lag_records").Uint(s.lag_records);
  w.Key("records").Uint(s.records).Key("invalid").Uint(s.invalid);
  w.Key("rejected").Uint(s.rejected).Key("dead_lettered").Uint(s.dead_lettered);
  w.Key("duplicates").Uint(s.duplicates).Key("out_of_order").Uint(s.out_of_order);
  w.Key("late").Uint(s.late).Key("out_of_range").Uint(s.out_of_range);
  w.Key("unknown_sensor_type").Uint(s.unknown_sensor_type).Key("no_device").Uint(s.no_device);
  w.Key("devices").Uint(s.devices).Key("stale_devices").Uint(s.stale_devices);
  w.Key("stale_device_ids").BeginArray();
  for (const std::string& id : s.stale_device_ids) w.String(id);
  w.EndArray();
  w.Key("problems").BeginObject();
  for (const auto& [name, n] : s.problems) w.Key(name).Uint(n);
  w.EndObject();
  w.Key("fields");
  WriteFieldCounts(w, rules, s.fields);
  w.Key("sensor_types").BeginArray();
  for (const quality::SensorTypeStats& t : s.sensor_types) {
    w.BeginObject().Key("sensor_type").String(t.sensor_type).Key("records").Uint(t.records);
    w.Key("out_of_range").Uint(t.out_of_range);
    w.Key("min");
    if (t.value_count)
      Number(w, t.min);
    else
      w.Null();
    w.Key("max");
    if (t.value_count)
      Number(w, t.max);
    else
      w.Null();
    w.Key("range");
    if (t.has_range) {
      w.BeginArray();
      Number(w, t.range_min);
      Number(w, t.range_max);
      w.EndArray();
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("limits").BeginObject();
  w.Key("max_devices").Uint(c.max_devices).Key("untracked_records").Uint(s.untracked_records);
  w.Key("duplicate_window").Uint(c.duplicate_window).Key("memory_bytes").Uint(s.memory_bytes);
  w.Key("stale_after_ms").Int(c.stale_after_ms).Key("late_after_ms").Int(c.late_after_ms);
  w.EndObject();
  w.EndObject();
}

void WriteProfile(JsonWriter& w, const quality::StreamRules& rules, const quality::DeviceProfile& p,
                  bool with_fields) {
  w.BeginObject().Key("device_id").String(p.device_id).Key("sensor_type").String(p.sensor_type);
  w.Key("count").Uint(p.count).Key("invalid").Uint(p.invalid);
  w.Key("null_rate");
  Number(w, p.NullRate(static_cast<size_t>(rules.declared_columns())));
  w.Key("min");
  if (p.value_count)
    Number(w, p.min);
  else
    w.Null();
  w.Key("max");
  if (p.value_count)
    Number(w, p.max);
  else
    w.Null();
  w.Key("mean");
  if (p.value_count)
    Number(w, p.mean());
  else
    w.Null();
  w.Key("value_count").Uint(p.value_count);
  w.Key("out_of_range").Uint(p.out_of_range).Key("duplicates").Uint(p.duplicates);
  w.Key("out_of_order").Uint(p.out_of_order).Key("late").Uint(p.late);
  w.Key("first_seen_ms").Int(p.first_seen_ms).Key("last_seen_ms").Int(p.last_seen_ms);
  w.Key("last_event_ms");
  if (p.has_event_time)
    w.Int(p.last_event_ms);
  else
    w.Null();
  w.Key("newest_event_ms");
  if (p.has_event_time)
    w.Int(p.newest_event_ms);
  else
    w.Null();
  w.Key("stale").Bool(p.stale);
  if (!p.last_invalid_reason.empty()) w.Key("last_invalid_reason").String(p.last_invalid_reason);
  if (with_fields) {
    w.Key("fields");
    WriteFieldCounts(w, rules, p.fields);
  }
  w.EndObject();
}

}  // namespace

bool QualityApi::Handle(const http::Request& req, std::string_view path, http::Responder& respond) {
  constexpr std::string_view kRoot = "/v1/quality";
  if (path.substr(0, kRoot.size()) != kRoot) return false;
  std::string_view rest = path.substr(kRoot.size());
  if (!rest.empty() && rest[0] != '/') return false;  // e.g. /v1/qualityx
  if (req.method != "GET" && req.method != "HEAD") {
    respond(JsonError(405, "only GET is supported on " + std::string(path)));
    return true;
  }
  quality::Service* svc = quality::Service::For(log_);
  if (!rest.empty()) rest.remove_prefix(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);

  std::string body;
  JsonWriter w(body);
  if (rest.empty()) {
    w.BeginObject().Key("now_ms").Int(NowMs()).Key("streams").BeginArray();
    if (svc)
      for (const auto& sq : svc->streams()) WriteSummary(w, *sq);
    w.EndArray().EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  const size_t slash = rest.find('/');
  const std::string stream = PercentDecode(rest.substr(0, slash));
  quality::StreamQuality* sq = svc ? svc->Find(stream) : nullptr;
  if (sq == nullptr) {
    respond(JsonError(404, "stream '" + stream + "' has no [[quality.streams]] entry"));
    return true;
  }
  if (slash == std::string_view::npos) {
    WriteSummary(w, *sq);
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  std::string_view sub = rest.substr(slash + 1);
  constexpr std::string_view kDevices = "devices";
  if (sub == kDevices) {
    auto sort = quality::ParseDeviceSort(QueryParam(req.target, "sort").value_or(""));
    if (!sort) {
      respond(JsonError(400,
                        "sort must be one of device_id, count, invalid, null_rate, last_seen, "
                        "duplicates, out_of_order, late, out_of_range"));
      return true;
    }
    size_t limit = 100;
    if (auto l = QueryParam(req.target, "limit")) {
      auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
      if (ec != std::errc() || p != l->data() + l->size() || limit == 0 || limit > 10'000) {
        respond(JsonError(400, "limit must be an integer from 1 to 10000"));
        return true;
      }
    }
    const std::string stale = QueryParam(req.target, "stale").value_or("");
    size_t total = 0;
    auto devices = sq->monitor().Devices(*sort, limit, stale == "true" || stale == "1", &total);
    w.BeginObject().Key("stream").String(stream).Key("now_ms").Int(NowMs());
    w.Key("total").Uint(total).Key("devices").BeginArray();
    for (const auto& p : devices) WriteProfile(w, sq->rules(), p, false);
    w.EndArray().EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  if (sub.substr(0, kDevices.size() + 1) == "devices/") {
    const std::string id = PercentDecode(sub.substr(kDevices.size() + 1));
    auto p = sq->monitor().Device(id);
    if (!p) {
      respond(JsonError(404, "no profile for device '" + id + "' on stream '" + stream + "'"));
      return true;
    }
    WriteProfile(w, sq->rules(), *p, true);
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  respond(JsonError(404, "no such path: " + std::string(path)));
  return true;
}

}  // namespace fluxgate::web
