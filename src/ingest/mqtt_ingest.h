// MqttIngest: every [[ingest.mqtt]] entry of the config as a running MqttSource, plus the
// node's dead-letter file (<data-dir>/ingest/mqtt-dead-letters.jsonl). The server starts
// it after the log is open and stops it before the log closes. docs/design/ingest.md.
//
// Thread-safety: Start/Stop from one thread; stats() from any.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config_ingest.h"
#include "common/status.h"
#include "ingest/mqtt_source.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::ingest {

class DeadLetterFile;

// The client id used when an entry sets none: "fluxgate-" and 16 hex digits of a hash of
// the host name, the absolute data directory, the broker URL and the stream. Stable across
// restarts of the same node with the same entry, so the broker's persistent session (and
// what it queued while fluxgate was down) is resumed.
std::string DefaultClientId(const std::string& host_name, const std::string& data_dir,
                            const IngestConfig::Mqtt& entry);

struct MqttIngestStats {
  struct Source {
    std::string stream;
    std::string broker;
    std::string client_id;
    MqttSourceStats stats;
  };
  std::vector<Source> sources;
  MqttSourceStats total;  // sums over sources (connected: all are; latencies: the worst)
};

class MqttIngest {
 public:
  // Creates a source per entry (creating missing streams), then starts them; connecting
  // happens in the background, so an unreachable broker does not fail the start. Fails on
  // what no retry fixes (an unreadable ca_file, a stream that cannot be created). `log`
  // is not owned and must outlive this object (Stop() before closing the log).
  static Result<std::unique_ptr<MqttIngest>> Start(const IngestConfig& config,
                                                   const std::string& data_dir,
                                                   log::LogManager* log);
  ~MqttIngest();  // Stop()s

  void Stop();  // stops every source (see MqttSource::Stop). Idempotent.
  MqttIngestStats stats() const;
  const std::string& dead_letter_path() const;

 private:
  MqttIngest() = default;
  std::unique_ptr<DeadLetterFile> dead_letters_;
  std::vector<std::unique_ptr<MqttSource>> sources_;
};

}  // namespace fluxgate::ingest
