#include "web/alerts_api.h"

#include <simdjson.h>

#include <charconv>
#include <map>

#include "alerts/alert_hub.h"
#include "common/json_writer.h"
#include "web/http_util.h"

namespace fluxgate::web {
namespace {

void WriteStats(JsonWriter& w, const alerts::SubscriptionStats& s) {
  w.Key("published").Uint(s.published).Key("delivered").Uint(s.delivered);
  w.Key("failed").Uint(s.failed).Key("retried").Uint(s.retried);
  w.Key("dropped").Uint(s.dropped).Key("queued").Uint(s.queued);
  w.Key("filtered").Uint(s.filtered).Key("last_error").String(s.last_error);
}

void WriteInfo(JsonWriter& w, const alerts::SubscriptionInfo& i) {
  w.Key("id").String(i.id).Key("topic").String(i.topic).Key("kind").String(i.kind);
  w.Key("target").String(i.target).Key("origin").String(i.origin);
  w.Key("filter");
  if (i.filter.empty()) {
    w.Null();
  } else {
    w.Raw(i.filter);
  }
}

size_t Limit(const http::Request& req, size_t fallback, size_t max) {
  auto v = QueryParam(req.target, "limit");
  if (!v) return fallback;
  size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n == 0) return 0;
  return std::min(n, max);
}

http::Response StatusError(const Status& st) {
  const std::string& m = st.message();
  if (st.IsInvalidArgument()) return JsonError(400, "InvalidArgument", m);
  if (st.IsNotFound()) return JsonError(404, "NotFound", m);
  if (st.code() == Status::AlreadyExists("").code()) return JsonError(409, "AlreadyExists", m);
  if (st.code() == Status::Unavailable("").code()) return JsonError(503, "Unavailable", m);
  return JsonError(500, "InternalError", m);
}

// The body of POST /v1/alerts/subscriptions. `filter` may be an object or its JSON text.
Result<ServeConfig::Alerts::Subscription> ParseSubscription(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(body)).get(root) || !root.is_object())
    return Status::InvalidArgument(
        "the body must be a JSON object like {\"topic\":\"iot-alerts\",\"kind\":\"webhook\","
        "\"url\":\"http://...\"}");
  ServeConfig::Alerts::Subscription s;
  simdjson::dom::object obj = root.get_object().value();
  for (auto [key, value] : obj) {
    auto text = [&](std::string& out) -> Status {
      std::string_view v;
      if (value.get(v))
        return Status::InvalidArgument("\"" + std::string(key) + "\" must be a string");
      out = std::string(v);
      return Status::Ok();
    };
    if (key == "topic") {
      FG_RETURN_IF_ERROR(text(s.topic));
    } else if (key == "kind") {
      FG_RETURN_IF_ERROR(text(s.kind));
    } else if (key == "url") {
      FG_RETURN_IF_ERROR(text(s.url));
    } else if (key == "address") {
      FG_RETURN_IF_ERROR(text(s.address));
    } else if (key == "path") {
      FG_RETURN_IF_ERROR(text(s.path));
    } else if (key == "secret") {
      FG_RETURN_IF_ERROR(text(s.secret));
    } else if (key == "ca_file") {
      FG_RETURN_IF_ERROR(text(s.ca_file));
    } else if (key == "fsync") {
      bool b = false;
      if (value.get(b)) return Status::InvalidArgument("\"fsync\" must be true or false");
      s.fsync = b;
    } else if (key == "filter") {
      if (value.is_string()) {
        FG_RETURN_IF_ERROR(text(s.filter));
      } else if (value.is_object()) {
        s.filter = simdjson::minify(value);
      } else if (!value.is_null()) {
        return Status::InvalidArgument("\"filter\" must be an object (an SNS filter policy)");
      }
    } else {
      return Status::InvalidArgument("unknown field \"" + std::string(key) + "\"");
    }
  }
  return s;
}

}  // namespace

