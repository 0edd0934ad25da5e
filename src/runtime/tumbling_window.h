// TUMBLE(ts, size [, offset]): exactly one window, start = ts - floorMod(ts - offset, size).
#pragma once

#include "runtime/window.h"

namespace fluxgate::runtime {

struct TumblingAssigner {
  int64_t size;
  int64_t offset = 0;

  static constexpr int kMaxWindows = 1;
  int max_windows() const { return 1; }
  int Assign(int64_t ts, Window* out) const {
    int64_t start = WindowStart(ts, offset, size);
    out[0] = {start, start + size};
    return 1;
  }
};

}  // namespace fluxgate::runtime
