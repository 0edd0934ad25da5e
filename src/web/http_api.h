// HttpApi: what the HTTP listener (--http-listen) serves: /healthz, the read-only stream
// endpoints under /v1/streams and, given a JobManager, the job and query endpoints of
// JobsApi (jobs_api.h) under /v1/jobs and /v1/queries.
//
// Thread-safety: Handle() may be called concurrently from I/O threads.
#pragma once

#include <memory>

#include "http/server.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::jobs {
class JobManager;
}

namespace fluxgate::web {

class JobsApi;

class HttpApi {
 public:
  // `log` and `jobs` (nullptr: no job endpoints) must outlive this object.
  explicit HttpApi(log::LogManager* log, jobs::JobManager* jobs = nullptr);
  ~HttpApi();
  void Handle(http::Request&& request, http::Responder respond);
  // Finishes job operations in progress; later ones get 503. Call before stopping jobs.
  void Stop();

 private:
  http::Response Streams() const;
  http::Response Stream(const std::string& name) const;
  log::LogManager* log_;
  std::unique_ptr<JobsApi> jobs_;
};

}  // namespace fluxgate::web
