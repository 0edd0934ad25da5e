// The data plane: PutRecord, PutRecords, GetShardIterator, GetRecords.
//
// PutRecords is the hot path (500 records per call at 300k+ records/s): one DOM walk to
// collect views, one arena for all decoded payloads, string_views handed to the log, and
// one reserved string for the response, written on the log's completion thread.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/base64.h"
#include "kinesis/context.h"
#include "log/sequence_number.h"
#include "quality/service.h"

namespace fluxgate::kinesis {
namespace {

constexpr size_t kMaxDataBytes = 1u << 20;        // per record, decoded
constexpr size_t kMaxPutRecordsBytes = 5u << 20;  // per PutRecords, data + partition keys
constexpr size_t kMaxPutRecordsCount = 500;
constexpr uint64_t kMaxGetRecordsBytes = 10ull << 20;
constexpr int64_t kMaxGetRecordsLimit = 10000;

// Creation seconds of each shard by index (-1 = unknown), for encoding sequence numbers
// on the completion thread without going back to the log.
std::vector<int64_t> ShardCreateSecs(const log::StreamMeta& meta) {
  std::vector<int64_t> secs(meta.next_shard_index, -1);
  for (const auto& s : meta.shards) {
    if (s.index >= secs.size()) secs.resize(s.index + 1, -1);
    secs[s.index] = s.created_ms / 1000;
  }
  return secs;
}

// The shard's creation seconds; a shard created after we looked (concurrent reshard)
// is fetched from the log, which is rare enough to do on the completion thread.
int64_t CreateSecsFor(log::LogManager* log, const std::string& stream,
                      const std::vector<int64_t>& secs, uint32_t shard) {
  if (shard < secs.size() && secs[shard] >= 0) return secs[shard];
  auto meta = log->DescribeStream(stream);
  if (meta.ok())
    for (const auto& s : meta->shards)
      if (s.index == shard) return s.created_ms / 1000;
  return 0;
}

std::string DataValue(size_t n) {
  // What AWS prints for a blob in validation messages.
  return fmt::format("java.nio.HeapByteBuffer[pos=0 lim={} cap={}]", n, n);
}

ApiError ResultError(const log::AppendResult& r) {
  if (r.error_code == "ProvisionedThroughputExceededException")
    return ApiError::Throughput(r.error_message);
  // A record the stream's data-quality schema refuses ([[quality.streams]] reject mode).
  if (r.error_code == quality::kRejectedErrorCode) return ApiError::Validation(r.error_message);
  return ApiError::Internal(r.error_message.empty() ? "Internal service failure."
                                                    : r.error_message);
}

std::optional<log::u128> ParseExplicitHashKey(std::string_view s) {
  auto v = log::ParseU128(s);
  return v;
}

ApiError BadExplicitHashKey(std::string_view s) {
  return ApiError::InvalidArgument(fmt::format(
      "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified "
      "value was {}",
      s));
}

void AppendSequence(int64_t create_secs, const log::AppendResult& r, std::string& out) {
  log::AppendSequenceNumber({create_secs, r.shard_index, r.offset, r.arrival_ms / 1000}, out);
}

}  // namespace

void PutRecord(ApiContext& api, JsonArgs& args, Reply&& reply) {
  reply.TimeInto(&api.metrics.put_latency);
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto data = args.String("Data");
  auto pk = args.String("PartitionKey");
  auto ehk = args.String("ExplicitHashKey");
  auto sfo = args.String("SequenceNumberForOrdering");
  if (!args.ok()) return reply.Fail(*args.error());

  std::string decoded;
  if (data) {
    decoded.resize(Base64MaxDecodedSize(data->size()));
    auto n = Base64Decode(*data, decoded.data());
    if (!n) return reply.Fail(ApiError::Serialization("Base64 decoding of Data failed."));
    decoded.resize(*n);
  }
  if (!data)
    v.Null("data");
  else if (decoded.size() > kMaxDataBytes)
    v.Fail("data", DataValue(decoded.size()),
           fmt::format("Member must have length less than or equal to {}", kMaxDataBytes));
  if (!pk)
    v.Null("partitionKey");
  else
    v.Length("partitionKey", *pk, 1, 256);
  if (ehk) v.Pattern("explicitHashKey", *ehk, MatchesDecimalPattern(*ehk, 39), kHashKeyPattern);
  if (sfo)
    v.Pattern("sequenceNumberForOrdering", *sfo, MatchesDecimalPattern(*sfo, 129),
              kSequencePattern);
  if (auto e = v.Finish()) return reply.Fail(*e);

  log::AppendRecord record{*pk, decoded, std::nullopt};
  if (ehk) {
    record.explicit_hash_key = ParseExplicitHashKey(*ehk);
    if (!record.explicit_hash_key) return reply.Fail(BadExplicitHashKey(*ehk));
  }
  auto meta = api.LoadReadable(name);
  if (!meta.ok()) return reply.Fail(meta.error());

  log::LogManager* log = api.log;
  Status st = quality::CheckedAppend(log, name, std::span<const log::AppendRecord>(&record, 1),
                          [reply, log, name, secs = ShardCreateSecs(meta.value())](
                              std::vector<log::AppendResult> results) mutable {
                            if (results.empty())
                              return reply.Fail(ApiError::Internal("Internal service failure."));
                            const auto& r = results[0];
                            if (!r.ok) return reply.Fail(ResultError(r));
                            std::string out;
                            out.reserve(160);
                            out.append("{\"ShardId\":\"");
                            AppendShardId(r.shard_index, out);
                            out.append("\",\"SequenceNumber\":\"");
                            AppendSequence(CreateSecsFor(log, name, secs, r.shard_index), r, out);
                            out.append("\",\"EncryptionType\":\"NONE\"}");
                            reply.Ok(std::move(out));
                          });
  if (!st.ok()) reply.Fail(st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st));
}

