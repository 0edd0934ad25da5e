// ServerClient: what `fluxgate sql` and `fluxgate jobs` use to talk to a running server's
// HTTP listener (--server URL): one keep-alive connection, JSON answers, and errors worded
// for a terminal ("cannot reach fluxgate at ...; is `fluxgate serve` running?").
//
// Thread-safety: one ServerClient per thread.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>

#include "common/status.h"
#include "http/client.h"

namespace CLI {
class App;
}

namespace fluxgate::cli {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:8080";
// The server's bearer token ([http] bearer_token) for every command that calls the HTTP
// API: `fluxgate --token T ...` (also accepted after the subcommand) or $FLUXGATE_TOKEN.
inline constexpr char kTokenEnv[] = "FLUXGATE_TOKEN";
// Adds the global --token option to the root app (and lets subcommands accept it).
void AddTokenOption(CLI::App& app);

class ServerClient {
 public:
  // InvalidArgument for a URL that is not http(s)://HOST[:PORT]. For https, `ca_file`
  // (--ca-file) names the PEM CA certificates to trust; empty: $FLUXGATE_CA_FILE if set,
  // else the system store.
  static Result<std::unique_ptr<ServerClient>> Create(const std::string& server_url,
                                                      const std::string& ca_file = "");

  // Sends the request with the bearer token when there is one (--token, else
  // $FLUXGATE_TOKEN), else SigV4-signed from $AWS_ACCESS_KEY_ID when set; a non-2xx answer becomes
  // a Status carrying the server's "message" (NotFound for 404, ResourceBusy for 409,
  // InvalidArgument for other 4xx, else Unavailable). On success the body is parsed into *doc
  // (owned by this client, valid until the next call).
  Result<simdjson::dom::element> Call(const std::string& method, const std::string& target,
                                      const std::string& body = "");

  const std::string& url() const { return url_; }

 private:
  ServerClient(std::string url, std::unique_ptr<http::Client> client)
      : url_(std::move(url)), client_(std::move(client)) {}
  std::string url_;
  std::unique_ptr<http::Client> client_;
  std::string token_;  // never logged or printed
  simdjson::dom::parser parser_;
};

// Percent-encodes a query parameter value or path segment.
std::string UrlEncode(const std::string& s);

// Small accessors that tolerate absent members.
std::string JsonString(simdjson::dom::element obj, const char* key);
int64_t JsonInt(simdjson::dom::element obj, const char* key, int64_t fallback = 0);

}  // namespace fluxgate::cli
