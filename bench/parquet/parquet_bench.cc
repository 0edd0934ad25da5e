// fluxgate-bench-parquet: Parquet write (and read-back) throughput on one core.
//
// Input: telemetry-shaped RecordBatches of 4096 rows, as the processed-data sink receives
// them: device_id (1000 devices), sensor_type (4), location (5) STRING, value DOUBLE (two
// decimals), timestamp TIMESTAMP(3) (increasing, ~1.5 ms apart). 64 distinct batches are
// built up front and cycled, so the figures are the writer's, not the generator's.
// For each codec the writer streams the file into a counting sink (default options: 128 MiB
// row groups, 1 MiB pages, dictionary strings); then FileReader decodes a file of the
// same rows back into batches.
//
//   fluxgate-bench-parquet [--rows N] [--codecs snappy,zstd,...]
// Prints the machine, the inputs and per codec: rows/s, input MB/s (the batch's value
// bytes: strings' bytes + 8 per double/timestamp), output MB/s, bytes/row, read rows/s.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "machine_info.h"
#include "parquet/compression.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

namespace fluxgate::parquet {
namespace {

using Clock = std::chrono::steady_clock;

class CountingSink final : public ByteSink {
 public:
  Status Append(std::string_view b) override {
    bytes += b.size();
    return Status::Ok();
  }
  size_t bytes = 0;
};

std::shared_ptr<const runtime::Schema> TelemetrySchema() {
  return std::make_shared<runtime::Schema>(
      std::vector<runtime::Field>{{"device_id", sql::DataType::String()},
                                  {"sensor_type", sql::DataType::String()},
                                  {"location", sql::DataType::String()},
                                  {"value", sql::DataType::Double()},
                                  {"timestamp", sql::DataType::Timestamp(3)}});
}

std::vector<runtime::RecordBatch> MakeBatches(size_t count, size_t rows, size_t* value_bytes) {
  static const char* kTypes[] = {"temperature", "humidity", "pressure", "vibration"};
  std::mt19937_64 rng(42);
  runtime::RecordBatchBuilder b(TelemetrySchema());
  std::vector<runtime::RecordBatch> out;
  int64_t ts = 1795633500123;
  *value_bytes = 0;
  char buf[32];
  for (size_t i = 0; i < count; ++i) {
    for (size_t r = 0; r < rows; ++r) {
      int n = std::snprintf(buf, sizeof buf, "sensor-%04d", static_cast<int>(rng() % 1000));
      b.column(0).AppendString(std::string_view(buf, n));
      const char* type = kTypes[rng() % 4];
      b.column(1).AppendString(type);
      int m = std::snprintf(buf, sizeof buf, "factory-floor-%d", static_cast<int>(rng() % 5));
      b.column(2).AppendString(std::string_view(buf, m));
      b.column(3).AppendDouble(static_cast<double>(rng() % 10000) / 100.0);
      ts += 1 + static_cast<int64_t>(rng() % 2);
      b.column(4).AppendInt64(ts);
      b.CommitRow();
      *value_bytes += n + std::strlen(type) + m + 16;
    }
    out.push_back(b.Finish());
  }
  return out;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int Main(int argc, char** argv) {
  size_t total_rows = 5'000'000;
  std::string codecs = "uncompressed,snappy,zstd,gzip";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) {
      total_rows = std::stoull(argv[++i]);
    } else if (a == "--codecs" && i + 1 < argc) {
      codecs = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--rows N] [--codecs snappy,zstd,...]\n", argv[0]);
      return 2;
    }
  }
  bench::MachineInfo mi = bench::ReadMachineInfo();
  std::printf("machine: %s, %d online CPUs, kernel %s, %lld MiB RAM, load %.2f\n",
              mi.cpu_model.c_str(), mi.online_cpus, mi.kernel.c_str(),
              static_cast<long long>(mi.mem_total_mib), mi.load_average_1m);
  const size_t kBatchRows = 4096, kBatches = 64;
  size_t value_bytes_all = 0;
  auto batches = MakeBatches(kBatches, kBatchRows, &value_bytes_all);
  const double bytes_per_row = static_cast<double>(value_bytes_all) / (kBatches * kBatchRows);
  std::printf(
      "input: %zu rows in batches of %zu (device_id, sensor_type, location STRING; value "
      "DOUBLE; timestamp TIMESTAMP(3)), %.1f value bytes/row; one core\n\n",
      total_rows, kBatchRows, bytes_per_row);
  std::printf("%-13s %12s %10s %10s %10s %8s %8s %12s\n", "codec", "write rows/s", "in MB/s",
              "out MB/s", "file MB", "B/row", "groups", "read rows/s");

  size_t start = 0;
  while (start < codecs.size()) {
    size_t comma = codecs.find(',', start);
    std::string name =
        codecs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? codecs.size() : comma + 1;
    auto codec = ParseCodec(name);
    if (!codec.ok()) {
      std::fprintf(stderr, "%s\n", codec.status().ToString().c_str());
      return 2;
    }
    WriterOptions opts;
    opts.codec = *codec;
    CountingSink sink;
    auto w = Writer::Open(*TelemetrySchema(), opts, &sink);
    if (!w.ok()) return 1;
    auto t0 = Clock::now();
    size_t rows = 0;
    for (size_t i = 0; rows < total_rows; ++i) {
      const runtime::RecordBatch& b = batches[i % kBatches];
      if (!(*w)->Write(b).ok()) return 1;
      rows += b.num_rows();
    }
    if (!(*w)->Close().ok()) return 1;
    double secs = Seconds(t0, Clock::now());

    // Read back: decode a file of the same rows (held in memory) into batches.
    StringSink file;
    auto w2 = Writer::Open(*TelemetrySchema(), opts, &file);
    for (size_t i = 0, n = 0; n < total_rows; ++i) {
      if (!(*w2)->Write(batches[i % kBatches]).ok()) return 1;
      n += kBatchRows;
    }
    if (!(*w2)->Close().ok()) return 1;
    auto r = FileReader::Open(file.data());
    if (!r.ok()) return 1;
    auto t1 = Clock::now();
    size_t read_rows = 0;
    for (size_t g = 0; g < (*r)->num_row_groups(); ++g) {
      auto b = (*r)->ReadRowGroup(g);
      if (!b.ok()) {
        std::fprintf(stderr, "read: %s\n", b.status().ToString().c_str());
        return 1;
      }
      read_rows += b->num_rows();
    }
    double rsecs = Seconds(t1, Clock::now());

    std::printf("%-13s %12.0f %10.1f %10.1f %10.1f %8.2f %8lld %12.0f\n", CodecName(*codec),
                rows / secs, rows * bytes_per_row / secs / 1e6, sink.bytes / secs / 1e6,
                sink.bytes / 1e6, static_cast<double>(sink.bytes) / rows,
                static_cast<long long>((*w)->stats().row_groups), read_rows / rsecs);
  }
  return 0;
}

}  // namespace
}  // namespace fluxgate::parquet

int main(int argc, char** argv) { return fluxgate::parquet::Main(argc, argv); }
