// LoadLoop: replays pre-built PutRecords requests over N keep-alive HTTP/1.1 connections
// and measures what the server acknowledges.
//
// Closed loop: each connection has exactly one call in flight and sends the next as soon
// as the previous response arrives (no pipelining), so `connections` is the concurrency
// the server sees. Connections are spread over `threads` threads, each with its own epoll
// instance; with the server on the same small machine one thread is normally enough.
//
// Thread-safety: RunLoad() starts and joins its own threads; each thread owns its
// connections and its LoadStats, merged after the join. The only shared mutable state is
// the atomic call-ticket counter used in count mode.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench_status.h"
#include "http_wire.h"

namespace fluxgate::bench {

using Clock = std::chrono::steady_clock;

struct LoadPlan {
  Endpoint endpoint;
  // Complete HTTP requests to cycle through; must outlive RunLoad(). Each carries
  // `batch` records.
  const std::vector<std::string>* requests = nullptr;
  int batch = 500;
  int connections = 8;
  int threads = 1;
  std::chrono::milliseconds warmup{2000};
  // Duration mode when max_calls == 0: calls whose responses arrive within
  // [start + warmup, start + warmup + duration] are measured.
  std::chrono::milliseconds duration{10000};
  // Count mode when > 0: the first max_calls calls started after the warm-up are measured.
  int64_t max_calls = 0;
  // Check that a 200 response lists one SequenceNumber per acknowledged record.
  bool verify = true;
  // How long to wait for calls still in flight once the measurement is over.
  std::chrono::milliseconds drain{10000};
};

struct LoadStats {
  int64_t calls = 0;           // measured calls that completed (any outcome)
  int64_t acked_records = 0;   // batch − FailedRecordCount over 200 responses
  int64_t failed_records = 0;  // FailedRecordCount + whole batches of failed calls
  int64_t partial_calls = 0;   // 200 responses with FailedRecordCount > 0
  int64_t non200_calls = 0;
  int64_t transport_errors = 0;          // connection reset/closed mid-call, or unparseable reply
  int64_t malformed_calls = 0;           // 200 without FailedRecordCount, or wrong Records count
  int64_t bytes_sent = 0;                // wire bytes of measured calls
  int64_t unfinished_calls = 0;          // still in flight when the drain timeout ended the run
  std::map<int, int64_t> status_counts;  // measured calls by HTTP status
  std::map<std::string, int64_t> error_codes;  // per-record ErrorCode / __type counts
  std::string first_error;                     // the first problem seen, for the report
  std::vector<uint32_t> latencies_us;          // one per measured call that got a response
  Clock::time_point last_completion{};

  void Merge(LoadStats&& other);
};

struct LoadTimes {
  Clock::time_point start;
  Clock::time_point warm_end;
  Clock::time_point end;  // duration mode: planned end; count mode: last measured response
};

// Runs the plan. `on_warm_end` is called on the calling thread when the warm-up is over
// (for CPU sampling), `on_end` when the measurement window closes (before the drain).
// Fails only when the connections cannot be opened at all.
BenchStatus RunLoad(const LoadPlan& plan, LoadStats* stats, LoadTimes* times,
                    const std::function<void()>& on_warm_end, const std::function<void()>& on_end);

}  // namespace fluxgate::bench
