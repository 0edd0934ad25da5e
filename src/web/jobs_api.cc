#include "web/jobs_api.h"

#include <charconv>
#include <climits>
#include <string>

#include "common/json_writer.h"
#include "jobs/job_manager.h"
#include "web/http_util.h"

namespace fluxgate::web {
namespace {

constexpr std::string_view kJobs = "/v1/jobs";
constexpr std::string_view kQueries = "/v1/queries";
constexpr int64_t kDefaultPollWaitMs = 1'000;

int HttpStatusOf(const Status& st) {
  switch (st.code()) {
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kResourceBusy:
      return 409;
    case Status::Code::kLimitExceeded:
    case Status::Code::kThrottled:
      return 429;
    case Status::Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

// {"error": <code name>, "message"} with the HTTP status that fits the code.
http::Response ErrorFor(const Status& st) {
  return JsonError(HttpStatusOf(st), CodeName(st.code()), st.message());
}

http::Response MethodNotAllowed(std::string_view method, std::string_view path,
                                std::string_view allow) {
  http::Response r = JsonError(405, "MethodNotAllowed",
                               std::string(method) + " is not supported on " + std::string(path) +
                                   "; use " + std::string(allow));
  r.headers.push_back({"allow", std::string(allow)});
  return r;
}

Result<int64_t> IntParam(std::string_view target, std::string_view key, int64_t fallback) {
  auto v = QueryParam(target, key);
  if (!v) return fallback;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < 0)
    return Status::InvalidArgument(std::string(key) + " must be a non-negative integer, got '" +
                                   *v + "'");
  return out;
}

void WriteJob(JsonWriter& w, const jobs::JobInfo& info, bool with_script) {
  const jobs::JobStatus& s = info.status;
  w.BeginObject();
  w.Key("name").String(s.name);
  w.Key("state").String(jobs::JobStateName(s.state));
  w.Key("desired").String(info.want_running ? "running" : "stopped");
  if (!s.error.empty()) w.Key("error").String(s.error);
  w.Key("parallelism").Int(s.parallelism);
  w.Key("started_at_ms").Int(s.started_at_ms);
  w.Key("records_in").Uint(s.records_in);
  w.Key("records_out").Uint(s.records_out);
  w.Key("dead_letters").Uint(s.dead_letters);
  w.Key("late_records").Uint(s.late_records);
  w.Key("watermark_ms");
  if (s.watermark_ms == INT64_MIN)
    w.Null();
  else
    w.Int(s.watermark_ms);
  w.Key("last_checkpoint_id").Uint(s.last_checkpoint_id);
  w.Key("last_checkpoint_at_ms").Int(s.last_checkpoint_at_ms);
  w.Key("last_checkpoint_duration_ms").Int(s.last_checkpoint_duration_ms);
  w.Key("last_checkpoint_bytes").Uint(s.last_checkpoint_bytes);
  w.Key("state_bytes").Uint(s.state_bytes);
  w.Key("max_state_bytes").Uint(s.max_state_bytes);
  w.Key("sql").String(s.sql);
  if (with_script) w.Key("script").String(info.script);
  w.EndObject();
}

http::Response JobResponse(int status, const Result<jobs::JobInfo>& info) {
  if (!info.ok()) return ErrorFor(info.status());
  std::string body;
  JsonWriter w(body);
  WriteJob(w, *info, /*with_script=*/true);
  return JsonResponse(status, std::move(body));
}

void WriteStrings(JsonWriter& w, const char* key, const std::vector<std::string>& v) {
  w.Key(key).BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

http::Response SubmitResponse(const Result<jobs::SubmitResult>& r) {
  if (!r.ok()) return ErrorFor(r.status());
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("jobs").BeginArray();
  bool any_started = false;
  for (const auto& j : r->jobs) {
    w.BeginObject().Key("name").String(j.name).Key("action").String(j.action);
    if (!j.error.empty()) w.Key("error").String(j.error);
    w.EndObject();
    any_started |= j.action != "unchanged" && j.action != "kept stopped";
  }
  w.EndArray();
  WriteStrings(w, "explains", r->explains);
  WriteStrings(w, "notices", r->notices);
  w.EndObject();
  return JsonResponse(any_started ? 201 : 200, std::move(body));
}

http::Response RowsResponse(const Result<jobs::QueryRows>& r) {
  if (!r.ok()) return ErrorFor(r.status());
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  WriteStrings(w, "rows", r->rows);
  w.Key("next").Uint(r->next);
  w.Key("state").String(r->state);
  if (!r->error.empty()) w.Key("error").String(r->error);
  w.Key("dropped").Uint(r->dropped);
  w.Key("dropped_total").Uint(r->dropped_total);
  w.EndObject();
  return JsonResponse(200, std::move(body));
}

}  // namespace

JobsApi::JobsApi(jobs::JobManager* jobs) : jobs_(jobs) {
  worker_ = std::thread([this] { WorkerLoop(); });
}

JobsApi::~JobsApi() { Stop(); }

void JobsApi::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

bool JobsApi::Post(std::function<void()> op) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= kMaxQueuedOps) return false;
    queue_.push_back(std::move(op));
  }
  cv_.notify_one();
  return true;
}

void JobsApi::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    auto op = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    op();
    lock.lock();
  }
}

