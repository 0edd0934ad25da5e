// `fluxgate simulate`: generate IoT telemetry as NDJSON or into a Kinesis stream.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>

#include "cli/commands.h"
#include "common/logging.h"
#include "kinesis/client.h"
#include "sim/simulator.h"

namespace fluxgate::cli {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void OnStopSignal(int) { g_stop.store(true); }

struct SimulateFlags {
  uint32_t devices = 10;
  double rate = 10;
  double duration = 0;
  uint64_t count = 0;
  uint64_t seed = 0;
  std::string start_time;
  double anomaly_rate = 0.01;
  double out_of_order_rate = 0;
  double max_disorder = 5;
  double late_rate = 0;
  double max_lateness = 60;
  std::string endpoint;
  std::string ca_file;  // --ca-file; empty: $FLUXGATE_CA_FILE or the system store
  std::string stream;
  int create_shards = 0;
  size_t batch_size = 500;
  std::string access_key = "x";
  std::string secret_key = "x";
  std::string region = "us-east-1";
  std::string output;
  bool quiet = false;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "fluxgate simulate: %s\n", msg.c_str());
  return 1;
}

int RunSimulate(const SimulateFlags& f, bool seed_given, bool count_given, bool duration_given) {
  sim::SimulatorOptions so;
  so.generator.seed = seed_given ? f.seed : std::random_device{}();
  so.generator.devices = f.devices;
  so.generator.anomaly_rate = f.anomaly_rate;
  so.generator.out_of_order_rate = f.out_of_order_rate;
  so.generator.max_disorder_s = f.max_disorder;
  so.generator.late_rate = f.late_rate;
  so.generator.max_lateness_s = f.max_lateness;
  so.rate = f.rate;
  if (count_given) so.count = f.count;
  if (duration_given) so.duration_s = f.duration;
  if (!f.start_time.empty()) {
    auto t = sim::ParseTimestamp(f.start_time);
    if (!t.ok()) return Fail(t.status().message());
    so.start_time_us = *t;
  }
  if (Status st = so.Validate(); !st.ok()) return Fail(st.message());
  if (!f.endpoint.empty() && f.stream.empty()) return Fail("--endpoint needs --stream NAME");
  if (f.endpoint.empty() && !f.ca_file.empty()) return Fail("--ca-file goes with --endpoint");
  if (!f.endpoint.empty() && !f.output.empty())
    return Fail("give either --endpoint or --output, not both");
  so.progress = (!f.quiet && isatty(STDERR_FILENO)) ? stderr : nullptr;

  std::unique_ptr<kinesis::KinesisClient> client;
  std::unique_ptr<sim::RecordSink> sink;
  std::FILE* file = nullptr;
  if (!f.endpoint.empty()) {
    kinesis::ClientOptions co;
    co.endpoint = f.endpoint;
    co.access_key = f.access_key;
    co.secret_key = f.secret_key;
    co.region = f.region;
    co.ca_file = f.ca_file;
    auto c = kinesis::KinesisClient::Create(co);
    if (!c.ok()) return Fail(c.status().message());
    client = std::move(c).value();
    if (Status st = sim::EnsureStream(client.get(), f.stream, f.create_shards); !st.ok())
      return Fail(st.message());
    sim::KinesisSinkOptions ko;
    ko.stream = f.stream;
    ko.max_batch_records = f.batch_size;
    ko.jitter_seed = so.generator.seed;
    sink = sim::MakeKinesisSink(client.get(), ko, "stream " + f.stream + " at " + f.endpoint);
  } else if (!f.output.empty()) {
    file = std::fopen(f.output.c_str(), "w");
    if (file == nullptr) return Fail(Status::FromErrno("open " + f.output, errno).message());
    sink = sim::MakeNdjsonSink(file, f.output);
  } else {
    sink = sim::MakeNdjsonSink(stdout, "stdout");
  }

  // Ctrl-C ends the run cleanly: buffered records are flushed and the summary printed.
  // SIGPIPE is ignored so `simulate | head` ends with a write error, not a silent kill.
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  sim::RunStats stats;
  Status run = sim::RunSimulation(so, sink.get(), &g_stop, &stats);
  if (file != nullptr && std::fclose(file) != 0 && run.ok())
    run = Status::FromErrno("close " + f.output, errno);
  if (!f.quiet) std::fputs(sim::FormatSummary(so, stats, sink->Describe()).c_str(), stderr);
  if (!run.ok()) {
    // A closed stdout pipe is how `simulate | head` ends; not worth an error.
    if (file == nullptr && f.endpoint.empty() &&
        run.message().find(std::strerror(EPIPE)) != std::string::npos)
      return 0;
    return Fail(run.message());
  }
  return stats.sink.failed > 0 ? 3 : 0;
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<SimulateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Generate realistic IoT sensor telemetry (temperature, pressure, vibration, flow) as\n"
      "JSON records: NDJSON on stdout (default) or --output FILE, or PutRecords into a Kinesis\n"
      "stream with --endpoint/--stream. Each device has a fixed sensor type and location and a\n"
      "smooth signal (baseline, daily cycle, drift, noise); --anomaly-rate pushes readings past\n"
      "the alert thresholds. A summary goes to stderr at the end; Ctrl-C stops early.");
  cmd->footer(
      "Reproducibility: the same --seed and options give the same devices, values and anomaly\n"
      "positions; add --start-time to also fix the timestamps (record i is stamped\n"
      "start + i/rate, or 1 ms apart with --rate 0). Without --start-time, records carry the\n"
      "wall-clock time at which they were generated.\n"
      "Alert thresholds: temperature > 80 °C, pressure > 100 PSI, vibration > 50 Hz,\n"
      "flow > 250 L/min. Normal readings always stay below them.\n"
      "Exit status: 0 ok, 1 error, 3 some records could not be delivered.\n"
      "Examples:\n"
      "  fluxgate simulate --count 5 --seed 1 --start-time 2026-11-25T19:05:00Z\n"
      "  fluxgate simulate --endpoint http://127.0.0.1:4567 --stream iot --create-shards 2 \\\n"
      "      --rate 500 --duration 60 --anomaly-rate 0.02 --late-rate 0.01");

  cmd->add_option("--devices", f->devices,
                  "Number of simulated devices, sensor-0001.. (default 10)")
      ->check(CLI::Range(1u, 1'000'000u));
  cmd->add_option("--rate", f->rate,
                  "Records per second over all devices; 0 = as fast as possible (default 10)")
      ->check(CLI::NonNegativeNumber);
  auto* duration = cmd->add_option(
      "--duration", f->duration,
      "Stop after SECONDS. With --rate > 0 this means exactly rate x SECONDS records (paced); "
      "with --rate 0 a wall-clock limit. Without --duration or --count: run until Ctrl-C");
  cmd->add_option("--count", f->count, "Stop after N records")->excludes(duration);
  cmd->add_option("--seed", f->seed,
                  "Random seed for devices and readings (default: random; printed in the "
                  "summary so a run can be repeated)");
  cmd->add_option("--start-time", f->start_time,
                  "Event time of the first record, ISO 8601 UTC (e.g. 2026-11-25T19:05:00Z); "
                  "switches to a virtual clock so timestamps are reproducible");
  cmd->add_option("--anomaly-rate", f->anomaly_rate,
                  "Fraction of readings pushed 5-60% past their sensor's alert threshold "
                  "(default 0.01)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--out-of-order-rate", f->out_of_order_rate,
                  "Fraction of readings whose timestamp is moved back by up to --max-disorder "
                  "(bounded disorder; default 0)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-disorder", f->max_disorder,
                  "Largest shift of an out-of-order reading, in seconds (default 5)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--late-rate", f->late_rate,
                  "Fraction of readings moved back by more than --max-disorder and at most "
                  "--max-lateness, i.e. late for event-time windows (default 0)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-lateness", f->max_lateness,
                  "Largest shift of a late reading, in seconds; must exceed --max-disorder "
                  "(default 60)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--endpoint", f->endpoint,
                  "Kinesis endpoint URL (e.g. http://127.0.0.1:4567, or https://); sends "
                  "PutRecords batches with the device id as partition key instead of writing "
                  "NDJSON");
  cmd->add_option("--ca-file", f->ca_file,
                  "With an https:// --endpoint: PEM file of CA certificates to trust (default: "
                  "$FLUXGATE_CA_FILE, else the system store)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--stream", f->stream, "Kinesis stream to write to (with --endpoint)");
  cmd->add_option("--create-shards", f->create_shards,
                  "Create the stream with N shards if it does not exist (default: fail)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--batch-size", f->batch_size, "Records per PutRecords call, 1-500 (default 500)")
      ->check(CLI::Range(size_t{1}, size_t{500}));
  cmd->add_option("--access-key", f->access_key, "SigV4 access key id (default \"x\")")
      ->envname("AWS_ACCESS_KEY_ID");
  cmd->add_option("--secret-key", f->secret_key, "SigV4 secret key (default \"x\")")
      ->envname("AWS_SECRET_ACCESS_KEY");
  cmd->add_option("--region", f->region, "SigV4 region (default us-east-1)")
      ->envname("AWS_DEFAULT_REGION");
  cmd->add_option("--output", f->output, "Write NDJSON to FILE instead of stdout");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress line and no summary");

  cmd->callback([f, cmd, exit_code] {
    *exit_code = RunSimulate(*f, cmd->count("--seed") > 0, cmd->count("--count") > 0,
                             cmd->count("--duration") > 0);
  });
}

}  // namespace fluxgate::cli
