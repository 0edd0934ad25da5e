#include "sim/simulator.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <thread>

namespace fluxgate::sim {
namespace {

using Clock = std::chrono::steady_clock;

// Virtual-clock step when no rate is given: readings 1 ms apart.
constexpr double kUnpacedStepUs = 1000.0;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int64_t WallNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void DrawProgress(std::FILE* out, const RunStats& stats, const SinkStats& sink,
                  std::optional<uint64_t> target, double elapsed) {
  double rate = elapsed > 0 ? double(stats.generated) / elapsed : 0;
  std::string total = target ? fmt::format("/{}", *target) : "";
  fmt::print(out, "\r  {}{} records  {:.0f}/s  anomalies {}  delivered {}  failed {}   ",
             stats.generated, total, rate, stats.anomalies, sink.delivered, sink.failed);
  std::fflush(out);
}

}  // namespace

Status SimulatorOptions::Validate() const {
  FG_RETURN_IF_ERROR(generator.Validate());
  if (!(rate >= 0) || std::isinf(rate)) return Status::InvalidArgument("rate must be >= 0");
  if (duration_s && !(*duration_s > 0)) return Status::InvalidArgument("duration must be > 0");
  if (count && duration_s) return Status::InvalidArgument("give either a count or a duration");
  return Status::Ok();
}

Status RunSimulation(const SimulatorOptions& options, RecordSink* sink,
                     const std::atomic<bool>* stop, RunStats* stats) {
  FG_RETURN_IF_ERROR(options.Validate());
  *stats = RunStats{};
  Generator generator(options.generator);

  // A duration at a fixed rate is a count, so the same options give the same records.
  std::optional<uint64_t> target = options.count;
  std::optional<double> wall_limit_s;
  if (options.duration_s) {
    if (options.rate > 0)
      target = static_cast<uint64_t>(std::llround(*options.duration_s * options.rate));
    else
      wall_limit_s = options.duration_s;
  }
  const double step_us = options.rate > 0 ? 1e6 / options.rate : kUnpacedStepUs;

  const auto t0 = Clock::now();
  auto last_flush = t0, last_progress = t0;
  const auto flush_every = std::chrono::duration<double>(options.flush_interval_s);
  const auto progress_every = std::chrono::duration<double>(options.progress_interval_s);
  std::string json;
  json.reserve(256);
  Status status;

  for (uint64_t i = 0;; ++i) {
    if (target && i >= *target) break;
    if (stop && stop->load(std::memory_order_relaxed)) {
      stats->interrupted = true;
      break;
    }
    auto now = Clock::now();
    if (wall_limit_s && Seconds(now - t0) >= *wall_limit_s) break;
    if (options.rate > 0) {
      // Pace against the schedule, not the previous record, so sleeps don't accumulate.
      auto due = t0 + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(double(i) / options.rate));
      while (due > now && !(stop && stop->load(std::memory_order_relaxed))) {
        // Short slices keep Ctrl-C responsive at low rates.
        std::this_thread::sleep_for(
            std::min<Clock::duration>(due - now, std::chrono::milliseconds(100)));
        now = Clock::now();
      }
      if (stop && stop->load(std::memory_order_relaxed)) continue;  // handled at the top
    }

    int64_t observed_us =
        options.start_time_us
            ? *options.start_time_us + static_cast<int64_t>(std::llround(double(i) * step_us))
            : WallNowUs();
    Reading r = generator.Next(observed_us);
    const Device& device = generator.devices()[r.device];
    json.clear();
    AppendRecordJson(device, r, &json);

    ++stats->generated;
    ++stats->per_type[static_cast<int>(device.type)];
    stats->anomalies += r.anomaly;
    stats->out_of_order += r.delivery == Delivery::kOutOfOrder;
    stats->late += r.delivery == Delivery::kLate;

    status = sink->Add(json, device.id);
    if (!status.ok()) break;

    // Paced runs can be slow enough to leave a batch half full for long; unpaced ones fill
    // batches (and flush them) quickly, so time-based flushes would only shrink batches.
    if (options.rate > 0 && now - last_flush >= flush_every) {
      status = sink->Flush();
      if (!status.ok()) break;
      last_flush = now;
    }
    if (options.progress && now - last_progress >= progress_every) {
      DrawProgress(options.progress, *stats, sink->stats(), target, Seconds(now - t0));
      last_progress = now;
    }
  }
  if (status.ok()) status = sink->Flush();
  stats->elapsed_s = Seconds(Clock::now() - t0);
  stats->sink = sink->stats();
  if (options.progress) {
    DrawProgress(options.progress, *stats, stats->sink, target, stats->elapsed_s);
    fmt::print(options.progress, "\n");
  }
  return status;
}

std::string FormatSummary(const SimulatorOptions& options, const RunStats& stats,
                          const std::string& sink_description) {
  const SinkStats& sink = stats.sink;
  std::string out;
  auto line = [&out](std::string s) { out.append(s).push_back('\n'); };
  double rate = stats.elapsed_s > 0 ? double(stats.generated) / stats.elapsed_s : 0;
  line(fmt::format("simulate: {} records in {:.2f} s ({:.1f} records/s) to {}{}", stats.generated,
                   stats.elapsed_s, rate, sink_description,
                   stats.interrupted ? " (interrupted)" : ""));
  line(fmt::format("  seed {}, {} devices, {}", options.generator.seed, options.generator.devices,
                   options.start_time_us ? "virtual clock from --start-time (reproducible)"
                                         : "wall-clock timestamps"));
  std::string types;
  for (int t = 0; t < kSensorTypeCount; ++t) {
    types += fmt::format("{}{} {}", t ? ", " : "", SpecFor(static_cast<SensorType>(t)).name,
                         stats.per_type[t]);
  }
  line("  by sensor type: " + types);
  double pct = stats.generated ? 100.0 * double(stats.anomalies) / double(stats.generated) : 0;
  line(fmt::format("  anomalies injected: {} ({:.2f}%)", stats.anomalies, pct));
  if (stats.out_of_order || stats.late)
    line(fmt::format("  out-of-order: {}, late: {}", stats.out_of_order, stats.late));
  line(fmt::format("  delivered: {}, failed: {}", sink.delivered, sink.failed));
  if (sink.requests) {
    line(fmt::format("  PutRecords calls: {}, records retried: {}, calls retried: {}",
                     sink.requests, sink.retried_records, sink.retried_calls));
  }
  if (!sink.error_codes.empty()) {
    std::string codes;
    for (const auto& [code, n] : sink.error_codes)
      codes += fmt::format("{}{} {}", codes.empty() ? "" : ", ", code, n);
    line("  errors: " + codes);
  }
  if (!sink.per_shard.empty()) {
    line("  by shard:");
    for (const auto& [shard, n] : sink.per_shard) line(fmt::format("    {} {}", shard, n));
  }
  return out;
}

}  // namespace fluxgate::sim
