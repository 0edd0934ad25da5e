#include "ingest/mqtt_source.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "ingest/dead_letters.h"
#include "ingest/latency_histogram.h"
#include "ingest/message_mapper.h"
#include "mqtt/mqtt_codec.h"
#include "ingest/mqtt_transport.h"
#include "log/log_manager.h"
#include "quality/service.h"

namespace fluxgate::ingest {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// A PUBLISH larger than this ends the connection (the broker's message_size_limit should
// be below it); anything up to it is read whole, and what the log cannot take is
// dead-lettered by the mapper.
constexpr uint32_t kMaxPacketBytes = 16u << 20;
constexpr size_t kReadChunk = 256u << 10;
// One Append per read of the socket, split past these (so a burst does not build one
// huge batch while earlier records could already be on their way to disk).
constexpr size_t kMaxBatchRecords = 2000;
constexpr size_t kMaxBatchBytes = 4u << 20;
constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr auto kStopDrainTimeout = std::chrono::seconds(5);

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Exponential backoff with "equal jitter": within [d/2, d], d = min(max, min * 2^(n-1)).
int64_t BackoffMs(uint32_t failed_attempts, int64_t min_ms, int64_t max_ms, std::mt19937_64& rng) {
  int64_t d = std::max<int64_t>(min_ms, 1);
  for (uint32_t i = 1; i < failed_attempts && d < max_ms; ++i) d *= 2;
  d = std::min(d, max_ms);
  std::uniform_int_distribution<int64_t> jitter(0, d - d / 2);
  return d / 2 + jitter(rng);
}

// Records appended together; kept until the log's completion so failed ones can be
// appended again.
struct Batch {
  uint64_t generation = 0;
  std::string arena;  // partition keys and data of `recs`
  std::vector<MappedRecord> recs;
  std::vector<uint64_t> seqs;  // inflight sequence number of each record
  uint32_t attempts = 0;
  bool stream_missing = false;
};

}  // namespace

struct MqttSource::Impl {
  // Hands log completions (called on the log's commit thread) to the I/O thread, or drops
  // them once the source is gone: the log may finish an append after Stop() gave up
  // waiting for it.
  struct Mailbox {
    std::mutex mu;
    Impl* impl = nullptr;  // GUARDED_BY(mu); null once the source stopped
  };

  IngestConfig::Mqtt cfg;
  BrokerUrl url;
  std::string client_id;
  std::string broker_text;
  log::LogManager* log = nullptr;
  DeadLetterFile* dead = nullptr;
  std::unique_ptr<MessageMapper> mapper;
  std::shared_ptr<spdlog::logger> logger = GetLogger("ingest");
  std::string tag;  // "mqtt 'stream' (mqtt://host:port)" for log lines

  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls;
  tcp::resolver resolver{io};
  std::unique_ptr<Transport> transport;
  asio::steady_timer connect_timer{io};
  asio::steady_timer keepalive_timer{io};
  asio::steady_timer retry_timer{io};   // next connection attempt
  asio::steady_timer append_timer{io};  // next append of records whose append failed
  asio::steady_timer stop_timer{io};
  std::thread thread;
  // shared_ptr: the log's completion callbacks (std::function, copied by the log) keep
  // the mailbox alive after the source is destroyed.
  std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();
  std::mt19937_64 rng{std::random_device{}()};
  bool started = false;
  bool stop_called = false;

  // --- connection state (I/O thread only) ------------------------------------------------
  enum class State { kIdle, kConnecting, kSession };
  State state = State::kIdle;
  uint64_t generation = 0;  // bumped on every close; stale handlers compare and return
  uint32_t failed_attempts = 0;
  bool stopping = false;
  bool finished = false;
  bool close_after_write = false;
  uint16_t next_subscribe_id = 1;
  Clock::time_point last_send, last_receive;

  std::string rbuf;  // bytes [rbegin, rend) are received, not yet decoded
  size_t rbegin = 0, rend = 0;
  bool reading = false;
  bool paused = false;  // not reading: max_inflight reached, or stopping

  std::string out_pending, out_writing;
  bool writing = false;

