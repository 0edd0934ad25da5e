#include "ingest/mqtt_ingest.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "common/logging.h"
#include "ingest/dead_letters.h"

namespace fluxgate::ingest {

namespace {

// FNV-1a, 64-bit: stable across builds and platforms (std::hash is not promised to be).
uint64_t Fnv1a(std::string_view s, uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

std::string DefaultClientId(const std::string& host_name, const std::string& data_dir,
                            const IngestConfig::Mqtt& entry) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::weakly_canonical(data_dir, ec);
  if (ec) abs = std::filesystem::absolute(data_dir, ec);
  uint64_t h = Fnv1a(host_name);
  h = Fnv1a("\x1f", h);
  h = Fnv1a(abs.lexically_normal().string(), h);
  h = Fnv1a("\x1f", h);
  h = Fnv1a(entry.broker, h);
  h = Fnv1a("\x1f", h);
  h = Fnv1a(entry.stream, h);
  return fmt::format("fluxgate-{:016x}", h);
}

Result<std::unique_ptr<MqttIngest>> MqttIngest::Start(const IngestConfig& config,
                                                      const std::string& data_dir,
                                                      log::LogManager* log) {
  std::unique_ptr<MqttIngest> ingest(new MqttIngest());
  ingest->dead_letters_ =
      std::make_unique<DeadLetterFile>(data_dir + "/ingest/mqtt-dead-letters.jsonl");
  const std::string host = HostName();
  for (const IngestConfig::Mqtt& entry : config.mqtt) {
    std::string id =
        entry.client_id.empty() ? DefaultClientId(host, data_dir, entry) : entry.client_id;
    FG_ASSIGN_OR_RETURN(auto source,
                        MqttSource::Create(entry, std::move(id), log, ingest->dead_letters_.get()));
    ingest->sources_.push_back(std::move(source));
  }
  for (auto& s : ingest->sources_) s->Start();
  return ingest;
}

MqttIngest::~MqttIngest() { Stop(); }

void MqttIngest::Stop() {
  for (auto& s : sources_) s->Stop();
}

MqttIngestStats MqttIngest::stats() const {
  MqttIngestStats out;
  out.total.connected = !sources_.empty();
  for (const auto& s : sources_) {
    MqttIngestStats::Source src{s->stream(), s->broker(), s->client_id(), s->stats()};
    MqttSourceStats& t = out.total;
    const MqttSourceStats& x = src.stats;
    t.received += x.received;
    t.redelivered += x.redelivered;
    t.appended += x.appended;
    t.acked += x.acked;
    t.dead_lettered += x.dead_lettered;
    t.append_retries += x.append_retries;
    t.connects += x.connects;
    t.reconnects += x.reconnects;
    t.paused += x.paused;
    t.connected = t.connected && x.connected;
    t.inflight += x.inflight;
    t.max_inflight += x.max_inflight;
    t.ack_p50_us = std::max(t.ack_p50_us, x.ack_p50_us);
    t.ack_p99_us = std::max(t.ack_p99_us, x.ack_p99_us);
    out.sources.push_back(std::move(src));
  }
  return out;
}

const std::string& MqttIngest::dead_letter_path() const { return dead_letters_->path(); }

}  // namespace fluxgate::ingest
