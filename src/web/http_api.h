// HttpApi: what the HTTP listener (--http-listen) serves: /healthz, the read-only stream
// endpoints under /v1/streams, HTTP ingest (POST /v1/streams/{stream}/records, RecordsApi
// in records_api.h) and, given a JobManager, the job and query endpoints of JobsApi
// (jobs_api.h) under /v1/jobs and /v1/queries.
// Also the live dashboard (dashboard.h: /, /v1/events, /v1/dashboard/...), and, with a
// bearer token set, the token check for every route but /healthz and the static files.
//
// Thread-safety: Handle() may be called concurrently from I/O threads.
#pragma once

#include <memory>

#include "http/server.h"
#include "web/alerts_api.h"
#include "web/dashboard.h"
#include "web/metrics_api.h"
#include "web/quality_api.h"
#include "web/records_api.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::jobs {
class JobManager;
}
namespace fluxgate::auth {
class Authorizer;
}

namespace fluxgate::web {

class JobsApi;

class HttpApi {
 public:
  // `log` and `jobs` (nullptr: no job endpoints) must outlive this object. With an enabled
  // `authorizer`, every request but /healthz must be SigV4-signed by a permitted principal
  // (auth/http_actions.h); refusals are 403 {"error": <AWS exception>, "message"}.
  explicit HttpApi(log::LogManager* log, jobs::JobManager* jobs = nullptr,
                   std::shared_ptr<const auth::Authorizer> authorizer = nullptr,
                   RecordsApiOptions records = {});
  ~HttpApi();
  void Handle(http::Request&& request, http::Responder respond);
  // [http] bearer_token: when not empty, every route but /healthz and the dashboard's
  // static files needs it (web/dashboard_auth.h), or, with principals configured, a SigV4
  // signature. Call before the listener starts; the token is never logged.
  void SetBearerToken(std::string token) { bearer_token_ = std::move(token); }
  // The dashboard's alert, dead-letter and alarm providers (web/dashboard.h); any time.
  void SetDashboardSources(DashboardSources sources) { dashboard_.SetSources(std::move(sources)); }
  // Finishes job operations in progress; later ones get 503. Call before stopping jobs.
  void Stop();
  // GET /metrics, /v1/metrics, /v1/alarms (metrics_api.h); Attach before serving.
  MetricsApi& metrics() { return metrics_; }
  // /v1/alerts/... (alerts_api.h) for `hub`, which must outlive this; call before serving.
  void SetAlerts(alerts::AlertHub* hub) { alerts_ = std::make_unique<AlertsApi>(hub); }

 private:
  http::Response Streams() const;
  http::Response Stream(const std::string& name) const;
  log::LogManager* log_;
  std::unique_ptr<JobsApi> jobs_;
  std::shared_ptr<const auth::Authorizer> authorizer_;  // shared with the Kinesis API
  RecordsApi records_;
  QualityApi quality_;  // GET /v1/quality/... (quality_api.h)
  MetricsApi metrics_;  // GET /metrics, /v1/metrics, /v1/alarms (metrics_api.h)
  std::unique_ptr<AlertsApi> alerts_;  // /v1/alerts/... (alerts_api.h); null until SetAlerts
  std::string bearer_token_;  // empty: no token needed
  Dashboard dashboard_;       // /, /v1/events, /v1/dashboard/... (dashboard.h)
};

}  // namespace fluxgate::web
