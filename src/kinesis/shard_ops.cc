// Shards: ListShards (pagination and ShardFilter), SplitShard, MergeShards, UpdateShardCount.
#include <fmt/format.h>

#include <charconv>
#include <set>

#include "common/base64.h"
#include "kinesis/context.h"

namespace fluxgate::kinesis {
namespace {

constexpr int64_t kNextTokenTtlMs = 300'000;
constexpr size_t kMaxListShards = 1000;

enum class FilterType : uint8_t {
  kNone,
  kAfterShardId,
  kAtTrimHorizon,
  kFromTrimHorizon,
  kAtLatest,
  kAtTimestamp,
  kFromTimestamp,
};

struct ShardFilter {
  FilterType type = FilterType::kNone;
  int64_t after = -1;  // AFTER_SHARD_ID / ExclusiveStartShardId / the token's last shard
  int64_t ts_ms = 0;
};

FilterType ParseFilterType(std::string_view s) {
  if (s == "AFTER_SHARD_ID") return FilterType::kAfterShardId;
  if (s == "AT_TRIM_HORIZON") return FilterType::kAtTrimHorizon;
  if (s == "FROM_TRIM_HORIZON") return FilterType::kFromTrimHorizon;
  if (s == "AT_LATEST") return FilterType::kAtLatest;
  if (s == "AT_TIMESTAMP") return FilterType::kAtTimestamp;
  if (s == "FROM_TIMESTAMP") return FilterType::kFromTimestamp;
  return FilterType::kNone;
}

// NextToken: base64 of "lt1|issued_ms|last_index|filter|filter_ts|stream". Everything a
// follow-up call needs travels in the token, since AWS forbids repeating the filter.
struct ListShardsToken {
  int64_t issued_ms = 0;
  int64_t last_index = -1;
  FilterType filter = FilterType::kNone;
  int64_t filter_ts = 0;
  std::string stream;
};

std::string EncodeToken(const ListShardsToken& t) {
  return Base64Encode(fmt::format("lt1|{}|{}|{}|{}|{}", t.issued_ms, t.last_index,
                                  static_cast<int>(t.filter), t.filter_ts, t.stream));
}

std::optional<ListShardsToken> DecodeToken(std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw) return std::nullopt;
  std::string_view s = *raw;
  std::string_view parts[6];
  for (int i = 0; i < 5; ++i) {
    auto bar = s.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    parts[i] = s.substr(0, bar);
    s.remove_prefix(bar + 1);
  }
  parts[5] = s;
  if (parts[0] != "lt1" || !MatchesNamePattern(parts[5])) return std::nullopt;
  ListShardsToken t;
  int64_t nums[4];
  for (int i = 0; i < 4; ++i) {
    auto p = parts[i + 1];
    auto r = std::from_chars(p.data(), p.data() + p.size(), nums[i]);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size()) return std::nullopt;
  }
  if (nums[2] < 0 || nums[2] > static_cast<int>(FilterType::kFromTimestamp)) return std::nullopt;
  t.issued_ms = nums[0];
  t.last_index = nums[1];
  t.filter = static_cast<FilterType>(nums[2]);
  t.filter_ts = nums[3];
  t.stream = std::string(parts[5]);
  return t;
}

bool Matches(const log::ShardMeta& s, const std::set<uint32_t>& present, const ShardFilter& f) {
  if (static_cast<int64_t>(s.index) <= f.after) return false;
  // A shard whose parents have expired is where the trim horizon starts.
  const bool root = (!s.parent || !present.count(*s.parent)) &&
                    (!s.adjacent_parent || !present.count(*s.adjacent_parent));
  switch (f.type) {
    case FilterType::kAtTrimHorizon:
      return root;
    case FilterType::kAtLatest:
      return s.open();
    case FilterType::kAtTimestamp:
      return (root || s.created_ms <= f.ts_ms) && (s.open() || s.closed_ms >= f.ts_ms);
    case FilterType::kFromTimestamp:
      return s.open() || s.closed_ms >= f.ts_ms;
    default:
      return true;
  }
}

