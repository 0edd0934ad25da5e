// KinesisClient: a small blocking client for the Kinesis Data Streams JSON 1.1 protocol,
// used by the simulator, the CLI and end-to-end tests against fluxgate (or any emulator).
//
// Every call is one SigV4-signed `POST /` with `X-Amz-Target: Kinesis_20131202.<Op>`.
// Error replies (`__type` + `message`) become a Status whose message starts with the
// exception name, e.g. "ResourceNotFoundException: Stream s under account ... not found.";
// the code follows the exception (NotFound, AlreadyExists, Throttled, ...), so callers
// can decide whether to retry without string matching.
//
// Thread-safety: none; one client per thread (it owns one keep-alive connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace fluxgate::kinesis {

struct ClientOptions {
  std::string endpoint = "http://127.0.0.1:4567";  // http:// or https://
  std::string access_key = "x";
  std::string secret_key = "x";
  std::string region = "us-east-1";
  int timeout_ms = 30'000;
  // https only: a PEM file of CA certificates to trust; empty: $FLUXGATE_CA_FILE if set,
  // else the system store (http::ClientOptions::ca_file).
  std::string ca_file;
};

// Where requests go; the real one wraps http::Client. Tests hand in a fake.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<http::Response> Do(const std::string& method, const std::string& target,
                                    const std::vector<http::Header>& headers,
                                    const std::string& body) = 0;
};

struct StreamSummary {
  std::string stream_name;
  std::string stream_arn;
  std::string status;  // CREATING | ACTIVE | DELETING | UPDATING
  int open_shard_count = 0;
  int retention_period_hours = 0;
};

struct ShardInfo {
  std::string shard_id;
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // empty while the shard is open
  std::string parent_shard_id;
};

struct PutRecordsEntry {
  std::string data;  // raw bytes; base64-encoded on the wire
  std::string partition_key;
};

// One result per request entry, same order: either shard_id/sequence_number or error_code.
struct PutRecordsResultEntry {
  std::string shard_id;
  std::string sequence_number;
  std::string error_code;  // e.g. ProvisionedThroughputExceededException, InternalFailure
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct PutRecordsResult {
  int failed_record_count = 0;
  std::vector<PutRecordsResultEntry> records;
};

struct ReceivedRecord {
  std::string sequence_number;
  std::string partition_key;
  std::string data;                // decoded bytes
  double approximate_arrival = 0;  // epoch seconds
};

struct GetRecordsResult {
  std::vector<ReceivedRecord> records;
  std::string next_shard_iterator;  // empty once a closed shard is drained
  int64_t millis_behind_latest = 0;
};

class KinesisClient {
 public:
  // Connects lazily; InvalidArgument for a malformed endpoint. An https endpoint's
  // certificate is verified on the first call (a CA file that cannot be loaded fails every
  // call with InvalidArgument naming it).
  static Result<std::unique_ptr<KinesisClient>> Create(const ClientOptions& options);
  // For tests: requests go to `transport`, signed for `host_header`.
  KinesisClient(const ClientOptions& options, std::unique_ptr<Transport> transport,
                std::string host_header);
  ~KinesisClient();
  KinesisClient(const KinesisClient&) = delete;
  KinesisClient& operator=(const KinesisClient&) = delete;

  Status CreateStream(const std::string& stream, int shard_count);
  Result<StreamSummary> DescribeStreamSummary(const std::string& stream);
  // All shards, following NextToken.
  Result<std::vector<ShardInfo>> ListShards(const std::string& stream);
  // At most 500 entries (InvalidArgument otherwise, without a request). The call
  // succeeds even when some records failed: check each entry.
  Result<PutRecordsResult> PutRecords(const std::string& stream,
                                      const std::vector<PutRecordsEntry>& entries);
  // `type` is TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER
  // (`sequence_number` only with the last two).
  Result<std::string> GetShardIterator(const std::string& stream, const std::string& shard_id,
                                       const std::string& type,
                                       const std::string& sequence_number = "");
  Result<GetRecordsResult> GetRecords(const std::string& shard_iterator, int limit = 10000);
  // Polls DescribeStreamSummary until ACTIVE; Unavailable after `timeout`.
  Status WaitForActive(const std::string& stream,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30),
                       std::chrono::milliseconds poll = std::chrono::milliseconds(100));

  // Sends one operation with a JSON body and returns the raw 200 body, or the mapped error.
  Result<std::string> Call(std::string_view operation, const std::string& json_body);

  // For tests: the clock used for X-Amz-Date.
  void SetClockForTest(std::function<std::chrono::system_clock::time_point()> clock);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Wire helpers, exposed for tests and for other JSON-speaking tools.
namespace wire {
// Appends `s` as a JSON string literal (quotes included) to *out.
void AppendJsonString(std::string_view s, std::string* out);

std::string PutRecordsBody(const std::string& stream, const std::vector<PutRecordsEntry>& entries);
Result<PutRecordsResult> ParsePutRecords(std::string_view body);
Result<StreamSummary> ParseDescribeStreamSummary(std::string_view body);
// Appends the page's shards and returns its NextToken (empty on the last page).
Result<std::string> ParseListShards(std::string_view body, std::vector<ShardInfo>* shards);
Result<GetRecordsResult> ParseGetRecords(std::string_view body);
// Maps a non-200 reply to a Status: "<ExceptionName>: <message>".
Status ErrorFromResponse(const http::Response& response);
}  // namespace wire

}  // namespace fluxgate::kinesis
