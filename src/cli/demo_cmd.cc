// `fluxgate demo`: the whole first capability in one command. Starts the server on the
// embedded default, drives it with the simulator for about a minute through the Kinesis
// API, reads everything back as a consumer would, and reports what happened.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/serve_flags.h"
#include "common/logging.h"
#include "kinesis/client.h"
#include "log/log_manager.h"
#include "server/node.h"
#include "sim/simulator.h"
#include "sim/sink.h"

namespace fluxgate::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

struct DemoFlags {
  ServeFlags serve;
  std::string stream = "iot-telemetry";
  int shards = 2;
  uint32_t devices = 200;
  double rate = 2000;
  double duration = 60;
  double anomaly_rate = 0.02;
  uint64_t seed = 42;
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
  const std::string endpoint = "http://127.0.0.1:" + std::to_string((*node)->kinesis_port());
  std::printf("server:    Kinesis API %s, HTTP http://127.0.0.1:%u/healthz, data in %s\n",
              endpoint.c_str(), (*node)->http_port(),
              std::filesystem::absolute(config.data_dir).lexically_normal().c_str());

  kinesis::ClientOptions co;
  co.endpoint = endpoint;
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

  sim::SimulatorOptions so;
  so.generator.seed = f.seed;
  so.generator.devices = f.devices;
  so.generator.anomaly_rate = f.anomaly_rate;
  so.rate = f.rate;
  so.duration_s = f.duration;
  so.progress = isatty(fileno(stderr)) ? stderr : nullptr;
  std::printf(
      "simulator: %u devices, %.0f records/s for %.0f s into stream %s (Ctrl-C ends "
      "early)\n",
      f.devices, f.rate, f.duration, f.stream.c_str());
  std::fflush(stdout);
  sim::KinesisSinkOptions ko;
  ko.stream = f.stream;
  auto sink = sim::MakeKinesisSink(client->get(), ko, "stream " + f.stream + " at " + endpoint);
  sim::RunStats stats;
  Status run = sim::RunSimulation(so, sink.get(), &g_stop, &stats);
  std::printf("\n%s", sim::FormatSummary(so, stats, sink->Describe()).c_str());
  if (!run.ok()) std::printf("simulator stopped with an error: %s\n", run.message().c_str());

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
      static_cast<unsigned long long>(stats.sink.delivered));
  auto dir = std::filesystem::absolute(config.data_dir).lexically_normal();
  std::printf(
      "  on disk: %s (%.1f MiB; segments, indexes and metadata — see "
      "docs/formats/log.md)\n",
      dir.c_str(), static_cast<double>(DirBytes(dir)) / (1 << 20));

  Status stop = (*node)->Stop();
  std::printf("\nserver stopped (log flushed and fsynced%s).\n",
              stop.ok() ? "" : (": " + stop.message()).c_str());
  std::printf(
      "Run it yourself: build/fluxgate serve, then for example\n"
      "  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \\\n"
      "  aws --endpoint-url http://127.0.0.1:4567 kinesis describe-stream-summary "
      "--stream-name %s\n",
      f.stream.c_str());
  bool consistent = after.ok() && added == stats.sink.delivered;
  if (!consistent) std::printf("WARNING: records read back do not match records acknowledged\n");
  return run.ok() && stop.ok() && consistent ? 0 : 1;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand("demo",
                                     "Run the server, drive it with the simulator for a "
                                     "minute, and report what happened");
  cmd->footer(
      "Starts the server on the embedded default, creates the stream, runs the simulator\n"
      "through the Kinesis API, reads every shard back with GetRecords, and prints records\n"
      "in, per-shard counts and where the data lives. Exits non-zero if what was read back\n"
      "differs from what was acknowledged.");
  AddServeFlags(*cmd, f->serve);
  cmd->add_option("--stream", f->stream, "Stream to create and fill")->capture_default_str();
  cmd->add_option("--shards", f->shards, "Shards of the stream if it is created")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--devices", f->devices, "Simulated devices")->capture_default_str();
  cmd->add_option("--rate", f->rate, "Records per second (0 = as fast as possible)")
      ->capture_default_str();
  cmd->add_option("--duration", f->duration, "Seconds to run the simulator")->capture_default_str();
  cmd->add_option("--anomaly-rate", f->anomaly_rate, "Fraction of readings past thresholds")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Simulator seed")->capture_default_str();
  cmd->callback([f, exit_code] { *exit_code = RunDemo(*f); });
}

}  // namespace fluxgate::cli
