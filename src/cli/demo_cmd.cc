// `fluxgate demo`: the recipe's pipeline in one command. Starts the server on the embedded
// default (which runs pipelines/iot-analytics.sql), sends the simulator's last few minutes
// of plant history and then live readings through the Kinesis API, reads the stream back
// as a consumer would, lets the event-time windows close, stops the server (which
// publishes the open output files) and reports what the pipeline wrote.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/serve_flags.h"
#include "common/logging.h"
#include "http/tls.h"
#include "jobs/job_manager.h"
#include "kinesis/client.h"
#include "log/log_manager.h"
#include "parquet/reader.h"
#include "server/node.h"
#include "sim/simulator.h"
#include "sim/sink.h"
#include "store/file_system.h"
#include "store/part_file_codec.h"

namespace fluxgate::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

struct DemoFlags {
  ServeFlags serve;
  std::string stream = "iot-telemetry";
  int shards = 2;
  uint32_t devices = 200;
  double history_minutes = 12;
  double rate = 2000;
  double duration = 20;
  double anomaly_rate = 0.02;
  uint64_t seed = 42;
  std::string ca_file;  // --ca-file: with [tls], what the demo's client trusts
};

uint64_t DirBytes(const std::filesystem::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// Reads every shard from TRIM_HORIZON through the Kinesis API, as a consumer would.
Result<std::map<std::string, uint64_t>> ReadBack(kinesis::KinesisClient& client,
                                                 const std::string& stream) {
  std::map<std::string, uint64_t> counts;
  FG_ASSIGN_OR_RETURN(auto shards, client.ListShards(stream));
  for (const auto& shard : shards) {
    FG_ASSIGN_OR_RETURN(std::string it,
                        client.GetShardIterator(stream, shard.shard_id, "TRIM_HORIZON"));
    uint64_t n = 0;
    while (!it.empty()) {
      FG_ASSIGN_OR_RETURN(auto page, client.GetRecords(it, 10000));
      n += page.records.size();
      if (page.records.empty() && page.millis_behind_latest == 0) break;
      it = page.next_shard_iterator;
    }
    counts[shard.shard_id] = n;
  }
  return counts;
}

// Waits (bounded) until the shipped job has read what was sent and its windows had the
// idle timeout to close, printing its progress.
void WaitForPipeline(server::Node& node, uint64_t sent) {
  jobs::JobManager* jm = node.jobs();
  if (jm == nullptr) return;
  std::printf("\n== the iot-analytics job ==\n");
  auto info = jm->Get("iot-analytics");
  if (!info.ok()) {
    std::printf("  not running (%s)\n", info.status().message().c_str());
    return;
  }
  // Two source tables (JSON and raw) read the stream, so each record counts twice.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && !g_stop.load()) {
    info = jm->Get("iot-analytics");
    if (!info.ok() || info->status.state != jobs::JobState::kRunning ||
        info->status.records_in >= 2 * sent) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // Quiet shards stop holding the watermark back after the idle timeout (10 s in the
  // shipped pipeline); then every window that ended more than 5 s ago closes.
  std::printf("  caught up; waiting 12 s for quiet shards to release the watermark...\n");
  std::fflush(stdout);
  for (int i = 0; i < 60 && !g_stop.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  info = jm->Get("iot-analytics");
  if (!info.ok()) return;
  const jobs::JobStatus& st = info->status;
  std::printf("  state %s, parallelism %d, records read %llu (by 2 tables), rows written %llu\n",
              jobs::JobStateName(st.state), st.parallelism,
              static_cast<unsigned long long>(st.records_in),
              static_cast<unsigned long long>(st.records_out));
  std::printf("  dead letters %llu, late records %llu, last checkpoint %llu\n",
              static_cast<unsigned long long>(st.dead_letters),
              static_cast<unsigned long long>(st.late_records),
              static_cast<unsigned long long>(st.last_checkpoint_id));
  if (!st.error.empty()) std::printf("  error: %s\n", st.error.c_str());
}

// Published part files and their rows under one output prefix; a sample row. Parquet
// files are counted from their footers; .zst / .gz line files are decompressed.
void ReportPrefix(const std::filesystem::path& dir, const char* what) {
  uint64_t files = 0, lines = 0;
  std::string sample;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file(ec) || name.rfind("part-", 0) != 0) continue;
    ++files;
    auto bytes = store::DefaultFileSystem()->ReadFile(it->path().string());
    if (!bytes.ok()) continue;
    if (name.ends_with(".parquet")) {
      auto reader = parquet::FileReader::OpenOwned(std::move(bytes).value());
      if (!reader.ok()) continue;
      lines += static_cast<uint64_t>((*reader)->num_rows());
      if (sample.empty() && (*reader)->num_row_groups() > 0) {
        auto batch = (*reader)->ReadRowGroup(0);
        if (batch.ok() && batch->num_rows() > 0) {
          for (size_t c = 0; c < batch->num_columns(); ++c) {
            sample +=
                (c ? ", " : "") + batch->schema()->field(c).name + "=" + batch->ValueToString(c, 0);
          }
        }
      }
      continue;
    }
    const auto codec = name.ends_with(".zst")  ? store::LineCompression::kZstd
                       : name.ends_with(".gz") ? store::LineCompression::kGzip
                                               : store::LineCompression::kNone;
    auto text = store::DecompressAll(codec, *bytes);
    if (!text.ok()) continue;
    size_t start = 0;
    while (start < text->size()) {
      size_t nl = text->find('\n', start);
      if (nl == std::string::npos) break;
      if (sample.empty()) sample = text->substr(start, nl - start);
      ++lines;
      start = nl + 1;
    }
  }
  std::printf("  %-18s %6llu rows in %3llu files  %s\n", what,
              static_cast<unsigned long long>(lines), static_cast<unsigned long long>(files),
              dir.c_str());
  if (!sample.empty()) {
    if (sample.size() > 160) sample = sample.substr(0, 157) + "...";
    std::printf("      e.g. %s\n", sample.c_str());
  }
}

