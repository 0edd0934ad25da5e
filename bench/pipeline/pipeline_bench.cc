// fluxgate-bench-pipeline: replays simulator records from the log through the shipped
// pipeline (pipelines/iot-analytics.sql) and prints records/s and records/s per core,
// next to simdjson's raw parse rate of the same records (the floor no JSON engine beats).
//
// Steps (see bench/README.md, "Pipeline benchmark"):
//  1. N simulator records as NDJSON (sim::Generator, fixed seed; or --input FILE);
//     --ndjson FILE keeps them for DuckDB (bench/pipeline/duckdb_bench.mjs).
//  2. What the pipeline must output, computed from the NDJSON directly.
//  3. simdjson ondemand over every line, every field touched, one thread.
//  4. The records appended to a fresh log in a temp dir (durability none; not timed).
//  5. Per variant (analytics: the 5-minute aggregates INSERT alone; full: all four INSERTs)
//     and per worker-thread count: a new Job reading from TRIM_HORIZON, timed from Start()
//     until status().records_in covers every record of every scan; then job time jumps a
//     day ahead so every window closes, the job stops, and its output is checked against
//     step 2 (row counts, Σ MAX, Σ MIN). Any mismatch makes the exit code 1.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_hub.h"
#include "common/logging.h"
#include "jobs/job.h"
#include "jobs/physical_plan.h"
#include "log/log_manager.h"
#include "machine_info.h"
#include "ndjson_data.h"
#include "parquet/reader.h"
#include "pipeline_sql.h"
#include "runtime/clock.h"
#include "sim/generator.h"
#include "sql/binder.h"
#include "store/part_file_codec.h"

#ifndef FLUXGATE_SOURCE_DIR
#define FLUXGATE_SOURCE_DIR "."
#endif

namespace fluxgate::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kAnalyticsSink = "iot_analytics_sink";
constexpr const char* kProcessedSink = "processed_sink";
constexpr const char* kRawSink = "raw_archive";
constexpr const char* kAlertSink = "iot_alerts";

struct Flags {
  uint64_t records = 2'000'000;
  std::string threads = "1,2";
  std::string variants = "analytics,full";
  std::string ndjson;  // write the generated records here (kept)
  std::string input;   // read records from here instead of generating
  std::string sql = std::string(FLUXGATE_SOURCE_DIR) + "/pipelines/iot-analytics.sql";
  std::string sinks = "auto";
  uint64_t seed = 42;
  uint32_t devices = 1000;
  double interval_ms = 1;
  int repeat = 1;
  uint32_t read_batch = 0;  // 0: JobContext's default
  int parse_repeat = 3;
  bool quick = false;
  bool self_test = false;
  bool keep = false;
  bool json = false;
  bool no_alerts = false;
  bool no_floor = false;
  bool print_sql = false;
  std::string work_dir;
};

// System time plus an offset the bench moves forward to close every window at the end of
// a run (inputs then look idle and the watermark follows this clock).
class OffsetClock final : public runtime::Clock {
 public:
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() +
           offset_.load(std::memory_order_relaxed);
  }
  void Advance(int64_t ms) { offset_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> offset_{0};
};

// Counts the rows of the print sinks that stand in for file sinks ('print-identifier' =
// table name), and sums MAX/MIN of the analytics rows. Called from the job's workers.
class RowCounter {
 public:
  void OnRow(const std::string& row) {
    // "<table>> +I[...]"
    if (row.compare(0, std::char_traits<char>::length(kAnalyticsSink), kAnalyticsSink) == 0) {
      analytics_.fetch_add(1, std::memory_order_relaxed);
      AddAnalytics(row);
    } else if (row.compare(0, std::char_traits<char>::length(kProcessedSink), kProcessedSink) ==
               0) {
      processed_.fetch_add(1, std::memory_order_relaxed);
    } else if (row.compare(0, std::char_traits<char>::length(kRawSink), kRawSink) == 0) {
      raw_.fetch_add(1, std::memory_order_relaxed);
    } else {
      other_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  uint64_t analytics() const { return analytics_.load(); }
  uint64_t processed() const { return processed_.load(); }
  uint64_t raw() const { return raw_.load(); }
  uint64_t other() const { return other_.load(); }
  uint64_t unparsed() const { return unparsed_.load(); }
  double sum_of_max() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sum_max_;
  }
  double sum_of_min() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sum_min_;
  }

