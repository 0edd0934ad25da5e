#include "quality/rules.h"

#include <algorithm>

namespace fluxgate::quality {

const char* OnInvalidName(OnInvalid mode) {
  switch (mode) {
    case OnInvalid::kAccept:
      return "accept";
    case OnInvalid::kReject:
      return "reject";
    case OnInvalid::kDeadLetter:
      return "dead-letter";
  }
  return "?";
}

Result<std::unique_ptr<StreamRules>> StreamRules::Make(const QualityConfig::Stream& c,
                                                       size_t index) {
  std::unique_ptr<StreamRules> r(new StreamRules());
  const std::string at = "quality.streams[" + std::to_string(index) + "] (" + c.stream + "): ";
  r->config_ = c;
  r->on_invalid_ = c.on_invalid == "reject"        ? OnInvalid::kReject
                   : c.on_invalid == "dead-letter" ? OnInvalid::kDeadLetter
                                                   : OnInvalid::kAccept;
  r->dead_letter_stream_ =
      c.dead_letter_stream.empty() ? c.stream + "-dead-letters" : c.dead_letter_stream;
  if (!c.schema.empty()) {
    auto s = ParseSqlColumns(c.schema);
    if (!s.ok()) return Status::InvalidArgument(at + s.status().message());
    r->columns_ = std::move(s->fields);
    r->has_schema_ = true;
  }
  if (!c.json_schema.empty()) {
    auto s = LoadJsonSchemaFile(c.json_schema);
    if (!s.ok()) return Status::InvalidArgument(at + s.status().message());
    for (FieldRule& f : s->fields) {
      auto it = std::find_if(r->columns_.begin(), r->columns_.end(),
                             [&](const FieldRule& x) { return x.name == f.name; });
      if (it != r->columns_.end()) {
        *it = std::move(f);
      } else {
        r->columns_.push_back(std::move(f));
      }
    }
    r->additional_properties_ = s->additional_properties;
    r->has_schema_ = true;
  }
  r->declared_ = static_cast<int>(r->columns_.size());
  auto role = [&](const std::string& name) {
    int i = r->Find(name);
    if (i >= 0) return i;
    r->columns_.push_back(FieldRule{name, FieldType::kAny, false, true, {}, {}, {}, {}});
    return static_cast<int>(r->columns_.size() - 1);
  };
  r->device_ = role(c.device_field);
  r->timestamp_ = role(c.timestamp_field);
  r->sensor_ = role(c.sensor_type_field);
  r->value_ = role(c.value_field);
  for (const auto& [type, range] : c.ranges)
    r->ranges_.push_back(SensorRange{type, range.first, range.second});
  std::sort(r->ranges_.begin(), r->ranges_.end(), [](const SensorRange& a, const SensorRange& b) {
    return a.sensor_type < b.sensor_type;
  });
  return r;
}

int StreamRules::Find(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return static_cast<int>(i);
  return -1;
}

const SensorRange* StreamRules::RangeFor(std::string_view sensor_type) const {
  // A handful of sensor types: a linear scan beats a map here.
  for (const SensorRange& r : ranges_)
    if (r.sensor_type == sensor_type) return &r;
  return nullptr;
}

}  // namespace fluxgate::quality
