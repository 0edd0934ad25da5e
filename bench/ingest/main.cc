// fluxgate-bench-ingest: PutRecords load generator for any Kinesis-compatible endpoint.
//
// Sends batches of telemetry records (PutRecords, JSON 1.1, SigV4-signed) over N
// keep-alive HTTP/1.1 connections for a duration or a number of calls, after a warm-up,
// and prints the machine, the inputs and the figures: acknowledged records/s, MB/s,
// p50/p99/max call latency and failed records. `--json` adds one machine-readable line.
// See bench/README.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "bench_status.h"
#include "canned_server.h"
#include "http_wire.h"
#include "load_loop.h"
#include "machine_info.h"
#include "payload.h"

namespace fluxgate::bench {
namespace {

constexpr int kControlTimeoutMs = 10'000;
constexpr int kStreamActiveTimeoutMs = 60'000;

struct Options {
  std::string endpoint = "http://127.0.0.1:4567";
  std::string stream = "fluxgate-bench";
  int shards = 4;  // 0: the stream must already exist
  int connections = 8;
  int threads = 1;
  double duration_s = 10;
  int64_t requests = 0;
  double warmup_s = 2;
  int batch = 500;
  int record_bytes = 150;
  int devices = 10'000;
  int bodies = 32;
  std::string label;
  int server_pid = 0;
  bool verify = true;
  bool json = false;
  bool self_test = false;
  bool skip_setup = false;
  int canned_server_port = 0;
};

void PrintUsage() {
  std::printf(
      "usage: fluxgate-bench-ingest [options]\n"
      "  --endpoint URL       Kinesis endpoint, http:// only (default http://127.0.0.1:4567)\n"
      "  --stream NAME        stream to write (default fluxgate-bench)\n"
      "  --shards N           create the stream with N shards if missing, wait for ACTIVE\n"
      "                       (default 4; 0 = the stream must exist)\n"
      "  --connections N      keep-alive connections, one call in flight each (default 8)\n"
      "  --threads N          event-loop threads for the connections (default 1)\n"
      "  --duration SECONDS   measured time after the warm-up (default 10)\n"
      "  --requests N         measure N calls instead of a duration\n"
      "  --warmup SECONDS     unmeasured load before the measurement (default 2)\n"
      "  --batch N            records per PutRecords call, 1..500 (default 500)\n"
      "  --record-bytes N     raw bytes per record before base64 (default 150)\n"
      "  --devices N          distinct partition keys (default 10000)\n"
      "  --bodies N           distinct pre-built request bodies (default 32)\n"
      "  --label TEXT         name of this run in the output (default: the endpoint)\n"
      "  --server-pid PID     also report that process's CPU use during the measurement\n"
      "  --no-verify          don't check that each reply lists one SequenceNumber per\n"
      "                       acknowledged record (saves generator CPU)\n"
      "  --skip-setup         send no control-plane call: the stream must exist (for\n"
      "                       servers without CreateStream/DescribeStreamSummary, or a\n"
      "                       canned responder used to find the generator's ceiling)\n"
      "  --json               also print one JSON line with every figure\n"
      "  --self-test          check SigV4, base64 and the HTTP parser, then exit\n"
      "  --canned-server PORT instead of generating load, serve canned replies on\n"
      "                       127.0.0.1:PORT until killed (measures the generator's ceiling)\n"
      "Credentials for the SigV4 signature: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
      "AWS_DEFAULT_REGION (dummy values by default; emulators don't verify them).\n");
}

BenchStatus ParseInt(std::string_view flag, const char* text, int64_t min, int64_t max,
                     int64_t* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
    return BenchStatus::Error(std::string(flag) + ": expected an integer in [" +
                              std::to_string(min) + ", " + std::to_string(max) + "], got '" + text +
                              "'");
  }
  *out = v;
  return BenchStatus::Ok();
}

BenchStatus ParseSeconds(std::string_view flag, const char* text, double* out) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= 0) || v > 86400) {
    return BenchStatus::Error(std::string(flag) + ": expected seconds, got '" + text + "'");
  }
  *out = v;
  return BenchStatus::Ok();
}