 private:
  // Columns: device_id, sensor_type, location, avg, max, min, window_start, ...
  void AddAnalytics(const std::string& row) {
    const auto open = row.find('[');
    std::vector<std::string> fields;
    size_t pos = open == std::string::npos ? row.size() : open + 1;
    while (pos < row.size() && fields.size() < 6) {
      auto comma = row.find(", ", pos);
      if (comma == std::string::npos) comma = row.size();
      fields.push_back(row.substr(pos, comma - pos));
      pos = comma + 2;
    }
    if (fields.size() < 6) {
      unparsed_.fetch_add(1);
      return;
    }
    try {
      const double max = std::stod(fields[4]), min = std::stod(fields[5]);
      std::lock_guard<std::mutex> lock(mu_);
      sum_max_ += max;
      sum_min_ += min;
    } catch (...) {
      unparsed_.fetch_add(1);
    }
  }

  std::atomic<uint64_t> analytics_{0}, processed_{0}, raw_{0}, other_{0}, unparsed_{0};
  mutable std::mutex mu_;
  double sum_max_ = 0;  // GUARDED_BY(mu_)
  double sum_min_ = 0;  // GUARDED_BY(mu_)
};

struct Variant {
  std::string name;                  // "analytics", "full"
  std::vector<std::string> inserts;  // INSERT targets kept
};

struct RunResult {
  std::string variant;
  int threads = 0;
  std::string sinks;  // "print" / "real"
  int parallelism = 0;
  size_t scans = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t records_in = 0;
  uint64_t records_out = 0;
  uint64_t published_files = 0;  // real sinks: part files found after the stop
  double records_per_s = 0;
  bool ok = false;
  std::vector<std::string> problems;
};

std::string Group(double v) {
  // Digit grouping without depending on an installed locale.
  std::string digits = std::to_string(static_cast<int64_t>(std::llround(std::fabs(v))));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool NearlyEqual(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Appends every record to `stream` (partition key = device_id), batches of 500 with a
// bounded number in flight so the log's pending-bytes limit is never hit.
bool AppendAll(log::LogManager* log, const std::string& stream, const NdjsonData& data,
               std::string* error) {
  constexpr size_t kBatch = 500;
  constexpr int kInFlight = 32;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  uint64_t failed = 0;
  std::string first_error;
  std::vector<log::AppendRecord> batch;
  for (size_t i = 0; i < data.size(); i += kBatch) {
    batch.clear();
    for (size_t j = i; j < std::min(data.size(), i + kBatch); ++j) {
      const std::string_view line = data.line(j);
      std::string_view key = DeviceIdOf(line);
      if (key.empty()) key = "no-device";
      batch.push_back({key, line, std::nullopt});
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    Status s = log->Append(stream, batch, [&](std::vector<log::AppendResult> results) {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& r : results) {
        if (!r.ok) {
          if (failed++ == 0) first_error = r.error_code + ": " + r.error_message;
        }
      }
      --in_flight;
      cv.notify_all();
    });
    if (!s.ok()) {
      *error = "append: " + s.ToString();
      std::unique_lock<std::mutex> lock(mu);
      --in_flight;
      cv.wait(lock, [&] { return in_flight == 0; });
      return false;
    }
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  if (failed > 0) {
    *error = fmt::format("{} records failed to append; first: {}", failed, first_error);
    return false;
  }
  return true;
}

// What the file sinks published under `root`: JSON Lines part files per sink path.
struct PublishedFiles {
  uint64_t files = 0;
  uint64_t analytics_lines = 0, processed_lines = 0, raw_lines = 0, other_lines = 0;
  double sum_of_max = 0, sum_of_min = 0;
  uint64_t unparsed = 0;
};

double NumberAfter(const std::string& line, const char* key, bool* ok) {
  const auto at = line.find(key);
  if (at == std::string::npos) {
    *ok = false;
    return 0;
  }
  char* end = nullptr;
  const char* begin = line.c_str() + at + std::strlen(key);
  const double v = std::strtod(begin, &end);
  if (end == begin) *ok = false;
  return v;
}

// Counts one published line file's lines (decompressed) into `out`.
void CountLines(const std::string& path, const std::string& text, PublishedFiles& out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    if (path.find("analytics-results") != std::string::npos) {
      ++out.analytics_lines;
      bool ok = true;
      const double max = NumberAfter(line, "\"max_value\":", &ok);
      const double min = NumberAfter(line, "\"min_value\":", &ok);
      if (!ok) {
        ++out.unparsed;
        continue;
      }
      out.sum_of_max += max;
      out.sum_of_min += min;
    } else if (path.find("processed-data") != std::string::npos) {
      ++out.processed_lines;
    } else if (path.find("raw-data") != std::string::npos) {
      ++out.raw_lines;
    } else {
      ++out.other_lines;
    }
  }
}

// Counts one published Parquet file's rows (analytics: Σ max_value and Σ min_value).
void CountParquet(const std::string& path, std::string bytes, PublishedFiles& out) {
  auto reader = fluxgate::parquet::FileReader::OpenOwned(std::move(bytes));
  if (!reader.ok()) {
    ++out.unparsed;
    return;
  }
  const auto& cols = (*reader)->columns();
  const int64_t rows = (*reader)->num_rows();
  if (path.find("analytics-results") != std::string::npos) {
    size_t max_col = cols.size(), min_col = cols.size();
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].name == "max_value") max_col = i;
      if (cols[i].name == "min_value") min_col = i;
    }
    if (max_col == cols.size() || min_col == cols.size()) {
      out.unparsed += rows;
      return;
    }
    for (size_t g = 0; g < (*reader)->num_row_groups(); ++g) {
      auto batch = (*reader)->ReadRowGroup(g, {max_col, min_col});
      if (!batch.ok()) {
        ++out.unparsed;
        continue;
      }
      for (size_t r = 0; r < batch->num_rows(); ++r) {
        out.sum_of_max += batch->column(0).Double(r);
        out.sum_of_min += batch->column(1).Double(r);
      }
      out.analytics_lines += batch->num_rows();
    }
  } else if (path.find("processed-data") != std::string::npos) {
    out.processed_lines += rows;
  } else {
    out.other_lines += rows;
  }
}

