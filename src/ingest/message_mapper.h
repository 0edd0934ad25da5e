// MessageMapper: one [[ingest.mqtt]] entry's mapping rule — which messages it takes (its
// topic filters), the partition key (a topic level, the topic, or a payload field) and
// the record body (the payload as-is, or a JSON object with selected fields and topic
// levels added). In the spirit of AWS IoT rules: `SELECT fields, topic(N) AS name FROM
// 'filter'` into a Kinesis stream with a partition key. docs/design/ingest.md.
//
// A message that cannot be mapped (no partition key, payload not JSON where JSON is
// needed, too large) yields a reason; the caller dead-letters it, never drops it.
// Thread-safety: not thread-safe (holds a JSON parser and scratch buffers); one per
// connection, used by its I/O thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_ingest.h"
#include "common/status.h"

namespace fluxgate::ingest {

// Where a mapped record's partition key and data sit in the caller's arena.
struct MappedRecord {
  size_t key_offset = 0;
  uint32_t key_size = 0;
  size_t data_offset = 0;
  uint32_t data_size = 0;
};

class MessageMapper {
 public:
  // The limits of a Kinesis record: partition key 1-256 bytes; key + data at most
  // max_record_bytes (the log's LogOptions::max_record_bytes).
  static Result<std::unique_ptr<MessageMapper>> Create(const IngestConfig::Mqtt& config,
                                                       uint32_t max_record_bytes);
  ~MessageMapper();

  // True if `topic` matches one of the configured filters.
  bool Matches(std::string_view topic) const;

  // Maps one message, appending its partition key and data to `arena` (positions in
  // *out). On failure `arena` is unchanged and the InvalidArgument says why (the
  // dead-letter reason).
  Status Map(std::string_view topic, std::string_view payload, std::string* arena,
             MappedRecord* out);

 private:
  MessageMapper();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::ingest
