#include "runtime/watermark_generator.h"

#include <algorithm>
#include <cstring>

namespace fluxgate::runtime {
namespace {
constexpr uint8_t kVersion = 1;

int64_t SaturatingSub(int64_t a, int64_t b) { return a < INT64_MIN + b ? INT64_MIN : a - b; }
}  // namespace

size_t WatermarkGenerator::AddInput() {
  inputs_.push_back(Input{INT64_MIN, clock_->NowMillis()});
  return inputs_.size() - 1;
}

void WatermarkGenerator::Observe(size_t input, const int64_t* ts, size_t n) {
  if (n == 0) return;
  int64_t m = INT64_MIN;
  for (size_t i = 0; i < n; ++i) m = std::max(m, ts[i]);
  ObserveMax(input, m);
}

void WatermarkGenerator::ObserveMax(size_t input, int64_t max_event_time) {
  Input& in = inputs_[input];
  in.max_event_time = std::max(in.max_event_time, max_event_time);
  in.last_activity_ms = clock_->NowMillis();
}

bool WatermarkGenerator::IsIdle(size_t input) const {
  return options_.idle_timeout_ms > 0 &&
         clock_->NowMillis() - inputs_[input].last_activity_ms >= options_.idle_timeout_ms;
}

int64_t WatermarkGenerator::Current() {
  const int64_t now = clock_->NowMillis();
  int64_t combined = INT64_MAX;
  bool any_active = false;
  for (const Input& in : inputs_) {
    if (options_.idle_timeout_ms > 0 && now - in.last_activity_ms >= options_.idle_timeout_ms) {
      continue;
    }
    any_active = true;
    combined = std::min(combined, SaturatingSub(in.max_event_time, options_.out_of_orderness_ms));
  }
  if (!any_active) {
    if (inputs_.empty() || !options_.advance_when_all_idle) return watermark_;
    // Every input is quiet, so each has delivered all it had: the newest event time seen
    // anywhere bounds what is complete, and so does the wall clock.
    combined = now - options_.out_of_orderness_ms;
    for (const Input& in : inputs_) {
      combined = std::max(combined, SaturatingSub(in.max_event_time, options_.out_of_orderness_ms));
    }
  }
  watermark_ = std::max(watermark_, combined);
  return watermark_;
}

void WatermarkGenerator::Snapshot(std::string& out) const {
  out.push_back(static_cast<char>(kVersion));
  uint32_t n = static_cast<uint32_t>(inputs_.size());
  out.append(reinterpret_cast<const char*>(&n), 4);
  for (const Input& in : inputs_) {
    out.append(reinterpret_cast<const char*>(&in.max_event_time), 8);
  }
  out.append(reinterpret_cast<const char*>(&watermark_), 8);
}

Status WatermarkGenerator::Restore(std::string_view in) {
  if (in.size() < 5 || static_cast<uint8_t>(in[0]) != kVersion) {
    return Status::Corruption("watermark checkpoint has an unknown version or is truncated");
  }
  uint32_t n;
  std::memcpy(&n, in.data() + 1, 4);
  if (in.size() != 5 + 8ull * n + 8) {
    return Status::Corruption("watermark checkpoint has the wrong size");
  }
  if (n != inputs_.size()) {
    return Status::InvalidArgument("watermark checkpoint has " + std::to_string(n) +
                                   " inputs, the task has " + std::to_string(inputs_.size()));
  }
  const int64_t now = clock_->NowMillis();
  for (uint32_t i = 0; i < n; ++i) {
    std::memcpy(&inputs_[i].max_event_time, in.data() + 5 + 8 * i, 8);
    inputs_[i].last_activity_ms = now;
  }
  std::memcpy(&watermark_, in.data() + 5 + 8ull * n, 8);
  return Status::Ok();
}

}  // namespace fluxgate::runtime
