// AtomicHistogram: a fixed-bucket histogram that hot paths record into without locks or
// allocation (one relaxed fetch_add per bucket and count, a CAS loop for the sum), and
// that a scrape reads as HistogramData (family.h).
//
// Header-only on purpose: subsystems below fg_metrics in the library graph (the Kinesis
// API's put latency) can own one without linking fg_metrics.
//
// Thread-safety: Observe from any number of threads; Snapshot from any thread. A snapshot
// taken during Observe may see the bucket incremented but not yet the sum (never a torn
// value); Prometheus tolerates that skew.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "metrics/family.h"

namespace fluxgate::metrics {

// Latency buckets in seconds, 100 us to 10 s: the range a put acknowledgement spans from
// an in-memory ack to a stalled fsync.
inline std::vector<double> LatencySecondsBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

class AtomicHistogram {
 public:
  // `bounds` must be strictly increasing and finite; the +Inf bucket is implicit.
  explicit AtomicHistogram(std::vector<double> bounds)
      : bounds_(std::move(bounds)),
        counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

  void Observe(double value) {
    const size_t i =
        std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();  // le
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    double cur = sum_.load(std::memory_order_relaxed);
    while (!sum_.compare_exchange_weak(cur, cur + value, std::memory_order_relaxed)) {
    }
  }

  HistogramData Snapshot() const {
    HistogramData d;
    d.bounds = bounds_;
    d.counts.resize(bounds_.size() + 1);
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      d.counts[i] = counts_[i].load(std::memory_order_relaxed);
      d.count += d.counts[i];
    }
    d.sum = sum_.load(std::memory_order_relaxed);
    return d;
  }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 entries
  std::atomic<double> sum_{0};
};

}  // namespace fluxgate::metrics
