// QualityApi: the data-quality endpoints of the HTTP listener (docs/design/quality.md,
// "Admin API"), JSON only, shaped for a dashboard to poll:
//
//   GET /v1/quality                       every configured stream's summary
//   GET /v1/quality/{stream}              one stream's summary
//   GET /v1/quality/{stream}/devices[?sort=count|invalid|null_rate|last_seen|duplicates|
//        out_of_order|late|out_of_range|device_id][&limit=N (default 100, max 10000)]
//        [&stale=true]                    device profiles
//   GET /v1/quality/{stream}/devices/{id} one device's profile
//
// Errors are {"error": message} with 400 (bad parameter), 404 (stream without a
// [[quality.streams]] entry, unknown device) or 405.
//
// The server's quality::Service is found through the log (Service::For), so this object
// needs nothing else and answers with an empty list when quality is off.
//
// Thread-safety: Handle may be called concurrently from I/O threads.
#pragma once

#include <string_view>

#include "http/server.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::web {

class QualityApi {
 public:
  // `log` must outlive this object.
  explicit QualityApi(log::LogManager* log) : log_(log) {}

  // False if `path` (the target without its query) is not under /v1/quality; otherwise
  // `respond` has been called.
  bool Handle(const http::Request& request, std::string_view path, http::Responder& respond);

 private:
  log::LogManager* const log_;
};

}  // namespace fluxgate::web
