// KinesisMetrics: the numbers only the Kinesis API knows, kept for GET /metrics:
// PutRecord(s) latency (request parsed -> reply, so it includes the group commit) and,
// per shard, what GetRecords returned (records, bytes, MillisBehindLatest and the age of
// the last record returned, CloudWatch's GetRecords.IteratorAgeMilliseconds).
//
// Cheap on the request path: the histogram is lock-free atomics; GetRecords takes one
// mutex per call (not per record) and allocates only the first time a shard is read.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.h"

namespace fluxgate::kinesis {

struct ShardReadStats {
  std::string stream;
  uint32_t shard = 0;
  uint64_t records = 0;              // returned by GetRecords
  uint64_t bytes = 0;                // data + partition key returned
  int64_t millis_behind_latest = 0;  // of the newest GetRecords call
  int64_t iterator_age_ms = 0;       // now - arrival of the last record it returned (0: none)
};

class KinesisMetrics {
 public:
  metrics::AtomicHistogram put_latency{metrics::LatencySecondsBuckets()};  // seconds

  void OnGetRecords(const std::string& stream, uint32_t shard, uint64_t records, uint64_t bytes,
                    int64_t millis_behind, int64_t iterator_age_ms) {
    std::lock_guard lock(mu_);
    auto it = reads_.find(stream);
    if (it == reads_.end()) it = reads_.emplace(stream, std::map<uint32_t, ShardReadStats>{}).first;
    ShardReadStats& s = it->second[shard];
    s.records += records;
    s.bytes += bytes;
    s.millis_behind_latest = millis_behind;
    s.iterator_age_ms = iterator_age_ms;
  }

  std::vector<ShardReadStats> Reads() const {
    std::lock_guard lock(mu_);
    std::vector<ShardReadStats> out;
    for (const auto& [stream, shards] : reads_) {
      for (const auto& [index, s] : shards) {
        out.push_back(s);
        out.back().stream = stream;
        out.back().shard = index;
      }
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<uint32_t, ShardReadStats>, std::less<>> reads_;  // GUARDED_BY(mu_)
};

}  // namespace fluxgate::kinesis
