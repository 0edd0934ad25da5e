// MqttSource: one [[ingest.mqtt]] entry at run time — an MQTT 3.1.1 client session with
// the broker that appends the messages of its topic filters to one log stream.
//
// Guarantee: a QoS 1 message is PUBACKed only after its record is durable in the log (the
// log's Append completion), or after it was written and fsynced to the dead-letter file
// when it cannot be mapped. PUBACKs go out in the order the PUBLISHes arrived (MQTT 3.1.1
// section 4.6). The session is persistent (clean session off, a stable client id), so
// the broker keeps and redelivers what fluxgate had not acknowledged when the connection
// dropped or fluxgate stopped: delivery is at-least-once (a record appended just before a
// crash is appended again when redelivered). docs/design/ingest.md.
//
// Backpressure: at most max_inflight messages are received but not yet acknowledged; at
// the limit the source stops reading the socket, so TCP flow control holds the broker.
//
// Thread-safety: Start/Stop from one thread; stats() from any. The connection and all
// its state live on the source's own I/O thread; log completions are posted to it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/config_ingest.h"
#include "common/status.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::ingest {

class DeadLetterFile;

struct MqttSourceStats {
  uint64_t received = 0;        // PUBLISH packets received
  uint64_t redelivered = 0;     // of those, with the DUP flag (the broker resending)
  uint64_t appended = 0;        // records durable in the log
  uint64_t acked = 0;           // PUBACKs sent (QoS 1)
  uint64_t dead_lettered = 0;   // written to the dead-letter file (then acked)
  uint64_t append_retries = 0;  // records whose append failed and was retried
  uint64_t connects = 0;        // sessions established (CONNACK accepted)
  uint64_t reconnects = 0;      // connections lost or refused, each followed by a retry
  uint64_t paused = 0;          // times reading stopped at max_inflight
  bool connected = false;
  uint32_t inflight = 0;  // received, not yet acknowledged
  uint32_t max_inflight = 0;
  // Receive -> PUBACK written, microseconds (within 25%).
  uint64_t ack_p50_us = 0;
  uint64_t ack_p99_us = 0;
};

class MqttSource {
 public:
  // Checks the entry (mapping rule, TLS files). `client_id` is the resolved session id.
  // `log` and `dead_letters` are not owned and must outlive the source.
  static Result<std::unique_ptr<MqttSource>> Create(const IngestConfig::Mqtt& config,
                                                    std::string client_id, log::LogManager* log,
                                                    DeadLetterFile* dead_letters);
  ~MqttSource();  // Stop()s

  // Starts the I/O thread; connecting (and reconnecting) happens in the background.
  void Start();
  // Stops reading, waits (up to 5 s) for appends in flight, sends their PUBACKs and a
  // DISCONNECT, closes, joins the thread. Idempotent.
  void Stop();

  MqttSourceStats stats() const;
  const std::string& client_id() const;
  const std::string& stream() const;
  // "mqtt://host:port" (never with credentials).
  const std::string& broker() const;

 private:
  MqttSource();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::ingest
