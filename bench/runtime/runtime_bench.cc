// Micro benchmarks of the runtime's hot paths. Prints the machine (Google Benchmark's
// header) and, per benchmark, items/s = records or events per second on one core.
//
//   JsonDecode/simulator: simulator NDJSON records -> RecordBatch (recipe schema).
//   TumbleAggregate:      the recipe's 5-minute TUMBLE with AVG/MAX/MIN(value) per key,
//                         1000 pre-interned keys, events in time order with a watermark
//                         after every batch (windows fire and are purged as they close).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "runtime/json_decoder.h"
#include "runtime/timestamp_text.h"
#include "runtime/window_aggregate.h"

namespace fluxgate::runtime {
namespace {

using sql::DataType;

std::shared_ptr<const Schema> RecipeSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"device_id", DataType::String()},
                                                     {"timestamp", DataType::Timestamp(3)},
                                                     {"sensor_type", DataType::String()},
                                                     {"value", DataType::Double()},
                                                     {"unit", DataType::String()},
                                                     {"location", DataType::String()}});
}

std::vector<std::string> SimulatorRecords(size_t n) {
  static const char* kTypes[][2] = {
      {"temperature", "°C"}, {"humidity", "%"}, {"pressure", "hPa"}, {"vibration", "mm/s"}};
  std::mt19937_64 rng(1);
  std::vector<std::string> out;
  int64_t t_us = 1795633500123456;
  for (size_t i = 0; i < n; ++i) {
    auto& ty = kTypes[rng() % 4];
    t_us += 1000 + rng() % 1000;
    std::string ts;
    AppendTimestamp(t_us, 1'000'000, 6, TimestampStyle::kIso, false, true, ts);
    char buf[320];
    int len =
        std::snprintf(buf, sizeof buf,
                      "{\"device_id\":\"sensor-%04d\",\"timestamp\":\"%s\",\"sensor_type\":"
                      "\"%s\",\"value\":%.2f,\"unit\":\"%s\",\"location\":\"factory-floor-%d\"}",
                      static_cast<int>(rng() % 1000), ts.c_str(), ty[0], (rng() % 10000) / 100.0,
                      ty[1], static_cast<int>(rng() % 5));
    out.emplace_back(buf, len);
  }
  return out;
}

void BM_JsonDecodeSimulator(benchmark::State& state) {
  auto schema = RecipeSchema();
  auto records = SimulatorRecords(8192);
  size_t bytes = 0;
  for (const auto& r : records) bytes += r.size();
  JsonDecoder decoder(schema, {});
  RecordBatchBuilder builder(schema);
  DeadLetter dl;
  for (auto _ : state) {
    for (const auto& r : records) {
      if (decoder.Decode(r, builder, &dl) != DecodeOutcome::kRows) state.SkipWithError("dead");
      if (builder.num_rows() == 1024) builder.Recycle(builder.Finish());
    }
  }
  state.SetItemsProcessed(state.iterations() * records.size());
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_JsonDecodeSimulator);

void BM_TumbleAggregate(benchmark::State& state) {
  constexpr uint32_t kKeys = 1000;
  constexpr size_t kBatch = 4096;
  constexpr int64_t kWindow = 5 * 60 * 1000;
  std::vector<std::unique_ptr<AggregateFunction>> aggs;
  aggs.push_back(std::move(MakeAggregate(AggKind::kAvg, DataType::Double())).value());
  aggs.push_back(std::move(MakeAggregate(AggKind::kMax, DataType::Double())).value());
  aggs.push_back(std::move(MakeAggregate(AggKind::kMin, DataType::Double())).value());
  auto op =
      std::move(WindowAggregateOperator::Make(TumblingAssigner{kWindow}, std::move(aggs))).value();
  auto st = op->NewState();
  RecordBatchBuilder out(op->output_schema());
  std::vector<RowKind> kinds;

  // 64 batches of events in time order: every key reports about every 100 ms of event
  // time (so a window gets ~3000 events per key), random key order within a batch.
  constexpr size_t kBatches = 64;
  std::mt19937_64 rng(3);
  std::vector<std::vector<uint32_t>> keys(kBatches, std::vector<uint32_t>(kBatch));
  std::vector<std::vector<int64_t>> ts(kBatches, std::vector<int64_t>(kBatch));
  std::vector<Column> values;
  const int64_t step_us = 100'000 / kKeys;  // microseconds of event time per event
  for (size_t b = 0; b < kBatches; ++b) {
    values.emplace_back(DataType::Double());
    for (size_t i = 0; i < kBatch; ++i) {
      keys[b][i] = static_cast<uint32_t>(rng() % kKeys);
      ts[b][i] = static_cast<int64_t>((b * kBatch + i) * step_us / 1000);
      values[b].AppendDouble(static_cast<double>(rng() % 10000) / 100.0);
    }
  }
  const int64_t span = static_cast<int64_t>(kBatches * kBatch * step_us / 1000) + 1;
  int64_t shift = 0;
  size_t fired = 0;
  for (auto _ : state) {
    for (size_t b = 0; b < kBatches; ++b) {
      // Shift timestamps forward each round so time keeps advancing.
      for (size_t i = 0; i < kBatch; ++i) ts[b][i] += shift;
      const Column* args[] = {&values[b], &values[b], &values[b]};
      WindowAggInput in{keys[b].data(), ts[b].data(), args, nullptr, kBatch};
      op->ProcessBatch(*st, in, nullptr);
      op->OnWatermark(*st, ts[b][kBatch - 1] - 1000, out, &kinds);
      fired += out.num_rows();
      out.Truncate(0);
      kinds.clear();
    }
    shift = span;
  }
  state.SetItemsProcessed(state.iterations() * kBatches * kBatch);
  state.counters["windows_fired"] = static_cast<double>(fired);
  state.counters["state_bytes"] = static_cast<double>(st->MemoryUsage());
}
BENCHMARK(BM_TumbleAggregate);

}  // namespace
}  // namespace fluxgate::runtime

BENCHMARK_MAIN();
