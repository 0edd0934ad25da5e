#include "web/dashboard.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "common/json_writer.h"
#include "jobs/job_manager.h"
#include "log/log_manager.h"
#include "quality/service.h"
#include "web/dashboard_assets.h"
#include "web/dashboard_sse.h"
#include "web/http_util.h"

namespace fluxgate::web {

namespace {

void Number(JsonWriter& w, double d) {
  if (!std::isfinite(d)) {
    w.Null();
    return;
  }
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  w.Raw(std::string_view(buf, ec == std::errc() ? static_cast<size_t>(p - buf) : 0));
}

// A synchronous call of the quality API (it answers inline), for its JSON.
std::string QualityJson(QualityApi& api, const std::string& target) {
  http::Request req;
  req.method = "GET";
  req.target = target;
  std::string body;
  int status = 0;
  http::Responder capture = [&](http::Response r) {
    status = r.status;
    body = std::move(r.body);
  };
  std::string_view path = req.target;
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (!api.Handle(req, path, capture) || status != 200) return {};
  return body;
}

// A provider's answer as a JSON array: the array itself, or the first array member of an
// object; [] for anything else (a provider must never break the snapshot).
std::string ItemsOf(const std::string& text) {
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(text).get(e) != simdjson::SUCCESS) return "[]";
  if (e.is_array()) return simdjson::minify(e);
  simdjson::dom::object obj;
  if (e.get_object().get(obj) == simdjson::SUCCESS) {
    for (auto field : obj) {
      if (field.value.is_array()) return simdjson::minify(field.value);
    }
  }
  return "[]";
}

void WriteReading(JsonWriter& w, const DeviceReading& r) {
  w.BeginObject().Key("device_id").String(r.device_id);
  w.Key("sensor_type").String(r.sensor_type).Key("location").String(r.location);
  w.Key("unit").String(r.unit).Key("timestamp").String(r.timestamp);
  w.Key("value");
  Number(w, r.value);
  w.Key("last_seen_ms").Int(r.last_seen_ms).Key("count").Uint(r.count);
  w.Key("history").BeginArray();
  for (double v : r.history) Number(w, v);
  w.EndArray().EndObject();
}

const EmbeddedAsset* FindAsset(std::string_view path) {
  if (path == "/" || path.empty()) path = "/index.html";
  for (const EmbeddedAsset& a : DashboardAssets()) {
    if (path == a.path) return &a;
  }
  return nullptr;
}

}  // namespace

Dashboard::Dashboard(log::LogManager* log, jobs::JobManager* jobs, DashboardOptions options)
    : log_(log), jobs_(jobs), options_(std::move(options)), quality_(log), tracker_(log, [&] {
        DeviceTracker::Options o = options_.devices;
        if (!o.now_ms) o.now_ms = options_.now_ms;
        return o;
      }()) {}

void Dashboard::EnsureStarted() {
  if (!options_.start_thread) return;
  std::call_once(started_, [this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
    }
    Tick();  // the first request sees data at once
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) thread_ = std::thread([this] { Run(); });
  });
}

Dashboard::~Dashboard() { Stop(); }

void Dashboard::Stop() {
  std::vector<http::Responder> waiters;
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    waiters.swap(waiters_);
    thread.swap(thread_);
  }
  cv_.notify_all();
  for (auto& r : waiters) r(JsonError(503, "the server is stopping"));
  if (thread.joinable()) thread.join();
}

void Dashboard::SetSources(DashboardSources sources) {
  std::lock_guard<std::mutex> lock(mu_);
  sources_ = std::move(sources);
}

int64_t Dashboard::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Dashboard::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopped_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms), [this] { return stopped_; });
    if (stopped_) break;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

void Dashboard::Tick() {
  tracker_.Poll();
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = seq_ + 1;
  }
  std::string snap = BuildSnapshot(seq);
  std::vector<http::Responder> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = snap;
    seq_ = seq;
    waiters.swap(waiters_);
  }
  for (auto& r : waiters) r(EventResponse(seq, snap));
}

std::string Dashboard::Snapshot(uint64_t* seq) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (seq) *seq = seq_;
  return snapshot_;
}

