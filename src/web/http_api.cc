#include "web/http_api.h"

#include <chrono>

#include "auth/authorizer.h"
#include "common/json_writer.h"
#include "log/log_manager.h"
#include "web/dashboard_auth.h"
#include "web/http_util.h"
#include "web/jobs_api.h"

namespace fluxgate::web {

namespace {

// The body of a GET that `api` answers synchronously (AlertsApi does); "" if it is absent
// or the answer is not 200.
template <typename Api>
std::string GetInline(Api* api, std::string target) {
  if (api == nullptr) return {};
  http::Request req;
  req.method = "GET";
  req.target = std::move(target);
  std::string body;
  http::Responder capture = [&body](http::Response r) {
    if (r.status == 200) body = std::move(r.body);
  };
  std::string_view path = req.target;
  path = path.substr(0, path.find('?'));
  if (!api->Handle(req, path, capture)) return {};
  return body;
}

}  // namespace

HttpApi::HttpApi(log::LogManager* log, jobs::JobManager* jobs,
                 std::shared_ptr<const auth::Authorizer> authorizer, RecordsApiOptions records)
    : log_(log),
      jobs_(jobs ? std::make_unique<JobsApi>(jobs) : nullptr),
      authorizer_(std::move(authorizer)),
      records_(log, records),
      quality_(log),
      dashboard_(log, jobs) {
  // The dashboard's feeds are the alert and alarm endpoints' own JSON, so it shows what
  // `fluxgate alerts` and /v1/alarms show. Until SetAlerts, alerts read "not configured".
  DashboardSources ds;
  ds.alerts_json = [this] { return GetInline(alerts_.get(), "/v1/alerts/recent?limit=100"); };
  ds.dead_letters_json = [this] {
    return GetInline(alerts_.get(), "/v1/alerts/dead-letters?limit=100");
  };
  ds.alarms_json = [this] { return metrics_.AlarmsJson(); };
  dashboard_.SetSources(std::move(ds));
}

HttpApi::~HttpApi() = default;

void HttpApi::Stop() {
  if (jobs_) jobs_->Stop();
  dashboard_.Stop();
}

void HttpApi::Handle(http::Request&& req, http::Responder respond) {
  std::string_view path = req.target;
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  // With a bearer token the token alone admits a request (its holder administers the
  // server); a request without it may still pass by SigV4 when principals are configured.
  // /healthz and the dashboard's static files (no data) are open.
  const bool open = path == "/healthz" || Dashboard::IsPublicAsset(path);
  bool admitted = open;
  if (!bearer_token_.empty() && !open) {
    TokenCheck t = CheckBearerToken(req, bearer_token_);
    if (t == TokenCheck::kValid) {
      admitted = true;
    } else if (t == TokenCheck::kInvalid || !authorizer_ || !authorizer_->enabled() ||
               req.Get("authorization").empty()) {
      http::Response r = JsonError(401, "Unauthorized",
                                   t == TokenCheck::kInvalid
                                       ? "the bearer token is not the server's"
                                       : "this server needs 'Authorization: Bearer <token>' "
                                         "([http] bearer_token)");
      r.headers.push_back({"www-authenticate", "Bearer realm=\"fluxgate\""});
      return respond(std::move(r));
    }
  }
  if (authorizer_ && !admitted) {
    if (auto refusal = authorizer_->CheckHttp(req, std::chrono::system_clock::now())) {
      return respond(JsonError(refusal->http_status, refusal->type, refusal->message));
    }
  }
  if (dashboard_.Handle(req, path, respond)) return;
  if (jobs_ && jobs_->Handle(req, path, respond)) return;
  if (records_.Handle(req, path, respond)) return;
  if (quality_.Handle(req, path, respond)) return;
  if (alerts_ && alerts_->Handle(req, path, respond)) return;
  if (metrics_.Handle(req, path, respond)) return;
  if (req.method != "GET" && req.method != "HEAD")
    return respond(JsonError(405, "only GET is supported on " + std::string(path)));
  if (path == "/healthz") return respond(JsonResponse(200, "{\"status\":\"ok\"}"));
  if (path == "/v1/streams") return respond(Streams());
  constexpr std::string_view kPrefix = "/v1/streams/";
  if (path.substr(0, kPrefix.size()) == kPrefix)
    return respond(Stream(std::string(path.substr(kPrefix.size()))));
  respond(JsonError(404, "no such path: " + std::string(path)));
}

http::Response HttpApi::Streams() const {
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("streams").BeginArray();
  for (const std::string& name : log_->ListStreams()) w.String(name);
  w.EndArray().EndObject();
  return JsonResponse(200, std::move(body));
}

// One stream with per-shard record counts (records retained = end - trim).
http::Response HttpApi::Stream(const std::string& name) const {
  auto meta = log_->DescribeStream(name);
  if (!meta.ok()) return JsonError(404, meta.status().message());
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("name").String(meta->name);
  w.Key("retention_hours").Int(meta->retention_hours);
  w.Key("shards").BeginArray();
  uint64_t total = 0;
  for (const auto& s : meta->shards) {
    auto bounds = log_->ShardBounds(name, s.index);
    if (!bounds.ok()) continue;
    auto [trim, end] = *bounds;
    total += end - trim;
    w.BeginObject().Key("shard_id").String(log::ShardIdFor(s.index));
    w.Key("open").Bool(s.open()).Key("trim_offset").Uint(trim).Key("end_offset").Uint(end);
    w.Key("records").Uint(end - trim).EndObject();
  }
  w.EndArray().Key("records").Uint(total).EndObject();
  return JsonResponse(200, std::move(body));
}

}  // namespace fluxgate::web
