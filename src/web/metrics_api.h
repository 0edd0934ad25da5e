// MetricsApi: the metrics and alarm endpoints of the HTTP listener
// (docs/design/metrics.md):
//
//   GET /metrics     Prometheus text format 0.0.4 (text/plain; version=0.0.4)
//   GET /v1/metrics  the same families as JSON: {"metrics":[{"name","type","help",
//                    "samples":[{"labels":{},"value"} | {"labels":{},"buckets":[[le,count]],
//                    "sum","count"}]}]}
//   GET /v1/alarms   alarm states, reasons, last transition and recent datapoints
//                    (metrics::AlarmsJson)
//
// Before Attach() (or with a null registry) /metrics is empty and /v1/alarms lists none.
//
// Thread-safety: Attach once before the listener starts; Handle from any I/O thread.
#pragma once

#include <string>
#include <string_view>

#include "http/server.h"

namespace fluxgate::metrics {
class Registry;
class AlarmEngine;
}  // namespace fluxgate::metrics

namespace fluxgate::web {

class MetricsApi {
 public:
  // Both must outlive this object (either may be null).
  void Attach(const metrics::Registry* registry, const metrics::AlarmEngine* alarms) {
    registry_ = registry;
    alarms_ = alarms;
  }

  // False if `path` is none of the endpoints above; otherwise `respond` has been called.
  bool Handle(const http::Request& request, std::string_view path, http::Responder& respond);

  // The bodies, for other callers (the dashboard).
  std::string MetricsText() const;
  std::string MetricsJson() const;
  std::string AlarmsJson() const;

 private:
  const metrics::Registry* registry_ = nullptr;
  const metrics::AlarmEngine* alarms_ = nullptr;
};

}  // namespace fluxgate::web
