// Metric snapshot types: what a scrape of the Registry (registry.h) returns and what the
// exposition writer (exposition.h) and the alarm engine (alarm_engine.h) read.
//
// Names and units follow Prometheus conventions: snake_case, a unit suffix (_seconds,
// _bytes, _milliseconds), counters end in _total. Plain values; safe to copy across threads.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fluxgate::metrics {

// Label pairs in the order they are written (callers pass them in a fixed order).
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };
const char* MetricTypeName(MetricType type);  // "counter" | "gauge" | "histogram"

// A histogram at one instant. counts[i] is the number of observations in bucket i alone
// (not cumulative): bucket i holds values <= bounds[i] and > bounds[i-1]; the last entry
// (counts.size() == bounds.size() + 1) is the +Inf bucket. bounds strictly increase.
struct HistogramData {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;
  double sum = 0;
  uint64_t count = 0;  // == sum of counts
};

struct Sample {
  Labels labels;
  double value = 0;         // counters and gauges
  HistogramData histogram;  // histograms
};

struct MetricFamily {
  std::string name;  // without _total/_bucket suffixes added by the writer: as exposed
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;
};

}  // namespace fluxgate::metrics