const log::ShardMeta* FindShard(const log::StreamMeta& meta, std::string_view id) {
  auto index = log::ParseShardId(id);
  if (!index) return nullptr;
  for (const auto& s : meta.shards)
    if (s.index == *index) return &s;
  return nullptr;
}

ApiError CouldNotFindShard(ApiContext& api, std::string_view id, std::string_view stream) {
  auto index = log::ParseShardId(id);
  return ApiError::ResourceNotFound(
      fmt::format("Could not find shard {} in stream {} under account {}.",
                  index ? ShardIdString(*index) : std::string(id), stream, api.options.account_id));
}

ApiError AlreadyResharded(ApiContext& api, uint32_t index, std::string_view stream) {
  return ApiError::ResourceInUse(fmt::format(
      "Shard {} in stream {} under account {} has already been merged or split, and thus is not "
      "eligible for merging or splitting.",
      ShardIdString(index), stream, api.options.account_id));
}

ApiError NotForOnDemand(std::string_view op) {
  return ApiError::InvalidArgument(
      fmt::format("{} is not supported for streams in ON_DEMAND mode.", op));
}

uint32_t OpenCount(const log::StreamMeta& meta) {
  uint32_t n = 0;
  for (const auto& s : meta.shards) n += s.open();
  return n;
}

void MarkUpdating(ApiContext& api, const std::string& name) {
  if (api.options.update_delay_ms > 0)
    api.states.MarkUpdating(name, api.now_ms() + api.options.update_delay_ms);
}

}  // namespace

