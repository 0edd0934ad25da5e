// `fluxgate quality [STREAM] [--device ID]`: the data-quality view of a running server
// through its HTTP listener (/v1/quality, docs/design/quality.md).
//
//   fluxgate quality                    one line per configured stream
//   fluxgate quality iot-telemetry      that stream's devices (worst first)
//   fluxgate quality iot-telemetry --device sensor-0001   one device's profile and fields
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/server_client.h"

namespace fluxgate::cli {
namespace {

struct QualityFlags {
  std::string server = kDefaultServer;
  std::string ca_file;
  std::string stream;
  std::string device;
  std::string sort = "invalid";
  int limit = 50;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "fluxgate quality: %s\n", st.message().c_str());
  return 1;
}

std::string Ago(int64_t now_ms, int64_t ms) {
  if (ms <= 0) return "-";
  int64_t s = (now_ms - ms) / 1000;
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  return std::to_string(s / 3600) + "h ago";
}

std::string Num(simdjson::dom::element obj, const char* key) {
  double d;
  if (obj[key].get_double().get(d) != simdjson::SUCCESS) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", d);
  return buf;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size());
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      std::string cell = r[i];
      if (i + 1 < r.size()) cell += std::string(width[i] - r[i].size() + 2, ' ');
      line += cell;
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string U(simdjson::dom::element obj, const char* key) {
  return std::to_string(JsonInt(obj, key));
}

int Streams(ServerClient& client) {
  auto doc = client.Call("GET", "/v1/quality");
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::array streams;
  if ((*doc)["streams"].get_array().get(streams) != simdjson::SUCCESS || streams.size() == 0) {
    std::printf("no streams have a [[quality.streams]] entry\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"STREAM", "MODE", "RECORDS", "INVALID", "REJECTED", "DEAD-LETTERED", "DUPLICATES",
       "OUT-OF-ORDER", "LATE", "OUT-OF-RANGE", "DEVICES", "STALE", "LAG"}};
  for (simdjson::dom::element s : streams) {
    rows.push_back({JsonString(s, "stream"), JsonString(s, "on_invalid"), U(s, "records"),
                    U(s, "invalid"), U(s, "rejected"), U(s, "dead_lettered"), U(s, "duplicates"),
                    U(s, "out_of_order"), U(s, "late"), U(s, "out_of_range"), U(s, "devices"),
                    U(s, "stale_devices"), U(s, "lag_records")});
  }
  PrintTable(rows);
  return 0;
}

int Devices(ServerClient& client, const QualityFlags& f) {
  auto summary = client.Call("GET", "/v1/quality/" + UrlEncode(f.stream));
  if (!summary.ok()) return Fail(summary.status());
  std::printf("%s: %s records, %s invalid, %s rejected, %s dead-lettered, %s devices (%s stale)\n",
              f.stream.c_str(), U(*summary, "records").c_str(), U(*summary, "invalid").c_str(),
              U(*summary, "rejected").c_str(), U(*summary, "dead_lettered").c_str(),
              U(*summary, "devices").c_str(), U(*summary, "stale_devices").c_str());
  auto doc = client.Call("GET", "/v1/quality/" + UrlEncode(f.stream) + "/devices?sort=" +
                                    UrlEncode(f.sort) + "&limit=" + std::to_string(f.limit));
  if (!doc.ok()) return Fail(doc.status());
  const int64_t now = JsonInt(*doc, "now_ms");
  simdjson::dom::array devices;
  if ((*doc)["devices"].get_array().get(devices) != simdjson::SUCCESS) devices = {};
  std::vector<std::vector<std::string>> rows = {{"DEVICE", "SENSOR", "COUNT", "INVALID",
                                                 "NULL RATE", "MIN", "MAX", "MEAN", "DUPS", "OOO",
                                                 "LATE", "RANGE", "LAST SEEN", "STALE"}};
  for (simdjson::dom::element d : devices) {
    bool stale = false;
    if (d["stale"].get_bool().get(stale) != simdjson::SUCCESS) stale = false;
    rows.push_back({JsonString(d, "device_id"), JsonString(d, "sensor_type"), U(d, "count"),
                    U(d, "invalid"), Num(d, "null_rate"), Num(d, "min"), Num(d, "max"),
                    Num(d, "mean"), U(d, "duplicates"), U(d, "out_of_order"), U(d, "late"),
                    U(d, "out_of_range"), Ago(now, JsonInt(d, "last_seen_ms")),
                    stale ? "STALE" : ""});
  }
  PrintTable(rows);
  std::printf("(%zu of %lld devices, sorted by %s)\n", rows.size() - 1,
              static_cast<long long>(JsonInt(*doc, "total")), f.sort.c_str());
  return 0;
}

int Device(ServerClient& client, const QualityFlags& f) {
  auto doc =
      client.Call("GET", "/v1/quality/" + UrlEncode(f.stream) + "/devices/" + UrlEncode(f.device));
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::element d = *doc;
  bool stale = false;
  if (d["stale"].get_bool().get(stale) != simdjson::SUCCESS) stale = false;
  std::printf("device %s (%s) on %s%s\n", f.device.c_str(), JsonString(d, "sensor_type").c_str(),
              f.stream.c_str(), stale ? "  STALE" : "");
  std::printf("  records %s  invalid %s  null rate %s\n", U(d, "count").c_str(),
              U(d, "invalid").c_str(), Num(d, "null_rate").c_str());
  std::printf("  value min %s  max %s  mean %s  out of range %s\n", Num(d, "min").c_str(),
              Num(d, "max").c_str(), Num(d, "mean").c_str(), U(d, "out_of_range").c_str());
  std::printf("  duplicates %s  out of order %s  late %s\n", U(d, "duplicates").c_str(),
              U(d, "out_of_order").c_str(), U(d, "late").c_str());
  std::printf("  last seen %lld (epoch ms)\n", static_cast<long long>(JsonInt(d, "last_seen_ms")));
  const std::string reason = JsonString(d, "last_invalid_reason");
  if (!reason.empty()) std::printf("  last invalid: %s\n", reason.c_str());
  simdjson::dom::object fields;
  if (d["fields"].get_object().get(fields) == simdjson::SUCCESS) {
    std::vector<std::vector<std::string>> rows = {{"  FIELD", "MISSING", "NULL", "INVALID"}};
    for (auto [name, counts] : fields) {
      rows.push_back({"  " + std::string(name), U(counts, "missing"), U(counts, "null"),
                      U(counts, "invalid")});
    }
    PrintTable(rows);
  }
  return 0;
}

int Run(const QualityFlags& f) {
  auto client = ServerClient::Create(f.server, f.ca_file);
  if (!client.ok()) return Fail(client.status());
  if (f.stream.empty()) {
    if (!f.device.empty()) return Fail(Status::InvalidArgument("--device needs a STREAM"));
    return Streams(**client);
  }
  if (!f.device.empty()) return Device(**client, f);
  return Devices(**client, f);
}

}  // namespace

void RegisterQualityCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<QualityFlags>();
  CLI::App* cmd = app.add_subcommand(
      "quality", "Data-quality view of a running server: per-stream counts, per-device profiles");
  cmd->add_option("stream", f->stream, "Stream to show devices of (default: all streams)");
  cmd->add_option("--device", f->device, "Show one device's profile (needs STREAM)");
  cmd->add_option("--sort", f->sort,
                  "Device order: invalid, count, null_rate, last_seen, duplicates, "
                  "out_of_order, late, out_of_range, device_id")
      ->capture_default_str();
  cmd->add_option("--limit", f->limit, "Devices to show")->capture_default_str();
  cmd->add_option("--server", f->server, "HTTP listener of the server (http:// or https://)")
      ->capture_default_str();
  cmd->add_option("--ca-file", f->ca_file,
                  "PEM file of CA certificates to trust for an https:// server")
      ->check(CLI::ExistingFile);
  cmd->callback([f, exit_code] { *exit_code = Run(*f); });
}

}  // namespace fluxgate::cli
