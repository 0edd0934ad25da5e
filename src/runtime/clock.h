// Clock: the wall clock, injectable so tests drive idleness and processing time.
#pragma once

#include <atomic>
#include <cstdint>

namespace fluxgate::runtime {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;  // epoch ms
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

// A clock tests set by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 0) : now_(now_ms) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_relaxed); }
  void Set(int64_t now_ms) { now_.store(now_ms, std::memory_order_relaxed); }
  void Advance(int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace fluxgate::runtime
