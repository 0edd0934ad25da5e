// Alert: one notification raised by a streaming job's 'alert' sink, and the JSON document
// every subscription receives for it (docs/design/alerts.md, "The alert document").
//
//   {"id":"9f2c...","topic":"iot-alerts","rule":"anomalies","severity":"warning",
//    "subject":"IoT Sensor Anomaly Alert",
//    "message":"ALERT: Anomaly detected in temperature sensor sensor-1234. Value: 95.0 °C",
//    "time":"2026-11-25T19:05:00.123Z","attributes":{"device_id":"sensor-1234",...}}
//
// Alerts are delivered at least once. The id is deterministic (a hash of topic, rule and
// the row), so the same row replayed after a crash yields the same id and a receiver can
// drop the repeat. Plain values and pure functions: safe to use from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fluxgate::alerts {

struct Alert {
  // Empty: AlertHub::Publish sets it to AlertId(topic, rule, attributes). A caller that
  // has a better identity (e.g. job + checkpoint + row position) may set its own.
  std::string id;
  std::string topic;                 // the sink's 'topic'; routes to subscriptions
  std::string rule;                  // what raised it: the job / sink name
  std::string severity = "warning";  // free text; "info" | "warning" | "critical" suggested
  std::string subject;               // one line, e.g. "IoT Sensor Anomaly Alert"
  std::string message;               // the sink's rendered 'message.template'
  int64_t event_time_ms = 0;         // the row's event time (epoch ms); 0: Publish's wall clock
  // The row as a JSON object text ({"device_id":"sensor-1234","value":95.0,...}); the
  // caller guarantees it is valid JSON. Empty means {}; text that is not {...} is
  // delivered as {"raw":"<the text>"} so the document stays valid JSON.
  std::string attributes;
  // Alerts this notification stands for: 1, or more for a cooldown summary (AlertHub folds
  // repeats of one rule for one device; docs/design/alerts.md "Cooldown folding").
  uint32_t count = 1;
  int64_t first_time_ms = 0;  // count > 1: event time of the first folded alert
};

// 32 lower-case hex digits: FNV-1a 128 over the length-prefixed topic, rule and
// attributes. Stable across runs, machines and versions (receivers may store it).
std::string AlertId(std::string_view topic, std::string_view rule, std::string_view attributes);

// "2026-11-25T19:05:00.123Z" (UTC, always milliseconds).
std::string FormatTimeUtc(int64_t epoch_ms);

// Appends the alert's JSON document (one line, no trailing newline) to `out`. Uses the
// fields as they are: call after Publish has filled id/time defaults.
void AppendAlertJson(const Alert& alert, std::string& out);

}  // namespace fluxgate::alerts
