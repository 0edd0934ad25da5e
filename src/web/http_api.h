// HttpApi: what the HTTP listener (--http-listen) serves: /healthz and the read-only
// admin endpoints under /v1 (the dashboard and the rest of the admin API build on it).
//
// Thread-safety: Handle() may be called concurrently from I/O threads.
#pragma once

#include "http/server.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::web {

class HttpApi {
 public:
  // `log` must outlive this object.
  explicit HttpApi(log::LogManager* log) : log_(log) {}
  void Handle(http::Request&& request, http::Responder respond);

 private:
  http::Response Streams() const;
  http::Response Stream(const std::string& name) const;
  log::LogManager* log_;
};

}  // namespace fluxgate::web
