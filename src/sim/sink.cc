#include "sim/sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "common/logging.h"

namespace fluxgate::sim {
namespace {

constexpr size_t kNdjsonBufferBytes = 64 << 10;

class NdjsonSink final : public RecordSink {
 public:
  NdjsonSink(std::FILE* out, std::string description)
      : out_(out), description_(std::move(description)) {
    buffer_.reserve(kNdjsonBufferBytes + 4096);
  }

  Status Add(std::string_view record, std::string_view) override {
    buffer_.append(record).push_back('\n');
    ++pending_;
    if (buffer_.size() >= kNdjsonBufferBytes) return Write();
    return Status::Ok();
  }

  Status Flush() override {
    FG_RETURN_IF_ERROR(Write());
    if (std::fflush(out_) != 0) return Status::FromErrno("flush " + description_, errno);
    return Status::Ok();
  }

  const SinkStats& stats() const override { return stats_; }
  std::string Describe() const override { return description_; }

 private:
  Status Write() {
    if (buffer_.empty()) return Status::Ok();
    size_t n = std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    if (n != buffer_.size()) {
      stats_.failed += pending_;
      pending_ = 0;
      buffer_.clear();
      return Status::FromErrno("write " + description_, errno);
    }
    stats_.delivered += pending_;
    pending_ = 0;
    buffer_.clear();
    return Status::Ok();
  }

  std::FILE* out_;  // not owned
  std::string description_;
  std::string buffer_;
  uint64_t pending_ = 0;  // records in buffer_
  SinkStats stats_;
};

bool Retryable(const Status& s) {
  switch (s.code()) {
    case Status::Code::kThrottled:
    case Status::Code::kLimitExceeded:
    case Status::Code::kUnavailable:
    case Status::Code::kIOError:
    case Status::Code::kInternal:
      return true;
    default:
      return false;
  }
}

// The exception name at the front of a client error message ("Name: text").
std::string ExceptionName(const Status& s) {
  const std::string& m = s.message();
  size_t colon = m.find(':');
  return colon == std::string::npos ? std::string(CodeName(s.code())) : m.substr(0, colon);
}

class KinesisSink final : public RecordSink {
 public:
  KinesisSink(kinesis::KinesisClient* client, KinesisSinkOptions options, std::string description)
      : client_(client),
        options_(std::move(options)),
        description_(std::move(description)),
        jitter_(options_.jitter_seed) {
    options_.max_batch_records = std::clamp<size_t>(options_.max_batch_records, 1, 500);
    batch_.reserve(options_.max_batch_records);
  }

  Status Add(std::string_view record, std::string_view partition_key) override {
    batch_.push_back({std::string(record), std::string(partition_key)});
    batch_bytes_ += record.size() + partition_key.size();
    if (batch_.size() >= options_.max_batch_records || batch_bytes_ >= options_.max_batch_bytes)
      return Flush();
    return Status::Ok();
  }

  Status Flush() override {
    if (batch_.empty()) return Status::Ok();
    Status s = Send(&batch_);
    batch_.clear();
    batch_bytes_ = 0;
    return s;
  }

  const SinkStats& stats() const override { return stats_; }
  std::string Describe() const override { return description_; }

 private:
  // Sends `pending` until every record is acknowledged or out of attempts. Attempts are
  // counted per batch round; records only come back for another round if they failed.
  Status Send(std::vector<kinesis::PutRecordsEntry>* pending) {
    std::vector<kinesis::PutRecordsEntry> retry;
    for (int attempt = 1;; ++attempt) {
      ++stats_.requests;
      auto result = client_->PutRecords(options_.stream, *pending);
      if (!result.ok()) {
        const Status& st = result.status();
        ++stats_.error_codes[ExceptionName(st)];
        if (!Retryable(st)) {
          stats_.failed += pending->size();
          return st;
        }
        if (attempt >= options_.max_attempts) return GiveUp(*pending, st.ToString());
        ++stats_.retried_calls;
        Backoff(attempt);
        continue;
      }
      retry.clear();
      for (size_t i = 0; i < result->records.size(); ++i) {
        const auto& r = result->records[i];
        if (r.ok()) {
          ++stats_.delivered;
          ++stats_.per_shard[r.shard_id];
        } else {
          ++stats_.error_codes[r.error_code];
          retry.push_back(std::move((*pending)[i]));
        }
      }
      if (retry.empty()) return Status::Ok();
      if (attempt >= options_.max_attempts) return GiveUp(retry, "records kept failing");
      stats_.retried_records += retry.size();
      pending->swap(retry);
      Backoff(attempt);
    }
  }

  Status GiveUp(const std::vector<kinesis::PutRecordsEntry>& records, const std::string& why) {
    stats_.failed += records.size();
    // Rate-limited: one line per 100 give-ups is enough to act on.
    if (give_ups_++ % 100 == 0) {
      GetLogger("sim")->warn("gave up on {} records after {} attempts ({}); {} failed so far",
                             records.size(), options_.max_attempts, why, stats_.failed);
    }
    return Status::Ok();
  }

  void Backoff(int attempt) {
    int64_t cap = std::min<int64_t>(options_.max_backoff_ms, int64_t(options_.base_backoff_ms)
                                                                 << std::min(attempt, 20));
    auto ms = static_cast<int64_t>(jitter_.Uniform() * static_cast<double>(cap));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(ms, 1)));
  }

  kinesis::KinesisClient* client_;  // not owned
  KinesisSinkOptions options_;
  std::string description_;
  std::vector<kinesis::PutRecordsEntry> batch_;
  size_t batch_bytes_ = 0;
  Rng jitter_;
  uint64_t give_ups_ = 0;
  SinkStats stats_;
};

}  // namespace

std::unique_ptr<RecordSink> MakeNdjsonSink(std::FILE* out, std::string description) {
  return std::make_unique<NdjsonSink>(out, std::move(description));
}

std::unique_ptr<RecordSink> MakeKinesisSink(kinesis::KinesisClient* client,
                                            KinesisSinkOptions options, std::string description) {
  return std::make_unique<KinesisSink>(client, std::move(options), std::move(description));
}

Status EnsureStream(kinesis::KinesisClient* client, const std::string& stream, int create_shards) {
  auto summary = client->DescribeStreamSummary(stream);
  if (summary.ok()) {
    if (summary->status == "ACTIVE") return Status::Ok();
    return client->WaitForActive(stream);
  }
  if (!summary.status().IsNotFound()) return summary.status();
  if (create_shards <= 0) {
    return Status::NotFound(fmt::format(
        "stream {} does not exist; create it, or pass --create-shards N to let simulate do it",
        stream));
  }
  Status created = client->CreateStream(stream, create_shards);
  // ResourceInUse: someone else created it meanwhile; fine as long as it becomes ACTIVE.
  if (!created.ok() && created.code() != Status::Code::kResourceBusy) return created;
  GetLogger("sim")->info("created stream {} with {} shards", stream, create_shards);
  return client->WaitForActive(stream);
}

}  // namespace fluxgate::sim
