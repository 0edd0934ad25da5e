#include "cli/server_client.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>

#include "auth/sigv4.h"

namespace fluxgate::cli {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool HaveEnvCredentials() {
  return !Env("AWS_ACCESS_KEY_ID").empty() && !Env("AWS_SECRET_ACCESS_KEY").empty();
}

// With AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, requests are SigV4-signed for service
// "fluxgate" in AWS_REGION (or AWS_DEFAULT_REGION, else us-east-1): a server with
// [[auth.principals]] requires it (docs/design/auth.md). Without them nothing is added.
Status SignFromEnvironment(const std::string& url, const std::string& method,
                           const std::string& target, const std::string& body,
                           std::vector<http::Header>* headers) {
  if (!HaveEnvCredentials()) return Status::Ok();
  std::string region = Env("AWS_REGION");
  if (region.empty()) region = Env("AWS_DEFAULT_REGION");
  if (region.empty()) region = "us-east-1";
  FG_ASSIGN_OR_RETURN(http::Url u, http::ParseUrl(url));
  // Exactly the Host header http::Client sends, since it is signed.
  const bool v6 = u.host.find(':') != std::string::npos;
  headers->push_back({"host", (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port)});
  sigv4::Credentials creds{Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"),
                           Env("AWS_SESSION_TOKEN")};
  return sigv4::SignRequest(creds, region, "fluxgate", std::chrono::system_clock::now(), method,
                            target, headers, body);
}

// --token's value: set while the command line is parsed, before any command runs.
std::string& TokenFlag() {
  static std::string token;
  return token;
}

}  // namespace

void AddTokenOption(CLI::App& app) {
  app.add_option("--token", TokenFlag(),
                 "Bearer token of the server's HTTP API ([http] bearer_token); default "
                 "$FLUXGATE_TOKEN");
  app.fallthrough();  // `fluxgate jobs list --token T` works too
}

Result<std::unique_ptr<ServerClient>> ServerClient::Create(const std::string& server_url,
                                                           const std::string& ca_file) {
  auto url = http::ParseUrl(server_url);
  if (!url.ok())
    return Status::InvalidArgument("--server " + server_url + ": " + url.status().message());
  std::string base = server_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // Polls wait up to 1 s on the server; 30 s covers a job's final checkpoint on stop.
  // An https:// URL is verified against --ca-file, else $FLUXGATE_CA_FILE, else the
  // system CA store.
  http::ClientOptions options;
  options.timeout_ms = 30'000;
  options.ca_file = ca_file;
  std::unique_ptr<ServerClient> client(
      new ServerClient(base, std::make_unique<http::Client>(*url, options)));
  client->token_ = TokenFlag();
  if (client->token_.empty()) client->token_ = Env(kTokenEnv);
  return client;
}

Result<simdjson::dom::element> ServerClient::Call(const std::string& method,
                                                  const std::string& target,
                                                  const std::string& body) {
  std::vector<http::Header> headers;
  if (!body.empty()) headers.push_back({"content-type", "text/plain; charset=utf-8"});
  // One Authorization header: the bearer token admits the request on its own.
  if (!token_.empty())
    headers.push_back({"authorization", "Bearer " + token_});
  else
    FG_RETURN_IF_ERROR(SignFromEnvironment(url_, method, target, body, &headers));
  auto r = client_->Do(method, target, headers, body);
  if (!r.ok()) {
    const std::string& m = r.status().message();
    std::string why = m;
    if (size_t colon = m.rfind(": "); colon != std::string::npos) why = m.substr(colon + 2);
    if (!why.empty() && why[0] >= 'A' && why[0] <= 'Z') why[0] = static_cast<char>(why[0] + 32);
    if (m.rfind("cannot connect", 0) == 0 || m.rfind("cannot resolve", 0) == 0)
      return Status::Unavailable("cannot reach fluxgate at " + url_ + ": " + why +
                                 "; is `fluxgate serve` running?");
    return Status::Unavailable("fluxgate at " + url_ + ": " + m);
  }
  simdjson::dom::element doc;
  const bool json = parser_.parse(r->body).get(doc) == simdjson::SUCCESS;
  if (r->status >= 200 && r->status < 300) {
    if (!json)
      return Status::Internal("fluxgate at " + url_ + " answered " + target +
                              " with something that is not JSON (is --server the HTTP "
                              "listener, not the Kinesis API?)");
    return doc;
  }
  std::string message = json ? JsonString(doc, "message") : "";
  if (message.empty()) message = json ? JsonString(doc, "error") : r->body;
  if (message.empty()) message = "HTTP " + std::to_string(r->status);
  switch (r->status) {
    case 404:
      return Status::NotFound(message);
    case 409:
      return Status::ResourceBusy(message);
    case 401:  // [http] bearer_token is set on the server
      message += token_.empty() ? " (pass --token or set FLUXGATE_TOKEN to the server's "
                                  "[http] bearer_token)"
                                : " (the --token / FLUXGATE_TOKEN given is not the server's)";
      return Status::InvalidArgument(message);
    case 403:  // the server requires signed requests ([auth]); say how to sign them
      if (!HaveEnvCredentials())
        message +=
            " (this server requires signed requests: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY to a principal of its [auth] section)";
      return Status::InvalidArgument(message);
    default:
      if (r->status >= 400 && r->status < 500) return Status::InvalidArgument(message);
      return Status::Unavailable(message);
  }
}

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string JsonString(simdjson::dom::element obj, const char* key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

int64_t JsonInt(simdjson::dom::element obj, const char* key, int64_t fallback) {
  int64_t v = 0;
  if (obj[key].get_int64().get(v) != simdjson::SUCCESS) {
    uint64_t u = 0;
    if (obj[key].get_uint64().get(u) != simdjson::SUCCESS) return fallback;
    return static_cast<int64_t>(u);
  }
  return v;
}

}  // namespace fluxgate::cli
