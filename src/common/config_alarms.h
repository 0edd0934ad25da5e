// AlarmsConfig: the [[alarms]] tables of the serve config — CloudWatch-style alarms over
// fluxgate's own metrics (docs/configuration.md "[[alarms]]", docs/design/metrics.md).
// The defaults are the recipe's two alarms; an [[alarms]] list in the file replaces them
// (`alarms = []` turns them off).
// Plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct AlarmsConfig {
  struct Alarm {
    std::string name;         // required; 1-255 of [A-Za-z0-9._-], unique
    std::string description;  // free text, carried in the alert
    std::string metric;       // required; a metric family name as /metrics shows it
    // labels = { stream = "iot-telemetry" }: series must carry these values; the
    // matching series' values are combined (counters: summed).
    std::vector<std::pair<std::string, std::string>> labels;
    std::string statistic = "Sum";     // Sum | Average | Minimum | Maximum | SampleCount | pNN
    uint32_t period_seconds = 300;     // 'period_seconds' or 'period'; 1..86400
    uint32_t evaluation_periods = 1;   // N
    uint32_t datapoints_to_alarm = 0;  // M (1..N); 0 = N
    std::string comparison = "GreaterThanThreshold";  // ...OrEqualTo..., LessThan...
    double threshold = 0;
    bool threshold_set = false;                  // 'threshold' is required
    std::string treat_missing_data = "missing";  // missing | notBreaching | breaching | ignore
    std::string topic;  // alert topic for state changes; empty: not published
  };
  std::vector<Alarm> alarms = DefaultAlarms();

  // The recipe's two CloudWatch alarms on our metric names, publishing to 'iot-alerts':
  //   kinesis-records: Sum of fluxgate_stream_incoming_records_total{stream="iot-telemetry"}
  //                    > 100 per 300 s for 2 of 2 periods;
  //   processing-errors: Sum of fluxgate_job_dead_letter_records_total > 5 per 300 s.
  static std::vector<Alarm> DefaultAlarms();
};

// Reads the top-level [[alarms]] array into `out` (replacing the defaults).
Status LoadAlarmsConfig(const toml::array& alarms, const std::string& file, AlarmsConfig& out);
// InvalidArgument naming the key ("alarms[1].statistic: ...") on the first bad value.
Status ValidateAlarmsConfig(const AlarmsConfig& config);

// Shared with the metrics library's parser so the two agree on what is valid.
bool ValidAlarmStatistic(const std::string& s);  // Sum ... SampleCount, p0 < pNN[.N] <= p100
bool ValidMetricName(const std::string& s);      // [a-zA-Z_:][a-zA-Z0-9_:]*
bool ValidLabelName(const std::string& s);       // [a-zA-Z_][a-zA-Z0-9_]*

}  // namespace fluxgate