// Part files are the published ones (staged and in-progress files are hidden, '.'-named):
// Parquet (processed-data, analytics-results) or zstd/gzip/plain lines (raw-data).
PublishedFiles ReadPublished(const std::string& root) {
  PublishedFiles out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    const std::string path = it->path().string();
    if (name.rfind("part-", 0) != 0) continue;
    ++out.files;
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (name.ends_with(".parquet")) {
      CountParquet(path, std::move(bytes), out);
      continue;
    }
    auto c = name.ends_with(".zst")  ? fluxgate::store::LineCompression::kZstd
             : name.ends_with(".gz") ? fluxgate::store::LineCompression::kGzip
                                     : fluxgate::store::LineCompression::kNone;
    auto text = fluxgate::store::DecompressAll(c, bytes);
    if (!text.ok()) {
      ++out.unparsed;
      continue;
    }
    CountLines(path, *text, out);
  }
  return out;
}

class Bench {
 public:
  Bench(Flags flags, const NdjsonData& data, const ExpectedOutput& expected)
      : f_(std::move(flags)), data_(data), expected_(expected) {}

  bool Setup(const PipelineSql& sql, std::string* error) {
    sql_ = sql;
    const SqlTable* source = nullptr;
    for (const SqlTable& t : sql_.tables) {
      if ((t.connector == "kinesis" || t.connector == "stream") && !source) source = &t;
    }
    if (source == nullptr) {
      *error = "the pipeline has no stream source table";
      return false;
    }
    stream_ = TableOption(source->text, "stream");
    const std::string shards_text = TableOption(source->text, "shards");
    shards_ = shards_text.empty() ? 2 : std::stoi(shards_text);
    log::LogOptions lo;
    lo.data_dir = f_.work_dir + "/log";
    lo.durability = log::Durability::kNone;
    auto opened = log::LogManager::Open(lo);
    if (!opened.ok()) {
      *error = "opening the log: " + opened.status().ToString();
      return false;
    }
    log_ = std::move(opened).value();
    Status s = log_->CreateStream(stream_, static_cast<uint32_t>(shards_),
                                  log::StreamMode::kProvisioned, {});
    if (!s.ok()) {
      *error = "creating stream '" + stream_ + "': " + s.ToString();
      return false;
    }
    const auto t0 = Clock::now();
    if (!AppendAll(log_.get(), stream_, data_, error)) return false;
    append_seconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
    ServeConfig::Alerts alerts;  // no subscriptions: alerts are counted, not delivered
    auto hub = alerts::AlertHub::Start(alerts);
    if (!hub.ok()) {
      *error = "starting the alert hub: " + hub.status().ToString();
      return false;
    }
    hub_ = std::move(hub).value();
    return true;
  }

  const std::string& stream() const { return stream_; }
  int shards() const { return shards_; }
  double append_seconds() const { return append_seconds_; }

  RunResult Run(const Variant& variant, int threads, SinkMode mode, int index);

  void Close() {
    if (hub_) (void)hub_->Stop();
    if (log_) (void)log_->Close();
  }

