// 'kinesis' / 'stream' connector as a sink: rows become JSON records appended to a stream
// of our log. At-least-once: a checkpoint waits until every record appended before it is
// durable, so a restore never loses rows but may append rows again.
#include <condition_variable>
#include <mutex>

#include "common/logging.h"
#include "jobs/sinks.h"
#include "log/log_manager.h"
#include "runtime/json_encoder.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

namespace {

class StreamSinkOp final : public Operator {
 public:
  StreamSinkOp(log::LogManager* log, std::string stream,
               std::shared_ptr<const runtime::Schema> schema, std::vector<int> key_columns,
               int partition)
      : log_(log),
        stream_(std::move(stream)),
        encoder_(schema, runtime::JsonFormatOptions{}),
        key_columns_(std::move(key_columns)),
        partition_(partition) {}

  ~StreamSinkOp() override { (void)WaitAll(); }

  Status Push(int, Chunk chunk) override {
    const size_t n = chunk.num_rows();
    if (n == 0) return Status::Ok();
    auto payload = std::make_shared<std::vector<std::string>>(n);
    auto keys = std::make_shared<std::vector<std::string>>(n);
    for (size_t r = 0; r < n; ++r) {
      encoder_.AppendRow(chunk.batch, r, (*payload)[r]);
      std::string& key = (*keys)[r];
      if (key_columns_.empty()) {
        key = std::to_string(partition_) + "-" + std::to_string(next_key_++);
      } else {
        for (size_t k = 0; k < key_columns_.size(); ++k) {
          if (k > 0) key += '|';
          key += chunk.batch.ValueToString(key_columns_[k], r);
        }
      }
    }
    std::vector<log::AppendRecord> records(n);
    for (size_t r = 0; r < n; ++r) records[r] = {(*keys)[r], (*payload)[r], std::nullopt};
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++pending_;
    }
    Status s = log_->Append(
        stream_, records, [this, payload, keys](std::vector<log::AppendResult> results) {
          std::lock_guard<std::mutex> lock(mu_);
          for (const auto& r : results) {
            if (!r.ok && error_.ok()) {
              error_ =
                  Status::Unavailable("appending to stream '" + stream_ + "': " + r.error_code);
            }
          }
          --pending_;
          cv_.notify_all();
        });
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      --pending_;
      return s;
    }
    counters_.records_out += n;
    return Status::Ok();
  }

  Status Snapshot(uint64_t, std::string&) override { return WaitAll(); }
  Status Close() override { return WaitAll(); }

 private:
  Status WaitAll() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return pending_ == 0; });
    Status s = error_;
    error_ = Status::Ok();
    return s;
  }

  log::LogManager* log_;
  std::string stream_;
  runtime::JsonRowEncoder encoder_;
  std::vector<int> key_columns_;
  int partition_;
  uint64_t next_key_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_ = 0;  // GUARDED_BY(mu_): appends not yet acknowledged
  Status error_;     // GUARDED_BY(mu_)
};

}  // namespace

Result<std::unique_ptr<Operator>> MakeStreamSink(const sql::SinkNode& node, int partition,
                                                 const SinkEnv& env) {
  const sql::TableDef& table = *node.table;
  const std::string& stream = table.connector.stream;
  if (!env.log->DescribeStream(stream).ok()) {
    Status s = env.log->CreateStream(stream, static_cast<uint32_t>(table.connector.shards),
                                     log::StreamMode::kProvisioned, {});
    if (s.ok()) {
      GetLogger("jobs")->info("job '{}': sink stream '{}' did not exist; created it with {} shards",
                              env.job, stream, table.connector.shards);
    } else if (s.code() != Status::Code::kAlreadyExists) {
      return s;
    }
  }
  std::vector<int> key_columns;
  for (const std::string& k : table.partitioned_by) {
    for (size_t i = 0; i < node.schema.size(); ++i) {
      if (node.schema[i].name == k) key_columns.push_back(static_cast<int>(i));
    }
  }
  std::vector<runtime::Field> fields;
  for (const auto& c : node.schema) fields.push_back({c.name, c.type});
  return std::unique_ptr<Operator>(
      new StreamSinkOp(env.log, stream, std::make_shared<const runtime::Schema>(std::move(fields)),
                       std::move(key_columns), partition));
}

}  // namespace fluxgate::jobs
