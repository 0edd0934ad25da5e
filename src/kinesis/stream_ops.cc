// Stream lifecycle and description: CreateStream, DeleteStream, DescribeStream(Summary),
// ListStreams, Increase/DecreaseStreamRetentionPeriod, DescribeLimits.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/base64.h"
#include "kinesis/context.h"
#include "kinesis/tags.h"

namespace fluxgate::kinesis {
namespace {

constexpr int32_t kMinRetentionHours = 24;
constexpr int32_t kMaxRetentionHours = 8760;
constexpr uint32_t kOnDemandStreamLimit = 50;

struct Described {
  log::StreamMeta meta;
  StreamStatus status;
};

// The stream as DescribeStream sees it: a DELETING snapshot, or the log's view plus the
// transitional status.
ApiResult<Described> LoadForDescribe(ApiContext& api, const std::string& name) {
  const int64_t now = api.now_ms();
  if (auto snapshot = api.states.Deleting(name, now))
    return Described{std::move(*snapshot), StreamStatus::kDeleting};
  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  const StreamStatus status = api.states.StatusOf(name, now);
  return Described{std::move(meta), status};
}

// The members DescribeStream and DescribeStreamSummary share, in AWS's order.
void WriteCommon(ApiContext& api, JsonWriter& w, const Described& d) {
  w.Key("StreamName").String(d.meta.name);
  w.Key("StreamARN").String(api.StreamArn(d.meta.name));
  w.Key("StreamStatus").String(StreamStatusName(d.status));
  w.Key("StreamModeDetails")
      .BeginObject()
      .Key("StreamMode")
      .String(ApiContext::ModeName(d.meta.mode));
  w.EndObject();
}

void WriteTail(JsonWriter& w, const Described& d) {
  w.Key("RetentionPeriodHours").Int(d.meta.retention_hours);
  w.Key("StreamCreationTimestamp").TimestampMs(d.meta.created_ms);
  w.Key("EnhancedMonitoring").BeginArray().BeginObject().Key("ShardLevelMetrics").BeginArray();
  w.EndArray().EndObject().EndArray();
  w.Key("EncryptionType").String("NONE");
}

std::string EncodeListStreamsToken(std::string_view last_name) {
  std::string raw = "ls1:";
  raw.append(last_name);
  return Base64Encode(raw);
}

std::optional<std::string> DecodeListStreamsToken(std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw || raw->substr(0, 4) != "ls1:") return std::nullopt;
  return raw->substr(4);
}

ApiResult<std::string> ChangeRetention(ApiContext& api, JsonArgs& args, bool increase) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto hours = args.Int("RetentionPeriodHours");
  if (!args.ok()) return *args.error();
  if (!hours)
    v.Null("retentionPeriodHours");
  else
    v.Range("retentionPeriodHours", *hours, 1, INT32_MAX);
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  const StreamStatus status = api.states.StatusOf(name, api.now_ms());
  if (status != StreamStatus::kActive && status != StreamStatus::kUpdating)
    return api.NotActive(name, status);
  const auto h = static_cast<int32_t>(*hours);
  if (h < kMinRetentionHours) {
    return ApiError::InvalidArgument(fmt::format(
        "Minimum allowed retention period is {} hours. Requested retention period ({} hours) "
        "is too short.",
        kMinRetentionHours, h));
  }
  if (h > kMaxRetentionHours) {
    return ApiError::InvalidArgument(fmt::format(
        "Maximum allowed retention period is {} hours. Requested retention period ({} hours) "
        "is too long.",
        kMaxRetentionHours, h));
  }
  if (increase && h < meta.retention_hours) {
    return ApiError::InvalidArgument(fmt::format(
        "Requested retention period ({} hours) for stream {} can not be shorter than existing "
        "retention period ({} hours). Use DecreaseRetentionPeriod API.",
        h, name, meta.retention_hours));
  }
  if (!increase && h > meta.retention_hours) {
    return ApiError::InvalidArgument(fmt::format(
        "Requested retention period ({} hours) for stream {} can not be longer than existing "
        "retention period ({} hours). Use IncreaseRetentionPeriod API.",
        h, name, meta.retention_hours));
  }
  if (h == meta.retention_hours) return std::string();
  Status st = api.log->SetRetentionHours(name, h);
  if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
  return std::string();
}

}  // namespace

