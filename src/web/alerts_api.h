// AlertsApi: the alert endpoints of the HTTP listener (docs/design/alerts.md "Admin API"),
// JSON in and out, used by `fluxgate alerts` and the dashboard:
//
//   GET    /v1/alerts/topics                  topics with their subscription counts
//   GET    /v1/alerts/subscriptions           every subscription with its counters
//   POST   /v1/alerts/subscriptions           add one: {"topic","kind","url"|"address"|
//                                             "path","secret","filter"} → 201 (persisted)
//   DELETE /v1/alerts/subscriptions/{id}      remove one added at run time
//   POST   /v1/alerts/test                    {"topic","message"} → 202 {"id"}
//   GET    /v1/alerts/dead-letters[?limit=N]  newest last (default 100, max 10000)
//   GET    /v1/alerts/recent[?limit=N]        the alert feed, newest last (max 1000)
//   GET    /v1/alerts/stats                   AlertHubStats
//
// Errors are {"error": name, "message": text} with 400, 404, 405, 409 or 503. Secrets
// (webhook paths and queries, HMAC secrets, SMTP passwords) never appear in answers.
//
// Thread-safety: Handle may be called concurrently from I/O threads (AlertHub is).
#pragma once

#include <string_view>

#include "http/server.h"

namespace fluxgate::alerts {
class AlertHub;
}

namespace fluxgate::web {

class AlertsApi {
 public:
  // `hub` (nullptr: every alert path answers 503) must outlive this object.
  explicit AlertsApi(alerts::AlertHub* hub) : hub_(hub) {}

  // False if `path` (the target without its query) is not under /v1/alerts; otherwise
  // `respond` has been called.
  bool Handle(const http::Request& request, std::string_view path, http::Responder& respond);

 private:
  alerts::AlertHub* const hub_;
};

}  // namespace fluxgate::web
