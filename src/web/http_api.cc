#include "web/http_api.h"

#include <chrono>

#include "auth/authorizer.h"
#include "common/json_writer.h"
#include "log/log_manager.h"
#include "web/http_util.h"
#include "web/jobs_api.h"

namespace fluxgate::web {

HttpApi::HttpApi(log::LogManager* log, jobs::JobManager* jobs,
                 std::shared_ptr<const auth::Authorizer> authorizer, RecordsApiOptions records)
    : log_(log),
      jobs_(jobs ? std::make_unique<JobsApi>(jobs) : nullptr),
      authorizer_(std::move(authorizer)),
      records_(log, records),
      quality_(log) {}

HttpApi::~HttpApi() = default;

void HttpApi::Stop() {
  if (jobs_) jobs_->Stop();
}

void HttpApi::Handle(http::Request&& req, http::Responder respond) {
  if (authorizer_) {
    if (auto refusal = authorizer_->CheckHttp(req, std::chrono::system_clock::now())) {
      return respond(JsonError(refusal->http_status, refusal->type, refusal->message));
    }
  }
  std::string_view path = req.target;
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (jobs_ && jobs_->Handle(req, path, respond)) return;
  if (records_.Handle(req, path, respond)) return;
  if (quality_.Handle(req, path, respond)) return;
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