ApiResult<std::string> CreateStream(ApiContext& api, JsonArgs& args) {
  Validator v;
  auto name = args.String("StreamName");
  auto shard_count = args.Int("ShardCount");
  auto mode_details = args.Object("StreamModeDetails");
  std::optional<std::string_view> mode;
  if (mode_details) {
    JsonArgs md(*mode_details);
    mode = md.String("StreamMode");
    if (!md.ok()) return *md.error();
  }
  auto tags_obj = args.Object("Tags");
  auto max_record_kib = args.Int("MaxRecordSizeInKiB");
  if (!args.ok()) return *args.error();
  std::map<std::string, std::string> tags;
  if (tags_obj) {
    auto parsed = ParseTagMap(*tags_obj, "tags", v);
    if (!parsed.ok()) return parsed.error();
    tags = std::move(parsed.value());
  }

  if (!name)
    v.Null("streamName");
  else
    v.Name("streamName", *name);
  if (shard_count) v.Range("shardCount", *shard_count, 1, 1'000'000);
  if (mode_details) {
    if (!mode)
      v.Null("streamModeDetails.streamMode");
    else
      v.Enum("streamModeDetails.streamMode", *mode, {"PROVISIONED", "ON_DEMAND"});
  }
  if (max_record_kib) v.Range("maxRecordSizeInKiB", *max_record_kib, 1024, 10240);
  if (auto e = v.Finish()) return *e;

  const bool on_demand = mode && *mode == "ON_DEMAND";
  if (on_demand && shard_count)
    return ApiError::InvalidArgument("ShardCount is not expected when StreamMode=ON_DEMAND");
  if (!on_demand && !shard_count)
    return ApiError::InvalidArgument("ShardCount is required when StreamMode=PROVISIONED");
  const auto shards =
      on_demand ? api.options.on_demand_shards : static_cast<uint32_t>(*shard_count);

  const std::string stream(*name);
  const int64_t now = api.now_ms();
  if (api.states.Deleting(stream, now) || api.log->DescribeStream(stream).ok()) {
    return ApiError::ResourceInUse(
        fmt::format("Stream {} under account {} already exists.", stream, api.options.account_id));
  }
  const uint32_t open = api.OpenShardCount();
  if (uint64_t{open} + shards > api.options.shard_limit) return api.ShardLimitError(open, shards);

  Status st = api.log->CreateStream(
      stream, shards, on_demand ? log::StreamMode::kOnDemand : log::StreamMode::kProvisioned, tags);
  if (!st.ok()) {
    if (st.code() == Status::Code::kAlreadyExists) {
      return ApiError::ResourceInUse(fmt::format("Stream {} under account {} already exists.",
                                                 stream, api.options.account_id));
    }
    return FromStatus(st);
  }
  if (api.options.create_delay_ms > 0)
    api.states.MarkCreating(stream, now + api.options.create_delay_ms);
  else
    api.states.Forget(stream);
  api.logger->info("created stream {} with {} shard(s){}", stream, shards,
                   on_demand ? " (on-demand)" : "");
  return std::string();
}

ApiResult<std::string> DeleteStream(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  (void)args.Bool("EnforceConsumerDeletion");  // no consumers exist, so nothing to enforce
  if (!args.ok()) return *args.error();
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  Status st = api.log->DeleteStream(name);
  if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
  // The log forgets the stream now (so a crash can't resurrect it); the snapshot lets
  // DescribeStream report DELETING until the delay passes, as AWS waiters expect.
  if (api.options.delete_delay_ms > 0)
    api.states.MarkDeleting(std::move(meta), api.now_ms() + api.options.delete_delay_ms);
  else
    api.states.Forget(name);
  api.logger->info("deleted stream {}", name);
  return std::string();
}

ApiResult<std::string> DescribeStream(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto limit = args.Int("Limit");
  auto start = args.String("ExclusiveStartShardId");
  if (!args.ok()) return *args.error();
  if (limit) v.Range("limit", *limit, 1, 10000);
  if (start) v.Name("exclusiveStartShardId", *start);
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto d, LoadForDescribe(api, name));
  const size_t max = static_cast<size_t>(std::min<int64_t>(limit.value_or(100), 100));
  std::optional<uint32_t> after;
  if (start) after = log::ParseShardId(*start);

  std::string out;
  out.reserve(512 + 400 * std::min(max, d.meta.shards.size()));
  JsonWriter w(out);
  w.BeginObject().Key("StreamDescription").BeginObject();
  WriteCommon(api, w, d);
  w.Key("Shards").BeginArray();
  size_t written = 0;
  bool more = false;
  // A CREATING stream has no shards yet, as in AWS.
  if (d.status != StreamStatus::kCreating) {
    for (const auto& shard : d.meta.shards) {
      if (after && shard.index <= *after) continue;
      if (written == max) {
        more = true;
        break;
      }
      ApiContext::WriteShard(w, shard);
      ++written;
    }
  }
  w.EndArray();
  w.Key("HasMoreShards").Bool(more);
  WriteTail(w, d);
  w.EndObject().EndObject();
  return out;
}

