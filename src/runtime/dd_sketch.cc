#include "runtime/dd_sketch.h"

#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>

namespace fluxgate::runtime {
namespace {

const double kGamma = (1 + DDSketch::kAlpha) / (1 - DDSketch::kAlpha);
const double kLogGamma = std::log(kGamma);

template <class T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
bool Get(std::string_view& in, T* v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

int32_t DDSketch::Index(double magnitude) {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / kLogGamma));
}

double DDSketch::Representative(int32_t index) {
  return 2 * std::pow(kGamma, index) / (kGamma + 1);
}

void DDSketch::Store::Add(int32_t index, uint32_t n) {
  if (counts.empty()) {
    min_index = index;
    counts.assign(1, 0);
  } else if (index < min_index) {
    size_t grow = static_cast<size_t>(min_index - index);
    counts.insert(counts.begin(), grow, 0);
    min_index = index;
  } else if (static_cast<size_t>(index - min_index) >= counts.size()) {
    counts.resize(static_cast<size_t>(index - min_index) + 1, 0);
  }
  counts[static_cast<size_t>(index - min_index)] += n;
  if (counts.size() > kMaxBuckets) {
    // Fold the lowest buckets into the lowest one we keep.
    size_t drop = counts.size() - kMaxBuckets;
    uint64_t folded = 0;
    for (size_t i = 0; i < drop; ++i) folded += counts[i];
    counts.erase(counts.begin(), counts.begin() + static_cast<ptrdiff_t>(drop));
    counts[0] += static_cast<uint32_t>(folded);
    min_index += static_cast<int32_t>(drop);
  }
}

void DDSketch::Add(double x) {
  if (std::isnan(x)) return;
  ++count_;
  double m = std::fabs(x);
  if (m < kMinIndexable) {
    ++zero_count_;
    return;
  }
  if (std::isinf(m)) m = std::numeric_limits<double>::max();
  (x > 0 ? positive_ : negative_).Add(Index(m), 1);
}

void DDSketch::Merge(const DDSketch& o) {
  for (size_t i = 0; i < o.positive_.counts.size(); ++i) {
    if (o.positive_.counts[i]) {
      positive_.Add(o.positive_.min_index + static_cast<int32_t>(i), o.positive_.counts[i]);
    }
  }
  for (size_t i = 0; i < o.negative_.counts.size(); ++i) {
    if (o.negative_.counts[i]) {
      negative_.Add(o.negative_.min_index + static_cast<int32_t>(i), o.negative_.counts[i]);
    }
  }
  zero_count_ += o.zero_count_;
  count_ += o.count_;
}

double DDSketch::ValueAtRank(uint64_t rank) const {
  uint64_t seen = 0;
  // Negative values, most negative (largest magnitude) first.
  for (size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (rank < seen) return -Representative(negative_.min_index + static_cast<int32_t>(i));
  }
  seen += zero_count_;
  if (rank < seen) return 0;
  for (size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (rank < seen) return Representative(positive_.min_index + static_cast<int32_t>(i));
  }
  return Representative(positive_.min_index + static_cast<int32_t>(positive_.counts.size()) - 1);
}

double DDSketch::Quantile(double q) const {
  if (count_ == 0) return std::nan("");
  q = q < 0 ? 0 : (q > 1 ? 1 : q);
  double r = q * static_cast<double>(count_ - 1);
  auto lo = static_cast<uint64_t>(std::floor(r));
  auto hi = static_cast<uint64_t>(std::ceil(r));
  double vlo = ValueAtRank(lo);
  if (hi == lo) return vlo;
  double vhi = ValueAtRank(hi);
  return vlo + (vhi - vlo) * (r - static_cast<double>(lo));
}

size_t DDSketch::MemoryUsage() const {
  return sizeof(*this) + 4 * (positive_.counts.capacity() + negative_.counts.capacity());
}

void DDSketch::Serialize(std::string& out) const {
  Put(out, count_);
  Put(out, zero_count_);
  for (const Store* s : {&positive_, &negative_}) {
    Put(out, s->min_index);
    Put(out, static_cast<uint32_t>(s->counts.size()));
    out.append(reinterpret_cast<const char*>(s->counts.data()), s->counts.size() * 4);
  }
}

bool DDSketch::Restore(std::string_view& in) {
  if (!Get(in, &count_) || !Get(in, &zero_count_)) return false;
  for (Store* s : {&positive_, &negative_}) {
    uint32_t n;
    if (!Get(in, &s->min_index) || !Get(in, &n) || n > kMaxBuckets || in.size() < n * 4ull) {
      return false;
    }
    s->counts.resize(n);
    if (n > 0) std::memcpy(s->counts.data(), in.data(), n * 4ull);
    in.remove_prefix(n * 4ull);
  }
  return true;
}

}  // namespace fluxgate::runtime