ApiResult<std::string> ListShards(ApiContext& api, JsonArgs& args) {
  Validator v;
  auto token = args.String("NextToken");
  const auto obj = args.object();
  const bool names_stream =
      (obj["StreamName"].error() == simdjson::SUCCESS && !obj["StreamName"].is_null()) ||
      (obj["StreamARN"].error() == simdjson::SUCCESS && !obj["StreamARN"].is_null());
  // botocore's paginator re-sends StreamName with NextToken; AWS rejects that, we don't.
  std::string name = (!token || names_stream) ? api.StreamArg(args, v) : std::string();
  auto start = args.String("ExclusiveStartShardId");
  auto max_results = args.Int("MaxResults");
  (void)args.TimestampMs("StreamCreationTimestamp");
  auto filter_obj = args.Object("ShardFilter");
  std::optional<std::string_view> filter_type, filter_shard;
  std::optional<int64_t> filter_ts;
  if (filter_obj) {
    JsonArgs f(*filter_obj);
    filter_type = f.String("Type");
    filter_shard = f.String("ShardId");
    filter_ts = f.TimestampMs("Timestamp");
    if (!f.ok()) return *f.error();
  }
  if (!args.ok()) return *args.error();
  if (token) v.Length("nextToken", *token, 1, 1048576);
  if (start) v.Name("exclusiveStartShardId", *start);
  if (max_results) v.Range("maxResults", *max_results, 1, 10000);
  if (filter_obj) {
    if (!filter_type)
      v.Null("shardFilter.type");
    else
      v.Enum("shardFilter.type", *filter_type,
             {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP",
              "FROM_TIMESTAMP"});
    if (filter_shard) v.Name("shardFilter.shardId", *filter_shard);
  }
  if (auto e = v.Finish()) return *e;

  const int64_t now = api.now_ms();
  ShardFilter filter;
  if (token) {
    auto t = DecodeToken(*token);
    if (!t) return ApiError::InvalidArgument("Invalid NextToken.");
    if (now - t->issued_ms > kNextTokenTtlMs)
      return ApiError::ExpiredNextToken("The timestamp of the nextToken has expired.");
    if (!name.empty() && name != t->stream)
      return ApiError::InvalidArgument("NextToken was issued for a different stream.");
    name = t->stream;
    filter.type = t->filter;
    filter.after = t->last_index;
    filter.ts_ms = t->filter_ts;
  } else if (filter_type) {
    filter.type = ParseFilterType(*filter_type);
    if (filter.type == FilterType::kAfterShardId) {
      auto idx = filter_shard ? log::ParseShardId(*filter_shard) : std::nullopt;
      if (!idx)
        return ApiError::InvalidArgument("ShardFilter of type AFTER_SHARD_ID requires a ShardId.");
      filter.after = *idx;
    }
    if (filter.type == FilterType::kAtTimestamp || filter.type == FilterType::kFromTimestamp) {
      if (!filter_ts) {
        return ApiError::InvalidArgument(
            fmt::format("ShardFilter of type {} requires a Timestamp.", *filter_type));
      }
      filter.ts_ms = *filter_ts;
    }
  }
  if (start && !token) {
    if (auto idx = log::ParseShardId(*start)) filter.after = std::max<int64_t>(filter.after, *idx);
  }

  FGK_ASSIGN_OR_RETURN(auto meta, api.Load(name));
  const StreamStatus status = api.states.StatusOf(name, now);
  if (status == StreamStatus::kCreating) return api.NotActive(name, status);

  std::set<uint32_t> present;
  for (const auto& s : meta.shards) present.insert(s.index);
  const size_t max =
      static_cast<size_t>(std::min<int64_t>(max_results.value_or(kMaxListShards), kMaxListShards));
  std::string out;
  out.reserve(64 + 400 * std::min(max, meta.shards.size()));
  JsonWriter w(out);
  w.BeginObject().Key("Shards").BeginArray();
  size_t n = 0;
  int64_t last = -1;
  bool more = false;
  for (const auto& s : meta.shards) {
    if (!Matches(s, present, filter)) continue;
    if (n == max) {
      more = true;
      break;
    }
    ApiContext::WriteShard(w, s);
    last = s.index;
    ++n;
  }
  w.EndArray();
  if (more) {
    w.Key("NextToken").String(EncodeToken({now, last, filter.type, filter.ts_ms, name}));
  }
  w.EndObject();
  return out;
}

ApiResult<std::string> SplitShard(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto shard_id = args.String("ShardToSplit");
  auto key = args.String("NewStartingHashKey");
  if (!args.ok()) return *args.error();
  if (!shard_id)
    v.Null("shardToSplit");
  else
    v.Name("shardToSplit", *shard_id);
  if (!key)
    v.Null("newStartingHashKey");
  else
    v.Pattern("newStartingHashKey", *key, MatchesDecimalPattern(*key, 39), kHashKeyPattern);
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto meta, api.LoadActive(name));
  if (meta.mode == log::StreamMode::kOnDemand) return NotForOnDemand("SplitShard");
  const log::ShardMeta* shard = FindShard(meta, *shard_id);
  if (!shard) return CouldNotFindShard(api, *shard_id, name);
  if (!shard->open()) return AlreadyResharded(api, shard->index, name);
  auto k = log::ParseU128(*key);
  if (!k || *k <= shard->starting_hash_key || *k > shard->ending_hash_key) {
    return ApiError::InvalidArgument(fmt::format(
        "NewStartingHashKey {} used in SplitShard() on shard {} in stream {} under account {} "
        "is not both greater than one plus the shard's StartingHashKey {} and less than the "
        "shard's EndingHashKey {}.",
        *key, ShardIdString(shard->index), name, api.options.account_id,
        log::U128ToString(shard->starting_hash_key), log::U128ToString(shard->ending_hash_key)));
  }
  const uint32_t open = api.OpenShardCount();
  if (uint64_t{open} + 1 > api.options.shard_limit) return api.ShardLimitError(open, 1);
  Status st = api.log->SplitShard(name, shard->index, *k);
  if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
  MarkUpdating(api, name);
  api.logger->info("split {} of stream {}", ShardIdString(shard->index), name);
  return std::string();
}

