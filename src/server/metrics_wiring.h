// Metrics wiring: the collectors that read each subsystem's own statistics at scrape time
// into the metrics Registry (GET /metrics, the alarms), and the alarm engine publishing
// state changes to the alert hub. Names and units: docs/design/metrics.md.
//
// Thread-safety: the collectors run on the scraping thread and only call the subsystems'
// thread-safe stats accessors. Every pointer in MetricsSources may be null (that part is
// left out) and must outlive the registry's use.
#pragma once

#include <memory>

#include "common/config_alarms.h"
#include "common/status.h"

namespace fluxgate::log {
class LogManager;
}
namespace fluxgate::kinesis {
class KinesisApi;
}
namespace fluxgate::jobs {
class JobManager;
}
namespace fluxgate::alerts {
class AlertHub;
}
namespace fluxgate::ingest {
class MqttIngest;
}
namespace fluxgate::quality {
class Service;
}
namespace fluxgate::metrics {
class Registry;
class AlarmEngine;
}  // namespace fluxgate::metrics

namespace fluxgate::server {

struct MetricsSources {
  log::LogManager* log = nullptr;
  kinesis::KinesisApi* kinesis = nullptr;
  jobs::JobManager* jobs = nullptr;
  alerts::AlertHub* alerts = nullptr;
  ingest::MqttIngest* mqtt = nullptr;
  quality::Service* quality = nullptr;
};

// Adds the process collector and one collector per source to `registry`.
void AddServerCollectors(metrics::Registry& registry, const MetricsSources& sources);

// Builds the configured alarms over `registry` and starts sampling; each transition is
// published to `hub` (may be null: states only) as an alert on the alarm's topic, severity
// "critical" for ALARM, "info" otherwise. InvalidArgument for an alarm that does not
// validate. `registry` and `hub` must outlive the engine (stop it first).
Result<std::unique_ptr<metrics::AlarmEngine>> StartAlarmEngine(const AlarmsConfig& config,
                                                               const metrics::Registry* registry,
                                                               alerts::AlertHub* hub);

}  // namespace fluxgate::server