  // Messages received and not yet acknowledged, in arrival order; the front has sequence
  // number base_seq. Invariant: inflight.size() <= cfg.max_inflight.
  struct Entry {
    uint16_t packet_id = 0;
    bool qos1 = false;
    bool done = false;  // durable (or dead-lettered): may be acked once all before it are
    int64_t recv_us = 0;
  };
  std::deque<Entry> inflight;
  uint64_t base_seq = 0;
  uint32_t pending_appends = 0;  // Append calls without their completion yet
  std::shared_ptr<Batch> batch;  // being filled from the current read
  std::vector<std::shared_ptr<Batch>> retries;
  bool retry_armed = false;
  std::string dead_lines;
  std::vector<uint64_t> dead_seqs;
  std::vector<log::AppendRecord> views;
  bool logged_append_error = false;

  // --- stats (written on the I/O thread, read anywhere) ----------------------------------
  std::atomic<uint64_t> received{0}, redelivered{0}, appended{0}, acked{0}, dead_lettered{0},
      append_retries{0}, connects{0}, reconnects{0}, paused_count{0};
  std::atomic<bool> connected{false};
  std::atomic<uint32_t> inflight_now{0};
  LatencyHistogram ack_latency;

  // ======================================================================================
  void Connect() {
    if (stopping) return;
    state = State::kConnecting;
    transport = std::make_unique<Transport>(io, tls.get(), cfg.tls_verify);
    const uint64_t gen = generation;
    connect_timer.expires_after(kConnectTimeout);
    connect_timer.async_wait([this, gen](boost::system::error_code ec) {
      if (ec || gen != generation || state != State::kConnecting) return;
      Fail(fmt::format("no CONNACK within {} s", kConnectTimeout.count()));
    });
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [this, gen](boost::system::error_code ec, tcp::resolver::results_type results) {
          if (gen != generation) return;
          if (ec) return Fail("resolving " + url.host + ": " + ec.message());
          asio::async_connect(transport->socket(), results,
                              [this, gen](boost::system::error_code ec, const tcp::endpoint&) {
                                if (gen != generation) return;
                                if (ec) return Fail("connecting: " + ec.message());
                                boost::system::error_code ignored;
                                transport->socket().set_option(tcp::no_delay(true), ignored);
                                if (!transport->is_tls()) return SendConnect();
                                transport->AsyncHandshake(
                                    url.host, [this, gen](boost::system::error_code ec) {
                                      if (gen != generation) return;
                                      if (ec) return Fail("TLS handshake: " + ec.message());
                                      SendConnect();
                                    });
                              });
        });
  }

  void SendConnect() {
    mqtt::Connect c;
    c.client_id = client_id;
    c.clean_session = false;  // persistent session: the broker keeps what we did not ack
    c.keepalive_secs = static_cast<uint16_t>(cfg.keepalive_secs);
    c.has_username = !cfg.username.empty();
    c.username = cfg.username;
    c.has_password = !cfg.password.empty();
    c.password = cfg.password;
    mqtt::EncodeConnect(c, &out_pending);
    last_receive = Clock::now();
    Flush();
    StartRead();
  }

  void SendSubscribe() {
    mqtt::Subscribe s;
    s.packet_id = next_subscribe_id++;
    if (next_subscribe_id == 0) next_subscribe_id = 1;
    for (const std::string& f : cfg.topics)
      s.filters.emplace_back(f, static_cast<uint8_t>(cfg.qos));
    mqtt::EncodeSubscribe(s, &out_pending);
    Flush();
  }

  void ArmKeepalive() {
    if (cfg.keepalive_secs == 0) return;
    const auto period = std::chrono::milliseconds(std::max<int64_t>(cfg.keepalive_secs * 250, 200));
    const uint64_t gen = generation;
    keepalive_timer.expires_after(period);
    keepalive_timer.async_wait([this, gen](boost::system::error_code ec) {
      if (ec || gen != generation || state != State::kSession || stopping) return;
      const auto now = Clock::now();
      const auto keepalive = std::chrono::seconds(cfg.keepalive_secs);
      // The broker answers PINGREQ at once; silence for twice the keepalive while we are
      // reading means the connection is gone even if TCP has not noticed.
      if (!paused && now - last_receive > 2 * keepalive) {
        return Fail(fmt::format(
            "no packet from the broker for {} s (keepalive {} s)",
            std::chrono::duration_cast<std::chrono::seconds>(now - last_receive).count(),
            cfg.keepalive_secs));
      }
      if (now - last_send >= keepalive / 2) {
        mqtt::EncodePingreq(&out_pending);
        Flush();
      }
      ArmKeepalive();
    });
  }

  // Closes the connection after an error and schedules the next attempt.
  void Fail(const std::string& reason) {
    const bool was_session = state == State::kSession;
    CloseConnection();
    if (stopping) return FinishStop();
    reconnects.fetch_add(1, std::memory_order_relaxed);
    ++failed_attempts;
    const int64_t delay =
        BackoffMs(failed_attempts, cfg.reconnect_min_ms, cfg.reconnect_max_ms, rng);
    if (was_session) {
      logger->warn(
          "{}: connection lost: {}; reconnecting in {} ms (unacknowledged messages "
          "are redelivered by the broker)",
          tag, reason, delay);
    } else {
      logger->warn("{}: cannot connect: {}; retrying in {} ms (attempt {})", tag, reason, delay,
                   failed_attempts);
    }
    retry_timer.expires_after(std::chrono::milliseconds(delay));
    const uint64_t gen = generation;
    retry_timer.async_wait([this, gen](boost::system::error_code ec) {
      if (ec || gen != generation) return;
      Connect();
    });
  }

  void CloseConnection() {
    ++generation;
    state = State::kIdle;
    connected.store(false, std::memory_order_relaxed);
    connect_timer.cancel();
    keepalive_timer.cancel();
    resolver.cancel();
    if (transport) transport->Close();
    // In-flight appends of the old connection finish without an ack: the broker resends
    // those messages on the new session (at-least-once).
    inflight.clear();
    inflight_now.store(0, std::memory_order_relaxed);
    batch.reset();
    retries.clear();
    append_timer.cancel();
    retry_armed = false;
    dead_lines.clear();
    dead_seqs.clear();
    rbegin = rend = 0;
    reading = false;
    paused = false;
    out_pending.clear();
    writing = false;
    close_after_write = false;
  }

  // --- reading -----------------------------------------------------------------------------
  void StartRead() {
    if (reading || paused || stopping) return;
    if (rbegin == rend) {
      rbegin = rend = 0;
    } else if (rbegin > 0 && rbuf.size() - rend < kReadChunk) {
      std::memmove(rbuf.data(), rbuf.data() + rbegin, rend - rbegin);
      rend -= rbegin;
      rbegin = 0;
    }
    if (rbuf.size() - rend < kReadChunk) rbuf.resize(rend + kReadChunk);
    reading = true;
    const uint64_t gen = generation;
    transport->AsyncReadSome(asio::buffer(rbuf.data() + rend, rbuf.size() - rend),
                             [this, gen](boost::system::error_code ec, size_t n) {
                               if (gen != generation) return;
                               reading = false;
                               if (ec) {
                                 return Fail(ec == asio::error::eof
                                                 ? std::string("the broker closed the connection")
                                                 : "reading: " + ec.message());
                               }
                               rend += n;
                               last_receive = Clock::now();
                               ProcessBuffer();
                             });
  }

  // Decodes every complete packet in the buffer (until max_inflight), appends what it
  // mapped, then reads on unless paused.
  void ProcessBuffer() {
    const uint64_t gen = generation;
    while (rbegin < rend) {
      if (inflight.size() >= cfg.max_inflight) {
        if (!paused) paused_count.fetch_add(1, std::memory_order_relaxed);
        paused = true;
        break;
      }
      mqtt::FixedHeader h;
      std::string_view in(rbuf.data() + rbegin, rend - rbegin);
      auto size = mqtt::DecodeFixedHeader(in, kMaxPacketBytes, &h);
      if (!size.ok()) return Fail("protocol error: " + size.status().message());
      if (*size == 0 || *size > in.size()) {
        // Incomplete: make room for the whole packet so the next read can finish it.
        if (*size > rbuf.size() - rbegin) {
          std::memmove(rbuf.data(), rbuf.data() + rbegin, rend - rbegin);
          rend -= rbegin;
          rbegin = 0;
          rbuf.resize(std::max(*size, rbuf.size()));
        }
        break;
      }
      std::string_view body = in.substr(h.header_bytes, h.remaining_length);
      Status s = HandlePacket(h, body);
      if (gen != generation) return;  // HandlePacket failed the connection
      if (!s.ok()) return Fail("protocol error: " + s.message());
      rbegin += *size;
    }
    FlushBatch();
    FlushDeadLetters();
    if (gen != generation) return;
    AckReady();
    if (!paused) StartRead();
  }

  Status HandlePacket(const mqtt::FixedHeader& h, std::string_view body) {
    using mqtt::PacketType;
    if (state == State::kConnecting && h.type != PacketType::kConnack) {
      return Status::InvalidArgument(
          fmt::format("expected CONNACK, got {}", mqtt::PacketTypeName(h.type)));
    }
    switch (h.type) {
      case PacketType::kConnack: {
        if (state != State::kConnecting) return Status::InvalidArgument("second CONNACK");
        FG_ASSIGN_OR_RETURN(mqtt::Connack ack, mqtt::DecodeConnack(h, body));
        if (ack.return_code != 0) {
          Fail(fmt::format("broker refused the connection: {} (CONNACK {})",
                           mqtt::ConnackReason(ack.return_code), ack.return_code));
          return Status::Ok();
        }
        connect_timer.cancel();
        state = State::kSession;
        connected.store(true, std::memory_order_relaxed);
        connects.fetch_add(1, std::memory_order_relaxed);
        logger->info("{}: connected as client '{}' ({} session){}", tag, client_id,
                     ack.session_present ? "resuming the stored" : "new",
                     transport->is_tls() ? " over TLS" : "");
        SendSubscribe();
        ArmKeepalive();
        return Status::Ok();
      }
      case PacketType::kSuback: {
        FG_ASSIGN_OR_RETURN(mqtt::Suback ack, mqtt::DecodeSuback(h, body));
        for (size_t i = 0; i < ack.return_codes.size() && i < cfg.topics.size(); ++i) {
          const uint8_t code = ack.return_codes[i];
          if (code == 0x80) {
            logger->error("{}: the broker refused the subscription to '{}' (not authorized?)", tag,
                          cfg.topics[i]);
          } else if (code < cfg.qos) {
            logger->warn("{}: subscription to '{}' granted with QoS {} (asked for {})", tag,
                         cfg.topics[i], code, cfg.qos);
          }
        }
        failed_attempts = 0;
        return Status::Ok();
      }
      case PacketType::kPublish: {
        FG_ASSIGN_OR_RETURN(mqtt::Publish p, mqtt::DecodePublish(h, body));
        HandlePublish(p);
        return Status::Ok();
      }
      case PacketType::kPingresp:
        return mqtt::DecodeEmpty(h, body);
      default:
        return Status::InvalidArgument(
            fmt::format("unexpected {} from the broker", mqtt::PacketTypeName(h.type)));
    }
  }

  void HandlePublish(const mqtt::Publish& p) {
    received.fetch_add(1, std::memory_order_relaxed);
    if (p.dup) redelivered.fetch_add(1, std::memory_order_relaxed);
    const uint64_t seq = base_seq + inflight.size();
    inflight.push_back(Entry{p.packet_id, p.qos > 0, false, NowUs()});
    inflight_now.store(static_cast<uint32_t>(inflight.size()), std::memory_order_relaxed);
    if (!mapper->Matches(p.topic)) {
      return AddDeadLetter(seq, p,
                           "topic matches none of the configured topic filters (a "
                           "subscription left in the persistent session by an "
                           "earlier configuration?)");
    }
    if (!batch) {
      batch = std::make_shared<Batch>();
      batch->generation = generation;
    }
    MappedRecord rec;
    Status s = mapper->Map(p.topic, p.payload, &batch->arena, &rec);
    if (!s.ok()) return AddDeadLetter(seq, p, s.message());
    batch->recs.push_back(rec);
    batch->seqs.push_back(seq);
    if (batch->recs.size() >= kMaxBatchRecords || batch->arena.size() >= kMaxBatchBytes) {
      FlushBatch();
    }
  }

  void AddDeadLetter(uint64_t seq, const mqtt::Publish& p, std::string_view reason) {
    DeadLetter d;
    d.time_ms = WallMs();
    d.client_id = client_id;
    d.stream = cfg.stream;
    d.topic = p.topic;
    d.reason = reason;
    d.payload = p.payload;
    DeadLetterFile::Format(d, &dead_lines);
    dead_seqs.push_back(seq);
    const uint64_t n = dead_lettered.fetch_add(1, std::memory_order_relaxed) + 1;
    // Rate-limited: the first, then every 1000th.
    if (n == 1 || n % 1000 == 0) {
      logger->warn("{}: message on '{}' dead-lettered to {}: {} ({} so far)", tag, p.topic,
                   dead->path(), reason, n);
    }
  }

  void FlushDeadLetters() {
    if (dead_seqs.empty()) return;
    Status s = dead->Write(dead_lines);
    dead_lines.clear();
    if (!s.ok()) {
      // Not acknowledged: the broker redelivers them after the reconnect.
      dead_seqs.clear();
      return Fail("cannot write the dead-letter file: " + s.ToString());
    }
    for (uint64_t seq : dead_seqs) MarkDone(seq);
    dead_seqs.clear();
  }

  // --- appending ---------------------------------------------------------------------------
  void FlushBatch() {
    if (!batch || batch->recs.empty()) return;
    std::shared_ptr<Batch> b = std::move(batch);
    batch.reset();
    Append(std::move(b));
  }

  void Append(std::shared_ptr<Batch> b) {
    views.clear();
    for (const MappedRecord& r : b->recs) {
      views.push_back(log::AppendRecord{
          std::string_view(b->arena).substr(r.key_offset, r.key_size),
          std::string_view(b->arena).substr(r.data_offset, r.data_size), std::nullopt});
    }
    ++pending_appends;
    std::shared_ptr<Mailbox> mb = mailbox;
    // Through the stream's [quality] rules, if any: a rejected record comes back as such.
    Status st = quality::CheckedAppend(
        log, cfg.stream, views, [mb, b](std::vector<log::AppendResult> results) {
          std::lock_guard<std::mutex> lock(mb->mu);
          if (mb->impl == nullptr) return;
          Impl* impl = mb->impl;
          asio::post(impl->io, [impl, b, results = std::move(results)]() mutable {
            impl->OnAppended(b, results);
          });
        });
    if (!st.ok()) {
      --pending_appends;
      b->stream_missing = st.IsNotFound();
      NoteAppendError(st.ToString());
      Retry(std::move(b));
    }
  }

  void OnAppended(const std::shared_ptr<Batch>& b, const std::vector<log::AppendResult>& results) {
    --pending_appends;
    if (b->generation == generation) {
      std::shared_ptr<Batch> failed;
      for (size_t i = 0; i < b->recs.size(); ++i) {
        if (i < results.size() && results[i].ok) {
          MarkDone(b->seqs[i]);
          continue;
        }
        if (i < results.size() && results[i].error_code == quality::kRejectedErrorCode) {
          // Refused by the stream's schema: retrying cannot help, so it is set aside in
          // the dead-letter file and acknowledged (the broker would redeliver it forever).
          const MappedRecord& r = b->recs[i];
          DeadLetter d;
          d.time_ms = WallMs();
          d.client_id = client_id;
          d.stream = cfg.stream;
          d.reason = results[i].error_message;
          d.payload = std::string_view(b->arena).substr(r.data_offset, r.data_size);
          DeadLetterFile::Format(d, &dead_lines);
          dead_seqs.push_back(b->seqs[i]);
          dead_lettered.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        if (!failed) {
          failed = std::make_shared<Batch>();
          failed->generation = b->generation;
          failed->attempts = b->attempts;
          NoteAppendError(i < results.size()
                              ? results[i].error_code + ": " + results[i].error_message
                              : std::string("no result"));
        }
        const MappedRecord& r = b->recs[i];
        MappedRecord copy{failed->arena.size(), r.key_size, 0, r.data_size};
        failed->arena.append(b->arena, r.key_offset, r.key_size);
        copy.data_offset = failed->arena.size();
        failed->arena.append(b->arena, r.data_offset, r.data_size);
        failed->recs.push_back(copy);
        failed->seqs.push_back(b->seqs[i]);
      }
      appended.fetch_add(b->recs.size() - (failed ? failed->recs.size() : 0),
                         std::memory_order_relaxed);
      if (failed) Retry(std::move(failed));
      FlushDeadLetters();
      AckReady();
      if (paused && !stopping && inflight.size() < cfg.max_inflight) {
        paused = false;
        last_receive = Clock::now();  // the keepalive check was off while paused
        ProcessBuffer();
      }
    }
    if (stopping && pending_appends == 0) FinishStop();
  }

  void NoteAppendError(const std::string& what) {
    if (logged_append_error) return;
    logged_append_error = true;  // once per source run: retries repeat the same cause
    logger->warn(
        "{}: appending to stream '{}' failed ({}); retrying, the messages stay "
        "unacknowledged until their records are durable",
        tag, cfg.stream, what);
  }

  // Appends `b` again after a backoff (the messages stay unacknowledged meanwhile, so a
  // full log holds the broker back through max_inflight).
  void Retry(std::shared_ptr<Batch> b) {
    if (stopping) return;
    append_retries.fetch_add(b->recs.size(), std::memory_order_relaxed);
    ++b->attempts;
    retries.push_back(std::move(b));
    if (retry_armed) return;
    retry_armed = true;
    const int64_t delay = BackoffMs(retries.front()->attempts, 50, 5000, rng);
    append_timer.expires_after(std::chrono::milliseconds(delay));
    const uint64_t gen = generation;
    append_timer.async_wait([this, gen](boost::system::error_code ec) {
      if (ec || gen != generation || stopping) return;
      retry_armed = false;
      std::vector<std::shared_ptr<Batch>> again;
      again.swap(retries);
      for (auto& b : again) {
        if (b->stream_missing) EnsureStream();
        Append(std::move(b));
      }
    });
  }

  void EnsureStream() {
    if (log->DescribeStream(cfg.stream).ok()) return;
    Status s = log->CreateStream(cfg.stream, cfg.shards, log::StreamMode::kProvisioned, {});
    if (s.ok()) {
      logger->info("{}: stream '{}' did not exist; created it with {} shards", tag, cfg.stream,
                   cfg.shards);
    }
  }

  void MarkDone(uint64_t seq) {
    if (seq < base_seq || seq - base_seq >= inflight.size()) return;
    inflight[seq - base_seq].done = true;
  }

  // PUBACKs for the done prefix of `inflight` (in arrival order, as the spec requires).
  void AckReady() {
    const int64_t now = NowUs();
    uint64_t n = 0;
    while (!inflight.empty() && inflight.front().done) {
      const Entry& e = inflight.front();
      if (e.qos1) {
        mqtt::EncodePuback(e.packet_id, &out_pending);
        ack_latency.Record(static_cast<uint64_t>(std::max<int64_t>(0, now - e.recv_us)));
        ++n;
      }
      inflight.pop_front();
      ++base_seq;
    }
    inflight_now.store(static_cast<uint32_t>(inflight.size()), std::memory_order_relaxed);
    if (n > 0) {
      acked.fetch_add(n, std::memory_order_relaxed);
      Flush();
    }
  }

  // --- writing -----------------------------------------------------------------------------
  void Flush() {
    if (writing || out_pending.empty() || !transport) return;
    out_writing.swap(out_pending);
    out_pending.clear();
    writing = true;
    last_send = Clock::now();
    const uint64_t gen = generation;
    transport->AsyncWrite(asio::buffer(out_writing),
                          [this, gen](boost::system::error_code ec, size_t) {
                            if (gen != generation) return;
                            writing = false;
                            if (ec) return Fail("writing: " + ec.message());
                            if (!out_pending.empty()) return Flush();
                            if (close_after_write) CloseAndQuit();
                          });
  }

  // --- stopping ----------------------------------------------------------------------------
  void BeginStop() {
    stopping = true;
    paused = true;
    retry_timer.cancel();
    append_timer.cancel();
    keepalive_timer.cancel();
    if (state != State::kSession || pending_appends == 0) return FinishStop();
    stop_timer.expires_after(kStopDrainTimeout);
    stop_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      logger->warn(
          "{}: {} appends still in flight after {} s; stopping without their "
          "PUBACKs (the broker redelivers them)",
          tag, pending_appends, kStopDrainTimeout.count());
      FinishStop();
    });
  }

  void FinishStop() {
    if (finished) return;
    finished = true;
    stop_timer.cancel();
    if (state == State::kSession && transport) {
      AckReady();
      mqtt::EncodeDisconnect(&out_pending);
      close_after_write = true;
      Flush();
      // If the write hangs (a broker that stopped reading), do not wait for it.
      stop_timer.expires_after(std::chrono::seconds(2));
      stop_timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) CloseAndQuit();
      });
      return;
    }
    CloseAndQuit();
  }

  void CloseAndQuit() {
    CloseConnection();
    io.stop();
  }

  MqttSourceStats Stats() const {
    MqttSourceStats s;
    s.received = received.load(std::memory_order_relaxed);
    s.redelivered = redelivered.load(std::memory_order_relaxed);
    s.appended = appended.load(std::memory_order_relaxed);
    s.acked = acked.load(std::memory_order_relaxed);
    s.dead_lettered = dead_lettered.load(std::memory_order_relaxed);
    s.append_retries = append_retries.load(std::memory_order_relaxed);
    s.connects = connects.load(std::memory_order_relaxed);
    s.reconnects = reconnects.load(std::memory_order_relaxed);
    s.paused = paused_count.load(std::memory_order_relaxed);
    s.connected = connected.load(std::memory_order_relaxed);
    s.inflight = inflight_now.load(std::memory_order_relaxed);
    s.max_inflight = cfg.max_inflight;
    s.ack_p50_us = ack_latency.Percentile(0.50);
    s.ack_p99_us = ack_latency.Percentile(0.99);
    return s;
  }
};

