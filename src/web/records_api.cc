#include "web/records_api.h"

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "log/log_manager.h"
#include "log/sequence_number.h"
#include "quality/service.h"
#include "web/http_util.h"

namespace fluxgate::web {
namespace {

constexpr std::string_view kPrefix = "/v1/streams/";
constexpr std::string_view kSuffix = "/records";
constexpr size_t kMaxPartitionKeyBytes = 256;  // as Kinesis
constexpr const char* kThrottled = "ProvisionedThroughputExceededException";

std::string_view MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return t;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// The default partition key: FNV-1a 64 of the record as 16 hex digits. Deterministic, so
// a resent record lands on the shard of its first copy; the log hashes it again (MD5).
void AppendContentKey(std::string_view data, std::string& out) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(h >> shift) & 0xf]);
}

enum class Format { kNdjson, kArray };

// One input record. Offsets point into the request body (NDJSON data) or the arena
// (array data, partition keys), which only grows until every view is taken.
struct Entry {
  uint32_t line = 0;  // 1-based NDJSON line or array position
  bool data_in_body = false;
  size_t data_off = 0, data_len = 0;
  size_t pk_off = 0, pk_len = 0;
  // Set when the record failed before the log saw it.
  const char* error = nullptr;
  std::string message;
};

// What the reply needs once the log answers. Shared with the completion callback, which
// std::function requires to be copyable.
struct Pending {
  std::string stream;
  std::vector<Entry> entries;
  std::vector<uint32_t> appended;   // entry index of each record handed to the log
  std::vector<int64_t> shard_secs;  // shard creation seconds by index (-1 unknown)
  log::LogManager* log = nullptr;
  int retry_after_secs = 1;
};

int64_t ShardSecs(Pending& p, uint32_t shard) {
  if (shard < p.shard_secs.size() && p.shard_secs[shard] >= 0) return p.shard_secs[shard];
  // A shard created after we looked (concurrent resharding): rare, ask the log once.
  if (auto meta = p.log->DescribeStream(p.stream); meta.ok()) {
    for (const auto& s : meta->shards) {
      if (s.index >= p.shard_secs.size()) p.shard_secs.resize(s.index + 1, -1);
      p.shard_secs[s.index] = s.created_ms / 1000;
    }
  }
  return shard < p.shard_secs.size() && p.shard_secs[shard] >= 0 ? p.shard_secs[shard] : 0;
}

// The reply once the outcome of every record is known (`results` empty when nothing was
// appended).
http::Response Finish(Pending& p, const std::vector<log::AppendResult>& results) {
  std::vector<const log::AppendResult*> by_entry(p.entries.size(), nullptr);
  for (size_t i = 0; i < p.appended.size() && i < results.size(); ++i)
    by_entry[p.appended[i]] = &results[i];

  size_t accepted = 0, throttled = 0, internal = 0;
  std::string body;
  body.reserve(96 + p.entries.size() * 120);
  JsonWriter w(body);
  w.BeginObject().Key("stream").String(p.stream);
  std::string results_json;
  results_json.reserve(p.entries.size() * 120);
  JsonWriter rw(results_json);
  rw.BeginArray();
  for (size_t i = 0; i < p.entries.size(); ++i) {
    const Entry& e = p.entries[i];
    rw.BeginObject().Key("line").Uint(e.line);
    const log::AppendResult* r = by_entry[i];
    if (e.error != nullptr) {
      rw.Key("error").String(e.error).Key("message").String(e.message);
    } else if (r == nullptr) {
      ++internal;
      rw.Key("error").String("InternalFailure").Key("message").String("no result from the log");
      rw.Key("retryable").Bool(true);
    } else if (r->ok) {
      ++accepted;
      rw.Key("shard_id").String(log::ShardIdFor(r->shard_index));
      rw.Key("sequence_number")
          .String(log::EncodeSequenceNumber(
              {ShardSecs(p, r->shard_index), r->shard_index, r->offset, r->arrival_ms / 1000}));
    } else if (r->error_code == quality::kRejectedErrorCode) {
      // Refused by the stream's [quality] schema: sending it again cannot help.
      rw.Key("error").String("InvalidRecord").Key("message").String(r->error_message);
    } else {
      const bool backpressure = r->error_code == kThrottled;
      (backpressure ? throttled : internal) += 1;
      rw.Key("error").String(backpressure ? "Throttled" : "InternalFailure");
      rw.Key("message").String(r->error_message);
      rw.Key("retryable").Bool(true);
    }
    rw.EndObject();
  }
  rw.EndArray();
  const size_t failed = p.entries.size() - accepted;
  w.Key("accepted").Uint(accepted).Key("failed").Uint(failed);
  w.Key("results").Raw(results_json).EndObject();

  int status = 200;
  if (throttled > 0)
    status = 429;
  else if (accepted == 0 && internal > 0)
    status = 500;
  else if (accepted == 0)
    status = 400;
  http::Response resp = JsonResponse(status, std::move(body));
  if (status == 429) resp.headers.push_back({"retry-after", std::to_string(p.retry_after_secs)});
  return resp;
}

}  // namespace

