// RecordsApi: HTTP ingest, served on the HTTP listener by HttpApi (docs/operations.md,
// "HTTP ingest"):
//
//   POST /v1/streams/{stream}/records[?partition_key=FIELD]
//        Content-Type: application/x-ndjson  one JSON object per line (blank lines skipped)
//                      application/json      a JSON array of objects
//        X-Partition-Key: KEY                 (optional) one partition key for every record
//   -> {"stream","accepted","failed","results":[{"line","shard_id","sequence_number"} |
//                                              {"line","error","message"[,"retryable"]}]}
//
// Every record is a JSON object, stored as sent (NDJSON lines, trimmed) or minified (array
// elements). Its partition key is the payload field named by ?partition_key (a string, or
// the JSON text of a number or boolean), else the X-Partition-Key header, else a hash of
// the record's bytes (identical records share a shard; ordering across records is not
// kept). A bad record fails alone; the others are appended. Results are sent once every
// accepted record is durable in the log, so a result with a sequence number is an
// acknowledgement. Status: 200 when the request was processed (some lines may have
// failed), 400 when no line was usable or the body is unusable, 404 unknown stream (never
// created here), 405, 413 body larger than max_request_bytes, 415 other content types,
// 429 + Retry-After when the log refused records for backpressure (its pending-bytes
// limit, as PutRecords' ProvisionedThroughputExceededException): resend only the lines
// marked "retryable", 500 when every record failed inside the log.
//
// Thread-safety: Handle may be called concurrently from I/O threads; it never blocks (the
// reply is sent from the log's commit thread).
#pragma once

#include <cstdint>
#include <string_view>

#include "http/server.h"

namespace fluxgate::log {
class LogManager;
}

namespace fluxgate::web {

struct RecordsApiOptions {
  uint64_t max_request_bytes = 1ull << 20;  // [ingest] http_max_request_bytes
  int retry_after_secs = 1;                 // Retry-After on 429
};

class RecordsApi {
 public:
  // `log` must outlive this object.
  RecordsApi(log::LogManager* log, RecordsApiOptions options);

  // False if `path` (the target without its query) is not /v1/streams/{stream}/records;
  // otherwise `respond` is called, now or later, exactly once.
  bool Handle(const http::Request& request, std::string_view path, http::Responder& respond);

 private:
  log::LogManager* const log_;
  const RecordsApiOptions options_;
};

}  // namespace fluxgate::web