BenchStatus ParseOptions(int argc, char** argv, Options* o, bool* help) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      *help = true;
      return BenchStatus::Ok();
    }
    if (flag == "--no-verify") {
      o->verify = false;
      continue;
    }
    if (flag == "--json") {
      o->json = true;
      continue;
    }
    if (flag == "--skip-setup") {
      o->skip_setup = true;
      continue;
    }
    if (flag == "--self-test") {
      o->self_test = true;
      continue;
    }
    if (i + 1 >= argc) return BenchStatus::Error(std::string(flag) + ": missing value");
    const char* value = argv[++i];
    int64_t n = 0;
    BenchStatus s;
    if (flag == "--endpoint") {
      o->endpoint = value;
    } else if (flag == "--stream") {
      o->stream = value;
    } else if (flag == "--label") {
      o->label = value;
    } else if (flag == "--shards") {
      s = ParseInt(flag, value, 0, 10'000, &n);
      o->shards = static_cast<int>(n);
    } else if (flag == "--connections") {
      s = ParseInt(flag, value, 1, 10'000, &n);
      o->connections = static_cast<int>(n);
    } else if (flag == "--threads") {
      s = ParseInt(flag, value, 1, 256, &n);
      o->threads = static_cast<int>(n);
    } else if (flag == "--duration") {
      s = ParseSeconds(flag, value, &o->duration_s);
    } else if (flag == "--warmup") {
      s = ParseSeconds(flag, value, &o->warmup_s);
    } else if (flag == "--requests") {
      s = ParseInt(flag, value, 1, int64_t{1} << 40, &o->requests);
    } else if (flag == "--batch") {
      s = ParseInt(flag, value, 1, 500, &n);
      o->batch = static_cast<int>(n);
    } else if (flag == "--record-bytes") {
      s = ParseInt(flag, value, 1, 1 << 20, &n);
      o->record_bytes = static_cast<int>(n);
    } else if (flag == "--devices") {
      s = ParseInt(flag, value, 1, 100'000'000, &n);
      o->devices = static_cast<int>(n);
    } else if (flag == "--bodies") {
      s = ParseInt(flag, value, 1, 4096, &n);
      o->bodies = static_cast<int>(n);
    } else if (flag == "--canned-server") {
      s = ParseInt(flag, value, 1, 65535, &n);
      o->canned_server_port = static_cast<int>(n);
    } else if (flag == "--server-pid") {
      s = ParseInt(flag, value, 1, INT32_MAX, &n);
      o->server_pid = static_cast<int>(n);
    } else {
      return BenchStatus::Error("unknown option " + std::string(flag) + " (see --help)");
    }
    if (!s.ok()) return s;
  }
  if (o->duration_s <= 0 && o->requests == 0) {
    return BenchStatus::Error("--duration must be > 0 unless --requests is given");
  }
  if (o->label.empty()) o->label = o->endpoint;
  return BenchStatus::Ok();
}

