// fluxgate-bench-mqtt: MQTT QoS 1 load through a broker (Mosquitto) into fluxgate's log.
//
// N publisher threads each keep a window of QoS 1 PUBLISHes in flight to the broker and
// time each one to its PUBACK (the broker's ack to the publisher). Meanwhile the main
// thread counts the records arriving in the log through fluxgate's Kinesis API
// (GetRecords on every shard), so "messages/s into the log" is what actually became a
// durable record, not what the broker accepted. The receive -> PUBACK time on fluxgate's
// side (its durable ack to the broker) is printed by fluxgate when it stops; run-mqtt.sh
// shows both. Prints the machine, the inputs and the figures; `--json` adds one line.
// See bench/README.md ("MQTT ingest benchmark").
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "mqtt/mqtt_codec.h"
#include "kinesis/client.h"
#include "machine_info.h"

namespace fluxgate::bench {
namespace {

namespace mq = ::fluxgate::mqtt;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string broker_host = "127.0.0.1";
  int broker_port = 1883;
  std::string endpoint = "http://127.0.0.1:4567";
  std::string stream = "mqtt-bench";
  std::string topic_prefix = "bench";
  int publishers = 4;
  int64_t messages = 200'000;  // in total
  int window = 1000;           // QoS 1 messages in flight per publisher
  int payload_bytes = 150;
  int devices = 1000;
  double timeout_s = 300;
  bool json = false;
  bool no_count = false;  // only publish (the broker's figure)
};

void Usage() {
  std::printf(
      "usage: fluxgate-bench-mqtt [options]\n"
      "  --broker HOST:PORT   MQTT broker (default 127.0.0.1:1883)\n"
      "  --endpoint URL       fluxgate's Kinesis endpoint, to count records in the log\n"
      "  --stream NAME        stream the [[ingest.mqtt]] entry writes (default mqtt-bench)\n"
      "  --topic-prefix P     topics are P/site-S/dev-D (default bench)\n"
      "  --publishers N       publisher connections, one thread each (default 4)\n"
      "  --messages N         messages in total (default 200000)\n"
      "  --window N           QoS 1 messages in flight per publisher (default 1000)\n"
      "  --payload-bytes N    JSON payload size (default 150)\n"
      "  --devices N          distinct devices in the topics (default 1000)\n"
      "  --timeout S          give up waiting for the log after S seconds (default 300)\n"
      "  --no-count           do not read the log (broker-only figure)\n"
      "  --json               also print one JSON line with the figures\n");
}

bool WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

int Dial(const std::string& host, int port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = ::socket(res->ai_family, SOCK_STREAM, 0);
  if (fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

// Reads whole packets from a blocking socket.
class PacketReader {
 public:
  explicit PacketReader(int fd) : fd_(fd) {}
  // Calls fn(header, body) for every complete packet after one read(); false on EOF/error.
  template <typename Fn>
  bool ReadSome(Fn&& fn) {
    if (buf_.size() - end_ < 65536) buf_.resize(end_ + 65536);
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n <= 0) return false;
    end_ += static_cast<size_t>(n);
    size_t pos = 0;
    while (pos < end_) {
      mq::FixedHeader h;
      auto size = mq::DecodeFixedHeader(std::string_view(buf_.data() + pos, end_ - pos),
                                        mq::kMaxRemainingLength + 5, &h);
      if (!size.ok()) return false;
      if (*size == 0 || *size > end_ - pos) break;
      fn(h, std::string_view(buf_.data() + pos + h.header_bytes, h.remaining_length));
      pos += *size;
    }
    std::memmove(buf_.data(), buf_.data() + pos, end_ - pos);
    end_ -= pos;
    return true;
  }

 private:
  int fd_;
  std::string buf_;
  size_t end_ = 0;
};

struct PublisherResult {
  int64_t acked = 0;
  std::vector<uint32_t> latencies_us;  // one per acked message
  std::string error;
  Clock::time_point done;  // when the last PUBACK arrived
};

void RunPublisher(const Options& o, int index, int64_t quota, Clock::time_point start,
                  PublisherResult* out) {
  int fd = Dial(o.broker_host, o.broker_port);
  if (fd < 0) {
    out->error = "cannot connect to the broker";
    return;
  }
  std::string wire;
  std::string id = "fluxgate-bench-pub-" + std::to_string(index);
  mq::Connect c;
  c.client_id = id;
  c.clean_session = true;
  c.keepalive_secs = 60;
  mq::EncodeConnect(c, &wire);
  PacketReader reader(fd);
  bool connacked = false;
  if (!WriteAll(fd, wire)) out->error = "write CONNECT failed";
  while (out->error.empty() && !connacked) {
    if (!reader.ReadSome([&](const mq::FixedHeader& h, std::string_view body) {
          auto ack = mq::DecodeConnack(h, body);
          if (!ack.ok() || ack->return_code != 0) out->error = "CONNACK refused";
          connacked = true;
        })) {
      out->error = "broker closed the connection before CONNACK";
    }
  }
  std::this_thread::sleep_until(start);

  std::vector<int64_t> sent_at(65536, 0);
  out->latencies_us.reserve(static_cast<size_t>(quota));
  std::string payload_pad(static_cast<size_t>(std::max(0, o.payload_bytes - 90)), 'x');
  std::string topic, payload;
  int64_t sent = 0, inflight = 0;
  uint16_t next_id = 1;
  auto now_us = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
        .count();
  };
  while (out->error.empty() && out->acked < quota) {
    wire.clear();
    while (sent < quota && inflight < o.window && wire.size() < 32 * 1024) {
      const int64_t n = sent * o.publishers + index;
      const int64_t device = n % o.devices;
      topic = o.topic_prefix + "/site-" + std::to_string(device % 10) + "/dev-" +
              std::to_string(device);
      payload = "{\"device_id\":\"dev-" + std::to_string(device) +
                "\",\"seq\":" + std::to_string(n) + ",\"value\":21.5,\"unit\":\"C\",\"pad\":\"" +
                payload_pad + "\"}";
      mq::Publish p;
      p.topic = topic;
      p.payload = payload;
      p.qos = 1;
      p.packet_id = next_id;
      sent_at[next_id] = now_us();
      next_id = static_cast<uint16_t>(next_id == 65535 ? 1 : next_id + 1);
      mq::EncodePublish(p, &wire);
      ++sent;
      ++inflight;
    }
    if (!wire.empty() && !WriteAll(fd, wire)) {
      out->error = "write failed";
      break;
    }
    if (inflight == 0) break;
    if (!reader.ReadSome([&](const mq::FixedHeader& h, std::string_view body) {
          if (h.type != mq::PacketType::kPuback) return;
          auto pid = mq::DecodePuback(h, body);
          if (!pid.ok()) return;
          out->latencies_us.push_back(static_cast<uint32_t>(now_us() - sent_at[*pid]));
          ++out->acked;
          --inflight;
        })) {
      out->error = "broker closed the connection";
    }
  }
  out->done = Clock::now();
  wire.clear();
  mq::EncodeDisconnect(&wire);
  (void)WriteAll(fd, wire);
  ::close(fd);
}

// Counts records of `stream` through GetRecords on every shard until `want` or timeout.
// Returns the number counted and sets *done_at to when the count was reached.
int64_t CountLogRecords(const Options& o, int64_t want, Clock::time_point deadline,
                        Clock::time_point* done_at, std::string* error) {
  kinesis::ClientOptions co;
  co.endpoint = o.endpoint;
  auto client = kinesis::KinesisClient::Create(co);
  if (!client.ok()) {
    *error = client.status().ToString();
    return 0;
  }
  auto& k = **client;
  std::vector<std::string> iterators;
  while (Clock::now() < deadline) {
    auto shards = k.ListShards(o.stream);
    if (shards.ok()) {
      for (const auto& s : *shards) {
        auto it = k.GetShardIterator(o.stream, s.shard_id, "TRIM_HORIZON");
        if (it.ok()) iterators.push_back(*it);
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (iterators.empty()) {
    *error = "stream " + o.stream + " has no shards (is fluxgate's [[ingest.mqtt]] running?)";
    return 0;
  }
  int64_t count = 0;
  while (count < want && Clock::now() < deadline) {
    bool any = false;
    for (auto& it : iterators) {
      if (it.empty()) continue;
      auto r = k.GetRecords(it, 10000);
      if (!r.ok()) {
        *error = r.status().ToString();
        return count;
      }
      count += static_cast<int64_t>(r->records.size());
      any = any || !r->records.empty();
      it = r->next_shard_iterator;
    }
    if (count >= want) *done_at = Clock::now();
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return count;
}

uint32_t Percentile(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--broker") {
      std::string v = next();
      size_t colon = v.rfind(':');
      o.broker_host = v.substr(0, colon);
      o.broker_port = std::atoi(v.substr(colon + 1).c_str());
    } else if (a == "--endpoint") {
      o.endpoint = next();
    } else if (a == "--stream") {
      o.stream = next();
    } else if (a == "--topic-prefix") {
      o.topic_prefix = next();
    } else if (a == "--publishers") {
      o.publishers = std::atoi(next().c_str());
    } else if (a == "--messages") {
      o.messages = std::atoll(next().c_str());
    } else if (a == "--window") {
      o.window = std::atoi(next().c_str());
    } else if (a == "--payload-bytes") {
      o.payload_bytes = std::atoi(next().c_str());
    } else if (a == "--devices") {
      o.devices = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--timeout") {
      o.timeout_s = std::atof(next().c_str());
    } else if (a == "--no-count") {
      o.no_count = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      Usage();
      return 2;
    }
  }
  if (o.publishers < 1 || o.window < 1 || o.window > 60000 || o.messages < 1) {
    std::fprintf(stderr, "need --publishers >= 1, 1 <= --window <= 60000, --messages >= 1\n");
    return 2;
  }

  const MachineInfo m = ReadMachineInfo();
  std::printf("machine: %s, %d CPUs online, kernel %s, %lld MiB, load(1m) %.2f\n",
              m.cpu_model.c_str(), m.online_cpus, m.kernel.c_str(),
              static_cast<long long>(m.mem_total_mib), m.load_average_1m);
  std::printf(
      "inputs: broker %s:%d, %d publishers x window %d, %lld messages of ~%d bytes, "
      "%d devices, stream %s\n",
      o.broker_host.c_str(), o.broker_port, o.publishers, o.window,
      static_cast<long long>(o.messages), o.payload_bytes, o.devices, o.stream.c_str());

  std::vector<PublisherResult> results(static_cast<size_t>(o.publishers));
  std::vector<std::thread> threads;
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(300);
  for (int i = 0; i < o.publishers; ++i) {
    const int64_t quota = o.messages / o.publishers + (i < o.messages % o.publishers ? 1 : 0);
    threads.emplace_back(RunPublisher, std::cref(o), i, quota, start,
                         &results[static_cast<size_t>(i)]);
  }
  Clock::time_point log_done = Clock::time_point::min();
  int64_t in_log = 0;
  std::string count_error;
  if (!o.no_count) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(o.timeout_s));
    in_log = CountLogRecords(o, o.messages, deadline, &log_done, &count_error);
  }
  for (auto& t : threads) t.join();
  Clock::time_point pub_done = start;
  for (const auto& r : results) pub_done = std::max(pub_done, r.done);

  int64_t acked = 0;
  std::vector<uint32_t> lat;
  for (auto& r : results) {
    if (!r.error.empty()) std::fprintf(stderr, "publisher error: %s\n", r.error.c_str());
    acked += r.acked;
    lat.insert(lat.end(), r.latencies_us.begin(), r.latencies_us.end());
  }
  // The broker acks publishers before fluxgate has the messages, so the publishers can
  // finish well before the log catches up: both figures are printed.
  const double pub_s = std::chrono::duration<double>(pub_done - start).count();
  const double p50 = Percentile(lat, 0.50) / 1000.0, p99 = Percentile(lat, 0.99) / 1000.0,
               pmax = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()) / 1000.0;
  std::printf(
      "published: %lld acked by the broker in %.2f s = %.0f msg/s; broker PUBACK "
      "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      static_cast<long long>(acked), pub_s, acked / pub_s, p50, p99, pmax);
  double log_rate = 0;
  if (!o.no_count) {
    if (log_done != Clock::time_point::min()) {
      const double log_s = std::chrono::duration<double>(log_done - start).count();
      log_rate = in_log / log_s;
      std::printf("into the log: %lld records in %.2f s = %.0f msg/s\n",
                  static_cast<long long>(in_log), log_s, log_rate);
    } else {
      std::printf("into the log: only %lld of %lld records before the timeout%s%s\n",
                  static_cast<long long>(in_log), static_cast<long long>(o.messages),
                  count_error.empty() ? "" : ": ", count_error.c_str());
    }
  }
  if (o.json) {
    std::printf(
        "{\"publishers\":%d,\"window\":%d,\"messages\":%lld,\"acked\":%lld,\"broker_msgs_per_s\":"
        "%.0f,\"broker_puback_p50_ms\":%.3f,\"broker_puback_p99_ms\":%.3f,\"in_log\":%lld,"
        "\"log_msgs_per_s\":%.0f}\n",
        o.publishers, o.window, static_cast<long long>(o.messages), static_cast<long long>(acked),
        acked / pub_s, p50, p99, static_cast<long long>(in_log), log_rate);
  }
  const bool ok = acked == o.messages && (o.no_count || in_log >= o.messages);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace fluxgate::bench

int main(int argc, char** argv) { return fluxgate::bench::Main(argc, argv); }