void PutRecords(ApiContext& api, JsonArgs& args, Reply&& reply) {
  reply.TimeInto(&api.metrics.put_latency);
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto records = args.Array("Records");
  if (!args.ok()) return reply.Fail(*args.error());
  if (!records) {
    v.Null("records");
    return reply.Fail(*v.Finish());
  }

  // Pass 1 over the DOM: collect views and the total base64 size.
  struct Raw {
    std::string_view data_b64, pk, ehk;
    bool has_data = false, has_pk = false, has_ehk = false;
  };
  thread_local std::vector<Raw> raws;
  raws.clear();
  size_t b64_total = 0;
  std::optional<ApiError> type_error;
  for (simdjson::dom::element e : *records) {
    simdjson::dom::object obj;
    if (e.get(obj) != simdjson::SUCCESS) {
      return reply.Fail(ApiError::Serialization(e.is_null() ? "Unexpected null in Records"
                                                            : "Expected structure in Records"));
    }
    Raw raw;
    for (auto field : obj) {
      if (field.value.is_null()) continue;
      if (field.key == "Data") {
        if (auto s = AsString(field.value, &type_error)) raw.data_b64 = *s, raw.has_data = true;
      } else if (field.key == "PartitionKey") {
        if (auto s = AsString(field.value, &type_error)) raw.pk = *s, raw.has_pk = true;
      } else if (field.key == "ExplicitHashKey") {
        if (auto s = AsString(field.value, &type_error)) raw.ehk = *s, raw.has_ehk = true;
      }
      if (type_error) return reply.Fail(*type_error);
    }
    b64_total += raw.data_b64.size();
    raws.push_back(raw);
  }

  // Pass 2: decode every payload into one arena (reserved up front, so views stay valid)
  // and validate. Member names are only formatted when something fails.
  // A raw buffer rather than std::string: growing a string zero-fills, which would cost a
  // memset per record for bytes the decoder overwrites anyway.
  thread_local std::unique_ptr<char[]> arena;
  thread_local size_t arena_capacity = 0;
  thread_local std::vector<log::AppendRecord> batch;
  const size_t arena_needed = Base64MaxDecodedSize(b64_total) + 4;
  if (arena_capacity < arena_needed) {
    arena_capacity = std::max(arena_needed, arena_capacity * 2);
    arena = std::make_unique_for_overwrite<char[]>(arena_capacity);
  }
  size_t arena_used = 0;
  batch.clear();
  batch.reserve(raws.size());
  size_t total_bytes = 0;
  std::optional<std::string_view> bad_ehk;
  for (size_t i = 0; i < raws.size(); ++i) {
    const Raw& raw = raws[i];
    auto member = [i](const char* m) { return fmt::format("records.{}.member.{}", i + 1, m); };
    std::string_view data;
    if (!raw.has_data) {
      v.Null(member("data"));
    } else {
      char* at = arena.get() + arena_used;
      auto n = Base64Decode(raw.data_b64, at);
      if (!n) return reply.Fail(ApiError::Serialization("Base64 decoding of Data failed."));
      arena_used += *n;
      data = std::string_view(at, *n);
      if (*n > kMaxDataBytes) {
        v.Fail(member("data"), DataValue(*n),
               fmt::format("Member must have length less than or equal to {}", kMaxDataBytes));
      }
    }
    if (!raw.has_pk)
      v.Null(member("partitionKey"));
    else if (raw.pk.empty() || raw.pk.size() > 256)
      v.Length(member("partitionKey"), raw.pk, 1, 256);
    std::optional<log::u128> ehk;
    if (raw.has_ehk) {
      if (!MatchesDecimalPattern(raw.ehk, 39)) {
        v.Pattern(member("explicitHashKey"), raw.ehk, false, kHashKeyPattern);
      } else {
        ehk = ParseExplicitHashKey(raw.ehk);
        if (!ehk && !bad_ehk) bad_ehk = raw.ehk;
      }
    }
    total_bytes += data.size() + raw.pk.size();
    batch.push_back(log::AppendRecord{raw.pk, data, ehk});
  }
  v.Count("records", raws.size(), 1, kMaxPutRecordsCount);
  if (auto e = v.Finish()) return reply.Fail(*e);
  if (bad_ehk) return reply.Fail(BadExplicitHashKey(*bad_ehk));
  if (total_bytes > kMaxPutRecordsBytes)
    return reply.Fail(ApiError::InvalidArgument("Records size exceeds 5 MB limit"));

  auto meta = api.LoadReadable(name);
  if (!meta.ok()) return reply.Fail(meta.error());

  log::LogManager* log = api.log;
  Status st = quality::CheckedAppend(log, name, batch,
                          [reply, log, name, secs = ShardCreateSecs(meta.value())](
                              std::vector<log::AppendResult> results) mutable {
                            size_t failed = 0;
                            for (const auto& r : results) failed += !r.ok;
                            std::string out;
                            // ~56-digit sequence number + shard id + punctuation per record.
                            out.reserve(64 + results.size() * 112 + failed * 128);
                            out.append("{\"FailedRecordCount\":");
                            AppendUint(failed, out);
                            out.append(",\"Records\":[");
                            // Consecutive records mostly land on few shards; remember the last
                            // lookup.
                            uint32_t last_shard = UINT32_MAX;
                            int64_t last_secs = 0;
                            for (size_t i = 0; i < results.size(); ++i) {
                              const auto& r = results[i];
                              if (i) out.push_back(',');
                              if (r.ok) {
                                if (r.shard_index != last_shard) {
                                  last_shard = r.shard_index;
                                  last_secs = CreateSecsFor(log, name, secs, r.shard_index);
                                }
                                out.append("{\"SequenceNumber\":\"");
                                AppendSequence(last_secs, r, out);
                                out.append("\",\"ShardId\":\"");
                                AppendShardId(r.shard_index, out);
                                out.append("\"}");
                              } else {
                                out.append("{\"ErrorCode\":\"");
                                AppendJsonEscaped(r.error_code, out);
                                out.append("\",\"ErrorMessage\":\"");
                                AppendJsonEscaped(r.error_message, out);
                                out.append("\"}");
                              }
                            }
                            out.append("],\"EncryptionType\":\"NONE\"}");
                            reply.Ok(std::move(out));
                          });
  if (!st.ok()) reply.Fail(st.IsNotFound() ? api.StreamNotFound(name) : FromStatus(st));
}