ApiResult<std::string> DescribeStreamSummary(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  if (!args.ok()) return *args.error();
  if (auto e = v.Finish()) return *e;
  FGK_ASSIGN_OR_RETURN(auto d, LoadForDescribe(api, name));
  int64_t open = 0;
  if (d.status != StreamStatus::kCreating)
    for (const auto& s : d.meta.shards) open += s.open();

  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  w.BeginObject().Key("StreamDescriptionSummary").BeginObject();
  WriteCommon(api, w, d);
  WriteTail(w, d);
  w.Key("OpenShardCount").Int(open);
  w.Key("ConsumerCount").Int(0);
  w.Key("MaxRecordSizeInKiB").Int(d.meta.max_record_size_kib);
  w.EndObject().EndObject();
  return out;
}

ApiResult<std::string> ListStreams(ApiContext& api, JsonArgs& args) {
  Validator v;
  auto limit = args.Int("Limit");
  auto start = args.String("ExclusiveStartStreamName");
  auto token = args.String("NextToken");
  if (!args.ok()) return *args.error();
  if (limit) v.Range("limit", *limit, 1, 10000);
  if (start) v.Name("exclusiveStartStreamName", *start);
  if (token) v.Length("nextToken", *token, 1, 1048576);
  if (auto e = v.Finish()) return *e;

  std::string after = start ? std::string(*start) : std::string();
  if (token) {
    auto decoded = DecodeListStreamsToken(*token);
    if (!decoded) return ApiError::InvalidArgument("Invalid NextToken.");
    after = std::max(after, *decoded);
  }
  const int64_t now = api.now_ms();
  std::set<std::string> names;
  for (auto& n : api.log->ListStreams()) names.insert(std::move(n));
  for (auto& n : api.states.DeletingNames(now)) names.insert(std::move(n));

  const size_t max = static_cast<size_t>(std::min<int64_t>(limit.value_or(100), 100));
  std::vector<Described> page;
  bool more = false;
  for (auto it = after.empty() ? names.begin() : names.upper_bound(after); it != names.end();
       ++it) {
    if (page.size() == max) {
      more = true;
      break;
    }
    auto d = LoadForDescribe(api, *it);
    if (d.ok()) page.push_back(std::move(d.value()));  // else deleted meanwhile: skip
  }

  std::string out;
  out.reserve(128 + 256 * page.size());
  JsonWriter w(out);
  w.BeginObject().Key("StreamNames").BeginArray();
  for (const auto& d : page) w.String(d.meta.name);
  w.EndArray();
  w.Key("HasMoreStreams").Bool(more);
  // The CLI/boto3 paginators follow NextToken only, so it must accompany HasMoreStreams.
  if (more && !page.empty())
    w.Key("NextToken").String(EncodeListStreamsToken(page.back().meta.name));
  w.Key("StreamSummaries").BeginArray();
  for (const auto& d : page) {
    w.BeginObject();
    WriteCommon(api, w, d);
    w.Key("StreamCreationTimestamp").TimestampMs(d.meta.created_ms);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

ApiResult<std::string> IncreaseStreamRetentionPeriod(ApiContext& api, JsonArgs& args) {
  return ChangeRetention(api, args, /*increase=*/true);
}

ApiResult<std::string> DecreaseStreamRetentionPeriod(ApiContext& api, JsonArgs& args) {
  return ChangeRetention(api, args, /*increase=*/false);
}

ApiResult<std::string> DescribeLimits(ApiContext& api, JsonArgs& args) {
  if (!args.ok()) return *args.error();
  uint32_t open = 0, on_demand = 0;
  for (const auto& name : api.log->ListStreams()) {
    auto meta = api.log->DescribeStream(name);
    if (!meta.ok()) continue;
    on_demand += meta->mode == log::StreamMode::kOnDemand;
    for (const auto& s : meta->shards) open += s.open();
  }
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("ShardLimit").Uint(api.options.shard_limit);
  w.Key("OpenShardCount").Uint(open);
  w.Key("OnDemandStreamCount").Uint(on_demand);
  w.Key("OnDemandStreamCountLimit").Uint(kOnDemandStreamLimit);
  w.EndObject();
  return out;
}

}  // namespace fluxgate::kinesis
