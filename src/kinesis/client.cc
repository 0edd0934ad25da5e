#include "kinesis/client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <thread>

#include "auth/sigv4.h"
#include "common/base64.h"
#include "common/json_writer.h"
#include "http/client.h"

namespace fluxgate::kinesis {
namespace {

constexpr char kTargetPrefix[] = "Kinesis_20131202.";
constexpr char kContentType[] = "application/x-amz-json-1.1";
constexpr size_t kMaxPutRecords = 500;

class HttpTransport final : public Transport {
 public:
  HttpTransport(const http::Url& url, http::ClientOptions options)
      : client_(url, std::move(options)) {}
  Result<http::Response> Do(const std::string& method, const std::string& target,
                            const std::vector<http::Header>& headers,
                            const std::string& body) override {
    // http::Client writes Host itself (same "host:port" we signed); don't send it twice.
    std::vector<http::Header> rest;
    rest.reserve(headers.size());
    for (const auto& h : headers)
      if (h.name != "host") rest.push_back(h);
    return client_.Do(method, target, rest, body);
  }

 private:
  http::Client client_;
};

// The Host header exactly as http::Client writes it ("host:port", IPv6 in brackets), since
// the server verifies the signature against what it receives.
std::string HostHeader(const http::Url& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", url.host, v6 ? "]" : "", url.port);
}

Status::Code CodeForException(std::string_view name, int http_status) {
  struct Entry {
    std::string_view name;
    Status::Code code;
  };
  static constexpr Entry kTable[] = {
      {"ResourceNotFoundException", Status::Code::kNotFound},
      {"ResourceInUseException", Status::Code::kResourceBusy},
      {"InvalidArgumentException", Status::Code::kInvalidArgument},
      {"ValidationException", Status::Code::kInvalidArgument},
      {"SerializationException", Status::Code::kInvalidArgument},
      {"UnknownOperationException", Status::Code::kInvalidArgument},
      {"LimitExceededException", Status::Code::kLimitExceeded},
      {"ProvisionedThroughputExceededException", Status::Code::kThrottled},
      {"ThrottlingException", Status::Code::kThrottled},
      {"ExpiredIteratorException", Status::Code::kExpired},
      {"ExpiredNextTokenException", Status::Code::kExpired},
      {"ServiceUnavailable", Status::Code::kUnavailable},
      {"InternalFailure", Status::Code::kInternal},
      {"InternalFailureException", Status::Code::kInternal},
  };
  for (const auto& e : kTable)
    if (e.name == name) return e.code;
  if (http_status == 503) return Status::Code::kUnavailable;
  if (http_status >= 500) return Status::Code::kInternal;
  // Auth failures (InvalidSignature, UnrecognizedClient, ...) are caller mistakes.
  return Status::Code::kInvalidArgument;
}

// A field that must be a string; empty when absent or null (optional fields).
std::string OptString(simdjson::dom::element obj, const char* key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

Status Malformed(std::string_view what) {
  return Status::Corruption(fmt::format("malformed Kinesis response: {}", what));
}

// Parses into `parser`; the element stays valid until the parser's next use.
Result<simdjson::dom::element> ParseJson(simdjson::dom::parser& parser, std::string_view body) {
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Malformed("not a JSON object");
  }
  return root;
}

void AppendJsonField(std::string_view name, std::string_view value, std::string* out) {
  if (out->size() > 1) out->push_back(',');
  wire::AppendJsonString(name, out);
  out->push_back(':');
  wire::AppendJsonString(value, out);
}

}  // namespace

// ---- wire ---------------------------------------------------------------------------------

namespace wire {

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(s, *out);
  out->push_back('"');
}

std::string PutRecordsBody(const std::string& stream, const std::vector<PutRecordsEntry>& entries) {
  size_t estimate = 64;
  for (const auto& e : entries) estimate += e.data.size() * 4 / 3 + e.partition_key.size() + 40;
  std::string out;
  out.reserve(estimate);
  out.append("{\"StreamName\":");
  AppendJsonString(stream, &out);
  out.append(",\"Records\":[");
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"Data\":\"").append(Base64Encode(entries[i].data)).append("\",\"PartitionKey\":");
    AppendJsonString(entries[i].partition_key, &out);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

Result<PutRecordsResult> ParsePutRecords(std::string_view body) {
  simdjson::dom::parser parser;
  FG_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseJson(parser, body));
  PutRecordsResult result;
  int64_t failed = 0;
  if (root["FailedRecordCount"].get_int64().get(failed) == simdjson::SUCCESS)
    result.failed_record_count = static_cast<int>(failed);
  simdjson::dom::array records;
  if (root["Records"].get_array().get(records) != simdjson::SUCCESS)
    return Malformed("PutRecords reply has no Records array");
  for (simdjson::dom::element r : records) {
    PutRecordsResultEntry e;
    e.shard_id = OptString(r, "ShardId");
    e.sequence_number = OptString(r, "SequenceNumber");
    e.error_code = OptString(r, "ErrorCode");
    e.error_message = OptString(r, "ErrorMessage");
    if (e.error_code.empty() && e.sequence_number.empty())
      return Malformed("PutRecords entry with neither SequenceNumber nor ErrorCode");
    result.records.push_back(std::move(e));
  }
  return result;
}

