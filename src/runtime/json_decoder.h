// JsonDecoder: one JSON record (a Kinesis record / log entry / NDJSON line) -> rows of a
// declared schema, appended straight into a RecordBatchBuilder with simdjson on-demand.
//
// Rules (Flink's JSON format; details and deliberate differences in runtime.md):
//  - fields are matched to columns by exact, case-sensitive name; unknown fields are
//    ignored; a duplicated name takes its last value; a missing field is NULL unless
//    fail_on_missing_field;
//  - a top-level array of objects yields one row per object;
//  - coercions: numbers (and numeric strings) into INT/BIGINT/DOUBLE/DECIMAL with range
//    checks, a fractional number into INT/BIGINT truncates toward zero, DECIMAL rounds
//    HALF_UP; any scalar or nested value into STRING (as its JSON text); booleans and
//    "true"/"false" strings into BOOLEAN; timestamps from text (timestamp_text.h),
//    truncated to the declared precision;
//  - a record that does not fit produces a DeadLetter naming the field and the problem,
//    and leaves the builder exactly as it was.
// Not thread-safe (it owns a simdjson parser and scratch buffers); use one per worker.
// Steady state allocates nothing per record on the success path.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/json_format.h"
#include "runtime/record_batch.h"

namespace fluxgate::runtime {

class JsonDecoderBackend;

// A record that could not become a row. The caller adds where it came from (stream,
// shard, sequence number) before sending it to the dead-letter output.
struct DeadLetter {
  std::string reason;  // e.g. "field 'value': cannot convert string \"hot\" to DOUBLE"
  std::string raw;     // the record's bytes, unchanged
};

enum class DecodeOutcome : uint8_t {
  kRows,        // rows were appended: one per object (none for an empty top-level array)
  kDeadLetter,  // nothing appended; *dead_letter filled
  kSkipped,     // not JSON and ignore_parse_errors: nothing appended; *dead_letter filled
                // so the caller can count and sample it
};

class JsonDecoder {
 public:
  JsonDecoder(std::shared_ptr<const Schema> schema, JsonFormatOptions options);
  ~JsonDecoder();
  JsonDecoder(const JsonDecoder&) = delete;
  JsonDecoder& operator=(const JsonDecoder&) = delete;

  // Decodes `record` into `out` (whose schema must be this decoder's). `readable`: how many
  // bytes from record.data() may be read (not written); when that covers simdjson's
  // padding past the end the record is parsed in place, else it is copied first.
  DecodeOutcome Decode(std::string_view record, RecordBatchBuilder& out, DeadLetter* dead_letter,
                       size_t readable = 0);

 private:
  // Chosen by CPU at construction: simdjson's AVX2 kernel or its portable one. One
  // indirect call per record, none per field.
  std::unique_ptr<JsonDecoderBackend> backend_;
};

}  // namespace fluxgate::runtime