void ReportOutput(const std::filesystem::path& data_dir, uint64_t anomalies) {
  std::printf("\n== what the pipeline wrote (s3://iot-analytics/ -> local store) ==\n");
  const auto base = data_dir / "objects" / "iot-analytics";
  ReportPrefix(base / "raw-data", "raw-data/");
  ReportPrefix(base / "processed-data", "processed-data/");
  ReportPrefix(base / "analytics-results", "analytics-results/");
  std::printf(
      "  alerts: %llu anomalies sent to topic iot-alerts (add [[alerts.subscriptions]] to a\n"
      "          config file to receive them by webhook or in a file; see "
      "docs/configuration.md)\n",
      static_cast<unsigned long long>(anomalies));
  std::printf(
      "  The window still open when the demo ended is published by the next run.\n"
      "  Query the archive with the same SQL, in batch (docs/sql.md):\n"
      "    build/fluxgate query --data-dir %s \\\n"
      "      \"SELECT location, sensor_type, AVG(avg_value) AS avg_value FROM iot_analytics_sink "
      "GROUP BY location, sensor_type\"\n"
      "  or with DuckDB:\n"
      "    SELECT * FROM read_parquet('%s/analytics-results/**/*.parquet', "
      "hive_partitioning=true);\n",
      data_dir.c_str(), base.c_str());
}