bool JobsApi::Handle(http::Request& req, std::string_view path, http::Responder& respond) {
  const bool jobs_path = path == kJobs || path.substr(0, kJobs.size() + 1) == "/v1/jobs/";
  const bool queries_path =
      path == kQueries || path.substr(0, kQueries.size() + 1) == "/v1/queries/";
  if (!jobs_path && !queries_path) return false;
  const std::string& method = req.method;
  jobs::JobManager* jobs = jobs_;

  // Runs a slow operation on the worker; 503 if it cannot be queued.
  auto post = [this, &respond](std::function<http::Response()> op) {
    http::Responder r = respond;
    if (!Post([op = std::move(op), r] { r(op()); }))
      respond(JsonError(503, "Unavailable",
                        "the server is shutting down or has too many job operations queued"));
  };

  if (path == kJobs) {
    if (method == "GET" || method == "HEAD") {
      std::string body;
      JsonWriter w(body);
      w.BeginObject().Key("jobs").BeginArray();
      for (const auto& info : jobs->List()) WriteJob(w, info, /*with_script=*/false);
      w.EndArray().EndObject();
      respond(JsonResponse(200, std::move(body)));
    } else if (method == "POST") {
      if (req.body.empty()) {
        respond(JsonError(400, "InvalidArgument", "the request body must be a SQL script"));
        return true;
      }
      jobs::SubmitOptions o;
      o.default_name = QueryParam(req.target, "name").value_or("");
      post([jobs, sql = std::move(req.body), o] { return SubmitResponse(jobs->Submit(sql, o)); });
    } else {
      respond(MethodNotAllowed(method, path, "GET, POST"));
    }
    return true;
  }

  if (jobs_path) {
    std::string_view rest = path.substr(kJobs.size() + 1);
    std::string_view action;
    if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
      action = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    const std::string name = PercentDecode(rest);
    if (action.empty()) {
      if (method == "GET" || method == "HEAD") {
        respond(JobResponse(200, jobs->Get(name)));
      } else if (method == "DELETE") {
        post([jobs, name] {
          Status st = jobs->Remove(name);
          if (!st.ok()) return ErrorFor(st);
          std::string body;
          JsonWriter(body).BeginObject().Key("removed").String(name).EndObject();
          return JsonResponse(200, std::move(body));
        });
      } else {
        respond(MethodNotAllowed(method, path, "GET, DELETE"));
      }
    } else if (action == "stop" || action == "restart") {
      if (method != "POST") {
        respond(MethodNotAllowed(method, path, "POST"));
        return true;
      }
      const bool stop = action == "stop";
      post([jobs, name, stop] {
        Status st = stop ? jobs->Stop(name) : jobs->Restart(name);
        if (st.ok()) return JobResponse(200, jobs->Get(name));
        // A stop whose final checkpoint failed still stopped the job; say both.
        if (stop && !st.IsNotFound())
          return JsonError(500, CodeName(st.code()), "job stopped, but: " + st.message());
        return ErrorFor(st);
      });
    } else {
      respond(JsonError(404, "NotFound", "no such path: " + std::string(path)));
    }
    return true;
  }

  // /v1/queries
  if (path == kQueries) {
    if (method != "POST") {
      respond(MethodNotAllowed(method, path, "POST"));
      return true;
    }
    if (req.body.empty()) {
      respond(JsonError(400, "InvalidArgument", "the request body must be a SELECT statement"));
      return true;
    }
    post([jobs, sql = std::move(req.body)] {
      auto q = jobs->StartQuery(sql);
      if (!q.ok()) return ErrorFor(q.status());
      std::string body;
      JsonWriter w(body);
      w.BeginObject().Key("id").String(q->id);
      WriteStrings(w, "columns", q->columns);
      WriteStrings(w, "explains", q->explains);
      WriteStrings(w, "notices", q->notices);
      w.EndObject();
      return JsonResponse(201, std::move(body));
    });
    return true;
  }
  std::string_view rest = path.substr(kQueries.size() + 1);
  std::string_view action;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    action = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  const std::string id = PercentDecode(rest);
  if (action == "rows") {
    if (method != "GET") {
      respond(MethodNotAllowed(method, path, "GET"));
      return true;
    }
    auto after = IntParam(req.target, "after", 0);
    auto wait = IntParam(req.target, "wait_ms", kDefaultPollWaitMs);
    if (!after.ok() || !wait.ok()) {
      respond(ErrorFor(after.ok() ? wait.status() : after.status()));
      return true;
    }
    http::Responder r = respond;
    jobs->PollQuery(id, static_cast<uint64_t>(*after), *wait,
                    [r](Result<jobs::QueryRows> rows) { r(RowsResponse(rows)); });
  } else if (action.empty()) {
    if (method != "DELETE") {
      respond(MethodNotAllowed(method, path, "DELETE"));
      return true;
    }
    post([jobs, id] {
      Status st = jobs->StopQuery(id);
      if (st.IsNotFound()) return ErrorFor(st);
      std::string body;
      JsonWriter(body).BeginObject().Key("stopped").String(id).EndObject();
      return JsonResponse(200, std::move(body));
    });
  } else {
    respond(JsonError(404, "NotFound", "no such path: " + std::string(path)));
  }
  return true;
}

}  // namespace fluxgate::web