std::string Dashboard::BuildSnapshot(uint64_t seq) {
  DashboardSources sources;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sources = sources_;
  }
  const int64_t now = Now();
  Sample cur;
  cur.time_ms = now;
  const double secs = last_.time_ms > 0 && now > last_.time_ms
                          ? static_cast<double>(now - last_.time_ms) / 1000.0
                          : 0.0;
  auto rate = [&](const std::map<std::string, uint64_t>& before, const std::string& key,
                  uint64_t value) -> double {
    auto it = before.find(key);
    if (secs <= 0 || it == before.end() || value < it->second) return 0;
    return static_cast<double>(value - it->second) / secs;
  };
  const DeviceTrackerStats ds = tracker_.Stats();

  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("seq").Uint(seq).Key("time_ms").Int(now);
  w.Key("tick_ms").Int(options_.tick_ms);

  // Streams: records/s from the growth of the shards' end offsets (monotonic per shard,
  // unlike retained counts); bytes/s only for the streams the device tracker reads.
  std::map<std::string, double> stream_rps;
  w.Key("streams").BeginArray();
  for (const std::string& name : log_->ListStreams()) {
    auto meta = log_->DescribeStream(name);
    if (!meta.ok()) continue;
    uint64_t end_sum = 0, retained = 0;
    uint32_t open = 0;
    for (const auto& s : meta->shards) {
      auto b = log_->ShardBounds(name, s.index);
      if (!b.ok()) continue;
      end_sum += b->second;
      retained += b->second - b->first;
      if (s.open()) ++open;
    }
    cur.stream_records[name] = end_sum;
    const double rps = rate(last_.stream_records, name, end_sum);
    stream_rps[name] = rps;
    w.BeginObject().Key("name").String(name).Key("open_shards").Uint(open);
    w.Key("records").Uint(retained).Key("records_per_sec");
    Number(w, rps);
    w.Key("bytes_per_sec");
    const auto& tracked = tracker_.options().streams;
    if (tracked.size() == 1 && tracked[0] == name && secs > 0 && ds.bytes >= last_tracker_bytes_)
      Number(w, static_cast<double>(ds.bytes - last_tracker_bytes_) / secs);
    else
      w.Null();
    w.EndObject();
  }
  w.EndArray();
  last_tracker_bytes_ = ds.bytes;

  // Jobs, and their watermark lag as the jobs' consumer lag.
  std::map<std::string, double> lag_points;
  w.Key("jobs").BeginArray();
  if (jobs_) {
    for (const jobs::JobInfo& info : jobs_->List()) {
      const jobs::JobStatus& s = info.status;
      cur.job_records_in[s.name] = s.records_in;
      w.BeginObject().Key("name").String(s.name).Key("state").String(jobs::JobStateName(s.state));
      w.Key("want_running").Bool(info.want_running);
      if (!s.error.empty()) w.Key("error").String(s.error);
      w.Key("parallelism").Int(s.parallelism).Key("started_at_ms").Int(s.started_at_ms);
      w.Key("records_in").Uint(s.records_in).Key("records_out").Uint(s.records_out);
      w.Key("records_in_per_sec");
      Number(w, rate(last_.job_records_in, s.name, s.records_in));
      w.Key("dead_letters").Uint(s.dead_letters).Key("late_records").Uint(s.late_records);
      w.Key("watermark_ms");
      const bool has_wm = s.watermark_ms != INT64_MIN && s.watermark_ms > 0;
      if (has_wm)
        w.Int(s.watermark_ms);
      else
        w.Null();
      w.Key("watermark_lag_ms");
      if (has_wm) {
        w.Int(now - s.watermark_ms);
        lag_points["job " + s.name + " watermark (s)"] =
            static_cast<double>(now - s.watermark_ms) / 1000.0;
      } else {
        w.Null();
      }
      w.Key("last_checkpoint_id").Uint(s.last_checkpoint_id);
      w.Key("last_checkpoint_at_ms").Int(s.last_checkpoint_at_ms);
      w.Key("last_checkpoint_duration_ms").Int(s.last_checkpoint_duration_ms);
      w.Key("last_checkpoint_bytes").Uint(s.last_checkpoint_bytes);
      w.Key("state_bytes").Uint(s.state_bytes).Key("max_state_bytes").Uint(s.max_state_bytes);
      w.EndObject();
    }
  }
  w.EndArray();

  // Consumers that read the log and how far behind they are, in records.
  quality::Service* svc = quality::Service::For(log_);
  w.Key("consumers").BeginArray();
  w.BeginObject().Key("name").String("dashboard devices").Key("lag_records").Uint(ds.lag_records);
  w.EndObject();
  lag_points["dashboard devices (records)"] = static_cast<double>(ds.lag_records);
  if (svc) {
    for (const auto& sq : svc->streams()) {
      const quality::StreamStats st = sq->monitor().Stats();
      const std::string name = "quality " + st.stream;
      w.BeginObject().Key("name").String(name).Key("lag_records").Uint(st.lag_records);
      w.EndObject();
      lag_points[name + " (records)"] = static_cast<double>(st.lag_records);
    }
  }
  w.EndArray();

  // Chart history: one point per tick, the charts redraw from it.
  {
    std::string point;
    JsonWriter p(point);
    p.BeginObject().Key("t").Int(now).Key("records_per_sec").BeginObject();
    for (const auto& [name, v] : stream_rps) {
      p.Key(name);
      Number(p, v);
    }
    p.EndObject().Key("lag").BeginObject();
    for (const auto& [name, v] : lag_points) {
      p.Key(name);
      Number(p, v);
    }
    p.EndObject().EndObject();
    if (secs > 0) history_.push_back(std::move(point));
    while (history_.size() > options_.history_points) history_.pop_front();
  }
  w.Key("history").BeginArray();
  for (const std::string& p : history_) w.Raw(p);
  w.EndArray();

  // Devices: totals and the most recently updated few; the table pages separately.
  w.Key("devices").BeginObject();
  w.Key("streams").BeginArray();
  for (const std::string& s : tracker_.options().streams) w.String(s);
  w.EndArray();
  w.Key("total").Uint(ds.devices).Key("records").Uint(ds.records);
  w.Key("skipped").Uint(ds.skipped).Key("untracked").Uint(ds.untracked);
  w.Key("lag_records").Uint(ds.lag_records);
  w.Key("recent").BeginArray();
  for (const DeviceReading& r : tracker_.Recent(options_.top_devices)) WriteReading(w, r);
  w.EndArray().EndObject();

  // Window aggregates: the device tracker's 5-minute arrival-time windows (the job's own
  // window results go to its sinks, which the dashboard does not read).
  w.Key("windows").BeginObject();
  w.Key("source").String("device tracker: tumbling windows of arrival time");
  w.Key("window_ms").Int(tracker_.options().window_ms);
  // Bounded like everything else in the stream: groups are sensor_type x location.
  std::vector<WindowAggregate> windows = tracker_.Windows();
  w.Key("truncated").Bool(windows.size() > options_.max_window_groups);
  if (windows.size() > options_.max_window_groups) windows.resize(options_.max_window_groups);
  w.Key("groups").BeginArray();
  for (const WindowAggregate& a : windows) {
    w.BeginObject().Key("sensor_type").String(a.sensor_type).Key("location").String(a.location);
    w.Key("window_start_ms").Int(a.window_start_ms).Key("window_end_ms").Int(a.window_end_ms);
    w.Key("open").Bool(now < a.window_end_ms).Key("count").Uint(a.count);
    w.Key("avg");
    Number(w, a.avg());
    w.Key("min");
    Number(w, a.min);
    w.Key("max");
    Number(w, a.max);
    w.EndObject();
  }
  w.EndArray().EndObject();

  // Data quality: the quality API's JSON, plus the worst and the stale devices per stream.
  w.Key("quality").BeginObject();
  w.Key("configured").Bool(svc != nullptr && !svc->streams().empty());
  if (std::string q = QualityJson(quality_, "/v1/quality"); !q.empty()) {
    w.Key("summary").Raw(q);
  }
  w.Key("devices").BeginObject();
  if (svc) {
    for (const auto& sq : svc->streams()) {
      const std::string& stream = sq->rules().stream();
      const std::string base = "/v1/quality/" + stream + "/devices?limit=10";
      std::string worst = QualityJson(quality_, base + "&sort=invalid");
      std::string stale = QualityJson(quality_, base + "&sort=last_seen&stale=true");
      w.Key(stream).BeginObject();
      if (!worst.empty()) w.Key("worst").Raw(worst);
      if (!stale.empty()) w.Key("stale").Raw(stale);
      w.EndObject();
    }
  }
  w.EndObject().EndObject();

  // Providers owned by other subsystems.
  auto provided = [&](const char* key, const std::function<std::string()>& f) {
    std::string text = f ? f() : std::string();
    w.Key(key).BeginObject().Key("configured").Bool(!text.empty());
    w.Key("items").Raw(text.empty() ? std::string("[]") : ItemsOf(text));
    w.EndObject();
  };
  provided("alerts", sources.alerts_json);
  provided("dead_letters", sources.dead_letters_json);
  provided("alarms", sources.alarms_json);
  w.EndObject();

  last_ = std::move(cur);
  return body;
}