int RunDemo(const DemoFlags& f) {
  ServeConfig config;
  if (Status st = ResolveServeConfig(f.serve, config); !st.ok()) {
    std::fprintf(stderr, "fluxgate demo: %s\n", st.message().c_str());
    return 2;
  }
  SetLogLevel(config.log_level == "info" ? "warn" : config.log_level);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);

  std::printf("== fluxgate demo ==\n");
  auto node = server::Node::Start(config);
  if (!node.ok()) {
    std::fprintf(stderr, "fluxgate demo: cannot start the server: %s\n",
                 node.status().message().c_str());
    return 1;
  }
  // With [tls] the listeners speak only HTTPS. The demo's own client then trusts --ca-file,
  // else $FLUXGATE_CA_FILE, else the server's certificate file itself: right for a
  // self-signed certificate or a chain that ends in its private root, as long as it names
  // 127.0.0.1.
  const bool tls = !config.tls.cert_file.empty();
  const std::string scheme = tls ? "https" : "http";
  const std::string endpoint = scheme + "://127.0.0.1:" + std::to_string((*node)->kinesis_port());
  std::printf("server:    Kinesis API %s, HTTP %s://127.0.0.1:%u/healthz, data in %s\n",
              endpoint.c_str(), scheme.c_str(), (*node)->http_port(),
              std::filesystem::absolute(config.data_dir).lexically_normal().c_str());
  std::printf("dashboard: %s://127.0.0.1:%u/  (live while the demo runs%s)\n", scheme.c_str(),
              (*node)->http_port(),
              config.http.bearer_token.empty() ? "" : "; sign in with [http] bearer_token");

  kinesis::ClientOptions co;
  co.endpoint = endpoint;
  co.ca_file = f.ca_file;
  if (tls && co.ca_file.empty() && std::getenv(http::kCaFileEnv) == nullptr)
    co.ca_file = config.tls.cert_file;
  auto client = kinesis::KinesisClient::Create(co);
  if (!client.ok()) {
    std::fprintf(stderr, "fluxgate demo: %s\n", client.status().message().c_str());
    return 1;
  }
  if (Status st = sim::EnsureStream(client->get(), f.stream, f.shards); !st.ok()) {
    std::fprintf(stderr, "fluxgate demo: stream %s: %s\n", f.stream.c_str(), st.message().c_str());
    return 1;
  }
  // What an earlier demo left in the stream, from the log's shard bounds: cheap, and the
  // full read-back through the API below is what checks this run.
  std::map<std::string, uint64_t> before;
  if (auto meta = (*node)->log()->DescribeStream(f.stream); meta.ok()) {
    for (const auto& shard : meta->shards) {
      if (auto b = (*node)->log()->ShardBounds(f.stream, shard.index); b.ok())
        before[log::ShardIdFor(shard.index)] = b->second - b->first;
    }
  }

  sim::KinesisSinkOptions ko;
  ko.stream = f.stream;
  auto sink = sim::MakeKinesisSink(client->get(), ko, "stream " + f.stream + " at " + endpoint);
  sim::RunStats stats;
  Status run;
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (f.history_minutes > 0) {
    // History first, one reading per millisecond of event time, as fast as the API takes
    // it: the 5-minute windows it spans close during the demo.
    sim::SimulatorOptions hist;
    hist.generator.seed = f.seed;
    hist.generator.devices = f.devices;
    hist.generator.anomaly_rate = f.anomaly_rate;
    hist.rate = 0;
    hist.count = static_cast<uint64_t>(f.history_minutes * 60'000);
    hist.start_time_us = now_us - static_cast<int64_t>(f.history_minutes * 60e6);
    hist.progress = isatty(fileno(stderr)) ? stderr : nullptr;
    std::printf("simulator: %.0f minutes of history from %u devices (%llu readings) into %s\n",
                f.history_minutes, f.devices, static_cast<unsigned long long>(*hist.count),
                f.stream.c_str());
    std::fflush(stdout);
    run = sim::RunSimulation(hist, sink.get(), &g_stop, &stats);
    std::printf("\n%s", sim::FormatSummary(hist, stats, sink->Describe()).c_str());
  }
  sim::SimulatorOptions so;
  so.generator.seed = f.seed + 1;
  so.generator.devices = f.devices;
  so.generator.anomaly_rate = f.anomaly_rate;
  so.rate = f.rate;
  so.duration_s = f.duration;
  so.progress = isatty(fileno(stderr)) ? stderr : nullptr;
  sim::RunStats live;
  if (run.ok() && f.duration > 0 && !g_stop.load()) {
    std::printf(
        "simulator: live, %u devices, %.0f records/s for %.0f s into stream %s (Ctrl-C ends "
        "early)\n",
        f.devices, f.rate, f.duration, f.stream.c_str());
    std::fflush(stdout);
    run = sim::RunSimulation(so, sink.get(), &g_stop, &live);
    std::printf("\n%s", sim::FormatSummary(so, live, sink->Describe()).c_str());
  }
  stats.anomalies += live.anomalies;

  std::printf("\n== what the log holds ==\n");
  auto after = ReadBack(**client, f.stream);
  uint64_t total = 0, added = 0;
  if (after.ok()) {
    for (const auto& [shard, n] : *after) {
      uint64_t prev = before.count(shard) ? before[shard] : 0;
      std::printf("  %s: %llu records (%llu from this run), read back with GetRecords\n",
                  shard.c_str(), static_cast<unsigned long long>(n),
                  static_cast<unsigned long long>(n - prev));
      total += n;
      added += n - prev;
    }
  } else {
    std::printf("  read-back failed: %s\n", after.status().message().c_str());
  }
  std::printf(
      "  total: %llu records in stream %s (%llu from this run; simulator had %llu "
      "acknowledged)\n",
      static_cast<unsigned long long>(total), f.stream.c_str(),
      static_cast<unsigned long long>(added),
      static_cast<unsigned long long>(sink->stats().delivered));
  auto dir = std::filesystem::absolute(config.data_dir).lexically_normal();
  std::printf(
      "  on disk: %s (%.1f MiB; segments, indexes and metadata — see "
      "docs/formats/log.md)\n",
      dir.c_str(), static_cast<double>(DirBytes(dir)) / (1 << 20));

  const uint64_t sent = sink->stats().delivered;
  WaitForPipeline(**node, sent);
  Status stop = (*node)->Stop();
  std::printf("\nserver stopped (log flushed and fsynced, output files published%s).\n",
              stop.ok() ? "" : (": " + stop.message()).c_str());
  ReportOutput(dir, stats.anomalies);
  std::printf(
      "Run it yourself: build/fluxgate serve, then for example\n"
      "  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \\\n"
      "  aws --endpoint-url %s://127.0.0.1:4567%s kinesis describe-stream-summary "
      "--stream-name %s\n",
      scheme.c_str(), tls ? " --ca-bundle CA.pem" : "", f.stream.c_str());
  bool consistent = after.ok() && added == sink->stats().delivered;
  if (!consistent) std::printf("WARNING: records read back do not match records acknowledged\n");
  return run.ok() && stop.ok() && consistent ? 0 : 1;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand("demo",
                                     "Run the server and its shipped pipeline, drive it with "
                                     "the simulator, and report what the pipeline wrote");
  cmd->footer(
      "Starts the server on the embedded default with pipelines/iot-analytics.sql, sends\n"
      "--history-minutes of simulated plant history and then --duration seconds of live\n"
      "readings through the Kinesis API, reads every shard back with GetRecords, waits for\n"
      "the 5-minute windows to close, stops the server and prints what the pipeline wrote\n"
      "(raw, processed and analytics files) and where. Exits non-zero if what was read back\n"
      "differs from what was acknowledged.");
  AddServeFlags(*cmd, f->serve);
  cmd->add_option("--stream", f->stream, "Stream to create and fill")->capture_default_str();
  cmd->add_option("--shards", f->shards, "Shards of the stream if it is created")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--devices", f->devices, "Simulated devices")->capture_default_str();
  cmd->add_option("--history-minutes", f->history_minutes,
                  "Minutes of plant history sent first, as fast as possible (0: none)")
      ->capture_default_str();
  cmd->add_option("--rate", f->rate, "Live records per second (0 = as fast as possible)")
      ->capture_default_str();
  cmd->add_option("--duration", f->duration, "Seconds of live readings after the history")
      ->capture_default_str();
  cmd->add_option("--anomaly-rate", f->anomaly_rate, "Fraction of readings past thresholds")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Simulator seed")->capture_default_str();
  cmd->add_option("--ca-file", f->ca_file,
                  "With [tls] in --config: PEM file of CA certificates the demo's client trusts "
                  "(default: $FLUXGATE_CA_FILE, else the server's own tls.cert_file)")
      ->check(CLI::ExistingFile);
  cmd->callback([f, exit_code] { *exit_code = RunDemo(*f); });
}

}  // namespace fluxgate::cli