Result<StreamSummary> ParseDescribeStreamSummary(std::string_view body) {
  simdjson::dom::parser parser;
  FG_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseJson(parser, body));
  simdjson::dom::element d;
  if (root["StreamDescriptionSummary"].get(d) != simdjson::SUCCESS || !d.is_object())
    return Malformed("no StreamDescriptionSummary");
  StreamSummary s;
  s.stream_name = OptString(d, "StreamName");
  s.stream_arn = OptString(d, "StreamARN");
  s.status = OptString(d, "StreamStatus");
  int64_t n = 0;
  if (d["OpenShardCount"].get_int64().get(n) == simdjson::SUCCESS) s.open_shard_count = int(n);
  if (d["RetentionPeriodHours"].get_int64().get(n) == simdjson::SUCCESS)
    s.retention_period_hours = int(n);
  if (s.status.empty()) return Malformed("no StreamStatus");
  return s;
}

Result<std::string> ParseListShards(std::string_view body, std::vector<ShardInfo>* shards) {
  simdjson::dom::parser parser;
  FG_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseJson(parser, body));
  simdjson::dom::array arr;
  if (root["Shards"].get_array().get(arr) != simdjson::SUCCESS)
    return Malformed("ListShards reply has no Shards array");
  for (simdjson::dom::element s : arr) {
    ShardInfo info;
    info.shard_id = OptString(s, "ShardId");
    info.parent_shard_id = OptString(s, "ParentShardId");
    simdjson::dom::element range;
    if (s["HashKeyRange"].get(range) == simdjson::SUCCESS && range.is_object()) {
      info.starting_hash_key = OptString(range, "StartingHashKey");
      info.ending_hash_key = OptString(range, "EndingHashKey");
    }
    if (s["SequenceNumberRange"].get(range) == simdjson::SUCCESS && range.is_object()) {
      info.starting_sequence_number = OptString(range, "StartingSequenceNumber");
      info.ending_sequence_number = OptString(range, "EndingSequenceNumber");
    }
    if (info.shard_id.empty()) return Malformed("shard without ShardId");
    shards->push_back(std::move(info));
  }
  return OptString(root, "NextToken");
}

Result<GetRecordsResult> ParseGetRecords(std::string_view body) {
  simdjson::dom::parser parser;
  FG_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseJson(parser, body));
  GetRecordsResult result;
  simdjson::dom::array arr;
  if (root["Records"].get_array().get(arr) != simdjson::SUCCESS)
    return Malformed("GetRecords reply has no Records array");
  for (simdjson::dom::element r : arr) {
    ReceivedRecord rec;
    rec.sequence_number = OptString(r, "SequenceNumber");
    rec.partition_key = OptString(r, "PartitionKey");
    auto data = Base64Decode(OptString(r, "Data"));
    if (!data) return Malformed("record Data is not base64");
    rec.data = std::move(*data);
    double ts = 0;
    if (r["ApproximateArrivalTimestamp"].get_double().get(ts) == simdjson::SUCCESS)
      rec.approximate_arrival = ts;
    result.records.push_back(std::move(rec));
  }
  result.next_shard_iterator = OptString(root, "NextShardIterator");
  int64_t behind = 0;
  if (root["MillisBehindLatest"].get_int64().get(behind) == simdjson::SUCCESS)
    result.millis_behind_latest = behind;
  return result;
}

