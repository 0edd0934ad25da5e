#include "common/config_alarms.h"

#include <toml++/toml.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::KeyError;
using config_internal::TableReader;
using config_internal::ValidName;

std::vector<AlarmsConfig::Alarm> AlarmsConfig::DefaultAlarms() {
  Alarm records;
  records.name = "kinesis-records";
  records.description = "Monitor stream incoming records";
  records.metric = "fluxgate_stream_incoming_records_total";
  records.labels = {{"stream", "iot-telemetry"}};
  records.statistic = "Sum";
  records.period_seconds = 300;
  records.evaluation_periods = 2;
  records.threshold = 100;
  records.threshold_set = true;
  records.topic = "iot-alerts";
  Alarm errors;
  errors.name = "processing-errors";
  errors.description = "Monitor processing errors (job dead-letter records)";
  errors.metric = "fluxgate_job_dead_letter_records_total";
  errors.statistic = "Sum";
  errors.period_seconds = 300;
  errors.evaluation_periods = 1;
  errors.threshold = 5;
  errors.threshold_set = true;
  errors.topic = "iot-alerts";
  return {records, errors};
}

bool ValidMetricName(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool ValidLabelName(const std::string& s) {
  return ValidMetricName(s) && s.find(':') == std::string::npos;
}

bool ValidAlarmStatistic(const std::string& s) {
  if (s == "Sum" || s == "Average" || s == "Minimum" || s == "Maximum" || s == "SampleCount")
    return true;
  if (s.size() < 2 || s[0] != 'p') return false;
  // p + digits, optionally '.' + digits; CloudWatch allows up to two decimals.
  size_t dot = s.find('.');
  const std::string whole = s.substr(1, dot == std::string::npos ? std::string::npos : dot - 1);
  const std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  auto digits = [](const std::string& d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(whole) || whole.size() > 3) return false;
  if (dot != std::string::npos && (!digits(frac) || frac.size() > 2)) return false;
  const double p = std::strtod(s.c_str() + 1, nullptr);
  return p > 0 && p <= 100;
}

namespace {

Status ReadAlarm(TableReader& r, const toml::table& t, AlarmsConfig::Alarm& a) {
  const std::string& file = r.file();
  const std::string& at = r.prefix();
  a = AlarmsConfig::Alarm{};
  r.Read("name", a.name);
  r.Read("description", a.description);
  r.Read("metric", a.metric);
  r.Read("statistic", a.statistic);
  if (t.contains("period_seconds") && t.contains("period"))
    return KeyError(file, at + "period", "give either period or period_seconds, not both");
  r.Read("period_seconds", a.period_seconds);
  r.Read("period", a.period_seconds);
  r.Read("evaluation_periods", a.evaluation_periods);
  r.Read("datapoints_to_alarm", a.datapoints_to_alarm);
  r.Read("comparison", a.comparison);
  r.Read("treat_missing_data", a.treat_missing_data);
  r.Read("topic", a.topic);
  const toml::table* labels = r.Sub("labels");
  FG_RETURN_IF_ERROR(r.Finish());
  if (const toml::node* n = t.get("threshold")) {
    if (auto d = n->value_exact<double>()) {
      a.threshold = *d;
    } else if (auto i = n->value_exact<int64_t>()) {
      a.threshold = static_cast<double>(*i);
    } else {
      return KeyError(file, at + "threshold", "expected a number");
    }
    a.threshold_set = true;
  }
  if (labels != nullptr) {
    for (const auto& [k, v] : *labels) {
      auto s = v.value_exact<std::string>();
      if (!s) return KeyError(file, at + "labels." + std::string(k.str()), "expected a string");
      a.labels.emplace_back(std::string(k.str()), *s);
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadAlarmsConfig(const toml::array& alarms, const std::string& file, AlarmsConfig& out) {
  out.alarms.clear();
  for (size_t i = 0; i < alarms.size(); ++i) {
    const toml::table* table = alarms.get(i)->as_table();
    if (table == nullptr)
      return KeyError(file, "alarms", "expected an array of tables ([[alarms]])");
    // 'threshold' is a number (integer or float), which TableReader does not read: the
    // reader sees the table without it and ReadAlarm takes it from the original.
    toml::table rest = *table;
    rest.erase("threshold");
    TableReader r(rest, "alarms[" + std::to_string(i) + "].", file);
    AlarmsConfig::Alarm a;
    FG_RETURN_IF_ERROR(ReadAlarm(r, *table, a));
    out.alarms.push_back(std::move(a));
  }
  return Status::Ok();
}

Status ValidateAlarmsConfig(const AlarmsConfig& config) {
  std::set<std::string> names;
  for (size_t i = 0; i < config.alarms.size(); ++i) {
    const AlarmsConfig::Alarm& a = config.alarms[i];
    const std::string at = "alarms[" + std::to_string(i) + "].";
    auto bad = [&](const char* key, const std::string& what) {
      return Status::InvalidArgument(at + key + ": " + what);
    };
    if (!ValidName(a.name, 255))
      return bad("name", "required: 1 to 255 characters of [A-Za-z0-9._-]");
    if (!names.insert(a.name).second) return bad("name", "duplicate alarm name '" + a.name + "'");
    if (!ValidMetricName(a.metric))
      return bad("metric",
                 "required: a metric name as /metrics shows it, e.g. "
                 "fluxgate_stream_incoming_records_total");
    for (const auto& [k, v] : a.labels) {
      if (!ValidLabelName(k) || k == "le")
        return bad("labels", "'" + k + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not le)");
    }
    if (!ValidAlarmStatistic(a.statistic))
      return bad("statistic",
                 "expected Sum, Average, Minimum, Maximum, SampleCount or a "
                 "percentile p0.01..p100 (e.g. p99); got \"" +
                     a.statistic + "\"");
    if (a.period_seconds < 1 || a.period_seconds > 86'400)
      return bad("period_seconds", "must be between 1 and 86400");
    if (a.evaluation_periods < 1) return bad("evaluation_periods", "must be at least 1");
    // CloudWatch's bound: period x evaluation periods at most 7 days.
    if (uint64_t{a.period_seconds} * a.evaluation_periods > 604'800)
      return bad("evaluation_periods",
                 "period_seconds x evaluation_periods must not exceed "
                 "604800 (7 days)");
    if (a.datapoints_to_alarm > a.evaluation_periods)
      return bad("datapoints_to_alarm", "must be between 1 and evaluation_periods (" +
                                            std::to_string(a.evaluation_periods) + ")");
    if (a.comparison != "GreaterThanThreshold" && a.comparison != "GreaterThanOrEqualToThreshold" &&
        a.comparison != "LessThanThreshold" && a.comparison != "LessThanOrEqualToThreshold")
      return bad("comparison",
                 "expected GreaterThanThreshold, GreaterThanOrEqualToThreshold, "
                 "LessThanThreshold or LessThanOrEqualToThreshold; got \"" +
                     a.comparison + "\"");
    if (!a.threshold_set) return bad("threshold", "required");
    if (!std::isfinite(a.threshold)) return bad("threshold", "must be a finite number");
    if (a.treat_missing_data != "missing" && a.treat_missing_data != "notBreaching" &&
        a.treat_missing_data != "breaching" && a.treat_missing_data != "ignore")
      return bad("treat_missing_data",
                 "expected missing, notBreaching, breaching or ignore; "
                 "got \"" +
                     a.treat_missing_data + "\"");
    if (!a.topic.empty() && !ValidName(a.topic, 256))
      return bad("topic", "1 to 256 characters of [A-Za-z0-9._-]");
  }
  return Status::Ok();
}

}  // namespace fluxgate
