// Retry backoff for alert delivery: exponential with "equal jitter", so receivers that
// failed together (a restart) are not hit again by every subscription at once.
// Pure function; safe from any thread.
#pragma once

#include <algorithm>
#include <cstdint>

namespace fluxgate::alerts {

// The wait before attempt `failed_attempts + 1`, in ms: d = min(max_ms, initial_ms *
// 2^(failed_attempts-1)), then d/2 + u * d/2 for `u` uniform in [0, 1). So it always lies
// within [d/2, d] and never exceeds max_ms.
inline int64_t BackoffMs(uint32_t failed_attempts, int64_t initial_ms, int64_t max_ms, double u) {
  int64_t d = std::max<int64_t>(initial_ms, 1);
  for (uint32_t i = 1; i < failed_attempts && d < max_ms && d <= INT64_MAX / 2; ++i) d *= 2;
  d = std::min(d, max_ms);
  u = std::clamp(u, 0.0, 1.0);
  return std::min<int64_t>(d, d / 2 + static_cast<int64_t>(u * static_cast<double>(d - d / 2)));
}

}  // namespace fluxgate::alerts
