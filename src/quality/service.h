// Service: the data-quality subsystem of one server — the compiled rules and the Monitor
// of every [[quality.streams]] entry, and the thread that polls the monitors.
//
//   FG_ASSIGN_OR_RETURN(auto quality, quality::Service::Start(config.quality, options));
//   ...  ingest paths call quality::CheckedAppend(log, stream, records, done)
//   quality->Stop();
//
// A started Service registers itself for its LogManager, which is how the ingest paths
// (Kinesis PutRecord(s), HTTP ingest, MQTT) find the rules of a stream without each of
// them being handed one: CheckedAppend looks the service up by the log it appends to.
// With no service registered the lookup is one relaxed atomic load (the no-quality path).
//
// Thread-safety: Find/streams/Stats may be called from any thread while the service runs;
// Start and Stop from one thread. The stream list is immutable after Start.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "alerts/alert.h"
#include "common/config_quality.h"
#include "common/status.h"
#include "log/log_manager.h"
#include "quality/monitor.h"
#include "quality/rules.h"

namespace fluxgate::quality {

// Per-record ErrorCode of PutRecords (and HTTP ingest) for a record the schema rejects.
// AWS documents only ProvisionedThroughputExceededException and InternalFailure there;
// SDKs pass the string through, and a distinct code lets producers tell "fix the record"
// from "retry" (docs/design/quality.md, "Reject").
inline constexpr char kRejectedErrorCode[] = "InvalidArgumentException";

// One configured stream: its rules and its monitor.
class StreamQuality {
 public:
  StreamQuality(std::unique_ptr<StreamRules> rules, log::LogManager* log, Monitor::Options options)
      : rules_(std::move(rules)), monitor_(rules_.get(), log, std::move(options)) {}
  const StreamRules& rules() const { return *rules_; }
  Monitor& monitor() { return monitor_; }
  const Monitor& monitor() const { return monitor_; }

 private:
  std::unique_ptr<StreamRules> rules_;
  Monitor monitor_;
};

class Service {
 public:
  struct Options {
    log::LogManager* log = nullptr;              // required; must outlive the service
    std::function<void(alerts::Alert)> publish;  // e.g. AlertHub::Publish; empty = none
    std::function<int64_t()> now_ms;             // wall clock; empty = system clock
    bool start_thread = true;                    // false: tests drive PollOnce()
    bool register_for_ingest = true;             // false: CheckedAppend does not see it
  };
  // Compiles every stream's rules (InvalidArgument naming quality.streams[i] for a schema
  // that does not parse), creates missing dead-letter streams of dead-letter entries and
  // starts polling. Not enabled or no streams: a service that does nothing.
  static Result<std::unique_ptr<Service>> Start(const QualityConfig& config, Options options);
  ~Service();  // Stop()
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Unregisters from ingest and joins the thread. Idempotent.
  void Stop();

  // nullptr if the stream has no [[quality.streams]] entry.
  StreamQuality* Find(std::string_view stream) const;
  const std::vector<std::unique_ptr<StreamQuality>>& streams() const { return streams_; }
  // One poll of every monitor plus a stale sweep (the thread's loop body). Records read.
  uint64_t PollOnce();

  // The service registered for `log`, or nullptr.
  static Service* For(const log::LogManager* log);

 private:
  explicit Service(Options options);
  void Run();

  const Options options_;
  int64_t poll_interval_ms_ = 500;
  std::vector<std::unique_ptr<StreamQuality>> streams_;
  bool registered_ = false;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
};

// Appends `records` to `stream` like LogManager::Append, applying the stream's rules when
// a registered Service has a reject / dead-letter entry for it:
//  - reject: an invalid record is not appended; its result is ok=false with ErrorCode
//    kRejectedErrorCode and the reason as ErrorMessage;
//  - dead-letter: it is appended instead to the dead-letter stream (created if missing) as
//    {"reason","field","stream","partition_key","received_at","data"|"data_base64"}, and
//    its result is that append's (ok to the producer);
// and calls `done` once with one result per record, in order. A batch whose records are
// all valid goes to LogManager::Append untouched (no extra allocation). Non-OK only when
// the whole batch was refused (e.g. NotFound), as LogManager::Append.
Status CheckedAppend(log::LogManager* log, const std::string& stream,
                     std::span<const log::AppendRecord> records, log::AppendCallback done);

// The dead-letter document for one record (exposed for tests and other ingest paths).
std::string DeadLetterJson(std::string_view reason, std::string_view field, std::string_view stream,
                           std::string_view partition_key, int64_t received_ms,
                           std::string_view data);

}  // namespace fluxgate::quality
