// Dashboard: the live web dashboard of the HTTP listener (docs/design/dashboard.md).
//
//   GET /, /index.html, /app.js, /app.css   the embedded front end (ETag, no-cache)
//   GET /v1/events                          the live stream (Server-Sent Events)
//   GET /v1/dashboard/snapshot              the same JSON snapshot, once
//   GET /v1/dashboard/devices?sort=device_id|value|last_seen|count&order=asc|desc
//        &q=TEXT&offset=N&limit=N (default 50, max 500)   one page of the device table
//
// A thread builds one JSON snapshot every tick_ms (stream throughput and consumer lag,
// job status, the most recent devices with their sparklines, window aggregates, the
// data-quality view, alerts, dead letters and alarms) and hands it to every waiting
// /v1/events request. The device table is never in the stream: the page asks for the page
// it shows, so 10,000 devices cost the browser 50 rows.
//
// /v1/events: http::Server writes whole responses, so each response carries one event and
// a `retry:` field; EventSource reconnects after it with Last-Event-ID, and the server
// holds that request until a newer snapshot exists (long-poll framing of SSE). The page
// sees an ordinary EventSource stream with one event per tick.
//
// Alerts, dead letters and alarms come from DashboardSources providers that other
// subsystems fill in; an empty provider shows as "not configured".
//
// Thread-safety: Handle may be called concurrently from I/O threads; SetSources from any
// thread; Start/Stop from one thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/server.h"
#include "web/dashboard_devices.h"
#include "web/quality_api.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::jobs {
class JobManager;
}

namespace fluxgate::web {

// Providers of the parts of the snapshot other subsystems own. Each returns a JSON array
// (newest last for feeds), or an object whose first array member is taken ({"alarms":[...]});
// an empty std::function, or an empty string returned, means "not configured". They are
// called on the dashboard's thread once per tick and must be quick and thread-safe.
// HttpApi installs providers reading its AlertsApi and MetricsApi (http_api.cc).
struct DashboardSources {
  // Recent alerts: [{"id","topic","rule","severity","subject","message","time",
  // "attributes":{...}}, ...] (the alert document of alerts/alert.h), at most ~100.
  std::function<std::string()> alerts_json;
  // Alerts given up after their retries: [{"id","topic","subscription","error","time",...}].
  std::function<std::string()> dead_letters_json;
  // Alarm states: [{"name","state":"OK|ALARM|INSUFFICIENT_DATA","reason",...}].
  std::function<std::string()> alarms_json;
};

struct DashboardOptions {
  DeviceTracker::Options devices;  // which streams the device table follows
  int64_t tick_ms = 1000;
  size_t top_devices = 20;         // most recent devices in each event
  size_t max_window_groups = 200;  // window aggregate rows in each event
  size_t history_points = 120;     // throughput samples kept for the charts
  size_t max_waiters = 256;        // /v1/events requests held at once; more get 503
  int sse_retry_ms = 250;          // reconnect delay the events tell EventSource
  // The thread starts with the first request for dashboard data (so a listener nobody
  // watches costs nothing); false: never, tests call Tick().
  bool start_thread = true;
  std::function<int64_t()> now_ms;  // wall clock; empty = system clock
};

class Dashboard {
 public:
  // `log` and `jobs` (nullptr: no job panel) must outlive this object.
  Dashboard(log::LogManager* log, jobs::JobManager* jobs, DashboardOptions options = {});
  ~Dashboard();  // Stop()
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  void SetSources(DashboardSources sources);
  // Answers every held /v1/events request with 503 and joins the thread. Idempotent.
  void Stop();

  // True for the paths of the embedded front end (served without the token: they carry
  // no data, and the page itself shows the login form).
  static bool IsPublicAsset(std::string_view path);

  // False if `path` is not one of the dashboard's; otherwise `respond` has been (or, for a
  // held /v1/events request, will be) called.
  bool Handle(const http::Request& request, std::string_view path, http::Responder& respond);

  // One tick: polls the device tracker, builds a snapshot, answers held event requests.
  void Tick();
  // The newest snapshot (JSON object text) and its sequence number (0: none yet).
  std::string Snapshot(uint64_t* seq = nullptr) const;
  const DeviceTracker& devices() const { return tracker_; }

 private:
  struct Sample {  // one tick's throughput counters
    int64_t time_ms = 0;
    std::map<std::string, uint64_t> stream_records;  // sum of shard end offsets
    std::map<std::string, uint64_t> job_records_in;
  };
  int64_t Now() const;
  std::string BuildSnapshot(uint64_t seq);
  http::Response DevicesPage(const http::Request& request) const;
  http::Response EventResponse(uint64_t seq, const std::string& snapshot) const;
  void Run();
  void EnsureStarted();

  log::LogManager* const log_;
  jobs::JobManager* const jobs_;
  const DashboardOptions options_;
  QualityApi quality_;  // the quality view is the quality API's own JSON
  DeviceTracker tracker_;

  // The snapshot thread's own.
  std::deque<std::string> history_;  // JSON points of the throughput charts
  Sample last_;
  uint64_t last_tracker_bytes_ = 0;

  mutable std::mutex mu_;
  DashboardSources sources_;              // GUARDED_BY(mu_)
  std::string snapshot_;                  // GUARDED_BY(mu_)
  uint64_t seq_ = 0;                      // GUARDED_BY(mu_)
  std::vector<http::Responder> waiters_;  // GUARDED_BY(mu_)
  bool stopped_ = false;                  // GUARDED_BY(mu_)
  std::condition_variable cv_;
  std::once_flag started_;
  std::thread thread_;  // written once under started_; joined by Stop
};

}  // namespace fluxgate::web
