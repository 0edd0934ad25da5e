// HttpApi: what the HTTP listener (--http-listen) serves: /healthz, the read-only stream
// endpoints under /v1/streams, HTTP ingest (POST /v1/streams/{stream}/records, RecordsApi
// in records_api.h) and, given a JobManager, the job and query endpoints of JobsApi
// (jobs_api.h) under /v1/jobs and /v1/queries.
//
// Thread-safety: Handle() may be called concurrently from I/O threads.
#pragma once

#include <memory>

#include "http/server.h"
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
  // Finishes job operations in progress; later ones get 503. Call before stopping jobs.
  void Stop();

 private:
  http::Response Streams() const;
  http::Response Stream(const std::string& name) const;
  log::LogManager* log_;
  std::unique_ptr<JobsApi> jobs_;
  std::shared_ptr<const auth::Authorizer> authorizer_;  // shared with the Kinesis API
  RecordsApi records_;
  QualityApi quality_;  // GET /v1/quality/... (quality_api.h)
};

}  // namespace fluxgate::web
