#include "kinesis/context.h"

#include <fmt/format.h>

#include <chrono>

#include "common/logging.h"
#include "log/sequence_number.h"

namespace fluxgate::kinesis {

int64_t WallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Reply::Ok(std::string body) {
  Observe();
  if (cbor_ && !body.empty()) {
    std::string encoded;
    encoded.reserve(body.size());
    if (Status st = JsonResponseToCbor(body, encoded); !st.ok())
      return Fail(ApiError::Internal("Internal service failure (CBOR reply): " + st.message()));
    body = std::move(encoded);
  }
  http::Response r;
  r.status = 200;
  r.content_type = std::string(content_type_);
  r.headers.push_back({"x-amzn-requestid", std::move(request_id_)});
  r.body = std::move(body);
  respond_(std::move(r));
}

void Reply::Fail(const ApiError& error) {
  Observe();
  http::Response r;
  r.status = error.http_status;
  r.content_type = std::string(content_type_);
  r.headers.push_back({"x-amzn-requestid", std::move(request_id_)});
  r.body.reserve(error.message.size() + error.type.size() + 32);
  if (cbor_) {
    WriteCborError(error, r.body);
    return respond_(std::move(r));
  }
  JsonWriter w(r.body);
  w.BeginObject().Key("__type").String(error.type).Key("message").String(error.message).EndObject();
  respond_(std::move(r));
}

void AppendShardId(uint32_t index, std::string& out) {
  char buf[20] = {'s', 'h', 'a', 'r', 'd', 'I', 'd', '-'};
  for (int i = 19; i >= 8; --i) {
    buf[i] = static_cast<char>('0' + index % 10);
    index /= 10;
  }
  out.append(buf, 20);
}

std::string ShardIdString(uint32_t index) {
  std::string s;
  AppendShardId(index, s);
  return s;
}

ApiContext::ApiContext(log::LogManager* log_manager, KinesisOptions opts)
    : log(log_manager),
      options(std::move(opts)),
      iterators(options.iterator_secret, options.iterator_ttl_ms),
      logger(GetLogger("kinesis")) {
  // The codec holds its own copy; don't keep the secret in two places longer than needed.
  options.iterator_secret.clear();
}

std::string ApiContext::StreamArn(std::string_view name) const {
  return fmt::format("arn:aws:kinesis:{}:{}:stream/{}", options.region, options.account_id, name);
}

ApiError ApiContext::StreamNotFound(std::string_view name) const {
  return ApiError::ResourceNotFound(
      fmt::format("Stream {} under account {} not found.", name, options.account_id));
}

ApiError ApiContext::NotActive(std::string_view name, StreamStatus status) const {
  return ApiError::ResourceInUse(
      fmt::format("Stream {} under account {} not ACTIVE, instead in state {}", name,
                  options.account_id, StreamStatusName(status)));
}

ApiError ApiContext::ShardNotFound(std::string_view shard_id, std::string_view stream) const {
  return ApiError::ResourceNotFound(
      fmt::format("Shard {} in stream {} under account {} does not exist", shard_id, stream,
                  options.account_id));
}

std::string ApiContext::StreamArg(JsonArgs& args, Validator& v) const {
  auto name = args.String("StreamName");
  auto arn = args.String("StreamARN");
  std::string_view arn_name;
  bool arn_ok = false;
  if (arn) {
    arn_ok = v.Length("streamARN", *arn, 1, 2048) &&
             v.Pattern("streamARN", *arn, ParseStreamArn(*arn, nullptr, nullptr, &arn_name),
                       kStreamArnPattern);
  }
  if (name) {
    if (!v.Name("streamName", *name)) return {};
    // Both given: AWS requires them to agree; we take the name and check below.
    if (arn_ok && arn_name != *name) {
      v.Fail("streamARN", *arn, "Member must refer to the stream named by streamName");
      return {};
    }
    return std::string(*name);
  }
  if (arn) return arn_ok ? std::string(arn_name) : std::string();
  v.Null("streamName");
  return {};
}

ApiResult<log::StreamMeta> ApiContext::Load(const std::string& name) const {
  auto meta = log->DescribeStream(name);
  if (!meta.ok()) {
    if (meta.status().IsNotFound()) return StreamNotFound(name);
    return FromStatus(meta.status());
  }
  return std::move(meta).value();
}

ApiResult<log::StreamMeta> ApiContext::LoadReadable(const std::string& name) {
  auto meta = Load(name);
  if (!meta.ok()) return meta;
  const StreamStatus s = states.StatusOf(name, now_ms());
  if (s == StreamStatus::kCreating || s == StreamStatus::kDeleting) return StreamNotFound(name);
  return meta;
}

ApiResult<log::StreamMeta> ApiContext::LoadActive(const std::string& name) {
  auto meta = Load(name);
  if (!meta.ok()) return meta;
  const StreamStatus s = states.StatusOf(name, now_ms());
  if (s != StreamStatus::kActive) return NotActive(name, s);
  return meta;
}

uint32_t ApiContext::OpenShardCount() const {
  uint32_t n = 0;
  for (const auto& name : log->ListStreams()) {
    auto meta = log->DescribeStream(name);
    if (!meta.ok()) continue;  // deleted meanwhile
    for (const auto& s : meta->shards) n += s.open();
  }
  return n;
}

ApiError ApiContext::ShardLimitError(uint32_t current, uint32_t additional) const {
  return ApiError::LimitExceeded(fmt::format(
      "This request would exceed the shard limit for the account {} in {}. Current shard count "
      "for the account: {}. Limit: {}. Number of additional shards that would have resulted "
      "from this request: {}. Refer to the AWS Service Limits page "
      "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
      "limits and how to request higher limits.",
      options.account_id, options.region, current, options.shard_limit, additional));
}

std::string ApiContext::StartingSequence(const log::ShardMeta& shard) {
  const int64_t secs = shard.created_ms / 1000;
  return log::EncodeSequenceNumber({secs, shard.index, 0, secs});
}

std::string ApiContext::EndingSequence(const log::ShardMeta& shard) {
  // Covers the last record: the offset is the major component, and the close time is
  // not earlier than any record's arrival. An empty closed shard ends at offset 0.
  const log::ShardOffset end = shard.end_offset.value_or(0);
  return log::EncodeSequenceNumber(
      {shard.created_ms / 1000, shard.index, end > 0 ? end - 1 : 0, shard.closed_ms / 1000});
}

void ApiContext::WriteHashKeyRange(JsonWriter& w, const log::ShardMeta& shard) {
  w.Key("HashKeyRange").BeginObject();
  w.Key("StartingHashKey").String(log::U128ToString(shard.starting_hash_key));
  w.Key("EndingHashKey").String(log::U128ToString(shard.ending_hash_key));
  w.EndObject();
}

void ApiContext::WriteShard(JsonWriter& w, const log::ShardMeta& shard) {
  w.BeginObject();
  w.Key("ShardId").String(ShardIdString(shard.index));
  if (shard.parent) w.Key("ParentShardId").String(ShardIdString(*shard.parent));
  if (shard.adjacent_parent)
    w.Key("AdjacentParentShardId").String(ShardIdString(*shard.adjacent_parent));
  WriteHashKeyRange(w, shard);
  w.Key("SequenceNumberRange").BeginObject();
  w.Key("StartingSequenceNumber").String(StartingSequence(shard));
  if (!shard.open()) w.Key("EndingSequenceNumber").String(EndingSequence(shard));
  w.EndObject();
  w.EndObject();
}

const char* ApiContext::ModeName(log::StreamMode mode) {
  return mode == log::StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

}  // namespace fluxgate::kinesis