http::Response Dashboard::EventResponse(uint64_t seq, const std::string& snapshot) const {
  http::Response r;
  r.status = 200;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.push_back({"cache-control", "no-store"});
  r.body = SseEvent(seq, "snapshot", snapshot, options_.sse_retry_ms);
  return r;
}

bool Dashboard::IsPublicAsset(std::string_view path) { return FindAsset(path) != nullptr; }

http::Response Dashboard::DevicesPage(const http::Request& req) const {
  DevicePageQuery q;
  if (auto s = QueryParam(req.target, "sort"); s && !s->empty()) {
    auto o = ParseDeviceOrder(*s);
    if (!o) return JsonError(400, "sort must be one of device_id, value, last_seen, count");
    q.order = *o;
  }
  if (auto o = QueryParam(req.target, "order"); o && !o->empty()) {
    if (*o != "asc" && *o != "desc") return JsonError(400, "order must be asc or desc");
    q.descending = *o == "desc";
  }
  q.search = QueryParam(req.target, "q").value_or("");
  if (q.search.size() > 200) return JsonError(400, "q is limited to 200 characters");
  auto number = [&](const char* key, size_t* out, size_t max) -> bool {
    auto v = QueryParam(req.target, key);
    if (!v) return true;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), *out);
    return ec == std::errc() && p == v->data() + v->size() && *out <= max;
  };
  if (!number("offset", &q.offset, SIZE_MAX))
    return JsonError(400, "offset must be a non-negative integer");
  if (!number("limit", &q.limit, DevicePageQuery::kMaxLimit))
    return JsonError(400, "limit must be an integer from 0 to 500");
  DevicePage page = tracker_.Page(q);
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("total").Uint(page.total).Key("offset").Uint(page.offset);
  w.Key("devices").BeginArray();
  for (const DeviceReading& r : page.devices) WriteReading(w, r);
  w.EndArray().EndObject();
  return JsonResponse(200, std::move(body));
}