ApiResult<std::string> GetShardIterator(ApiContext& api, JsonArgs& args) {
  Validator v;
  const std::string name = api.StreamArg(args, v);
  auto shard_id = args.String("ShardId");
  auto type = args.String("ShardIteratorType");
  auto seq = args.String("StartingSequenceNumber");
  auto ts_ms = args.TimestampMs("Timestamp");
  if (!args.ok()) return *args.error();
  if (!shard_id)
    v.Null("shardId");
  else
    v.Name("shardId", *shard_id);
  if (!type)
    v.Null("shardIteratorType");
  else
    v.Enum(
        "shardIteratorType", *type,
        {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"});
  if (seq)
    v.Pattern("startingSequenceNumber", *seq, MatchesDecimalPattern(*seq, 129), kSequencePattern);
  if (auto e = v.Finish()) return *e;

  FGK_ASSIGN_OR_RETURN(auto meta, api.LoadReadable(name));
  const auto index = log::ParseShardId(*shard_id);
  const log::ShardMeta* shard = nullptr;
  if (index) {
    for (const auto& s : meta.shards)
      if (s.index == *index) shard = &s;
  }
  const std::string sid = index ? ShardIdString(*index) : std::string(*shard_id);
  if (!shard) return api.ShardNotFound(sid, name);

  const bool by_seq = *type == "AT_SEQUENCE_NUMBER" || *type == "AFTER_SEQUENCE_NUMBER";
  if (by_seq != seq.has_value()) {
    return ApiError::InvalidArgument(fmt::format(
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
        "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
        "Request specified {} and {}a StartingSequenceNumber.",
        *type, seq ? "also " : "no "));
  }
  const int64_t now = api.now_ms();
  log::ShardOffset offset = 0;
  if (by_seq) {
    auto parts = log::DecodeSequenceNumber(*seq);
    if (!parts) {
      return ApiError::InvalidArgument(
          fmt::format("StartingSequenceNumber {} used in GetShardIterator on shard {} in stream {} "
                      "under account {} is invalid.",
                      *seq, sid, name, api.options.account_id));
    }
    if (parts->shard_index != shard->index) {
      return ApiError::InvalidArgument(fmt::format(
          "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard "
          "with {}",
          ShardIdString(parts->shard_index), sid));
    }
    if (parts->shard_create_secs != shard->created_ms / 1000) {
      return ApiError::InvalidArgument(
          fmt::format("StartingSequenceNumber {} used in GetShardIterator on shard {} in stream {} "
                      "under account {} is invalid because it did not come from this stream.",
                      *seq, sid, name, api.options.account_id));
    }
    offset = parts->offset + (*type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
  } else if (*type == "AT_TIMESTAMP") {
    if (!ts_ms) {
      return ApiError::InvalidArgument(
          "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
          "request has no timestamp parameter.");
    }
    if (*ts_ms > now) {
      return ApiError::InvalidArgument(fmt::format(
          "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
          "timestampInMillis: {}, currentTimestampInMillis: {}",
          *ts_ms, now));
    }
    // Before the trim horizon the log answers the trim offset: TRIM_HORIZON semantics.
    auto off = api.log->OffsetForTime(name, shard->index, *ts_ms);
    if (!off.ok()) return FromStatus(off.status());
    offset = off.value();
  } else {
    auto bounds = api.log->ShardBounds(name, shard->index);
    if (!bounds.ok()) return FromStatus(bounds.status());
    offset = *type == "LATEST" ? bounds->second : bounds->first;
  }

  std::string out = "{\"ShardIterator\":\"";
  out.append(api.iterators.Encode({name, meta.created_ms, shard->index, offset, now}));
  out.append("\"}");
  return out;
}

ApiResult<std::string> GetRecords(ApiContext& api, JsonArgs& args) {
  Validator v;
  auto iterator = args.String("ShardIterator");
  auto limit = args.Int("Limit");
  (void)args.String("StreamARN");  // optional in the model; the iterator names the stream
  if (!args.ok()) return *args.error();
  if (!iterator)
    v.Null("shardIterator");
  else
    v.Length("shardIterator", *iterator, 1, 512);
  if (limit) v.Range("limit", *limit, 1, kMaxGetRecordsLimit);
  if (auto e = v.Finish()) return *e;

  const int64_t now = api.now_ms();
  FGK_ASSIGN_OR_RETURN(auto pos, api.iterators.Decode(*iterator, now));
  FGK_ASSIGN_OR_RETURN(auto meta, api.LoadReadable(pos.stream));
  const log::ShardMeta* shard = nullptr;
  for (const auto& s : meta.shards)
    if (s.index == pos.shard) shard = &s;
  // A re-created stream of the same name must not serve the old stream's iterators.
  if (meta.created_ms != pos.stream_created_ms || !shard)
    return api.ShardNotFound(ShardIdString(pos.shard), pos.stream);

  auto read = api.log->Read(pos.stream, pos.shard, pos.offset,
                            static_cast<uint32_t>(limit.value_or(kMaxGetRecordsLimit)),
                            kMaxGetRecordsBytes);
  if (!read.ok()) {
    if (read.status().IsNotFound()) return api.ShardNotFound(ShardIdString(pos.shard), pos.stream);
    return FromStatus(read.status());
  }
  const log::ReadResult& r = read.value();
  const int64_t create_secs = shard->created_ms / 1000;

  size_t payload = 0;
  for (const auto& rec : r.records) payload += rec.data.size() + rec.partition_key.size();
  std::string out;
  out.reserve(256 + payload * 4 / 3 + r.records.size() * 160);
  out.append("{\"Records\":[");
  for (size_t i = 0; i < r.records.size(); ++i) {
    const auto& rec = r.records[i];
    if (i) out.push_back(',');
    out.append("{\"SequenceNumber\":\"");
    log::AppendSequenceNumber({create_secs, pos.shard, rec.offset, rec.arrival_ms / 1000}, out);
    out.append("\",\"ApproximateArrivalTimestamp\":");
    {
      JsonWriter ts(out);
      ts.TimestampMs(rec.arrival_ms);
    }
    out.append(",\"Data\":\"");
    Base64Encode(rec.data, out);
    out.append("\",\"PartitionKey\":\"");
    AppendJsonEscaped(rec.partition_key, out);
    out.append("\"}");
  }
  out.append("],");

  JsonWriter w(out);
  w.Key("MillisBehindLatest");
  int64_t behind = 0;
  if (r.next_offset < r.end_offset && !r.records.empty())
    behind = std::max<int64_t>(0, r.newest_arrival_ms - r.records.back().arrival_ms);
  w.Int(behind);
  api.metrics.OnGetRecords(pos.stream, pos.shard, r.records.size(), payload, behind,
                           r.records.empty() ? 0 : std::max<int64_t>(0, now - r.records.back().arrival_ms));
  if (r.shard_drained) {
    // End of a closed shard: no NextShardIterator; name the children so consumers
    // (KCL 2.3+) can continue there.
    w.Key("ChildShards").BeginArray();
    for (const auto& child : meta.shards) {
      const bool is_child = (child.parent && *child.parent == pos.shard) ||
                            (child.adjacent_parent && *child.adjacent_parent == pos.shard);
      if (!is_child) continue;
      w.BeginObject().Key("ShardId").String(ShardIdString(child.index));
      w.Key("ParentShards").BeginArray();
      if (child.parent) w.String(ShardIdString(*child.parent));
      if (child.adjacent_parent) w.String(ShardIdString(*child.adjacent_parent));
      w.EndArray();
      ApiContext::WriteHashKeyRange(w, child);
      w.EndObject();
    }
    w.EndArray();
  } else {
    w.Key("NextShardIterator")
        .String(api.iterators.Encode({pos.stream, meta.created_ms, pos.shard, r.next_offset, now}));
  }
  out.push_back('}');
  return out;
}

}  // namespace fluxgate::kinesis