Signer SignerFromEnv() {
  Signer signer;
  if (const char* v = std::getenv("AWS_ACCESS_KEY_ID"); v && *v) signer.access_key = v;
  if (const char* v = std::getenv("AWS_SECRET_ACCESS_KEY"); v && *v) signer.secret_key = v;
  if (const char* v = std::getenv("AWS_DEFAULT_REGION"); v && *v) signer.region = v;
  return signer;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out.append(buf);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// Calls a control-plane operation; on success fills status and body.
BenchStatus ControlCall(BlockingClient& client, const Endpoint& endpoint, const Signer& signer,
                        std::string_view operation, const std::string& body, int* status,
                        std::string* reply) {
  Signer fresh = signer;
  fresh.amz_date = NowAmzDate();
  const std::string request = BuildKinesisRequest(endpoint, fresh, operation, body);
  BenchStatus s = client.Call(request, kControlTimeoutMs, status, reply);
  if (!s.ok()) return BenchStatus::Error(std::string(operation) + ": " + s.message());
  return BenchStatus::Ok();
}

std::string ErrorType(const std::string& body) {
  std::string type;
  if (!FindJsonString(body, "__type", &type)) return "";
  // botocore keeps the part after the last '#' and before any ':'.
  if (const auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  if (const auto colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  return type;
}

// Creates the stream if it is missing (when shards > 0) and waits until it is ACTIVE.
BenchStatus EnsureStream(const Endpoint& endpoint, const Signer& signer, const Options& o,
                         std::string* note) {
  BlockingClient client(endpoint);
  const std::string name_body = "{\"StreamName\":\"" + JsonEscape(o.stream) + "\"}";
  std::string describe_op = "DescribeStreamSummary";
  bool created = false;
  const auto deadline = Clock::now() + std::chrono::milliseconds(kStreamActiveTimeoutMs);
  while (true) {
    int status = 0;
    std::string reply;
    if (BenchStatus s =
            ControlCall(client, endpoint, signer, describe_op, name_body, &status, &reply);
        !s.ok()) {
      return s;
    }
    const std::string type = status == 200 ? "" : ErrorType(reply);
    if (status == 200) {
      std::string stream_status;
      if (!FindJsonString(reply, "StreamStatus", &stream_status)) {
        return BenchStatus::Error(describe_op +
                                  " reply has no StreamStatus: " + reply.substr(0, 300));
      }
      if (stream_status == "ACTIVE") {
        int64_t open_shards = 0;
        if (FindJsonInt(reply, "OpenShardCount", &open_shards)) {
          *note =
              (created ? "created, " : "existing, ") + std::to_string(open_shards) + " open shards";
          if (o.shards > 0 && open_shards != o.shards) {
            *note += " (WARNING: --shards " + std::to_string(o.shards) + " requested)";
          }
        } else {
          *note = created ? "created" : "existing";
        }
        return BenchStatus::Ok();
      }
      if (stream_status == "DELETING") {
        return BenchStatus::Error("stream " + o.stream + " is being deleted; retry later");
      }
    } else if (type == "UnknownOperationException" && describe_op == "DescribeStreamSummary") {
      describe_op = "DescribeStream";  // older emulators
      continue;
    } else if (type == "ResourceNotFoundException" && !created) {
      if (o.shards == 0) {
        return BenchStatus::Error("stream " + o.stream + " does not exist and --shards is 0");
      }
      const std::string create_body = "{\"StreamName\":\"" + JsonEscape(o.stream) +
                                      "\",\"ShardCount\":" + std::to_string(o.shards) + "}";
      if (BenchStatus s =
              ControlCall(client, endpoint, signer, "CreateStream", create_body, &status, &reply);
          !s.ok()) {
        return s;
      }
      if (status != 200 && ErrorType(reply) != "ResourceInUseException") {
        return BenchStatus::Error("CreateStream failed: HTTP " + std::to_string(status) + " " +
                                  reply.substr(0, 300));
      }
      created = true;
      continue;
    } else if (type != "ResourceNotFoundException") {
      return BenchStatus::Error(describe_op + " failed: HTTP " + std::to_string(status) + " " +
                                reply.substr(0, 300));
    }
    if (Clock::now() >= deadline) {
      return BenchStatus::Error("stream " + o.stream + " not ACTIVE after " +
                                std::to_string(kStreamActiveTimeoutMs / 1000) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

double Percentile(const std::vector<uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1] / 1000.0;  // ms
}

int SelfTest() {
  int failures = 0;
  const auto check = [&](bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failures += ok ? 0 : 1;
  };
  // shared/reference/kinesis-api.md §5: botocore's CreateStream vector.
  check(CanonicalRequestHash("localhost:4567", "20150830T123600Z", "Kinesis_20131202.CreateStream",
                             "{\"StreamName\": \"test\", \"ShardCount\": 1}") ==
            "40721fbba11400e170d1839130989a8704a78e765a484d2dcf16f72a35ee6a22",
        "SigV4 canonical request hash matches the botocore vector");
  check(Base64Encode("hello\0\xff" + std::string()) == "aGVsbG8=" &&
            Base64Encode(std::string("hello\0\xff", 7)) == "aGVsbG8A/w==" &&
            Base64Encode("") == "" && Base64Encode("ab") == "YWI=",
        "base64 with padding");
  {
    ResponseParser p;
    std::string error;
    const std::string raw =
        "HTTP/1.1 200 OK\r\nContent-Type: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\n{\"Fai\r\n10;ext=1\r\nledRecordCount\":\r\n2\r\n3}\r\n0\r\n\r\n";
    // Feed byte by byte to exercise every partial state.
    bool ok = true;
    for (char ch : raw) {
      p.Append(&ch, 1);
      ok = ok && p.Parse(&error);
    }
    int64_t frc = -1;
    check(ok && p.Complete() && p.status() == 200 && p.Body() == "{\"FailedRecordCount\":3}" &&
              FindJsonInt(p.Body(), "FailedRecordCount", &frc) && frc == 3,
          "chunked response parsed incrementally");
    p.Reset();
    const std::string two =
        "HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\nConnection: close\r\n\r\n"
        "{\"__type\":1}";
    p.Append(two.data(), two.size());
    check(p.Parse(&error) && p.Complete() && p.status() == 400 && !p.keep_alive() &&
              p.Body() == "{\"__type\":1}",
          "Content-Length response and Connection: close");
  }
  std::printf("%s\n", failures == 0 ? "self-test passed" : "self-test FAILED");
  return failures == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  Options o;
  bool help = false;
  if (BenchStatus s = ParseOptions(argc, argv, &o, &help); !s.ok()) {
    std::fprintf(stderr, "fluxgate-bench-ingest: %s\n", s.message().c_str());
    return 1;
  }
  if (help) {
    PrintUsage();
    return 0;
  }
  if (o.self_test) return SelfTest();
  if (o.canned_server_port > 0) {
    return RunCannedServer(static_cast<uint16_t>(o.canned_server_port));
  }

  Endpoint endpoint;
  if (BenchStatus s = ParseEndpoint(o.endpoint, &endpoint); !s.ok()) {
    std::fprintf(stderr, "fluxgate-bench-ingest: %s\n", s.message().c_str());
    return 1;
  }
  const MachineInfo machine = ReadMachineInfo();
  const Signer signer = SignerFromEnv();

  std::string stream_note = "not checked";
  if (BenchStatus s =
          o.skip_setup ? BenchStatus::Ok() : EnsureStream(endpoint, signer, o, &stream_note);
      !s.ok()) {
    std::fprintf(stderr, "fluxgate-bench-ingest: [%s] setting up stream %s at %s: %s\n",
                 o.label.c_str(), o.stream.c_str(), o.endpoint.c_str(), s.message().c_str());
    return 1;
  }

  BatchOptions batch_options;
  batch_options.stream = o.stream;
  batch_options.batch = o.batch;
  batch_options.record_bytes = o.record_bytes;
  batch_options.devices = o.devices;
  batch_options.bodies = o.bodies;
  Signer batch_signer = signer;
  batch_signer.amz_date = NowAmzDate();
  const PreparedBatches batches = BuildPutRecordsBatches(endpoint, batch_signer, batch_options);

  LoadPlan plan;
  plan.endpoint = endpoint;
  plan.requests = &batches.requests;
  plan.batch = o.batch;
  plan.connections = o.connections;
  plan.threads = o.threads;
  plan.warmup = std::chrono::milliseconds(static_cast<int64_t>(o.warmup_s * 1000));
  plan.duration = std::chrono::milliseconds(static_cast<int64_t>(o.duration_s * 1000));
  plan.max_calls = o.requests;
  plan.verify = o.verify;

  double gen_cpu_start = 0, gen_cpu_end = 0, srv_cpu_start = -1, srv_cpu_end = -1;
  Clock::time_point cpu_window_start{}, cpu_window_end{};
  LoadStats stats;
  LoadTimes times;
  BenchStatus run = RunLoad(
      plan, &stats, &times,
      [&] {
        cpu_window_start = Clock::now();
        gen_cpu_start = ProcessCpuSeconds(0);
        if (o.server_pid > 0) srv_cpu_start = ProcessCpuSeconds(o.server_pid);
      },
      [&] {
        cpu_window_end = Clock::now();
        gen_cpu_end = ProcessCpuSeconds(0);
        if (o.server_pid > 0) srv_cpu_end = ProcessCpuSeconds(o.server_pid);
      });
  if (!run.ok()) {
    std::fprintf(stderr, "fluxgate-bench-ingest: [%s] %s\n", o.label.c_str(),
                 run.message().c_str());
    return 1;
  }

  const double elapsed_s =
      std::max(1e-9, std::chrono::duration<double>(times.end - times.warm_end).count());
  const double cpu_window_s =
      std::max(1e-9, std::chrono::duration<double>(cpu_window_end - cpu_window_start).count());
  const double records_per_s = static_cast<double>(stats.acked_records) / elapsed_s;
  const double mb_per_s =
      static_cast<double>(stats.acked_records) * o.record_bytes / elapsed_s / 1e6;
  const double wire_mb_per_s = static_cast<double>(stats.bytes_sent) / elapsed_s / 1e6;
  std::sort(stats.latencies_us.begin(), stats.latencies_us.end());
  const double p50 = Percentile(stats.latencies_us, 0.50);
  const double p99 = Percentile(stats.latencies_us, 0.99);
  const double max_ms = stats.latencies_us.empty() ? 0 : stats.latencies_us.back() / 1000.0;
  const double gen_cpu_pct = 100.0 * (gen_cpu_end - gen_cpu_start) / cpu_window_s;
  const double srv_cpu_pct = (srv_cpu_start >= 0 && srv_cpu_end >= 0)
                                 ? 100.0 * (srv_cpu_end - srv_cpu_start) / cpu_window_s
                                 : -1;
  std::string errors;
  for (const auto& [code, count] : stats.error_codes) {
    errors += (errors.empty() ? "" : ", ") + code + "×" + std::to_string(count);
  }

  char measure[64];
  if (o.requests > 0) {
    std::snprintf(measure, sizeof(measure), "measure %lld calls",
                  static_cast<long long>(o.requests));
  } else {
    std::snprintf(measure, sizeof(measure), "measure %.1f s", o.duration_s);
  }
  std::printf("fluxgate-bench-ingest [%s]\n", o.label.c_str());
  std::printf("  machine   %s, %d cores, Linux %s, %lld MiB RAM, load average %.2f at start%s\n",
              machine.cpu_model.c_str(), machine.online_cpus, machine.kernel.c_str(),
              static_cast<long long>(machine.mem_total_mib), machine.load_average_1m,
              machine.load_average_1m > 0.5 * machine.online_cpus
                  ? " (WARNING: the machine is busy; figures are skewed)"
                  : "");
  std::printf(
      "  inputs    endpoint %s, stream %s (%s), %d connections on %d thread(s),\n"
      "            PutRecords of %d × %d B records (%lld B per request on the wire), "
      "%d devices, %d bodies,\n"
      "            warm-up %.1f s, %s, verify %s\n",
      o.endpoint.c_str(), o.stream.c_str(), stream_note.c_str(), o.connections,
      std::min(o.threads, o.connections), o.batch, o.record_bytes,
      static_cast<long long>(batches.mean_request_bytes), o.devices, o.bodies, o.warmup_s, measure,
      o.verify ? "on" : "off");
  std::printf("  record    %s\n", batches.sample_record.c_str());
  std::printf(
      "  result    %.0f acknowledged records/s, %.1f MB/s of record data "
      "(%.1f MB/s on the wire), %lld calls in %.2f s\n",
      records_per_s, mb_per_s, wire_mb_per_s, static_cast<long long>(stats.calls), elapsed_s);
  std::printf("  latency   p50 %.2f ms, p99 %.2f ms, max %.2f ms (per PutRecords call)\n", p50, p99,
              max_ms);
  std::printf(
      "  failed    %lld records (non-200 calls %lld, transport errors %lld, "
      "malformed replies %lld, partial batches %lld, unfinished %lld)%s%s\n",
      static_cast<long long>(stats.failed_records), static_cast<long long>(stats.non200_calls),
      static_cast<long long>(stats.transport_errors), static_cast<long long>(stats.malformed_calls),
      static_cast<long long>(stats.partial_calls), static_cast<long long>(stats.unfinished_calls),
      errors.empty() ? "" : ": ", errors.c_str());
  if (!stats.first_error.empty()) {
    std::printf("  error     first problem seen: %s\n", stats.first_error.c_str());
  }
  std::printf("  cpu       generator %.0f%% of one core", gen_cpu_pct);
  if (srv_cpu_pct >= 0) std::printf(", server (pid %d) %.0f%%", o.server_pid, srv_cpu_pct);
  std::printf("\n");

  if (o.json) {
    std::printf(
        "{\"label\":\"%s\",\"endpoint\":\"%s\",\"stream\":\"%s\",\"shards\":%d,"
        "\"connections\":%d,\"threads\":%d,\"batch\":%d,\"record_bytes\":%d,\"devices\":%d,"
        "\"bodies\":%d,\"warmup_s\":%.3f,\"elapsed_s\":%.3f,\"calls\":%lld,"
        "\"acked_records\":%lld,\"failed_records\":%lld,\"records_per_s\":%.1f,"
        "\"mb_per_s\":%.3f,\"wire_mb_per_s\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
        "\"max_ms\":%.3f,\"non200_calls\":%lld,\"transport_errors\":%lld,"
        "\"malformed_calls\":%lld,\"partial_calls\":%lld,\"unfinished_calls\":%lld,"
        "\"generator_cpu_pct\":%.1f,\"server_cpu_pct\":%.1f,\"cpu_model\":\"%s\","
        "\"cores\":%d,\"kernel\":\"%s\",\"load_average_1m\":%.2f,\"first_error\":\"%s\"}\n",
        JsonEscape(o.label).c_str(), JsonEscape(o.endpoint).c_str(), JsonEscape(o.stream).c_str(),
        o.shards, o.connections, std::min(o.threads, o.connections), o.batch, o.record_bytes,
        o.devices, o.bodies, o.warmup_s, elapsed_s, static_cast<long long>(stats.calls),
        static_cast<long long>(stats.acked_records), static_cast<long long>(stats.failed_records),
        records_per_s, mb_per_s, wire_mb_per_s, p50, p99, max_ms,
        static_cast<long long>(stats.non200_calls), static_cast<long long>(stats.transport_errors),
        static_cast<long long>(stats.malformed_calls), static_cast<long long>(stats.partial_calls),
        static_cast<long long>(stats.unfinished_calls), gen_cpu_pct, srv_cpu_pct,
        JsonEscape(machine.cpu_model).c_str(), machine.online_cpus,
        JsonEscape(machine.kernel).c_str(), machine.load_average_1m,
        JsonEscape(stats.first_error).c_str());
  }
  std::fflush(stdout);
  return stats.acked_records > 0 ? 0 : 2;
}

}  // namespace
}  // namespace fluxgate::bench

int main(int argc, char** argv) { return fluxgate::bench::Main(argc, argv); }