MqttSource::MqttSource() : impl_(std::make_unique<Impl>()) {}

MqttSource::~MqttSource() { Stop(); }

Result<std::unique_ptr<MqttSource>> MqttSource::Create(const IngestConfig::Mqtt& config,
                                                       std::string client_id, log::LogManager* log,
                                                       DeadLetterFile* dead_letters) {
  std::unique_ptr<MqttSource> src(new MqttSource());
  Impl& s = *src->impl_;
  s.cfg = config;
  FG_ASSIGN_OR_RETURN(s.url, ParseBrokerUrl(config.broker));
  s.client_id = std::move(client_id);
  s.broker_text = fmt::format(
      "{}://{}:{}", s.url.tls ? "mqtts" : "mqtt",
      s.url.host.find(':') != std::string::npos ? "[" + s.url.host + "]" : s.url.host, s.url.port);
  s.tag = fmt::format("mqtt '{}' ({})", config.stream, s.broker_text);
  s.log = log;
  s.dead = dead_letters;
  FG_ASSIGN_OR_RETURN(s.mapper, MessageMapper::Create(config, log->options().max_record_bytes));
  if (s.url.tls) {
    s.tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (!config.ca_file.empty()) {
      s.tls->load_verify_file(config.ca_file, ec);
      if (ec) {
        return Status::InvalidArgument(
            fmt::format("ingest.mqtt ca_file '{}': {}", config.ca_file, ec.message()));
      }
    } else {
      s.tls->set_default_verify_paths(ec);
    }
    s.tls->set_verify_mode(config.tls_verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  }
  if (!log->DescribeStream(config.stream).ok()) {
    Status st = log->CreateStream(config.stream, config.shards, log::StreamMode::kProvisioned, {});
    if (st.ok()) {
      s.logger->info("{}: stream '{}' did not exist; created it with {} shards", s.tag,
                     config.stream, config.shards);
    } else if (st.code() != Status::Code::kAlreadyExists) {
      return st;
    }
  }
  return src;
}

void MqttSource::Start() {
  Impl& s = *impl_;
  if (s.started) return;
  s.started = true;
  {
    std::lock_guard<std::mutex> lock(s.mailbox->mu);
    s.mailbox->impl = &s;
  }
  s.logger->info("{}: subscribing to {} as client '{}' (QoS {}, max_inflight {}){}", s.tag,
                 fmt::join(s.cfg.topics, ", "), s.client_id, s.cfg.qos, s.cfg.max_inflight,
                 s.cfg.username.empty() ? "" : fmt::format(", user '{}'", s.cfg.username));
  s.thread = std::thread([&s] {
    auto guard = asio::make_work_guard(s.io);
    asio::post(s.io, [&s] { s.Connect(); });
    s.io.run();
  });
}

void MqttSource::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stop_called) return;
  s.stop_called = true;
  asio::post(s.io, [&s] { s.BeginStop(); });
  s.thread.join();
  {
    std::lock_guard<std::mutex> lock(s.mailbox->mu);
    s.mailbox->impl = nullptr;
  }
  const MqttSourceStats st = s.Stats();
  s.logger->info(
      "{}: stopped; received {}, appended {}, acked {}, dead-lettered {}, reconnects {}, "
      "PUBACK latency p50 {} us, p99 {} us",
      s.tag, st.received, st.appended, st.acked, st.dead_lettered, st.reconnects, st.ack_p50_us,
      st.ack_p99_us);
}

MqttSourceStats MqttSource::stats() const { return impl_->Stats(); }
const std::string& MqttSource::client_id() const { return impl_->client_id; }
const std::string& MqttSource::stream() const { return impl_->cfg.stream; }
const std::string& MqttSource::broker() const { return impl_->broker_text; }

}  // namespace fluxgate::ingest
