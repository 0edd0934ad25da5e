// CUMULATE(ts, step, size [, offset]): within the size-aligned tumble [s, s + size) that
// holds ts, every window [s, s + k*step) (k = 1 .. size/step) whose end is > ts. The
// windows share a start; each end fires separately, so a 1-day window with a 1-hour step
// reports the running day total every hour.
#pragma once

#include "runtime/window.h"

namespace fluxgate::runtime {

struct CumulatingAssigner {
  int64_t step;
  int64_t size;  // max window size; a multiple of step
  int64_t offset = 0;

  int max_windows() const { return static_cast<int>(size / step); }
  int Assign(int64_t ts, Window* out) const {
    int64_t start = WindowStart(ts, offset, size);
    // First end strictly after ts: start + (floor((ts - start) / step) + 1) * step.
    int n = 0;
    for (int64_t end = start + ((ts - start) / step + 1) * step; end <= start + size; end += step) {
      out[n++] = {start, end};
    }
    return n;
  }
};

}  // namespace fluxgate::runtime
