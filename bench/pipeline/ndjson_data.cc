#include "ndjson_data.h"

#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "sim/generator.h"

namespace fluxgate::bench {
namespace {

constexpr int64_t kWindowMs = 5 * 60 * 1000;

}  // namespace

NdjsonData NdjsonData::FromText(std::string text) {
  NdjsonData d;
  if (!text.empty() && text.back() != '\n') text += '\n';
  // Drop empty lines so line i is record i.
  std::string packed;
  packed.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl > pos) {
      d.starts_.push_back(packed.size());
      packed.append(text, pos, nl - pos + 1);
    }
    pos = nl + 1;
  }
  d.starts_.push_back(packed.size());
  packed.append(simdjson::SIMDJSON_PADDING, ' ');
  d.text_ = std::move(packed);
  if (d.starts_.size() == 1) d.starts_.clear();
  return d;
}

NdjsonData GenerateNdjson(const NdjsonOptions& options) {
  sim::GeneratorOptions go;
  go.seed = options.seed;
  go.devices = options.devices;
  go.anomaly_rate = options.anomaly_rate;
  sim::Generator gen(go);
  std::string text;
  text.reserve(options.records * 160);
  for (uint64_t i = 0; i < options.records; ++i) {
    const int64_t now = options.start_us + static_cast<int64_t>(i) * options.interval_us;
    sim::Reading r = gen.Next(now);
    sim::AppendRecordJson(gen.devices()[r.device], r, &text);
    text += '\n';
  }
  return NdjsonData::FromText(std::move(text));
}

bool ReadNdjsonFile(const std::string& path, NdjsonData* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = NdjsonData::FromText(std::move(buf).str());
  if (out->size() == 0) {
    *error = path + " has no records";
    return false;
  }
  return true;
}

bool WriteNdjsonFile(const std::string& path, const NdjsonData& data, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    *error = "cannot create " + path;
    return false;
  }
  const std::string_view text = data.text();
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

std::string_view DeviceIdOf(std::string_view line) {
  constexpr std::string_view kKey = "\"device_id\":\"";
  const auto at = line.find(kKey);
  if (at == std::string_view::npos) return {};
  const auto b = at + kKey.size();
  const auto e = line.find('"', b);
  if (e == std::string_view::npos) return {};
  return line.substr(b, e - b);
}

ExpectedOutput ComputeExpected(const NdjsonData& data) {
  ExpectedOutput out;
  out.records = data.size();
  struct Agg {
    double max, min;
  };
  std::unordered_map<std::string, Agg> groups;
  std::unordered_set<int64_t> windows;
  simdjson::ondemand::parser parser;
  std::string key;
  bool first = true;
  for (size_t i = 0; i < data.size(); ++i) {
    const std::string_view line = data.line(i);
    simdjson::padded_string_view view(line.data(), line.size(), data.capacity_from(i));
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    std::string_view device, ts, type, location;
    double value = 0;
    if (parser.iterate(view).get(doc) || doc.get_object().get(obj) ||
        obj.find_field_unordered("device_id").get_string().get(device) ||
        obj.find_field_unordered("timestamp").get_string().get(ts) ||
        obj.find_field_unordered("sensor_type").get_string().get(type) ||
        obj.find_field_unordered("value").get_double().get(value) ||
        obj.find_field_unordered("location").get_string().get(location)) {
      ++out.bad_lines;
      continue;
    }
    auto parsed = sim::ParseTimestamp(ts);
    if (!parsed.ok()) {
      ++out.bad_lines;
      continue;
    }
    const int64_t ms = *parsed / 1000;  // TIMESTAMP(3) truncates
    if (first || ms < out.first_event_ms) out.first_event_ms = ms;
    if (first || ms > out.last_event_ms) out.last_event_ms = ms;
    first = false;
    const int64_t window = (ms >= 0 ? ms / kWindowMs : (ms - kWindowMs + 1) / kWindowMs);
    windows.insert(window);
    key.assign(device);
    key += '\0';
    key += type;
    key += '\0';
    key += location;
    key += '\0';
    key += std::to_string(window);
    auto [it, inserted] = groups.try_emplace(key, Agg{value, value});
    if (!inserted) {
      it->second.max = std::max(it->second.max, value);
      it->second.min = std::min(it->second.min, value);
    }
    if ((type == "temperature" && value > 80) || (type == "pressure" && value > 100) ||
        (type == "vibration" && value > 50)) {
      ++out.alerts;
    }
  }
  out.groups = groups.size();
  out.windows = windows.size();
  for (const auto& [k, agg] : groups) {
    out.sum_of_max += agg.max;
    out.sum_of_min += agg.min;
  }
  return out;
}

namespace floor_haswell {
double ParseSeconds(const NdjsonData& data, bool per_line, uint64_t* checksum);
}
namespace floor_fallback {
double ParseSeconds(const NdjsonData& data, bool per_line, uint64_t* checksum);
}

bool SimdjsonHaswellKernel() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("pclmul");
}

double SimdjsonParseSeconds(const NdjsonData& data, bool per_line, uint64_t* checksum) {
  return SimdjsonHaswellKernel() ? floor_haswell::ParseSeconds(data, per_line, checksum)
                                 : floor_fallback::ParseSeconds(data, per_line, checksum);
}

std::string SimdjsonVersion() {
  return std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
         std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." +
         std::to_string(simdjson::SIMDJSON_VERSION_REVISION);
}

}  // namespace fluxgate::bench
