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

namespace fluxgate::cli {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:8080";

class ServerClient {
 public:
  // InvalidArgument for a URL that is not http(s)://HOST[:PORT]. For https, `ca_file`
  // (--ca-file) names the PEM CA certificates to trust; empty: $FLUXGATE_CA_FILE if set,
  // else the system store.
  static Result<std::unique_ptr<ServerClient>> Create(const std::string& server_url,
                                                      const std::string& ca_file = "");

  // Sends the request; a non-2xx answer becomes a Status carrying the server's "message"
  // (NotFound for 404, ResourceBusy for 409, InvalidArgument for other 4xx, else
  // Unavailable). On success the body is parsed into *doc (owned by this client, valid
  // until the next call).
  Result<simdjson::dom::element> Call(const std::string& method, const std::string& target,
                                      const std::string& body = "");

  const std::string& url() const { return url_; }

 private:
  ServerClient(std::string url, std::unique_ptr<http::Client> client)
      : url_(std::move(url)), client_(std::move(client)) {}
  std::string url_;
  std::unique_ptr<http::Client> client_;
  simdjson::dom::parser parser_;
};

// Percent-encodes a query parameter value or path segment.
std::string UrlEncode(const std::string& s);

// Small accessors that tolerate absent members.
std::string JsonString(simdjson::dom::element obj, const char* key);
int64_t JsonInt(simdjson::dom::element obj, const char* key, int64_t fallback = 0);

}  // namespace fluxgate::cli
