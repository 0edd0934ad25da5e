// StreamRules: one [[quality.streams]] entry compiled for checking records — the schema's
// fields plus the role fields (device, timestamp, sensor type, value) as one column list,
// the physical ranges, and what to do with an invalid record.
//
// Immutable after Make; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_quality.h"
#include "common/status.h"
#include "quality/schema.h"

namespace fluxgate::quality {

enum class OnInvalid : uint8_t { kAccept, kReject, kDeadLetter };
const char* OnInvalidName(OnInvalid mode);

struct SensorRange {
  std::string sensor_type;
  double min = 0, max = 0;  // inclusive
};

class StreamRules {
 public:
  // Parses the schema (SQL column list and/or JSON Schema file; both = their fields
  // merged, the JSON Schema's rule winning for a field both declare). InvalidArgument
  // naming `quality.streams[index]`.
  static Result<std::unique_ptr<StreamRules>> Make(const QualityConfig::Stream& config,
                                                   size_t index = 0);

  const QualityConfig::Stream& config() const { return config_; }
  const std::string& stream() const { return config_.stream; }
  OnInvalid on_invalid() const { return on_invalid_; }
  // Whether ingest paths consult the rules (reject / dead-letter); accept = the profiler
  // counts invalid records, ingest pays nothing.
  bool checks_on_ingest() const { return on_invalid_ != OnInvalid::kAccept; }
  const std::string& dead_letter_stream() const { return dead_letter_stream_; }
  bool has_schema() const { return has_schema_; }
  bool additional_properties() const { return additional_properties_; }

  // Schema fields first (declared order), then role fields the schema lacks (kAny).
  const std::vector<FieldRule>& columns() const { return columns_; }
  int declared_columns() const { return declared_; }  // the first N of columns()
  int Find(std::string_view name) const;              // column index or -1
  int device_column() const { return device_; }
  int timestamp_column() const { return timestamp_; }
  int sensor_column() const { return sensor_; }
  int value_column() const { return value_; }

  // The configured range of a sensor type, nullptr if none.
  const SensorRange* RangeFor(std::string_view sensor_type) const;
  const std::vector<SensorRange>& ranges() const { return ranges_; }

 private:
  StreamRules() = default;
  QualityConfig::Stream config_;
  OnInvalid on_invalid_ = OnInvalid::kAccept;
  std::string dead_letter_stream_;
  bool has_schema_ = false;
  bool additional_properties_ = true;
  std::vector<FieldRule> columns_;
  int declared_ = 0;
  int device_ = -1, timestamp_ = -1, sensor_ = -1, value_ = -1;
  std::vector<SensorRange> ranges_;  // sorted by sensor_type
};

}  // namespace fluxgate::quality
