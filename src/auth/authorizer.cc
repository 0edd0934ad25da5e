#include "auth/authorizer.h"

#include <utility>

#include "auth/http_actions.h"
#include "auth/sigv4.h"
#include "common/logging.h"

namespace fluxgate::auth {
namespace {

std::vector<Principal> BuildPrincipals(const AuthConfig& config, const AuthorizerOptions& o) {
  std::vector<Principal> out;
  out.reserve(config.principals.size());
  for (const AuthConfig::Principal& p : config.principals) {
    out.push_back(Principal{p.access_key_id, p.secret_access_key, Permissions(p.allow, p.streams),
                            "arn:aws:iam::" + o.account_id + ":user/" + p.access_key_id});
  }
  return out;
}

VerifierOptions MakeVerifierOptions(const AuthorizerOptions& o) {
  VerifierOptions v;
  v.region = o.region;
  v.max_skew = o.max_skew;
  return v;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Authorizer::Authorizer(const AuthConfig& config, AuthorizerOptions options)
    : options_(std::move(options)),
      verifier_(BuildPrincipals(config, options_), MakeVerifierOptions(options_)) {}

std::string Authorizer::Summary() const {
  if (!enabled())
    return "no [[auth.principals]] configured: the Kinesis and HTTP APIs accept every request, "
           "signed or not (local default; add principals before exposing the listeners)";
  return std::to_string(verifier_.principal_count()) +
         " principal(s) configured: requests must be SigV4-signed for region '" + options_.region +
         "' (service '" + std::string(kKinesisService) + "' on the Kinesis API, '" +
         std::string(kHttpService) + "' on the HTTP API; /healthz stays open)";
}

std::string Authorizer::StreamArn(std::string_view stream) const {
  return "arn:aws:kinesis:" + options_.region + ":" + options_.account_id + ":stream/" +
         std::string(stream);
}

Verdict Authorizer::Authenticate(const http::Request& request, std::string_view service,
                                 std::chrono::system_clock::time_point now) const {
  Verdict v = verifier_.Verify(request, service, now);
  if (!v.ok()) {
    std::string context = std::string(service) + " request from " + request.remote;
    // The access key id (not secret) tells the operator which client to fix.
    if (auto auth = sigv4::ParseAuthorization(request.Get("authorization")); auth.ok())
      context += " with access key " + auth->access_key;
    LogRefusal(context, v.refusal);
  }
  return v;
}

std::optional<Refusal> Authorizer::Authorize(const Principal& principal, std::string_view action,
                                             const std::vector<std::string>& streams) const {
  const Permissions& perms = principal.permissions;
  std::string denied_resource;
  bool denied = !perms.AllowsAction(action);
  if (denied) {
    denied_resource = streams.empty() ? StreamArn("*") : StreamArn(streams.front());
  } else {
    for (const std::string& s : streams) {
      const std::string arn = StreamArn(s);
      if (!perms.AllowsStream(s, arn)) {
        denied = true;
        denied_resource = arn;
        break;
      }
    }
  }
  if (!denied) return std::nullopt;
  Refusal r = Refusal::AccessDenied(
      "User: " + principal.arn + " is not authorized to perform: " + std::string(action) +
      " on resource: " + denied_resource + " because no identity-based policy allows the " +
      std::string(action) + " action");
  LogRefusal(std::string(action) + " by " + principal.access_key_id, r);
  return r;
}

std::optional<Refusal> Authorizer::CheckHttp(const http::Request& request,
                                             std::chrono::system_clock::time_point now) const {
  if (!enabled()) return std::nullopt;
  std::string_view path = request.target;
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  const HttpAction action = ClassifyHttpRequest(request.method, path);
  if (action.open) return std::nullopt;
  Verdict v = Authenticate(request, kHttpService, now);
  std::optional<Refusal> refusal;
  if (!v.ok()) {
    refusal = std::move(v.refusal);
  } else {
    std::vector<std::string> streams;
    if (!action.stream.empty()) streams.push_back(action.stream);
    refusal = Authorize(*v.principal, action.action, streams);
  }
  if (refusal) refusal->http_status = 403;
  return refusal;
}

void Authorizer::LogRefusal(const std::string& context, const Refusal& r) const {
  // A misconfigured client retrying in a loop must not flood the log: one line a second.
  const int64_t now = NowMs();
  int64_t next = next_log_ms_.load(std::memory_order_relaxed);
  if (now < next || !next_log_ms_.compare_exchange_strong(next, now + 1000)) {
    unlogged_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const uint64_t skipped = unlogged_.exchange(0, std::memory_order_relaxed);
  GetLogger("auth")->warn(
      "refused {}: {}: {}{}", context, r.type, r.message,
      skipped ? " (" + std::to_string(skipped) + " more refusals not logged)" : std::string());
}

}  // namespace fluxgate::auth
