// LatencyHistogram: a fixed log-linear histogram of microsecond latencies (4 buckets per
// power of two, so a percentile is within 25% of the true value) for the receive->PUBACK
// time of MQTT messages.
//
// Thread-safety: Record from one thread, Percentile from any (relaxed atomics: a reader
// may see a count a few records old, never a torn one).
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace fluxgate::ingest {

class LatencyHistogram {
 public:
  static constexpr int kBuckets = 4 * 42;

  void Record(uint64_t us) { counts_[Index(us)].fetch_add(1, std::memory_order_relaxed); }

  // Upper bound of the bucket holding the q-quantile (0 < q <= 1); 0 when empty.
  uint64_t Percentile(double q) const {
    uint64_t total = 0;
    std::array<uint64_t, kBuckets> c;
    for (int i = 0; i < kBuckets; ++i) total += c[i] = counts_[i].load(std::memory_order_relaxed);
    if (total == 0) return 0;
    const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total) + 0.999999);
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += c[i];
      if (seen >= rank && c[i] > 0) return UpperBound(i);
    }
    return UpperBound(kBuckets - 1);
  }

  static int Index(uint64_t us) {
    if (us < 4) return static_cast<int>(us);
    const int msb = 63 - std::countl_zero(us);  // >= 2
    const int sub = static_cast<int>((us >> (msb - 2)) & 3);
    const int i = (msb - 1) * 4 + sub;
    return i < kBuckets ? i : kBuckets - 1;
  }
  static uint64_t UpperBound(int index) {
    if (index < 4) return static_cast<uint64_t>(index);
    const int msb = index / 4 + 1;
    const uint64_t sub = static_cast<uint64_t>(index % 4);
    return ((4 + sub + 1) << (msb - 2)) - 1;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

}  // namespace fluxgate::ingest
