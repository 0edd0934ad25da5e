// S3Transport: how S3ObjectStore sends one signed HTTP request. The real one keeps a pool
// of keep-alive http::Client connections per host (one request per connection at a time);
// tests hand in a fake that answers like S3 without a socket.
//
// Thread-safety: Send may be called from several threads at once (the pool is guarded by
// a mutex; each request runs on a connection no other thread holds).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/client.h"
#include "http/message.h"

namespace fluxgate::store {

struct S3HttpRequest {
  std::string method;                 // "GET", "PUT", "POST", "DELETE", "HEAD"
  http::Url server;                   // scheme, host and port; path unused
  std::string target;                 // path (encoded once) plus "?query"
  std::vector<http::Header> headers;  // signed; includes host exactly as the client sends it
  const std::string* body = nullptr;  // not owned; must outlive Send; null = empty
};

class S3Transport {
 public:
  virtual ~S3Transport() = default;
  // One exchange. IOError when no complete response arrived (connection refused, reset,
  // timeout); any HTTP status is a response.
  virtual Result<http::Response> Send(const S3HttpRequest& request) = 0;
};

// The Host header value http::Client sends for `url` ("host:port", IPv6 in brackets); a
// request must be signed over exactly this.
std::string HostHeaderFor(const http::Url& url);

// Pooled http::Client connections; at most `max_idle_per_host` idle ones kept per host.
std::unique_ptr<S3Transport> MakeHttpS3Transport(http::ClientOptions options,
                                                 size_t max_idle_per_host = 8);

}  // namespace fluxgate::store
