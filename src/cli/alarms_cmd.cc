// `fluxgate alarms [NAME]`: the alarm states of a running server through its HTTP listener
// (GET /v1/alarms, docs/design/metrics.md).
//
//   fluxgate alarms                 one line per alarm: state, condition, last change
//   fluxgate alarms kinesis-records that alarm's reason and recent datapoints
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/server_client.h"

namespace fluxgate::cli {
namespace {

struct AlarmsFlags {
  std::string server = kDefaultServer;
  std::string ca_file;
  std::string name;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "fluxgate alarms: %s\n", st.message().c_str());
  return 1;
}

std::string Number(simdjson::dom::element obj, const char* key) {
  double d;
  if (obj[key].get_double().get(d) != simdjson::SUCCESS) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", d);
  return buf;
}

const char* Operator(const std::string& comparison) {
  if (comparison == "GreaterThanThreshold") return ">";
  if (comparison == "GreaterThanOrEqualToThreshold") return ">=";
  if (comparison == "LessThanThreshold") return "<";
  if (comparison == "LessThanOrEqualToThreshold") return "<=";
  return "?";
}

std::string Condition(simdjson::dom::element a) {
  std::string metric = JsonString(a, "metric");
  simdjson::dom::object labels;
  if (a["labels"].get_object().get(labels) == simdjson::SUCCESS && labels.size() > 0) {
    metric += "{";
    bool first = true;
    for (auto [k, v] : labels) {
      std::string_view value;
      if (v.get_string().get(value) != simdjson::SUCCESS) continue;
      if (!first) metric += ",";
      first = false;
      metric += std::string(k) + "=\"" + std::string(value) + "\"";
    }
    metric += "}";
  }
  return JsonString(a, "statistic") + "(" + metric + ") " + Operator(JsonString(a, "comparison")) +
         " " + Number(a, "threshold") + " for " + Number(a, "datapoints_to_alarm") + " of " +
         Number(a, "evaluation_periods") + " x " + Number(a, "period_seconds") + "s";
}

std::string Time(simdjson::dom::element a, const char* key) {
  double secs;
  if (a[key].get_double().get(secs) != simdjson::SUCCESS) return "never";
  time_t t = static_cast<time_t>(secs);
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int Run(const AlarmsFlags& f) {
  auto client = ServerClient::Create(f.server, f.ca_file);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("GET", "/v1/alarms");
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::array alarms;
  if ((*doc)["alarms"].get_array().get(alarms) != simdjson::SUCCESS || alarms.size() == 0) {
    std::printf("no alarms are configured\n");
    return 0;
  }
  if (f.name.empty()) {
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "STATE", "CONDITION", "TOPIC", "LAST CHANGE"}};
    for (simdjson::dom::element a : alarms) {
      rows.push_back({JsonString(a, "name"), JsonString(a, "state"), Condition(a),
                      JsonString(a, "topic"), Time(a, "last_transition")});
    }
    std::vector<size_t> width(rows[0].size());
    for (const auto& r : rows)
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i)
        line += i + 1 < r.size() ? r[i] + std::string(width[i] - r[i].size() + 2, ' ') : r[i];
      std::printf("%s\n", line.c_str());
    }
    return 0;
  }
  for (simdjson::dom::element a : alarms) {
    if (JsonString(a, "name") != f.name) continue;
    std::printf("%s: %s\n", f.name.c_str(), JsonString(a, "state").c_str());
    const std::string description = JsonString(a, "description");
    if (!description.empty()) std::printf("  %s\n", description.c_str());
    std::printf("  condition:   %s (missing data: %s)\n", Condition(a).c_str(),
                JsonString(a, "treat_missing_data").c_str());
    std::printf("  topic:       %s\n", JsonString(a, "topic").c_str());
    std::printf("  reason:      %s\n", JsonString(a, "reason").c_str());
    std::printf("  last change: %s\n", Time(a, "last_transition").c_str());
    std::printf("  datapoints (oldest first):\n");
    simdjson::dom::array points;
    if (a["datapoints"].get_array().get(points) == simdjson::SUCCESS) {
      for (simdjson::dom::element p : points)
        std::printf("    %s  %s\n", Time(p, "start").c_str(),
                    p["value"].is_null() ? "missing" : Number(p, "value").c_str());
    }
    return 0;
  }
  return Fail(Status::NotFound("no alarm named '" + f.name + "'"));
}

}  // namespace

void RegisterAlarmsCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<AlarmsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "alarms", "Alarm states of a running server: OK / ALARM / INSUFFICIENT_DATA and why");
  cmd->add_option("name", f->name, "Alarm to show in detail (reason, recent datapoints)");
  cmd->add_option("--server", f->server, "HTTP listener of the server (http:// or https://)")
      ->capture_default_str();
  cmd->add_option("--ca-file", f->ca_file,
                  "PEM file of CA certificates to trust for an https:// server")
      ->check(CLI::ExistingFile);
  cmd->callback([f, exit_code] { *exit_code = Run(*f); });
}

}  // namespace fluxgate::cli