RecordsApi::RecordsApi(log::LogManager* log, RecordsApiOptions options)
    : log_(log), options_(options) {}

bool RecordsApi::Handle(const http::Request& req, std::string_view path, http::Responder& respond) {
  if (path.size() <= kPrefix.size() + kSuffix.size() || !path.starts_with(kPrefix) ||
      !path.ends_with(kSuffix))
    return false;
  std::string_view raw_name =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (raw_name.find('/') != std::string_view::npos) return false;
  const std::string stream = PercentDecode(raw_name);

  if (req.method != "POST") {
    http::Response r = JsonError(405, "MethodNotAllowed",
                                 req.method + " is not supported on " + std::string(path) +
                                     "; use POST with NDJSON or a JSON array of records");
    r.headers.push_back({"allow", "POST"});
    respond(std::move(r));
    return true;
  }
  if (req.body.size() > options_.max_request_bytes) {
    respond(
        JsonError(413, "PayloadTooLarge",
                  "request body of " + std::to_string(req.body.size()) +
                      " bytes exceeds the limit of " + std::to_string(options_.max_request_bytes) +
                      " bytes (ingest.http_max_request_bytes); split it into smaller requests"));
    return true;
  }

  // Partition key source.
  const std::optional<std::string> pk_field = QueryParam(req.target, "partition_key");
  const std::string_view pk_header = req.Get("x-partition-key");
  if (pk_field && pk_field->empty()) {
    respond(JsonError(400, "InvalidArgument", "partition_key must name a payload field"));
    return true;
  }
  if (pk_field && !pk_header.empty()) {
    respond(JsonError(400, "InvalidArgument",
                      "give either ?partition_key=FIELD or an X-Partition-Key header, not both"));
    return true;
  }
  if (req.Has("x-partition-key") &&
      (pk_header.empty() || pk_header.size() > kMaxPartitionKeyBytes)) {
    respond(JsonError(400, "InvalidArgument", "X-Partition-Key must be 1 to 256 bytes"));
    return true;
  }

  auto meta = log_->DescribeStream(stream);
  if (!meta.ok()) {
    if (meta.status().IsNotFound()) {
      respond(JsonError(404, "StreamNotFound",
                        "stream '" + stream +
                            "' does not exist; create it first (Kinesis CreateStream). HTTP ingest "
                            "does not create streams"));
    } else {
      respond(JsonError(500, "InternalFailure", meta.status().message()));
    }
    return true;
  }

  // Body format: the Content-Type, or a look at the first byte when there is none.
  Format format;
  const std::string_view media = MediaType(req.Get("content-type"));
  if (AsciiEqualsIgnoreCase(media, "application/x-ndjson") ||
      AsciiEqualsIgnoreCase(media, "application/ndjson")) {
    format = Format::kNdjson;
  } else if (AsciiEqualsIgnoreCase(media, "application/json")) {
    format = Format::kArray;
  } else if (media.empty()) {
    const size_t first = req.body.find_first_not_of(" \t\r\n");
    format =
        first != std::string::npos && req.body[first] == '[' ? Format::kArray : Format::kNdjson;
  } else {
    respond(JsonError(415, "UnsupportedMediaType",
                      "Content-Type '" + std::string(media) +
                          "' is not supported; use application/x-ndjson (one JSON object per "
                          "line) or application/json (an array of objects)"));
    return true;
  }

  auto pending = std::make_shared<Pending>();
  pending->stream = stream;
  pending->log = log_;
  pending->retry_after_secs = options_.retry_after_secs;
  std::string arena;  // array records (minified) and partition keys taken from payloads
  arena.reserve(format == Format::kArray ? req.body.size() + 64 : 256);
  const uint64_t max_record = log_->options().max_record_bytes;

  // Fills entry `e` for one record: `obj_or_error` is its parsed value.
  auto take = [&](Entry& e, simdjson::dom::element value, std::string_view data,
                  bool data_in_body) {
    simdjson::dom::object obj;
    if (value.get(obj) != simdjson::SUCCESS) {
      e.error = "NotAnObject";
      e.message = "a record must be a JSON object";
      return;
    }
    if (data_in_body) {
      e.data_in_body = true;
      e.data_off = static_cast<size_t>(data.data() - req.body.data());
      e.data_len = data.size();
    } else {
      e.data_off = arena.size();
      e.data_len = data.size();
      arena.append(data);
    }
    std::string_view pk;
    std::string pk_text;
    if (pk_field) {
      simdjson::dom::element f;
      if (obj.at_key(*pk_field).get(f) != simdjson::SUCCESS || f.is_null()) {
        e.error = "MissingPartitionKey";
        e.message = "field '" + *pk_field + "' (the partition key) is missing or null";
        return;
      }
      if (f.is_string()) {
        pk = f.get_string().value_unsafe();
      } else if (f.is_object() || f.is_array()) {
        e.error = "InvalidPartitionKey";
        e.message = "field '" + *pk_field + "' is an object or array, not a key";
        return;
      } else {
        pk_text = simdjson::minify(f);
        pk = pk_text;
      }
      if (pk.empty() || pk.size() > kMaxPartitionKeyBytes) {
        e.error = "InvalidPartitionKey";
        e.message = "field '" + *pk_field + "' must be 1 to 256 bytes";
        return;
      }
      e.pk_off = arena.size();
      e.pk_len = pk.size();
      arena.append(pk);
    } else if (pk_header.empty()) {
      e.pk_off = arena.size();
      AppendContentKey(data, arena);
      e.pk_len = arena.size() - e.pk_off;
    }
    if (e.data_len + (pk_header.empty() ? e.pk_len : pk_header.size()) > max_record) {
      e.error = "RecordTooLarge";
      e.message = "record of " + std::to_string(e.data_len) + " bytes exceeds the log's limit of " +
                  std::to_string(max_record) + " bytes";
    }
  };

  thread_local simdjson::dom::parser parser;
  std::vector<Entry>& entries = pending->entries;
  if (format == Format::kNdjson) {
    std::string_view rest = req.body;
    uint32_t line_no = 0;
    while (!rest.empty()) {
      ++line_no;
      const size_t nl = rest.find('\n');
      std::string_view line = Trim(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line = Trim(line.substr(3));
      if (line.empty()) continue;
      Entry& e = entries.emplace_back();
      e.line = line_no;
      simdjson::dom::element value;
      if (auto err = parser.parse(line.data(), line.size(), true).get(value);
          err != simdjson::SUCCESS) {
        e.error = "InvalidJson";
        e.message = std::string("line is not JSON: ") + simdjson::error_message(err);
        continue;
      }
      take(e, value, line, true);
    }
  } else {
    simdjson::dom::element root;
    simdjson::dom::array array;
    if (auto err = parser.parse(req.body).get(root); err != simdjson::SUCCESS) {
      respond(JsonError(400, "InvalidJson",
                        std::string("request body is not JSON: ") + simdjson::error_message(err)));
      return true;
    }
    if (root.get(array) != simdjson::SUCCESS) {
      respond(JsonError(400, "InvalidJson",
                        "an application/json body must be an array of records (send one object "
                        "per line as application/x-ndjson instead)"));
      return true;
    }
    uint32_t pos = 0;
    std::string minified;
    for (simdjson::dom::element value : array) {
      Entry& e = entries.emplace_back();
      e.line = ++pos;
      minified = simdjson::minify(value);
      take(e, value, minified, false);
    }
  }
  if (entries.empty()) {
    respond(JsonError(400, "NoRecords", "the body holds no records"));
    return true;
  }

  std::vector<log::AppendRecord> batch;
  batch.reserve(entries.size());
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.error != nullptr) continue;
    const char* data_base = e.data_in_body ? req.body.data() : arena.data();
    log::AppendRecord r;
    r.data = std::string_view(data_base + e.data_off, e.data_len);
    r.partition_key =
        pk_header.empty() ? std::string_view(arena.data() + e.pk_off, e.pk_len) : pk_header;
    batch.push_back(r);
    pending->appended.push_back(i);
  }
  if (batch.empty()) {
    respond(Finish(*pending, {}));
    return true;
  }
  pending->shard_secs.assign(meta->next_shard_index, -1);
  for (const auto& s : meta->shards) {
    if (s.index >= pending->shard_secs.size()) pending->shard_secs.resize(s.index + 1, -1);
    pending->shard_secs[s.index] = s.created_ms / 1000;
  }

  // Through the stream's [quality] rules, if any (a rejected line gets its reason).
  Status st = quality::CheckedAppend(log_, stream, batch,
                                     [pending, respond](std::vector<log::AppendResult> results) {
                                       respond(Finish(*pending, results));
                                     });
  if (!st.ok()) {
    if (st.IsNotFound())
      respond(JsonError(404, "StreamNotFound", "stream '" + stream + "' was deleted"));
    else if (st.code() == Status::Code::kUnavailable)
      respond(JsonError(503, "Unavailable", st.message()));
    else
      respond(JsonError(500, "InternalFailure", st.message()));
  }
  return true;
}

}  // namespace fluxgate::web