bool Dashboard::Handle(const http::Request& req, std::string_view path, http::Responder& respond) {
  const EmbeddedAsset* asset = FindAsset(path);
  const bool events = path == "/v1/events";
  const bool api = path.substr(0, 14) == "/v1/dashboard/" || path == "/v1/dashboard";
  if (asset == nullptr && !events && !api) return false;
  if (req.method != "GET" && req.method != "HEAD") {
    respond(JsonError(405, "only GET is supported on " + std::string(path)));
    return true;
  }
  if (asset) {
    http::Response r;
    r.content_type = asset->content_type;
    r.headers.push_back({"etag", asset->etag});
    // Names are not content-hashed, so the browser revalidates every time (a 304 is
    // cheap) and never runs a stale bundle after an upgrade.
    r.headers.push_back({"cache-control", "no-cache"});
    r.headers.push_back({"x-content-type-options", "nosniff"});
    if (req.Get("if-none-match") == asset->etag) {
      r.status = 304;
    } else {
      r.body.assign(asset->body());
    }
    respond(std::move(r));
    return true;
  }
  EnsureStarted();
  if (path == "/v1/dashboard/devices") {
    respond(DevicesPage(req));
    return true;
  }
  if (path == "/v1/dashboard/snapshot") {
    uint64_t seq = 0;
    std::string snap = Snapshot(&seq);
    respond(JsonResponse(200, snap.empty() ? "{\"seq\":0}" : std::move(snap)));
    return true;
  }
  if (events) {
    // A client that has not seen the newest snapshot gets it now; one that has waits for
    // the next tick.
    uint64_t have = ParseLastEventId(req.Get("last-event-id")).value_or(0);
    std::unique_lock<std::mutex> lock(mu_);
    if (stopped_) {
      lock.unlock();
      respond(JsonError(503, "the server is stopping"));
    } else if (seq_ > 0 && seq_ != have) {
      std::string snap = snapshot_;
      uint64_t seq = seq_;
      lock.unlock();
      respond(EventResponse(seq, snap));
    } else if (waiters_.size() >= options_.max_waiters) {
      lock.unlock();
      respond(JsonError(503, "too many live dashboard connections (limit " +
                                 std::to_string(options_.max_waiters) + ")"));
    } else {
      waiters_.push_back(std::move(respond));
    }
    return true;
  }
  respond(JsonError(404, "no such path: " + std::string(path)));
  return true;
}

}  // namespace fluxgate::web