Status ErrorFromResponse(const http::Response& response) {
  std::string type, message;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool is_json =
      parser.parse(response.body.data(), response.body.size()).get(root) == simdjson::SUCCESS &&
      root.is_object();
  if (is_json) {
    type = OptString(root, "__type");
    message = OptString(root, "message");
    if (message.empty()) message = OptString(root, "Message");
  }
  // botocore keeps what follows the last '#' and precedes any ':'.
  if (size_t hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  if (size_t colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  if (type.empty()) type = fmt::format("HTTP {}", response.status);
  if (message.empty() && !response.body.empty() && !is_json) message = response.body.substr(0, 200);
  std::string text = message.empty() ? type : fmt::format("{}: {}", type, message);
  return Status::WithCode(CodeForException(type, response.status), text);
}

}  // namespace wire

// ---- KinesisClient ----------------------------------------------------------------------

struct KinesisClient::Impl {
  ClientOptions options;
  std::unique_ptr<Transport> transport;
  std::string host_header;
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

Result<std::unique_ptr<KinesisClient>> KinesisClient::Create(const ClientOptions& options) {
  FG_ASSIGN_OR_RETURN(http::Url url, http::ParseUrl(options.endpoint));
  http::ClientOptions http_options;
  http_options.timeout_ms = options.timeout_ms;
  http_options.ca_file = options.ca_file;
  auto transport = std::make_unique<HttpTransport>(url, std::move(http_options));
  return std::make_unique<KinesisClient>(options, std::move(transport), HostHeader(url));
}

KinesisClient::KinesisClient(const ClientOptions& options, std::unique_ptr<Transport> transport,
                             std::string host_header)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->transport = std::move(transport);
  impl_->host_header = std::move(host_header);
}

KinesisClient::~KinesisClient() = default;

void KinesisClient::SetClockForTest(std::function<std::chrono::system_clock::time_point()> clock) {
  impl_->clock = std::move(clock);
}

Result<std::string> KinesisClient::Call(std::string_view operation, const std::string& json_body) {
  std::vector<http::Header> headers = {
      {"content-type", kContentType},
      {"host", impl_->host_header},
      {"x-amz-target", fmt::format("{}{}", kTargetPrefix, operation)},
  };
  sigv4::Credentials creds{impl_->options.access_key, impl_->options.secret_key, ""};
  FG_RETURN_IF_ERROR(sigv4::SignRequest(creds, impl_->options.region, "kinesis", impl_->clock(),
                                        "POST", "/", &headers, json_body));
  FG_ASSIGN_OR_RETURN(http::Response response,
                      impl_->transport->Do("POST", "/", headers, json_body));
  if (response.status != 200) return wire::ErrorFromResponse(response);
  return std::move(response.body);
}

namespace {
std::string StreamNameBody(const std::string& stream) {
  std::string body = "{";
  AppendJsonField("StreamName", stream, &body);
  body.push_back('}');
  return body;
}
}  // namespace

Status KinesisClient::CreateStream(const std::string& stream, int shard_count) {
  std::string body = "{";
  AppendJsonField("StreamName", stream, &body);
  body.append(fmt::format(",\"ShardCount\":{}}}", shard_count));
  return Call("CreateStream", body).status();
}

Result<StreamSummary> KinesisClient::DescribeStreamSummary(const std::string& stream) {
  FG_ASSIGN_OR_RETURN(std::string body, Call("DescribeStreamSummary", StreamNameBody(stream)));
  return wire::ParseDescribeStreamSummary(body);
}

Result<std::vector<ShardInfo>> KinesisClient::ListShards(const std::string& stream) {
  std::vector<ShardInfo> shards;
  std::string token;
  do {
    std::string req = "{";
    // AWS wants NextToken alone on follow-up pages.
    if (token.empty())
      AppendJsonField("StreamName", stream, &req);
    else
      AppendJsonField("NextToken", token, &req);
    req.push_back('}');
    FG_ASSIGN_OR_RETURN(std::string body, Call("ListShards", req));
    FG_ASSIGN_OR_RETURN(token, wire::ParseListShards(body, &shards));
  } while (!token.empty());
  return shards;
}

Result<PutRecordsResult> KinesisClient::PutRecords(const std::string& stream,
                                                   const std::vector<PutRecordsEntry>& entries) {
  if (entries.empty() || entries.size() > kMaxPutRecords)
    return Status::InvalidArgument(
        fmt::format("PutRecords takes 1 to 500 records, got {}", entries.size()));
  FG_ASSIGN_OR_RETURN(std::string body, Call("PutRecords", wire::PutRecordsBody(stream, entries)));
  FG_ASSIGN_OR_RETURN(PutRecordsResult result, wire::ParsePutRecords(body));
  if (result.records.size() != entries.size())
    return Malformed(fmt::format("PutRecords returned {} results for {} records",
                                 result.records.size(), entries.size()));
  return result;
}

Result<std::string> KinesisClient::GetShardIterator(const std::string& stream,
                                                    const std::string& shard_id,
                                                    const std::string& type,
                                                    const std::string& sequence_number) {
  std::string req = "{";
  AppendJsonField("StreamName", stream, &req);
  AppendJsonField("ShardId", shard_id, &req);
  AppendJsonField("ShardIteratorType", type, &req);
  if (!sequence_number.empty()) AppendJsonField("StartingSequenceNumber", sequence_number, &req);
  req.push_back('}');
  FG_ASSIGN_OR_RETURN(std::string body, Call("GetShardIterator", req));
  simdjson::dom::parser parser;
  FG_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseJson(parser, body));
  std::string iterator = OptString(root, "ShardIterator");
  if (iterator.empty()) return Malformed("no ShardIterator");
  return iterator;
}

Result<GetRecordsResult> KinesisClient::GetRecords(const std::string& shard_iterator, int limit) {
  std::string req = "{";
  AppendJsonField("ShardIterator", shard_iterator, &req);
  req.append(fmt::format(",\"Limit\":{}}}", limit));
  FG_ASSIGN_OR_RETURN(std::string body, Call("GetRecords", req));
  return wire::ParseGetRecords(body);
}

Status KinesisClient::WaitForActive(const std::string& stream, std::chrono::milliseconds timeout,
                                    std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_status;
  while (true) {
    auto summary = DescribeStreamSummary(stream);
    if (summary.ok()) {
      if (summary->status == "ACTIVE") return Status::Ok();
      last_status = summary->status;
    } else if (!summary.status().IsNotFound()) {
      // A stream being created can briefly be unknown; anything else is a real error.
      return summary.status();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(fmt::format("stream {} not ACTIVE after {} ms (last status {})",
                                             stream, timeout.count(),
                                             last_status.empty() ? "not found" : last_status));
    }
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace fluxgate::kinesis
