// Window bounds and the arithmetic every window kind shares.
//
// Windows are [start, end) in epoch milliseconds, aligned to the epoch (plus an optional
// offset), as in Flink: window_time = end - 1 ms, and a window fires once the watermark
// reaches end - 1 (reference §2: isWindowFired is wm >= end - 1). A window's state is
// kept until the watermark passes end - 1 + allowed lateness.
#pragma once

#include <cstdint>

namespace fluxgate::runtime {

struct Window {
  int64_t start = 0;
  int64_t end = 0;
  int64_t max_timestamp() const { return end - 1; }  // window_time
  bool operator==(const Window& o) const { return start == o.start && end == o.end; }
};

// Java's Math.floorMod for a positive modulus.
inline int64_t FloorMod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

// Flink TimeWindow.getWindowStartWithOffset: the start of the size-aligned window with
// `offset` that contains ts.
inline int64_t WindowStart(int64_t ts, int64_t offset, int64_t size) {
  return ts - FloorMod(ts - offset, size);
}

// Fired once wm >= end - 1.
inline bool IsWindowFired(int64_t end, int64_t watermark) { return watermark >= end - 1; }
// Past allowed lateness: the state is gone and a record for it is late.
inline bool IsWindowExpired(int64_t end, int64_t allowed_lateness, int64_t watermark) {
  // 128-bit so that end = INT64_MAX ("no window") plus a lateness cannot overflow.
  return static_cast<__int128>(watermark) >= static_cast<__int128>(end) - 1 + allowed_lateness;
}

}  // namespace fluxgate::runtime