bool AlertsApi::Handle(const http::Request& req, std::string_view path, http::Responder& respond) {
  constexpr std::string_view kPrefix = "/v1/alerts";
  if (path.substr(0, kPrefix.size()) != kPrefix ||
      (path.size() > kPrefix.size() && path[kPrefix.size()] != '/'))
    return false;
  if (hub_ == nullptr) {
    respond(JsonError(503, "Unavailable", "alerts are not enabled on this server"));
    return true;
  }
  const std::string_view rest = path.substr(kPrefix.size());
  const std::string& m = req.method;
  const bool get = m == "GET" || m == "HEAD";
  auto method_not_allowed = [&](const char* allowed) {
    respond(
        JsonError(405, "MethodNotAllowed", std::string(allowed) + " only on " + std::string(path)));
    return true;
  };
  std::string body;
  JsonWriter w(body);
  if (rest == "/topics") {
    if (!get) return method_not_allowed("GET");
    std::map<std::string, size_t> counts;
    for (const auto& s : hub_->Subscriptions()) ++counts[s.topic];
    w.BeginObject().Key("topics").BeginArray();
    for (const auto& [topic, n] : counts)
      w.BeginObject().Key("topic").String(topic).Key("subscriptions").Uint(n).EndObject();
    w.EndArray().EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  if (rest == "/subscriptions") {
    if (m == "POST") {
      auto sub = ParseSubscription(req.body);
      if (!sub.ok()) {
        respond(StatusError(sub.status()));
        return true;
      }
      auto info = hub_->Subscribe(*sub);
      if (!info.ok()) {
        respond(StatusError(info.status()));
        return true;
      }
      w.BeginObject();
      WriteInfo(w, *info);
      w.EndObject();
      respond(JsonResponse(201, std::move(body)));
      return true;
    }
    if (!get) return method_not_allowed("GET and POST");
    const alerts::AlertHubStats stats = hub_->Stats();
    w.BeginObject().Key("subscriptions").BeginArray();
    for (const auto& s : stats.subscriptions) {
      w.BeginObject();
      WriteInfo(w, s.info);
      WriteStats(w, s);
      w.EndObject();
    }
    w.EndArray().EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  constexpr std::string_view kSub = "/subscriptions/";
  if (rest.substr(0, kSub.size()) == kSub) {
    if (m != "DELETE") return method_not_allowed("DELETE");
    const std::string id = PercentDecode(rest.substr(kSub.size()));
    if (Status st = hub_->Unsubscribe(id); !st.ok()) {
      respond(StatusError(st));
      return true;
    }
    w.BeginObject().Key("deleted").String(id).EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  if (rest == "/test") {
    if (m != "POST") return method_not_allowed("POST");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view topic, message;
    if (parser.parse(simdjson::padded_string(req.body)).get(root) || root["topic"].get(topic) ||
        topic.empty()) {
      respond(JsonError(400, "InvalidArgument",
                        "the body must be {\"topic\": \"...\", \"message\": \"...\"}"));
      return true;
    }
    if (root["message"].get(message)) message = {};
    const std::string t(topic);
    if (t.size() > 256 || t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789._-") != std::string::npos) {
      respond(
          JsonError(400, "InvalidArgument", "topic must be 1-256 characters of A-Z a-z 0-9 . _ -"));
      return true;
    }
    const size_t subs = [&] {
      size_t n = 0;
      for (const auto& s : hub_->Subscriptions()) n += s.topic == t;
      return n;
    }();
    const std::string id = hub_->PublishTest(t, std::string(message));
    w.BeginObject().Key("id").String(id).Key("topic").String(t);
    w.Key("subscriptions").Uint(subs).EndObject();
    respond(JsonResponse(202, std::move(body)));
    return true;
  }
  if (rest == "/dead-letters" || rest == "/recent") {
    if (!get) return method_not_allowed("GET");
    const bool dead = rest == "/dead-letters";
    const size_t n = Limit(req, 100, dead ? 10000 : alerts::AlertHub::kRecentLimit);
    if (n == 0) {
      respond(JsonError(400, "InvalidArgument", "limit must be a positive integer"));
      return true;
    }
    w.BeginObject()
        .Key(dead ? "dead_letters" : "alerts")
        .Raw(dead ? hub_->DeadLetters(n) : hub_->Recent(n));
    w.EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  if (rest == "/stats") {
    if (!get) return method_not_allowed("GET");
    const alerts::AlertHubStats s = hub_->Stats();
    w.BeginObject();
    w.Key("published").Uint(s.published).Key("unrouted").Uint(s.unrouted);
    w.Key("folded").Uint(s.folded).Key("summaries").Uint(s.summaries);
    w.Key("fold_overflow").Uint(s.fold_overflow).Key("filtered_out").Uint(s.filtered_out);
    w.Key("outbox_refused").Uint(s.outbox_refused).Key("outbox_bytes").Uint(s.outbox_bytes);
    w.Key("outbox_pending").Uint(s.outbox_pending).Key("replayed").Uint(s.replayed);
    w.Key("dead_letters").Uint(s.dead_letters).Key("retried").Uint(s.retried);
    w.Key("failed").Uint(s.failed);
    w.EndObject();
    respond(JsonResponse(200, std::move(body)));
    return true;
  }
  respond(JsonError(404, "NotFound", "no such path: " + std::string(path)));
  return true;
}

}  // namespace fluxgate::web