ApiResult<std::string> MergeShards(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto first_id = args.String("ShardToMerge");
  auto second_id = args.String("AdjacentShardToMerge");
  if (!args.ok()) return *args.error();
  if (!first_id)
    v.Null("shardToMerge");
  else
    v.Name("shardToMerge", *first_id);
  if (!second_id)
    v.Null("adjacentShardToMerge");
  else
    v.Name("adjacentShardToMerge", *second_id);
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto meta, api.LoadActive(name));
  if (meta.mode == log::StreamMode::kOnDemand) return NotForOnDemand("MergeShards");
  const log::ShardMeta* a = FindShard(meta, *first_id);
  if (!a) return CouldNotFindShard(api, *first_id, name);
  const log::ShardMeta* b = FindShard(meta, *second_id);
  if (!b) return CouldNotFindShard(api, *second_id, name);
  if (!a->open()) return AlreadyResharded(api, a->index, name);
  if (!b->open()) return AlreadyResharded(api, b->index, name);
  const bool adjacent =
      (a->ending_hash_key != log::kMaxHashKey && a->ending_hash_key + 1 == b->starting_hash_key) ||
      (b->ending_hash_key != log::kMaxHashKey && b->ending_hash_key + 1 == a->starting_hash_key);
  if (!adjacent) {
    return ApiError::InvalidArgument(fmt::format(
        "Shards {} and {} in stream {} under account {} are not an adjacent pair of shards "
        "eligible for merging",
        ShardIdString(a->index), ShardIdString(b->index), name, api.options.account_id));
  }
  Status st = api.log->MergeShards(name, a->index, b->index);
  if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
  MarkUpdating(api, name);
  api.logger->info("merged {} and {} of stream {}", ShardIdString(a->index),
                   ShardIdString(b->index), name);
  return std::string();
}

ApiResult<std::string> UpdateShardCount(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto target = args.Int("TargetShardCount");
  auto scaling = args.String("ScalingType");
  if (!args.ok()) return *args.error();
  if (!target)
    v.Null("targetShardCount");
  else
    v.Range("targetShardCount", *target, 1, 100000);
  if (!scaling)
    v.Null("scalingType");
  else
    v.Enum("scalingType", *scaling, {"UNIFORM_SCALING"});
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto meta, api.LoadActive(name));
  if (meta.mode == log::StreamMode::kOnDemand) return NotForOnDemand("UpdateShardCount");
  const uint32_t current = OpenCount(meta);
  const auto t = static_cast<uint32_t>(*target);
  if (t > 2 * uint64_t{current}) {
    return ApiError::InvalidArgument(fmt::format(
        "UpdateShardCount cannot scale up over double your current open shard count. Current "
        "open shard count: {} Target shard count: {}",
        current, t));
  }
  if (2 * uint64_t{t} < current) {
    return ApiError::InvalidArgument(fmt::format(
        "UpdateShardCount cannot scale down below half your current open shard count. Current "
        "open shard count: {} Target shard count: {}",
        current, t));
  }
  if (t != current) {
    const uint32_t open = api.OpenShardCount();
    if (t > current && uint64_t{open} - current + t > api.options.shard_limit)
      return api.ShardLimitError(open, t - current);
    Status st = api.log->UpdateShardCount(name, t);
    if (!st.ok()) return st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st);
    MarkUpdating(api, name);
    api.logger->info("resharded stream {} from {} to {} open shards", name, current, t);
  }
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("StreamName").String(name);
  w.Key("CurrentShardCount").Uint(current);
  w.Key("TargetShardCount").Uint(t);
  w.Key("StreamARN").String(api.StreamArn(name));
  w.EndObject();
  return out;
}

}  // namespace fluxgate::kinesis
