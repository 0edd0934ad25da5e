// HOP(ts, slide, size [, offset]): every window whose start is offset-aligned to `slide`
// with start <= ts < start + size; that is size/slide windows when size is a multiple of
// slide (the window-TVF rule), ceil(size/slide) or fewer otherwise (legacy HOP allows it).
// Windows are produced latest start first, as Flink's SlidingEventTimeWindows does.
#pragma once

#include "runtime/window.h"

namespace fluxgate::runtime {

struct HoppingAssigner {
  int64_t slide;
  int64_t size;
  int64_t offset = 0;

  int max_windows() const { return static_cast<int>((size + slide - 1) / slide); }
  int Assign(int64_t ts, Window* out) const {
    int n = 0;
    for (int64_t start = WindowStart(ts, offset, slide); start > ts - size; start -= slide) {
      out[n++] = {start, start + size};
    }
    return n;
  }
};

}  // namespace fluxgate::runtime