 private:
  Flags f_;
  const NdjsonData& data_;
  const ExpectedOutput& expected_;
  PipelineSql sql_;
  std::string stream_;
  int shards_ = 2;
  double append_seconds_ = 0;
  std::unique_ptr<log::LogManager> log_;
  std::unique_ptr<alerts::AlertHub> hub_;
};

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

double CpuNow() { return ProcessCpuSeconds(0); }

RunResult Bench::Run(const Variant& variant, int threads, SinkMode mode, int index) {
  RunResult r;
  r.variant = variant.name;
  r.threads = threads;
  r.sinks = mode == SinkMode::kPrint ? "print" : "real";
  const std::string script = BuildPipelineScript(sql_, variant.inserts, mode);
  sql::Catalog catalog;
  auto bound = sql::BindSql(script, &catalog);
  if (!bound.ok() || bound->pipelines.size() != 1) {
    r.problems.push_back(bound.ok() ? "the script bound to " +
                                          std::to_string(bound->pipelines.size()) + " pipelines"
                                    : "binding: " + bound.status().ToString());
    return r;
  }
  sql::Pipeline pipeline = bound->pipelines[0];
  pipeline.name = fmt::format("bench-{}-{}t-{}", variant.name, threads, index);
  {
    std::vector<sql::PlanPtr> roots(pipeline.sinks.begin(), pipeline.sinks.end());
    auto plan = jobs::PhysicalPlan::Build(roots);
    if (!plan.ok()) {
      r.problems.push_back("planning: " + plan.status().ToString());
      return r;
    }
    r.scans = plan->scans.size();
  }

  RowCounter counter;
  OffsetClock clock;
  jobs::JobContext ctx;
  ctx.log = log_.get();
  ctx.alerts = hub_.get();
  ctx.data_dir = f_.work_dir + "/run-" + std::to_string(index);
  ctx.clock = &clock;
  ctx.worker_threads = threads;
  if (f_.read_batch > 0) ctx.read_batch_records = f_.read_batch;
  ctx.print = [&counter](const std::string&, const std::string& row) { counter.OnRow(row); };
  const uint64_t alerts_before = hub_->Stats().published;

  auto created = jobs::Job::Create(pipeline, ctx);
  if (!created.ok()) {
    r.problems.push_back("Job::Create: " + created.status().ToString());
    return r;
  }
  std::unique_ptr<jobs::Job> job = std::move(created).value();
  const uint64_t target = data_.size() * r.scans;
  const double timeout_s = std::max(120.0, static_cast<double>(data_.size()) / 20'000);

  const double cpu0 = CpuNow();
  const auto t0 = Clock::now();
  if (Status s = job->Start(); !s.ok()) {
    r.problems.push_back("Job::Start: " + s.ToString());
    return r;
  }
  jobs::JobStatus st;
  for (;;) {
    st = job->status();
    if (st.state == jobs::JobState::kFailed) {
      r.problems.push_back("the job failed: " + st.error);
      return r;
    }
    if (st.records_in >= target) break;
    if (std::chrono::duration<double>(Clock::now() - t0).count() > timeout_s) {
      r.problems.push_back(
          fmt::format("read only {} of {} records in {:.0f} s", st.records_in, target, timeout_s));
      job->Abort();
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto t1 = Clock::now();
  const double cpu1 = CpuNow();
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.cpu_seconds = cpu1 - cpu0;
  r.parallelism = st.parallelism;
  r.records_per_s = static_cast<double>(data_.size()) / r.seconds;

  // Not timed: every input goes idle a day later, the watermark follows the clock and
  // every window closes.
  const bool has_analytics = Has(variant.inserts, kAnalyticsSink);
  const bool has_processed = Has(variant.inserts, kProcessedSink);
  const bool has_raw = Has(variant.inserts, kRawSink);
  const bool has_alerts = Has(variant.inserts, kAlertSink);
  const uint64_t n = data_.size() - expected_.bad_lines;
  const uint64_t expected_out = (has_analytics ? expected_.groups : 0) + (has_processed ? n : 0) +
                                (has_raw ? data_.size() : 0) + (has_alerts ? expected_.alerts : 0);
  clock.Advance(24ll * 3600 * 1000);
  for (int waited_ms = 0; waited_ms < 30'000; waited_ms += 10) {
    st = job->status();
    if (st.records_out >= expected_out || st.state == jobs::JobState::kFailed) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (Status s = job->Stop(); !s.ok()) r.problems.push_back("Job::Stop: " + s.ToString());
  st = job->status();
  r.records_in = st.records_in;
  r.records_out = st.records_out;

  auto check = [&r](bool ok, std::string what) {
    if (!ok) r.problems.push_back(std::move(what));
  };
  check(st.records_out == expected_out,
        fmt::format("rows written {} != expected {}", st.records_out, expected_out));
  check(st.dead_letters == expected_.bad_lines,
        fmt::format("dead letters {} != expected {}", st.dead_letters, expected_.bad_lines));
  check(st.late_records == 0, fmt::format("{} late records, expected none", st.late_records));
  if (mode == SinkMode::kPrint) {
    if (has_analytics) {
      check(counter.analytics() == expected_.groups,
            fmt::format("analytics rows {} != expected groups {}", counter.analytics(),
                        expected_.groups));
      check(counter.unparsed() == 0,
            fmt::format("{} analytics rows could not be parsed", counter.unparsed()));
      check(NearlyEqual(counter.sum_of_max(), expected_.sum_of_max),
            fmt::format("Σ max_value {:.2f} != expected {:.2f}", counter.sum_of_max(),
                        expected_.sum_of_max));
      check(NearlyEqual(counter.sum_of_min(), expected_.sum_of_min),
            fmt::format("Σ min_value {:.2f} != expected {:.2f}", counter.sum_of_min(),
                        expected_.sum_of_min));
    }
    check(counter.processed() == (has_processed ? n : 0),
          fmt::format("processed rows {} != expected {}", counter.processed(),
                      has_processed ? n : 0));
    check(counter.raw() == (has_raw ? data_.size() : 0),
          fmt::format("raw archive rows {} != expected {}", counter.raw(),
                      has_raw ? data_.size() : 0));
    check(counter.other() == 0, fmt::format("{} rows from an unknown sink", counter.other()));
  }
  if (mode == SinkMode::kReal) {
    // What a reader of the bucket would see once the job stopped.
    const PublishedFiles pub = ReadPublished(ctx.data_dir + "/objects");
    r.published_files = pub.files;
    if (has_analytics) {
      check(pub.analytics_lines == expected_.groups,
            fmt::format("analytics-results lines {} != expected groups {}", pub.analytics_lines,
                        expected_.groups));
      check(pub.unparsed == 0,
            fmt::format("{} analytics-results lines without max_value/min_value", pub.unparsed));
      check(NearlyEqual(pub.sum_of_max, expected_.sum_of_max),
            fmt::format("Σ max_value in files {:.2f} != expected {:.2f}", pub.sum_of_max,
                        expected_.sum_of_max));
      check(NearlyEqual(pub.sum_of_min, expected_.sum_of_min),
            fmt::format("Σ min_value in files {:.2f} != expected {:.2f}", pub.sum_of_min,
                        expected_.sum_of_min));
    }
    check(pub.processed_lines == (has_processed ? n : 0),
          fmt::format("processed-data lines {} != expected {}", pub.processed_lines,
                      has_processed ? n : 0));
    check(
        pub.raw_lines == (has_raw ? data_.size() : 0),
        fmt::format("raw-data lines {} != expected {}", pub.raw_lines, has_raw ? data_.size() : 0));
    check(pub.other_lines == 0, fmt::format("{} lines in unexpected files", pub.other_lines));
  }
  if (has_alerts) {
    const uint64_t alerts = hub_->Stats().published - alerts_before;
    check(alerts == expected_.alerts,
          fmt::format("alerts published {} != expected {}", alerts, expected_.alerts));
  }
  r.ok = r.problems.empty();
  std::error_code ec;
  fs::remove_all(ctx.data_dir, ec);
  return r;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out;
}

int Main(int argc, char** argv) {
  Flags f;
  CLI::App app{
      "fluxgate-bench-pipeline: replays simulator records from the log through the shipped "
      "pipeline and compares with simdjson's raw parse rate (bench/README.md)"};
  app.add_option("--records", f.records, "Simulator records to replay (default 2,000,000)");
  app.add_option("--threads", f.threads, "Worker-thread counts to run, comma-separated (1,2)");
  app.add_option("--variants", f.variants,
                 "Pipeline variants: analytics (the 5-minute aggregates INSERT alone), full "
                 "(all four INSERTs); comma-separated (analytics,full)");
  app.add_option("--ndjson", f.ndjson, "Write the generated records to FILE and keep it");
  app.add_option("--input", f.input, "Read the records from an NDJSON FILE instead");
  app.add_option("--sql", f.sql, "Pipeline file (default: the shipped one)");
  app.add_option("--sinks", f.sinks,
                 "auto: the file sinks as shipped, falling back to counting 'print' sinks when "
                 "they cannot start; print; real")
      ->check(CLI::IsMember({"auto", "print", "real"}));
  app.add_option("--seed", f.seed, "Simulator seed (42)");
  app.add_option("--devices", f.devices, "Simulated devices (1000)");
  app.add_option("--interval-ms", f.interval_ms,
                 "Event time between consecutive records, ms (1: each device once a second)");
  app.add_option("--read-batch", f.read_batch,
                 "JobContext::read_batch_records, records per shard per step (engine default)");
  app.add_option("--repeat", f.repeat, "Runs per (variant, threads); the best is reported (1)");
  app.add_flag("--quick", f.quick, "500,000 records unless --records is given, one parse pass");
  app.add_flag("--self-test", f.self_test,
               "Small run (20,000 records, 50 devices, 100 ms apart) that checks the output; "
               "exit 1 on a mismatch");
  app.add_flag("--no-alerts", f.no_alerts, "Leave the alert INSERT out of the full variant");
  app.add_flag("--no-floor", f.no_floor,
               "Skip the simdjson measurement (profiling runs of the engine alone)");
  app.add_flag("--print-sql", f.print_sql,
               "Print each variant's rewritten script (with --sinks print|real) and exit");
  app.add_flag("--keep", f.keep, "Keep the work dir (log, checkpoints)");
  app.add_flag("--json", f.json, "Print one machine-readable JSON line at the end");
  app.add_option("--work-dir", f.work_dir, "Where the log goes (default: a new temp dir)");
  CLI11_PARSE(app, argc, argv);
  // Line-buffered even into a pipe or file: run-pipeline.sh and profilers follow progress.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const bool records_given = app.count("--records") > 0;
  if (f.self_test) {
    if (!records_given) f.records = 20'000;
    if (app.count("--devices") == 0) f.devices = 50;
    if (app.count("--interval-ms") == 0) f.interval_ms = 100;
    f.parse_repeat = 1;
  }
  if (f.quick) {
    if (!records_given) f.records = 500'000;
    f.parse_repeat = 1;
  }
  SetLogLevel("warn");

  std::vector<int> thread_counts;
  for (const auto& t : SplitList(f.threads)) thread_counts.push_back(std::max(1, std::stoi(t)));
  std::vector<Variant> variants;
  for (const auto& v : SplitList(f.variants)) {
    if (v == "analytics") {
      variants.push_back({"analytics", {kAnalyticsSink}});
    } else if (v == "full") {
      Variant full{"full", {kRawSink, kProcessedSink, kAnalyticsSink}};
      if (!f.no_alerts) full.inserts.push_back(kAlertSink);
      variants.push_back(full);
    } else {
      std::fprintf(stderr, "unknown variant '%s' (analytics, full)\n", v.c_str());
      return 2;
    }
  }

  const MachineInfo machine = ReadMachineInfo();
  std::printf("fluxgate-bench-pipeline: %s replayed from the log\n", f.sql.c_str());
  std::printf("machine: %s, %d cores, Linux %s, %s MiB RAM, load average %.2f at start\n",
              machine.cpu_model.c_str(), machine.online_cpus, machine.kernel.c_str(),
              Group(static_cast<double>(machine.mem_total_mib)).c_str(), machine.load_average_1m);
  if (machine.load_average_1m > 0.5 * machine.online_cpus) {
    std::printf("WARNING: the machine is busy (load %.2f); the figures will be skewed\n",
                machine.load_average_1m);
  }

  // 1. Records.
  std::string error;
  NdjsonData data;
  if (!f.input.empty()) {
    if (!ReadNdjsonFile(f.input, &data, &error)) {
      std::fprintf(stderr, "ERROR: %s\n", error.c_str());
      return 1;
    }
    std::printf("input: %s records from %s\n", Group(static_cast<double>(data.size())).c_str(),
                f.input.c_str());
  } else {
    NdjsonOptions no;
    no.records = f.records;
    no.seed = f.seed;
    no.devices = f.devices;
    no.interval_us = static_cast<int64_t>(std::llround(f.interval_ms * 1000));
    data = GenerateNdjson(no);
    std::printf(
        "input: %s simulator records (seed %llu, %u devices, %.3g ms apart from %s; "
        "`fluxgate simulate --seed %llu --devices %u --rate %.6g --start-time %s` writes them)\n",
        Group(static_cast<double>(data.size())).c_str(), static_cast<unsigned long long>(f.seed),
        f.devices, f.interval_ms, sim::FormatTimestamp(no.start_us).c_str(),
        static_cast<unsigned long long>(f.seed), f.devices, 1000.0 / f.interval_ms,
        sim::FormatTimestamp(no.start_us).c_str());
  }
  if (!f.ndjson.empty()) {
    if (!WriteNdjsonFile(f.ndjson, data, &error)) {
      std::fprintf(stderr, "ERROR: %s\n", error.c_str());
      return 1;
    }
    std::printf("ndjson: %s (kept)\n", f.ndjson.c_str());
  }
  std::printf(
      "bytes: %s MB of NDJSON, %.1f bytes per record\n",
      fmt::format("{:.1f}", static_cast<double>(data.bytes()) / 1e6).c_str(),
      static_cast<double>(data.bytes()) / static_cast<double>(std::max<size_t>(1, data.size())));

  // 2. Expected output.
  const ExpectedOutput expected = ComputeExpected(data);
  std::printf(
      "expected: %s analytics rows (device, sensor, location, 5-minute window) in %s "
      "windows (Σ max_value %.2f, Σ min_value %.2f), %s alerts, %s unparsable lines\n",
      Group(static_cast<double>(expected.groups)).c_str(),
      Group(static_cast<double>(expected.windows)).c_str(), expected.sum_of_max,
      expected.sum_of_min, Group(static_cast<double>(expected.alerts)).c_str(),
      Group(static_cast<double>(expected.bad_lines)).c_str());

  // 3. simdjson floor.
  double per_line_s = 1e300, many_s = 1e300;
  uint64_t checksum = 0;
  for (int i = 0; i < (f.no_floor ? 0 : f.parse_repeat); ++i) {
    per_line_s = std::min(per_line_s, SimdjsonParseSeconds(data, true, &checksum));
    many_s = std::min(many_s, SimdjsonParseSeconds(data, false, &checksum));
  }
  const double n = static_cast<double>(data.size());
  const double simdjson_rps = f.no_floor ? 0 : n / per_line_s;
  const double simdjson_many_rps = f.no_floor ? 0 : n / many_s;
  if (!f.no_floor)
    std::printf(
        "simdjson %s ondemand (%s kernel), 1 thread, best of %d, every field touched: %s "
        "records/s per core (%.0f MB/s) one iterate() per line; %s records/s (%.0f MB/s) with "
        "iterate_many\n",
        SimdjsonVersion().c_str(), SimdjsonHaswellKernel() ? "haswell" : "fallback", f.parse_repeat,
        Group(simdjson_rps).c_str(), static_cast<double>(data.bytes()) / per_line_s / 1e6,
        Group(simdjson_many_rps).c_str(), static_cast<double>(data.bytes()) / many_s / 1e6);

  // 4. The log.
  bool own_work_dir = f.work_dir.empty();
  if (own_work_dir) {
    std::string tmpl = (fs::temp_directory_path() / "fluxgate-bench-pipeline-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::fprintf(stderr, "ERROR: cannot create a temp dir\n");
      return 1;
    }
    f.work_dir = tmpl;
  }
  std::string sql_text;
  {
    std::ifstream in(f.sql);
    std::ostringstream buf;
    buf << in.rdbuf();
    sql_text = buf.str();
  }
  PipelineSql sql;
  if (sql_text.empty() || !ParsePipelineSql(sql_text, &sql, &error)) {
    std::fprintf(stderr, "ERROR: %s: %s\n", f.sql.c_str(),
                 sql_text.empty() ? "cannot read it" : error.c_str());
    return 1;
  }
  if (f.print_sql) {
    for (const Variant& v : variants) {
      std::printf("-- variant %s\n%s\n", v.name.c_str(),
                  BuildPipelineScript(sql, v.inserts,
                                      f.sinks == "print" ? SinkMode::kPrint : SinkMode::kReal)
                      .c_str());
    }
    if (own_work_dir) fs::remove_all(f.work_dir);
    return 0;
  }
  Bench bench(f, data, expected);
  if (!bench.Setup(sql, &error)) {
    std::fprintf(stderr, "ERROR: %s\n", error.c_str());
    bench.Close();
    if (own_work_dir && !f.keep) fs::remove_all(f.work_dir);
    return 1;
  }
  std::printf(
      "log: stream '%s', %d shards, durability none, in %s; appended in %.2f s (not "
      "timed)\n",
      bench.stream().c_str(), bench.shards(), f.work_dir.c_str(), bench.append_seconds());

  // 5. Runs.
  SinkMode mode = f.sinks == "print" ? SinkMode::kPrint : SinkMode::kReal;
  bool decided = f.sinks != "auto";
  std::vector<RunResult> results;
  int index = 0;
  std::printf("\n%-10s %7s %6s %5s %8s %12s %15s %6s %13s  %s\n", "variant", "threads", "sinks",
              "scans", "seconds", "records/s", "records/s/core", "CPU", "rec/CPU-s", "output");
  for (const Variant& v : variants) {
    for (int threads : thread_counts) {
      std::optional<RunResult> best;
      for (int k = 0; k < f.repeat; ++k) {
        RunResult r = bench.Run(v, threads, mode, index++);
        if (!decided && !r.ok && r.seconds == 0) {
          // The real file sinks could not start: say so once and count with print sinks.
          std::printf(
              "NOTE: the shipped file sinks did not start (%s); measuring with "
              "counting 'print' sinks in their place\n",
              r.problems.empty() ? "?" : r.problems[0].c_str());
          mode = SinkMode::kPrint;
          r = bench.Run(v, threads, mode, index++);
        }
        decided = true;
        if (!best || (r.ok && (!best->ok || r.seconds < best->seconds))) best = r;
      }
      const RunResult& r = *best;
      const double per_core = r.records_per_s / threads;
      const double per_cpu_s = r.cpu_seconds > 0 ? n / r.cpu_seconds : 0;
      std::printf("%-10s %7d %6s %5zu %8.2f %12s %15s %5.0f%% %13s  %s\n", r.variant.c_str(),
                  threads, r.sinks.c_str(), r.scans, r.seconds, Group(r.records_per_s).c_str(),
                  Group(per_core).c_str(), r.seconds > 0 ? 100 * r.cpu_seconds / r.seconds : 0,
                  Group(per_cpu_s).c_str(),
                  (std::string(r.ok ? "OK" : "WRONG") +
                   (r.sinks == "real" ? fmt::format(" ({} part files)", r.published_files) : ""))
                      .c_str());
      for (const auto& p : r.problems) std::printf("    problem: %s\n", p.c_str());
      std::fflush(stdout);
      results.push_back(r);
    }
  }
  bench.Close();
  if (own_work_dir && !f.keep) {
    std::error_code ec;
    fs::remove_all(f.work_dir, ec);
  } else {
    std::printf("kept %s\n", f.work_dir.c_str());
  }

  std::printf("\nper core: fluxgate records/s/worker-thread ÷ simdjson one-thread parse rate\n");
  for (const RunResult& r : results) {
    if (r.seconds <= 0 || f.no_floor) continue;
    const double per_core = r.records_per_s / r.threads;
    std::printf(
        "  %-10s %d thread%s: %s records/s/core = %.2f× simdjson per line, %.2f× "
        "iterate_many\n",
        r.variant.c_str(), r.threads, r.threads == 1 ? " " : "s", Group(per_core).c_str(),
        per_core / simdjson_rps, per_core / simdjson_many_rps);
  }
  bool all_ok = true;
  for (const RunResult& r : results) all_ok &= r.ok;
  if (f.json) {
    std::string runs;
    for (const RunResult& r : results) {
      std::string problems;
      for (const auto& p : r.problems)
        problems += (problems.empty() ? "\"" : ",\"") + JsonEscape(p) + "\"";
      runs += fmt::format(
          "{}{{\"variant\":\"{}\",\"threads\":{},\"sinks\":\"{}\",\"parallelism\":{},"
          "\"scans\":{},\"seconds\":{:.4f},\"cpu_seconds\":{:.4f},\"records_per_s\":{:.0f},"
          "\"records_per_s_per_core\":{:.0f},\"records_out\":{},\"ok\":{},\"problems\":[{}]}}",
          runs.empty() ? "" : ",", r.variant, r.threads, r.sinks, r.parallelism, r.scans, r.seconds,
          r.cpu_seconds, r.records_per_s, r.records_per_s / r.threads, r.records_out,
          r.ok ? "true" : "false", problems);
    }
    std::printf(
        "{\"records\":%zu,\"bytes\":%llu,\"cpu_model\":\"%s\",\"cores\":%d,\"kernel\":\"%s\","
        "\"load_average_1m\":%.2f,\"simdjson_records_per_s\":%.0f,"
        "\"simdjson_many_records_per_s\":%.0f,\"expected_groups\":%llu,"
        "\"expected_sum_of_max\":%.4f,\"expected_sum_of_min\":%.4f,\"runs\":[%s]}\n",
        data.size(), static_cast<unsigned long long>(data.bytes()),
        JsonEscape(machine.cpu_model).c_str(), machine.online_cpus,
        JsonEscape(machine.kernel).c_str(), machine.load_average_1m, simdjson_rps,
        simdjson_many_rps, static_cast<unsigned long long>(expected.groups), expected.sum_of_max,
        expected.sum_of_min, runs.c_str());
  }
  if (!all_ok) std::printf("\nFAILED: some runs' output did not match (problems above)\n");
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace fluxgate::bench

int main(int argc, char** argv) { return fluxgate::bench::Main(argc, argv); }
