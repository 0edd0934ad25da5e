// DDSketch: a mergeable quantile sketch with a relative-error guarantee (Masson, Rim and
// Lee, VLDB 2019). Values fall into logarithmic buckets gamma^(i-1) < |x| <= gamma^i with
// gamma = (1 + alpha) / (1 - alpha); a bucket's representative 2 gamma^i / (gamma + 1) is
// within relative error alpha of every value in it. So the value returned for rank k is
// within alpha * |x_k| of the exact k-th smallest value x_k, and a linear interpolation
// between ranks stays within alpha of the exact interpolated percentile when both
// neighbours have the same sign. |x| < kMinIndexable counts as zero.
//
// Memory: one 4-byte counter per occupied bucket range per sign; with alpha = 1% values
// spanning 1e-3..1e6 need ~1000 buckets (4 KB). Beyond kMaxBuckets per sign the lowest
// buckets are folded together, which only loosens the bound for the smallest magnitudes.
// Merging sketches with the same alpha is exact (bucket counts add). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fluxgate::runtime {

class DDSketch {
 public:
  static constexpr double kAlpha = 0.01;
  static constexpr double kMinIndexable = 1e-9;
  static constexpr size_t kMaxBuckets = 4096;

  void Add(double x);
  void Merge(const DDSketch& other);
  uint64_t count() const { return count_; }
  // The q-quantile (0 <= q <= 1) with linear interpolation between ranks, like Flink's
  // PERCENTILE; NaN when empty.
  double Quantile(double q) const;
  size_t MemoryUsage() const;
  void Serialize(std::string& out) const;
  bool Restore(std::string_view& in);

 private:
  // Buckets for one sign: counts_[i] holds index min_index_ + i.
  struct Store {
    int32_t min_index = 0;
    std::vector<uint32_t> counts;
    void Add(int32_t index, uint32_t n);
  };
  double ValueAtRank(uint64_t rank) const;
  static int32_t Index(double magnitude);
  static double Representative(int32_t index);

  Store positive_;
  Store negative_;  // indexed by magnitude
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
};

}  // namespace fluxgate::runtime
